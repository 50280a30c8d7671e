#include "common/digest.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

struct berth_sha256 {
  EVP_MD_CTX *ctx;
};

berth_sha256 *
berth_sha256_new(void)
{
  berth_sha256 *h = xcalloc(1, sizeof(*h));
  h->ctx = EVP_MD_CTX_new();
  if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
    abort(); /* only fails when out of memory */
  return h;
}

void
berth_sha256_update(berth_sha256 *h, const void *data, size_t len)
{
  if (len > 0)
    EVP_DigestUpdate(h->ctx, data, len);
}

void
berth_sha256_final(berth_sha256 *h, char out[BERTH_DIGEST_LEN])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[32];
  unsigned int n = 0;
  EVP_DigestFinal_ex(h->ctx, md, &n);
  memcpy(out, "sha256:", 7);
  for (unsigned int i = 0; i < 32; i++) {
    out[7 + 2 * i] = hex[md[i] >> 4];
    out[7 + 2 * i + 1] = hex[md[i] & 0xf];
  }
  out[7 + 64] = '\0';
}

void
berth_sha256_free(berth_sha256 *h)
{
  if (h == NULL)
    return;
  EVP_MD_CTX_free(h->ctx);
  free(h);
}

void
berth_sha256_cleanup(berth_sha256 **h)
{
  berth_sha256_free(*h);
  *h = NULL;
}

void
berth_sha256_digest(const void *data, size_t len, char out[BERTH_DIGEST_LEN])
{
  berth_sha256 *h = berth_sha256_new();
  berth_sha256_update(h, data, len);
  berth_sha256_final(h, out);
  berth_sha256_free(h);
}

bool
berth_digest_is_valid(const char *s)
{
  if (s == NULL || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + BERTH_SHA256_HEX_LEN)
    return false;
  for (const char *p = s + 7; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return false;
  return true;
}

const char *
berth_digest_hex(const char *digest)
{
  const char *colon = strchr(digest, ':');
  return colon ? colon + 1 : digest;
}

int
berth_digest_check(const char *s, berth_error **err)
{
  if (s == NULL)
    return berth_error_set(err, 0, "missing digest");
  if (!berth_digest_is_valid(s)) {
    if (strncmp(s, "sha256:", 7) != 0 && strchr(s, ':') != NULL)
      return berth_error_set(err, 0, "unsupported digest algorithm: %.40s", s);
    return berth_error_set(err, 0, "invalid digest: %.80s", s);
  }
  return 0;
}
