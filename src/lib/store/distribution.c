#include "store/distribution.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/internal.h"
#include "store/lock.h"

/* Docker keeps at most this many v2metadata entries per diffID. */
#define V2META_MAX 50

static int
v2meta_add(berth_store *s, const char *diff_id, const char *blob_digest, const char *source,
           const char *media_type, berth_error **err)
{
  cleanup_json json_t *list = berth_store_v2metadata(s, diff_id, err);
  if (list == NULL)
    return -1;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = json_array_get(list, i);
    const char *d = json_string_value(json_object_get(e, "Digest"));
    const char *r = json_string_value(json_object_get(e, "SourceRepository"));
    if (d != NULL && r != NULL && strcmp(d, blob_digest) == 0 && strcmp(r, source) == 0) {
      json_array_remove(list, i);
      break;
    }
  }
  json_t *e
      = json_pack("{s:s, s:s, s:s}", "Digest", blob_digest, "SourceRepository", source, "HMAC", "");
  if (media_type != NULL)
    json_object_set_new(e, "MediaType", json_string(media_type));
  json_array_append_new(list, e);
  while (json_array_size(list) > V2META_MAX)
    json_array_remove(list, 0);
  cleanup_free char *text = json_dumps(list, JSON_COMPACT);
  cleanup_free char *path = xasprintf(DIST_V2META "/%s", berth_digest_hex(diff_id));
  return berth_write_file_atomic_at(s->image_fd, path, text, strlen(text), 0644, err);
}

/* Trusts blob_digest and diff_id only after checking them; source and
 * media_type are plain strings (JSON-encoded). */
int
berth_store_distribution_put(berth_store *s, const char *blob_digest, const char *diff_id,
                             const char *source_repository, const char *media_type,
                             berth_error **err)
{
  if (berth_digest_check(blob_digest, err) < 0 || berth_digest_check(diff_id, err) < 0)
    return berth_error_prefix(err, "store distribution metadata");
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_free char *path = xasprintf(DIST_DIFFID "/%s", berth_digest_hex(blob_digest));
  if (berth_write_file_atomic_at(s->image_fd, path, diff_id, strlen(diff_id), 0644, err) < 0
      || v2meta_add(s, diff_id, blob_digest, source_repository, media_type, err) < 0)
    return berth_error_prefix(err, "store distribution metadata of %s", blob_digest);
  return 0;
}

int
berth_store_diffid_by_digest(berth_store *s, const char *blob_digest, char out[BERTH_DIGEST_LEN],
                             berth_error **err)
{
  if (berth_digest_check(blob_digest, err) < 0)
    return berth_error_prefix(err, "diffid-by-digest");
  cleanup_free char *path = xasprintf(DIST_DIFFID "/%s", berth_digest_hex(blob_digest));
  cleanup_error berth_error *local = NULL;
  cleanup_free char *line = berth_read_line_at(s->image_fd, path, &local);
  if (line == NULL)
    return berth_error_errno(local) == ENOENT ? 0 : berth_error_propagate(err, &local);
  if (!berth_digest_is_valid(line))
    return berth_error_set(err, 0, "diffid-by-digest of %s: not a digest", blob_digest);
  memcpy(out, line, BERTH_DIGEST_LEN);
  return 1;
}

json_t *
berth_store_v2metadata(berth_store *s, const char *diff_id, berth_error **err)
{
  if (berth_digest_check(diff_id, err) < 0) {
    berth_error_prefix(err, "v2metadata");
    return NULL;
  }
  cleanup_free char *path = xasprintf(DIST_V2META "/%s", berth_digest_hex(diff_id));
  cleanup_error berth_error *local = NULL;
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (berth_read_file_at(s->image_fd, path, &data, &len, &local) < 0) {
    if (berth_error_errno(local) == ENOENT)
      return json_array();
    berth_error_propagate(err, &local);
    return NULL;
  }
  json_error_t jerr;
  json_t *list = json_loadb(data, len, 0, &jerr);
  if (!json_is_array(list)) {
    json_decref(list);
    berth_error_set(err, 0, "v2metadata of %s: not a JSON list", diff_id);
    return NULL;
  }
  return list;
}

/* Trusts data as bytes only: they must hash to digest. */
int
berth_store_manifest_put(berth_store *s, const char *digest, const char *data, size_t len,
                         berth_error **err)
{
  if (berth_digest_check(digest, err) < 0)
    return berth_error_prefix(err, "store manifest");
  char got[BERTH_DIGEST_LEN];
  berth_sha256_digest(data, len, got);
  if (strcmp(got, digest) != 0)
    return berth_error_set(err, 0, "store manifest %s: its bytes hash to %s", digest, got);
  /* Under the writer lock like every atomic write into distribution/ (the
   * sweep of their temp files relies on it, see gc.c). */
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_free char *path = xasprintf(DIST_MANIFEST "/%s", berth_digest_hex(digest));
  if (berth_exists_at(s->image_fd, path))
    return 0;
  if (berth_write_file_atomic_at(s->image_fd, path, data, len, 0644, err) < 0)
    return berth_error_prefix(err, "store manifest %s", digest);
  return 0;
}

int
berth_store_manifest_get(berth_store *s, const char *digest, char **data, size_t *len,
                         berth_error **err)
{
  if (berth_digest_check(digest, err) < 0)
    return berth_error_prefix(err, "manifest");
  cleanup_free char *path = xasprintf(DIST_MANIFEST "/%s", berth_digest_hex(digest));
  cleanup_error berth_error *local = NULL;
  if (berth_read_file_at(s->image_fd, path, data, len, &local) < 0)
    return berth_error_errno(local) == ENOENT ? 0 : berth_error_propagate(err, &local);
  return 1;
}
