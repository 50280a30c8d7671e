#include "images/rootfs_ref.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "images/resolve.h"
#include "store/image_load.h"

#define LAYER_SUFFIX "@layer:"

/* name is untrusted: only the digits after the last "@layer:" are read. */
int
berth_rootfs_ref_parse(const char *name, char **image, size_t *n, berth_error **err)
{
  const char *at = NULL;
  for (const char *p = strstr(name, LAYER_SUFFIX); p != NULL; p = strstr(p + 1, LAYER_SUFFIX))
    at = p;
  if (at == NULL)
    return 0;
  const char *num = at + strlen(LAYER_SUFFIX);
  size_t v = 0, len = strlen(num);
  if (len == 0 || len > 4 || at == name)
    return berth_error_set(err, 0, "invalid layer reference \"%s\": want IMAGE@layer:N", name);
  for (const char *p = num; *p != '\0'; p++) {
    if (*p < '0' || *p > '9')
      return berth_error_set(err, 0, "invalid layer reference \"%s\": want IMAGE@layer:N", name);
    v = v * 10 + (size_t)(*p - '0');
  }
  if (v == 0)
    return berth_error_set(err, 0, "invalid layer reference \"%s\": layers count from 1", name);
  *image = xstrndup(name, (size_t)(at - name));
  *n = v;
  return 1;
}

static int
count_layers(berth_store *s, const char *id, size_t *n, berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  *n = c->n_diff_ids;
  return 0;
}

/* The hex part a chain reference names: "sha256:<hex>" or "<hex>", at least
 * 4 and at most 64 lowercase hex digits; NULL otherwise. */
static const char *
chain_hex(const char *name)
{
  const char *h = strncmp(name, "sha256:", 7) == 0 ? name + 7 : name;
  size_t len = strlen(h);
  if (len < 4 || len > BERTH_SHA256_HEX_LEN)
    return NULL;
  for (const char *p = h; *p != '\0'; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return NULL;
  return h;
}

struct chain_match {
  char chain[BERTH_DIGEST_LEN];
  char image[BERTH_DIGEST_LEN];
  size_t n;
  bool exact; /* the image's rootfs ends at the chain */
  bool found;
};

/* Considers every layer of image id for the chain prefix hex. */
static int
match_image(berth_store *s, const char *id, const char *hex, struct chain_match *m,
            berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  cleanup_strv char **chains = berth_chain_ids(c->diff_ids, c->n_diff_ids);
  size_t hl = strlen(hex);
  for (size_t i = 0; i < c->n_diff_ids; i++) {
    if (strncmp(berth_digest_hex(chains[i]), hex, hl) != 0)
      continue;
    if (m->found && strcmp(m->chain, chains[i]) != 0)
      return berth_error_set(err, 0, "layer reference \"%s\" is ambiguous", hex);
    bool exact = i + 1 == c->n_diff_ids;
    if (!m->found || (exact && !m->exact) || (exact == m->exact && strcmp(id, m->image) < 0)) {
      memcpy(m->chain, chains[i], BERTH_DIGEST_LEN);
      memcpy(m->image, id, BERTH_DIGEST_LEN);
      m->n = i + 1;
      m->exact = exact;
    }
    m->found = true;
  }
  return 0;
}

/* 1 found, 0 no image holds such a chain, -1 error. */
static int
resolve_chain(berth_store *s, const char *hex, char image_id[BERTH_DIGEST_LEN], size_t *n,
              berth_error **err)
{
  cleanup_strv char **ids = berth_store_image_list(s, err);
  if (ids == NULL)
    return -1;
  struct chain_match m = { .found = false };
  for (char **p = ids; *p != NULL; p++)
    if (match_image(s, *p, hex, &m, err) < 0)
      return -1;
  if (!m.found)
    return 0;
  memcpy(image_id, m.image, BERTH_DIGEST_LEN);
  *n = m.n;
  return 1;
}

/* name is untrusted user input (see the header). */
int
berth_image_resolve_rootfs(berth_store *s, const char *name, char image_id[BERTH_DIGEST_LEN],
                           size_t *n_layers, berth_error **err)
{
  cleanup_free char *image = NULL;
  size_t want = 0;
  int r = berth_rootfs_ref_parse(name, &image, &want, err);
  if (r < 0)
    return -1;
  const char *base = r == 1 ? image : name;
  size_t total = 0;
  berth_error *first = NULL;
  if (berth_image_resolve(s, base, image_id, &first) == 0) {
    if (count_layers(s, image_id, &total, err) < 0)
      return -1;
  } else {
    const char *hex = chain_hex(base);
    int c = hex != NULL && berth_error_errno(first) == ENOENT
                ? resolve_chain(s, hex, image_id, &total, err)
                : 0;
    if (c <= 0) {
      if (c == 0)
        return berth_error_propagate(err, &first);
      berth_error_free(first);
      return -1;
    }
    berth_error_free(first);
  }
  if (r == 1 && want > total)
    return berth_error_set(err, 0, "%s: the image has %zu layer%s", name, total,
                           total == 1 ? "" : "s");
  *n_layers = r == 1 ? want : total;
  return 0;
}
