#include "store/image.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "store/internal.h"

char *
berth_store_image_last_updated(berth_store *s, const char *id)
{
  if (!berth_digest_is_valid(id))
    return NULL;
  cleanup_free char *path = xasprintf(IMAGEDB_METADATA "/%s/lastUpdated", berth_digest_hex(id));
  berth_error *err = NULL;
  char *v = berth_read_line_at(s->image_fd, path, &err);
  berth_error_free(err);
  return v;
}

int
berth_store_image_get(berth_store *s, const char *id, char **config, size_t *len, berth_error **err)
{
  if (berth_digest_check(id, err) < 0)
    return berth_error_prefix(err, "image");
  cleanup_free char *path = xasprintf(IMAGEDB_CONTENT "/%s", berth_digest_hex(id));
  cleanup_error berth_error *local = NULL;
  cleanup_free char *data = NULL;
  size_t n = 0;
  if (berth_read_file_at(s->image_fd, path, &data, &n, &local) < 0) {
    if (berth_error_errno(local) == ENOENT)
      return 0;
    berth_error_propagate(err, &local);
    return berth_error_prefix(err, "read image %s", id);
  }
  char got[BERTH_DIGEST_LEN];
  berth_sha256_digest(data, n, got);
  if (strcmp(got, id) != 0)
    return berth_error_set(err, 0, "image %s: stored config is corrupt (its digest is %s)", id,
                           got);
  *config = steal_pointer(&data);
  if (len != NULL)
    *len = n;
  return 1;
}

char *
berth_store_image_parent(berth_store *s, const char *id)
{
  if (!berth_digest_is_valid(id))
    return NULL;
  cleanup_free char *path = xasprintf(IMAGEDB_METADATA "/%s/parent", berth_digest_hex(id));
  char *parent = berth_read_line_at(s->image_fd, path, NULL);
  if (parent != NULL && !berth_digest_is_valid(parent)) {
    free(parent);
    return NULL;
  }
  return parent;
}

char **
berth_store_image_list(berth_store *s, berth_error **err)
{
  return berth_store_list_digests(s, IMAGEDB_CONTENT, err);
}

/* The chain ids of an image's layers, bottom first.  Reads only
 * rootfs.diff_ids, so that any stored config can be deleted; diff_ids that
 * are not digests are an error. */
int
berth_store_image_chains(berth_store *s, const char *id, berth_strset *out, berth_error **err)
{
  cleanup_free char *config = NULL;
  size_t len = 0;
  int found = berth_store_image_get(s, id, &config, &len, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set(err, ENOENT, "no such image: %s", id);
  json_error_t jerr;
  cleanup_json json_t *root = json_loadb(config, len, 0, &jerr);
  json_t *ids = json_object_get(json_object_get(root, "rootfs"), "diff_ids");
  char chain[BERTH_DIGEST_LEN] = "";
  for (size_t i = 0; i < json_array_size(ids); i++) {
    const char *diff = json_string_value(json_array_get(ids, i));
    if (diff == NULL || !berth_digest_is_valid(diff))
      return berth_error_set(err, 0, "image %s: bad diff_id %zu", id, i);
    berth_chain_id(chain, diff, chain);
    berth_strset_add(out, chain);
  }
  return 0;
}
