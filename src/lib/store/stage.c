#include "store/stage.h"

#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/testpoint.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "store/internal.h"

/* Inside tmp/stage-<random>/: "layer" becomes overlay2/<cache-id>, "entry"
 * becomes layerdb/sha256/<chain-hex>. */
struct berth_layer_stage {
  berth_store *store;
  char *name;      /* under tmp/ */
  int fd;          /* the stage dir, flock()ed */
  int diff_fd;     /* layer/diff */
  int tarsplit_fd; /* tar-split.json.gz */
  bool published;
};

static int
stage_fill(berth_layer_stage *st, berth_error **err)
{
  if (mkdirat(st->fd, "layer", 0710) < 0 || fchmodat(st->fd, "layer", 0710, 0) < 0
      || mkdirat(st->fd, "layer/diff", 0755) < 0 || fchmodat(st->fd, "layer/diff", 0755, 0) < 0
      || mkdirat(st->fd, "entry", 0700) < 0)
    return berth_error_set(err, errno, "create stage dirs");
  st->diff_fd = openat(st->fd, "layer/diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (st->diff_fd < 0)
    return berth_error_set(err, errno, "open stage diff");
  st->tarsplit_fd
      = openat(st->fd, "entry/tar-split.json.gz", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (st->tarsplit_fd < 0)
    return berth_error_set(err, errno, "create stage tar-split");
  return 0;
}

berth_layer_stage *
berth_layer_stage_new(berth_store *s, berth_error **err)
{
  berth_layer_stage *st = xcalloc(1, sizeof(*st));
  st->store = s;
  st->diff_fd = st->tarsplit_fd = -1;
  st->fd = berth_store_tmpdir_new(s, TMP_STAGE, &st->name, err);
  if (st->fd < 0 || stage_fill(st, err) < 0) {
    berth_layer_stage_free(st);
    berth_error_prefix(err, "new layer stage");
    return NULL;
  }
  return st;
}

int
berth_layer_stage_diff_fd(berth_layer_stage *st)
{
  return st->diff_fd;
}

int
berth_layer_stage_tarsplit_fd(berth_layer_stage *st)
{
  return st->tarsplit_fd;
}

int
berth_layer_stage_tarsplit_reopen(berth_layer_stage *st, berth_error **err)
{
  int fd = openat(st->fd, "entry/tar-split.json.gz", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open stage tar-split");
  return fd;
}

/* Trusts rw's mount id: it comes from the store (berth_store_rwlayer_get).
 * One exchange of the two diffs, so that no moment leaves the container
 * without one; a filesystem without RENAME_EXCHANGE gets rmdir, rename,
 * mkdir. */
int
berth_layer_stage_take_upper(berth_layer_stage *st, const berth_rwlayer *rw, berth_error **err)
{
  berth_store *s = st->store;
  cleanup_close int ctr = berth_open_dir_at(s->overlay_fd, rw->mount_id, false, err);
  if (ctr < 0)
    return -1;
  int r = renameat2(ctr, "diff", st->fd, "layer/diff", RENAME_EXCHANGE);
  if (r < 0 && errno == EINVAL) {
    if (unlinkat(st->fd, "layer/diff", AT_REMOVEDIR) < 0)
      return berth_error_set(err, errno, "remove the stage's empty diff");
    r = renameat(ctr, "diff", st->fd, "layer/diff");
    int e = errno;
    if (mkdirat(r == 0 ? ctr : st->fd, r == 0 ? "diff" : "layer/diff", 0755) < 0)
      return berth_error_set(err, errno, "create an empty diff");
    errno = e;
  }
  if (r < 0) {
    if (errno == EXDEV)
      return 0;
    return berth_error_set(err, errno, "move overlay2/%s/diff into the stage", rw->mount_id);
  }
  if (st->diff_fd >= 0)
    close(st->diff_fd);
  st->diff_fd = openat(st->fd, "layer/diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (st->diff_fd < 0)
    return berth_error_set(err, errno, "open stage diff");
  return 1;
}

void
berth_layer_stage_give_back_upper(berth_layer_stage *st, const berth_rwlayer *rw)
{
  if (st == NULL || st->published)
    return;
  cleanup_close int ctr = berth_open_dir_at(st->store->overlay_fd, rw->mount_id, false, NULL);
  if (ctr >= 0)
    (void)renameat2(ctr, "diff", st->fd, "layer/diff", RENAME_EXCHANGE);
}

void
berth_layer_stage_free(berth_layer_stage *st)
{
  if (st == NULL)
    return;
  if (st->diff_fd >= 0)
    close(st->diff_fd);
  if (st->tarsplit_fd >= 0)
    close(st->tarsplit_fd);
  if (st->name != NULL)
    berth_rm_rf_at(st->store->tmp_fd, st->name, NULL);
  if (st->fd >= 0)
    close(st->fd); /* drops the flock after the dir is gone */
  free(st->name);
  free(st);
}

void
berth_layer_stage_cleanup(berth_layer_stage **st)
{
  int saved = errno;
  berth_layer_stage_free(*st);
  errno = saved;
}

static int
write_small(int dirfd, const char *name, const char *data, mode_t mode, berth_error **err)
{
  cleanup_close int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  size_t len = strlen(data);
  if (fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len))
    return berth_error_set(err, errno, "write %s", name);
  return 0;
}

/* Everything that does not depend on the parent's own files: written before
 * the lock and made durable by one syncfs. */
static int
stage_prepare(berth_layer_stage *st, const char *parent, const char *diff_id, long long size,
              const char *cache_id, const char *link, berth_error **err)
{
  char size_s[32];
  snprintf(size_s, sizeof(size_s), "%lld", size);
  if (write_small(st->fd, "layer/link", link, 0644, err) < 0
      || write_small(st->fd, "layer/committed", "", 0600, err) < 0
      || write_small(st->fd, "entry/diff", diff_id, 0644, err) < 0
      || write_small(st->fd, "entry/size", size_s, 0644, err) < 0
      || write_small(st->fd, "entry/cache-id", cache_id, 0644, err) < 0
      || (parent != NULL && write_small(st->fd, "entry/parent", parent, 0644, err) < 0))
    return -1;
  if (parent != NULL
      && (mkdirat(st->fd, "layer/work", 0700) < 0 || fchmodat(st->fd, "layer/work", 0700, 0) < 0))
    return berth_error_set(err, errno, "create stage work dir");
  if (syncfs(st->fd) < 0)
    return berth_error_set(err, errno, "syncfs");
  return 0;
}

/* lower = l/<parent link>[:<parent's lower>], topmost first. */
static int
write_lower(berth_layer_stage *st, const berth_layer *parent, berth_error **err)
{
  berth_store *s = st->store;
  cleanup_free char *plower_path = xasprintf("%s/lower", parent->cache_id);
  cleanup_error berth_error *local = NULL;
  cleanup_free char *plower = berth_read_line_at(s->overlay_fd, plower_path, &local);
  if (plower == NULL && berth_error_errno(local) != ENOENT)
    return berth_error_propagate(err, &local);
  cleanup_free char *lower = plower != NULL && plower[0] != '\0'
                                 ? xasprintf("l/%s:%s", parent->link, plower)
                                 : xasprintf("l/%s", parent->link);
  cleanup_close int layer_fd = berth_open_dir_at(st->fd, "layer", false, err);
  if (layer_fd < 0)
    return -1;
  return berth_write_file_atomic_at(layer_fd, "lower", lower, strlen(lower), 0644, err);
}

static void
undo_overlay(berth_store *s, const char *cache_id, const char *link)
{
  unlinkat(s->links_fd, link, 0);
  berth_rm_rf_at(s->overlay_fd, cache_id, NULL);
}

/* The renames that make the layer exist, in the order that keeps a crash
 * harmless: overlay2 dir, l/ link, and last the layerdb entry. */
static int
stage_commit(berth_layer_stage *st, const char *chain_hex, const char *cache_id, const char *link,
             berth_error **err)
{
  berth_store *s = st->store;
  if (renameat(st->fd, "layer", s->overlay_fd, cache_id) < 0)
    return berth_error_set(err, errno, "rename stage to overlay2/%s", cache_id);
  cleanup_free char *target = xasprintf("../%s/diff", cache_id);
  if (berth_fsync_dir_at(s->overlay_fd, ".", err) < 0
      || (symlinkat(target, s->links_fd, link) < 0
          && berth_error_set(err, errno, "symlink overlay2/l/%s", link) < 0)
      || berth_fsync_dir_at(s->links_fd, ".", err) < 0) {
    undo_overlay(s, cache_id, link);
    return -1;
  }
  berth_test_point("publish-overlay");
  cleanup_free char *to = xasprintf(LAYERDB_SHA "/%s", chain_hex);
  if (renameat(st->fd, "entry", s->image_fd, to) < 0) {
    berth_error_set(err, errno, "rename stage to layerdb/sha256/%s", chain_hex);
    undo_overlay(s, cache_id, link);
    return -1;
  }
  return berth_fsync_dir_at(s->image_fd, LAYERDB_SHA, err);
}

static int
publish_locked(berth_store *s, berth_layer_stage *st, const char *parent, const char *chain_id,
               const char *cache_id, const char *link, berth_layer *out, berth_error **err)
{
  /* Pinned until an image names it, whoever published it: a collection
   * between this publish and the caller's image would take it otherwise. */
  if (berth_store_pin_locked(s, chain_id, err) < 0)
    return -1;
  int found = berth_store_layer_get(s, chain_id, out, err);
  if (found != 0)
    return found < 0 ? -1 : 0; /* someone else published it: ours is dropped */
  if (parent != NULL) {
    berth_layer p;
    found = berth_store_layer_get(s, parent, &p, err);
    if (found <= 0)
      return found < 0 ? -1
                       : berth_error_set(err, 0, "parent layer %s is not in the store", parent);
    if (write_lower(st, &p, err) < 0)
      return -1;
  }
  if (stage_commit(st, berth_digest_hex(chain_id), cache_id, link, err) < 0)
    return -1;
  st->published = true;
  found = berth_store_layer_get(s, chain_id, out, err);
  return found < 0 ? -1 : 0;
}

/* Trusts diff_id and parent_chain_id only after checking they are digests. */
int
berth_layer_stage_publish(berth_store *s, berth_layer_stage *st, const char *parent_chain_id,
                          const char *diff_id, long long size, berth_layer *out, berth_error **err)
{
  const char *parent
      = parent_chain_id != NULL && parent_chain_id[0] != '\0' ? parent_chain_id : NULL;
  if (berth_digest_check(diff_id, err) < 0
      || (parent != NULL && berth_digest_check(parent, err) < 0))
    return berth_error_prefix(err, "publish layer");
  if (st->published)
    return berth_error_set(err, 0, "publish layer: stage already published");
  char chain_id[BERTH_DIGEST_LEN], cache_id[65], link[27];
  berth_chain_id(parent, diff_id, chain_id);
  berth_random_hex(cache_id, 64);
  berth_random_upper(link, 26);
  if (st->tarsplit_fd >= 0) {
    close(st->tarsplit_fd);
    st->tarsplit_fd = -1;
  }
  if (stage_prepare(st, parent, diff_id, size, cache_id, link, err) < 0)
    return berth_error_prefix(err, "publish layer %s", chain_id);
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  if (publish_locked(s, st, parent, chain_id, cache_id, link, out, err) < 0)
    return berth_error_prefix(err, "publish layer %s", chain_id);
  return 0;
}
