#include "push/source.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/xalloc.h"
#include "image/media_type.h"
#include "store/distribution.h"
#include "store/refs.h"

void
push_source_clear(push_source *src)
{
  free(src->digest);
  free(src->data);
  berth_manifest_free(src->m);
  memset(src, 0, sizeof *src);
}

bool
push_source_layer_is_gzip(const char *mt)
{
  return strcmp(mt, BERTH_MT_DOCKER_LAYER_GZIP) == 0 || strcmp(mt, BERTH_MT_OCI_LAYER_GZIP) == 0;
}

/* The kept bytes are the store's (checked against their digest when read)
 * but parsed as untrusted, and matched against the image before use. */
static int
try_digest(berth_store *s, const char *digest, const char *image_id, char *const *diff_ids,
           size_t n, push_source *out, berth_error **err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;
  int found = berth_store_manifest_get(s, digest, &data, &len, err);
  if (found <= 0)
    return found;
  berth_error *perr = NULL;
  berth_manifest *m = berth_manifest_parse(data, len, NULL, &perr);
  if (m == NULL) {
    berth_error_free(perr);
    return 0;
  }
  bool fits = !m->is_index && strcmp(m->config.digest, image_id) == 0 && m->n_layers == n;
  for (size_t i = 0; fits && i < n; i++) {
    char diff[BERTH_DIGEST_LEN];
    int r = berth_store_diffid_by_digest(s, m->layers[i].digest, diff, err);
    if (r < 0) {
      berth_manifest_free(m);
      return -1;
    }
    fits = r == 1 && strcmp(diff, diff_ids[i]) == 0;
  }
  if (!fits) {
    berth_manifest_free(m);
    return 0;
  }
  out->digest = xstrdup(digest);
  out->data = steal_pointer(&data);
  out->len = len;
  out->m = m;
  return 1;
}

int
push_source_find(berth_store *s, const char *image_id, char *const *diff_ids, size_t n,
                 push_source *out, berth_error **err)
{
  memset(out, 0, sizeof *out);
  berth_ref *refs = NULL;
  size_t nrefs = 0;
  if (berth_store_refs_list(s, &refs, &nrefs, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < nrefs && rc == 0; i++) {
    const char *at = strchr(refs[i].name, '@');
    if (at != NULL && strcmp(refs[i].image_id, image_id) == 0 && berth_digest_is_valid(at + 1))
      rc = try_digest(s, at + 1, image_id, diff_ids, n, out, err);
  }
  berth_refs_free(refs, nrefs);
  return rc;
}
