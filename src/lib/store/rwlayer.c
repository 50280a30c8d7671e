#include "store/rwlayer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/xalloc.h"
#include "store/internal.h"
#include "store/lock.h"

static int
write_line(int dirfd, const char *name, const char *value, berth_error **err)
{
  return berth_write_file_atomic_at(dirfd, name, value, strlen(value), 0644, err);
}

/* link and lower of a container's layer dirs: they are only reachable once
 * the layerdb/mounts entry (written atomically, last) names them, and the
 * store sweeps unnamed dirs, so they need no temp name and no sync. */
static int
write_plain(int dirfd, const char *name, const char *value, berth_error **err)
{
  return berth_write_file_at(dirfd, name, value, strlen(value), 0644, err);
}

/* overlay2/<dir>/{diff,link,work[,lower]} and l/<link> -> ../<dir>/diff. */
static int
make_layer_dir(berth_store *s, const char *dir, const char *lower, char link[27], berth_error **err)
{
  berth_random_upper(link, 26);
  if (mkdirat(s->overlay_fd, dir, 0710) < 0)
    return berth_error_set(err, errno, "create overlay2/%s", dir);
  cleanup_close int fd = berth_open_dir_at(s->overlay_fd, dir, false, err);
  if (fd < 0)
    return -1;
  if (mkdirat(fd, "diff", 0755) < 0 || mkdirat(fd, "work", 0700) < 0)
    return berth_error_set(err, errno, "create overlay2/%s/diff", dir);
  if (write_plain(fd, "link", link, err) < 0
      || (lower[0] != '\0' && write_plain(fd, "lower", lower, err) < 0))
    return -1;
  cleanup_free char *target = xasprintf("../%s/diff", dir);
  if (symlinkat(target, s->links_fd, link) < 0)
    return berth_error_set(err, errno, "symlink overlay2/l/%s", link);
  return 0;
}

/* "l/<link>[:<lower>]" of a published layer: its own link first. */
static char *
image_lower(berth_store *s, const char *parent_chain, berth_error **err)
{
  if (parent_chain == NULL || parent_chain[0] == '\0')
    return xstrdup("");
  berth_layer p;
  int found = berth_store_layer_get(s, parent_chain, &p, err);
  if (found <= 0) {
    if (found == 0)
      berth_error_set(err, ENOENT, "layer %s", parent_chain);
    return NULL;
  }
  cleanup_free char *path = xasprintf("%s/lower", p.cache_id);
  cleanup_error berth_error *local = NULL;
  cleanup_free char *plower = berth_read_line_at(s->overlay_fd, path, &local);
  if (plower == NULL && berth_error_errno(local) != ENOENT) {
    berth_error_propagate(err, &local);
    return NULL;
  }
  if (plower == NULL || plower[0] == '\0')
    return xasprintf("l/%s", p.link);
  return xasprintf("l/%s:%s", p.link, plower);
}

static int
write_mounts_entry(berth_store *s, const berth_rwlayer *l, berth_error **err)
{
  cleanup_free char *dir = xasprintf(LAYERDB_MOUNTS "/%s", l->container_id);
  cleanup_close int fd = berth_open_dir_at(s->image_fd, dir, true, err);
  if (fd < 0)
    return -1;
  cleanup_free char *init_id = xasprintf("%s-init", l->mount_id);
  if (write_line(fd, "init-id", init_id, err) < 0
      || (l->parent[0] != '\0' && write_line(fd, "parent", l->parent, err) < 0)
      || write_line(fd, "mount-id", l->mount_id, err) < 0)
    return -1;
  return berth_fsync_dir_at(s->image_fd, LAYERDB_MOUNTS, err);
}

static int
create_locked(berth_store *s, berth_rwlayer *l, berth_error **err)
{
  cleanup_free char *lower = image_lower(s, l->parent, err);
  if (lower == NULL)
    return -1;
  cleanup_free char *init_dir = xasprintf("%s-init", l->mount_id);
  char init_link[27], link[27];
  if (make_layer_dir(s, init_dir, lower, init_link, err) < 0)
    return -1;
  cleanup_free char *rw_lower
      = lower[0] != '\0' ? xasprintf("l/%s:%s", init_link, lower) : xasprintf("l/%s", init_link);
  if (make_layer_dir(s, l->mount_id, rw_lower, link, err) < 0)
    return -1;
  return write_mounts_entry(s, l, err);
}

/* Trusts container_id only after checking it is 64 hex digits. */
int
berth_store_rwlayer_create(berth_store *s, const char *container_id, const char *parent_chain,
                           berth_rwlayer *out, berth_error **err)
{
  if (!berth_store_is_hex64(container_id))
    return berth_error_set(err, EINVAL, "rwlayer: bad container id");
  if (parent_chain != NULL && parent_chain[0] != '\0' && berth_digest_check(parent_chain, err) < 0)
    return berth_error_prefix(err, "rwlayer parent");
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_free char *entry = xasprintf(LAYERDB_MOUNTS "/%s", container_id);
  if (berth_exists_at(s->image_fd, entry))
    return berth_error_set(err, EEXIST, "rwlayer for container %s", container_id);
  memset(out, 0, sizeof(*out));
  snprintf(out->container_id, sizeof(out->container_id), "%s", container_id);
  snprintf(out->parent, sizeof(out->parent), "%s", parent_chain ? parent_chain : "");
  berth_random_hex(out->mount_id, 64);
  if (create_locked(s, out, err) < 0) {
    berth_store_rwlayer_delete(s, container_id, NULL);
    cleanup_free char *init_dir = xasprintf("%s-init", out->mount_id);
    berth_rm_rf_at(s->overlay_fd, init_dir, NULL);
    berth_rm_rf_at(s->overlay_fd, out->mount_id, NULL);
    return berth_error_prefix(err, "create rwlayer");
  }
  return 0;
}

/* Trusts nothing about container_id: checked before it names a file. */
int
berth_store_rwlayer_get(berth_store *s, const char *container_id, berth_rwlayer *out,
                        berth_error **err)
{
  if (!berth_store_is_hex64(container_id))
    return berth_error_set(err, EINVAL, "rwlayer: bad container id");
  cleanup_free char *dir = xasprintf(LAYERDB_MOUNTS "/%s", container_id);
  cleanup_close int fd = openat(s->image_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return 0;
    return berth_error_set(err, errno, "open layerdb/mounts/%s", container_id);
  }
  memset(out, 0, sizeof(*out));
  snprintf(out->container_id, sizeof(out->container_id), "%s", container_id);
  cleanup_free char *mount_id = berth_read_line_at(fd, "mount-id", err);
  if (mount_id == NULL)
    return berth_error_prefix(err, "rwlayer %s", container_id);
  if (!berth_store_is_hex64(mount_id))
    return berth_error_set(err, 0, "rwlayer %s: bad mount-id", container_id);
  memcpy(out->mount_id, mount_id, 65);
  cleanup_free char *parent = berth_read_line_at(fd, "parent", NULL);
  if (parent != NULL && berth_digest_is_valid(parent))
    snprintf(out->parent, sizeof(out->parent), "%s", parent);
  return 1;
}

static void
remove_link(berth_store *s, const char *dir)
{
  cleanup_free char *link_path = xasprintf("%s/link", dir);
  cleanup_free char *link = berth_read_line_at(s->overlay_fd, link_path, NULL);
  if (link != NULL && strlen(link) == 26 && strchr(link, '/') == NULL)
    unlinkat(s->links_fd, link, 0);
}

int
berth_store_rwlayer_delete(berth_store *s, const char *container_id, berth_error **err)
{
  berth_rwlayer l;
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  int found = berth_store_rwlayer_get(s, container_id, &l, err);
  if (found <= 0)
    return found;
  /* Out of sight under the lock (the entry first: without it the dirs are
   * garbage to any sweep), removed from disk after the release. */
  cleanup_free char *from = xasprintf(LAYERDB_MOUNTS "/%s", container_id);
  if (berth_store_trash_locked(s, s->image_fd, from, err) < 0)
    return berth_error_prefix(err, "remove layerdb/mounts/%s", container_id);
  if (berth_fsync_dir_at(s->image_fd, LAYERDB_MOUNTS, err) < 0)
    return -1;
  cleanup_free char *init_dir = xasprintf("%s-init", l.mount_id);
  remove_link(s, l.mount_id);
  remove_link(s, init_dir);
  if (berth_store_trash_locked(s, s->overlay_fd, l.mount_id, err) < 0
      || berth_store_trash_locked(s, s->overlay_fd, init_dir, err) < 0)
    return berth_error_prefix(err, "remove rwlayer of %s", container_id);
  return 1;
}

char *
berth_store_rwlayer_upper_path(berth_store *s, const berth_rwlayer *l)
{
  return xasprintf("%s/overlay2/%s/diff", s->root, l->mount_id);
}

char *
berth_store_rwlayer_init_path(berth_store *s, const berth_rwlayer *l)
{
  return xasprintf("%s/overlay2/%s-init/diff", s->root, l->mount_id);
}

char *
berth_store_rwlayer_work_path(berth_store *s, const berth_rwlayer *l)
{
  return xasprintf("%s/overlay2/%s/work", s->root, l->mount_id);
}

char *
berth_store_rwlayer_merged_path(berth_store *s, const berth_rwlayer *l)
{
  return xasprintf("%s/overlay2/%s/merged", s->root, l->mount_id);
}

char *
berth_store_rwlayer_lower_links(berth_store *s, const berth_rwlayer *l, berth_error **err)
{
  cleanup_free char *path = xasprintf("%s/lower", l->mount_id);
  return berth_read_line_at(s->overlay_fd, path, err);
}

/* Each "l/<link>" resolved through its symlink ("../<dir>/diff"). */
char *
berth_store_rwlayer_lowerdir(berth_store *s, const berth_rwlayer *l)
{
  cleanup_free char *links = berth_store_rwlayer_lower_links(s, l, NULL);
  if (links == NULL)
    return NULL;
  size_t cap = strlen(s->root) * 8 + 256, len = 0;
  cleanup_free char *out = xmalloc(cap);
  out[0] = '\0';
  char *save = NULL;
  for (char *tok = strtok_r(links, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
    if (strncmp(tok, "l/", 2) != 0)
      return NULL;
    char target[256];
    ssize_t n = readlinkat(s->links_fd, tok + 2, target, sizeof(target) - 1);
    if (n <= 3 || strncmp(target, "../", 3) != 0)
      return NULL;
    target[n] = '\0';
    cleanup_free char *abs = xasprintf("%s%s/overlay2/%s", len ? ":" : "", s->root, target + 3);
    size_t alen = strlen(abs);
    if (len + alen + 1 > cap) {
      cap = (len + alen + 1) * 2;
      out = xrealloc(out, cap);
    }
    memcpy(out + len, abs, alen + 1);
    len += alen;
  }
  return steal_pointer(&out);
}
