/* Writing the imagedb: new configs, their metadata and deletions, under the
 * writer lock. */
#include "store/image.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "image/time.h"
#include "store/internal.h"

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
  int made = berth_store_pins_open(s, err); /* a kill from here on leaves garbage */
  int ret = made < 0 ? -1 : refuse_if_referenced(s, id, err);
  if (ret == 0) /* a config whose rootfs cannot be read is refused here */
    ret = berth_store_image_chains(s, id, &mine, err);
  if (ret == 0)
    ret = remove_image_files(s, id, err);
  /* Its layers go with the rest of the garbage: those of its chains that no
   * other image, container, image mount or pin still holds. */
  if (ret == 0)
    ret = berth_store_gc(s, NULL, err);
  if (made == 1)
    berth_store_pins_release(s);
  return ret < 0 ? berth_error_prefix(err, "delete image %s", id) : 0;
}
