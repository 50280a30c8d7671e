#include "archive/base64.h"

#include <stdint.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
berth_base64_encode(const void *data, size_t len)
{
  const unsigned char *p = data;
  char *out = xmalloc((len + 2) / 3 * 4 + 1);
  char *o = out;
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (i < len) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  *o = '\0';
  return out;
}

static int
b64_value(char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* text is untrusted: every character and the padding are checked. */
int
berth_base64_decode(const char *text, size_t len, unsigned char **out, size_t *out_len,
                    berth_error **err)
{
  if (len % 4 != 0)
    return berth_error_set(err, 0, "invalid base64: length %zu is not a multiple of 4", len);
  cleanup_free unsigned char *buf = xmalloc(len / 4 * 3 + 1);
  size_t n = 0;
  for (size_t i = 0; i < len; i += 4) {
    int pad = 0;
    uint32_t v = 0;
    for (size_t j = 0; j < 4; j++) {
      char c = text[i + j];
      int d;
      if (c == '=' && i + 4 == len && j >= 2 && (j == 3 || text[i + 3] == '=')) {
        pad++;
        d = 0;
      } else if (pad > 0 || (d = b64_value(c)) < 0) {
        return berth_error_set(err, 0, "invalid base64 at offset %zu", i + j);
      }
      v = v << 6 | (uint32_t)d;
    }
    buf[n++] = (unsigned char)(v >> 16);
    if (pad < 2)
      buf[n++] = (unsigned char)(v >> 8);
    if (pad < 1)
      buf[n++] = (unsigned char)v;
  }
  *out_len = n;
  *out = steal_pointer(&buf);
  return 0;
}
