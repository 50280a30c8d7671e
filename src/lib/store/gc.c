#include "store/gc.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/internal.h"
#include "store/lock.h"

typedef struct gc_marks {
  berth_strset roots; /* chain ids */
  berth_strset live;  /* chain ids, roots and their ancestors */
  berth_strset dirs;  /* overlay2 dir names in use */
  berth_strset *dry;  /* berth_store_gc_scan: what would go, nothing removed */
} gc_marks;

static void
marks_clear(gc_marks *m)
{
  berth_strset_clear(&m->roots);
  berth_strset_clear(&m->live);
  berth_strset_clear(&m->dirs);
}

static int
mark_images(berth_store *s, gc_marks *m, berth_error **err)
{
  cleanup_strv char **ids = berth_store_image_list(s, err);
  if (ids == NULL)
    return -1;
  for (char **id = ids; *id != NULL; id++)
    if (berth_store_image_chains(s, *id, &m->roots, err) < 0)
      return -1;
  return 0;
}

/* A container keeps its parent chain and its two dirs.  An entry missing a
 * file (a create killed halfway) still keeps what it does name. */
static int
mark_containers(berth_store *s, gc_marks *m, berth_error **err)
{
  cleanup_close int fd = berth_open_dir_at(s->image_fd, LAYERDB_MOUNTS, false, err);
  if (fd < 0)
    return -1;
  cleanup_dir DIR *d = berth_store_opendir(fd, ".", err);
  if (d == NULL)
    return -1;
  static const char *const files[] = { "mount-id", "init-id" };
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    for (size_t i = 0; i < 2; i++) {
      cleanup_free char *path = xasprintf("%s/%s", de->d_name, files[i]);
      cleanup_free char *dir = berth_read_line_at(fd, path, NULL);
      if (dir != NULL)
        berth_strset_add(&m->dirs, dir);
    }
    cleanup_free char *path = xasprintf("%s/parent", de->d_name);
    cleanup_free char *parent = berth_read_line_at(fd, path, NULL);
    if (parent != NULL && berth_digest_is_valid(parent))
      berth_strset_add(&m->roots, parent);
  }
  return 0;
}

/* A live mount keeps its chain (or, in a record without one, all of its
 * image's); a stale record goes. */
static int
mark_image_mounts(berth_store *s, gc_marks *m, berth_gc_stats *stats, berth_error **err)
{
  berth_mount_record *recs = NULL;
  size_t n = 0;
  if (berth_store_mount_records(s, &recs, &n, err) < 0)
    return -1;
  int ret = 0;
  cleanup_close int fd
      = openat(s->root_fd, BERTH_IMAGE_MOUNTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (size_t i = 0; i < n && ret == 0; i++) {
    if (!recs[i].live) {
      if (m->dry != NULL)
        continue;
      ret = fd < 0 ? 0 : berth_store_trash_locked(s, fd, recs[i].name, err);
      stats->mount_records++;
    } else if (recs[i].chain_id[0] != '\0') {
      berth_strset_add(&m->roots, recs[i].chain_id);
    } else {
      cleanup_error berth_error *local = NULL;
      if (berth_store_image_chains(s, recs[i].image_id, &m->roots, &local) < 0
          && berth_error_errno(local) != ENOENT)
        ret = berth_error_propagate(err, &local);
    }
  }
  berth_mount_records_free(recs, n);
  return ret;
}

/* Every root and its ancestors, through the layerdb parent files (only
 * those: a layer damaged otherwise is still kept). */
static void
mark_ancestors(berth_store *s, gc_marks *m)
{
  for (size_t i = 0; i < m->roots.n; i++) {
    cleanup_free char *chain = xstrdup(m->roots.v[i]);
    while (chain != NULL && berth_digest_is_valid(chain) && !berth_strset_has(&m->live, chain)) {
      berth_strset_add(&m->live, chain);
      cleanup_free char *path = xasprintf(LAYERDB_SHA "/%s/parent", berth_digest_hex(chain));
      char *parent = berth_read_line_at(s->image_fd, path, NULL);
      free(chain);
      chain = parent;
    }
  }
}

/* Trashes layerdb entries nobody marked; the cache-ids of the kept ones go
 * into m->dirs.  A kept entry whose cache-id cannot be read stops the
 * collection: its overlay2 dir could not be told from garbage. */
static int
sweep_layerdb(berth_store *s, gc_marks *m, berth_gc_stats *stats, berth_error **err)
{
  cleanup_close int fd = berth_open_dir_at(s->image_fd, LAYERDB_SHA, false, err);
  if (fd < 0)
    return -1;
  cleanup_dir DIR *d = berth_store_opendir(fd, ".", err);
  if (d == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    cleanup_free char *chain = xasprintf("sha256:%s", de->d_name);
    if (berth_store_is_hex64(de->d_name) && berth_strset_has(&m->live, chain)) {
      cleanup_free char *path = xasprintf("%s/cache-id", de->d_name);
      cleanup_free char *cache_id = berth_read_line_at(fd, path, err);
      if (cache_id == NULL)
        return berth_error_prefix(err, "layer %s", chain);
      berth_strset_add(&m->dirs, cache_id);
      continue;
    }
    if (m->dry != NULL) {
      cleanup_free char *rel = xasprintf("image/overlay2/" LAYERDB_SHA "/%s", de->d_name);
      berth_strset_add(m->dry, rel);
      continue;
    }
    if (berth_store_trash_locked(s, fd, de->d_name, err) < 0)
      return -1;
    stats->layers++;
  }
  return berth_fsync_dir_at(s->image_fd, LAYERDB_SHA, err);
}

static int
sweep_overlay(berth_store *s, gc_marks *m, berth_gc_stats *stats, berth_error **err)
{
  cleanup_dir DIR *d = berth_store_opendir(s->overlay_fd, ".", err);
  if (d == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0
        || strcmp(de->d_name, "l") == 0 || berth_strset_has(&m->dirs, de->d_name))
      continue;
    if (m->dry != NULL) {
      cleanup_free char *rel = xasprintf("overlay2/%s", de->d_name);
      berth_strset_add(m->dry, rel);
      continue;
    }
    if (berth_store_trash_locked(s, s->overlay_fd, de->d_name, err) < 0)
      return -1;
    stats->dirs++;
  }
  if (m->dry != NULL)
    return 0;
  /* l/ links whose ../<dir>/diff target is gone */
  cleanup_dir DIR *l = berth_store_opendir(s->links_fd, ".", err);
  if (l == NULL)
    return -1;
  while ((de = readdir(l)) != NULL) {
    struct stat st;
    if (de->d_name[0] == '.' || fstatat(s->links_fd, de->d_name, &st, 0) == 0)
      continue;
    if (unlinkat(s->links_fd, de->d_name, 0) < 0 && errno != ENOENT)
      return berth_error_set(err, errno, "remove overlay2/l/%s", de->d_name);
    stats->links++;
  }
  return 0;
}

/* layerdb/tmp/: Docker's place for entries being made or removed; berth only
 * ever leaves something there when killed. */
static int
sweep_layerdb_tmp(berth_store *s, berth_error **err)
{
  cleanup_close int fd = berth_open_dir_at(s->image_fd, LAYERDB_TMP, false, err);
  if (fd < 0)
    return -1;
  cleanup_dir DIR *d = berth_store_opendir(fd, ".", err);
  if (d == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    if (de->d_name[0] != '.' && berth_store_trash_locked(s, fd, de->d_name, err) < 0)
      return -1;
  return 0;
}

/* Removes dir/<name>.tmp-<random> files (berth_write_file_atomic_at's temp
 * names) from dir and, with depth 1, from each of its subdirs.
 *
 * Why this is safe without knowing whether each writer is alive: every
 * atomic write into these dirs (image/overlay2/, imagedb/, distribution/,
 * layerdb/mounts/) happens under the writer lock, which the caller holds, so
 * no writer is between its create and its rename now and every temp file
 * found is a dead writer's.  A pid in the name would not do (pids are
 * reused), and a per-file flock would cost an fd per write for nothing. */
static void
sweep_temp_files(int dirfd, const char *dir, int depth, berth_gc_stats *stats)
{
  cleanup_close int fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_dir DIR *d = fd < 0 ? NULL : berth_store_opendir(fd, ".", NULL);
  struct dirent *de;
  while (d != NULL && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    if (strstr(de->d_name, ".tmp-") != NULL) {
      if (unlinkat(fd, de->d_name, 0) == 0)
        stats->temp_files++;
    } else if (depth > 0 && de->d_type != DT_REG) {
      sweep_temp_files(fd, de->d_name, depth - 1, stats);
    }
  }
}

static void
sweep_all_temp_files(berth_store *s, berth_gc_stats *stats)
{
  static const struct {
    const char *dir;
    int depth;
  } dirs[] = {
    { ".", 0 }, /* repositories.json */
    { IMAGEDB_CONTENT, 0 },
    { IMAGEDB_METADATA, 1 },
    { DIST_DIFFID, 0 },
    { DIST_V2META, 0 },
    { DIST_MANIFEST, 0 },
    { LAYERDB_MOUNTS, 1 },
  };
  for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
    sweep_temp_files(s->image_fd, dirs[i].dir, dirs[i].depth, stats);
  sweep_temp_files(s->root_fd, "builder", 0, stats);   /* the build contexts' stat caches */
  sweep_temp_files(s->root_fd, "manifests", 0, stats); /* the local manifest lists */
}

int
berth_store_gc_locked(berth_store *s, berth_gc_stats *stats, berth_error **err)
{
  int made = berth_store_pins_open(s, err);
  if (made < 0)
    return -1;
  gc_marks m = { 0 };
  int ret = 0;
  if (mark_images(s, &m, err) < 0 || mark_containers(s, &m, err) < 0
      || mark_image_mounts(s, &m, stats, err) < 0
      || berth_store_pinned_chains(s, &m.roots, err) < 0)
    ret = -1;
  if (ret == 0) {
    mark_ancestors(s, &m);
    if (sweep_layerdb(s, &m, stats, err) < 0 || sweep_overlay(s, &m, stats, err) < 0
        || sweep_layerdb_tmp(s, err) < 0)
      ret = -1;
  }
  marks_clear(&m);
  sweep_all_temp_files(s, stats);
  if (made == 1)
    berth_store_pins_release(s);
  return ret;
}

int
berth_store_gc_scan(berth_store *s, berth_strset *garbage, berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  int made = berth_store_pins_open(s, err);
  if (made < 0)
    return -1;
  berth_gc_stats stats = { 0 };
  gc_marks m = { .dry = garbage };
  int ret = 0;
  if (mark_images(s, &m, err) < 0 || mark_containers(s, &m, err) < 0
      || mark_image_mounts(s, &m, &stats, err) < 0
      || berth_store_pinned_chains(s, &m.roots, err) < 0)
    ret = -1;
  if (ret == 0) {
    mark_ancestors(s, &m);
    if (sweep_layerdb(s, &m, &stats, err) < 0 || sweep_overlay(s, &m, &stats, err) < 0)
      ret = -1;
  }
  marks_clear(&m);
  if (made == 1)
    berth_store_pins_release(s);
  return ret;
}

void
berth_store_sweep_locked(berth_store *s)
{
  berth_gc_stats stats = { 0 };
  berth_error *err = NULL;
  if (berth_store_dead_pins(s))
    berth_store_gc_locked(s, &stats, &err); /* best effort: see internal.h */
  else {
    (void)sweep_layerdb_tmp(s, &err); /* the error is dropped below, as above */
    sweep_all_temp_files(s, &stats);
  }
  berth_error_free(err);
}
