#include "store/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/time.h"
#include "store/internal.h"
#include "store/layer.h"
#include "store/lock.h"
#include "store/refs.h"

static int
write_metadata(berth_store *s, const char *hex, const char *parent_id, berth_error **err)
{
  cleanup_free char *dir = xasprintf(IMAGEDB_METADATA "/%s", hex);
  cleanup_close int fd = berth_open_dir_at(s->image_fd, dir, true, err);
  if (fd < 0)
    return -1;
  return berth_write_file_atomic_at(fd, "parent", parent_id, strlen(parent_id), 0600, err);
}

/* Docker records when an image was last given a name (inspect's
 * Metadata.LastTagTime); pulled images never get one. */
int
berth_store_image_touch(berth_store *s, const char *id, berth_error **err)
{
  if (berth_digest_check(id, err) < 0)
    return -1;
  /* Under the writer lock like every atomic write into imagedb/ (the sweep
   * of their temp files relies on it, see gc.c). */
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_free char *dir = xasprintf(IMAGEDB_METADATA "/%s", berth_digest_hex(id));
  cleanup_close int fd = berth_open_dir_at(s->image_fd, dir, true, err);
  if (fd < 0)
    return -1;
  cleanup_free char *now = berth_time_now_rfc3339();
  return berth_write_file_atomic_at(fd, "lastUpdated", now, strlen(now), 0600, err);
}

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

/* Trusts config to be bytes the caller checked (the id is computed here);
 * parent_id is validated. */
int
berth_store_image_put(berth_store *s, const char *config, size_t len, const char *parent_id,
                      char id_out[BERTH_DIGEST_LEN], berth_error **err)
{
  if (parent_id != NULL && berth_digest_check(parent_id, err) < 0)
    return berth_error_prefix(err, "store image: parent");
  char id[BERTH_DIGEST_LEN];
  berth_sha256_digest(config, len, id);
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_free char *path = xasprintf(IMAGEDB_CONTENT "/%s", berth_digest_hex(id));
  if (!berth_exists_at(s->image_fd, path)
      && berth_write_file_atomic_at(s->image_fd, path, config, len, 0600, err) < 0)
    return berth_error_prefix(err, "store image %s", id);
  if (parent_id != NULL && write_metadata(s, berth_digest_hex(id), parent_id, err) < 0)
    return berth_error_prefix(err, "store image %s", id);
  memcpy(id_out, id, BERTH_DIGEST_LEN);
  return 0;
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

static int
refuse_if_referenced(berth_store *s, const char *id, berth_error **err)
{
  berth_ref *refs = NULL;
  size_t n = 0;
  if (berth_store_refs_list(s, &refs, &n, err) < 0)
    return -1;
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++)
    if (strcmp(refs[i].image_id, id) == 0)
      ret = berth_error_set(err, 0, "image %s is still tagged as %s", id, refs[i].name);
  berth_refs_free(refs, n);
  return ret;
}

static int
remove_image_files(berth_store *s, const char *id, berth_error **err)
{
  cleanup_free char *content = xasprintf(IMAGEDB_CONTENT "/%s", berth_digest_hex(id));
  cleanup_free char *meta = xasprintf(IMAGEDB_METADATA "/%s", berth_digest_hex(id));
  if (unlinkat(s->image_fd, content, 0) < 0)
    return berth_error_set(err, errno, "remove %s", content);
  if (berth_fsync_dir_at(s->image_fd, IMAGEDB_CONTENT, err) < 0)
    return -1;
  return berth_store_trash_locked(s, s->image_fd, meta, err);
}

int
berth_store_image_delete(berth_store *s, const char *id, berth_error **err)
{
  if (berth_digest_check(id, err) < 0)
    return berth_error_prefix(err, "delete image");
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_strset berth_strset mine = { 0 };
  int ret = refuse_if_referenced(s, id, err);
  if (ret == 0) /* a config whose rootfs cannot be read is refused here */
    ret = berth_store_image_chains(s, id, &mine, err);
  if (ret == 0)
    ret = remove_image_files(s, id, err);
  /* Its layers go with the rest of the garbage: those of its chains that no
   * other image, container, image mount or pin still holds. */
  if (ret == 0)
    ret = berth_store_gc(s, NULL, err);
  return ret < 0 ? berth_error_prefix(err, "delete image %s", id) : 0;
}
