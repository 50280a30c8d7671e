#include "container/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/mount.h"
#include "common/xalloc.h"

/* containers/<id>/mounts, opened and flock()ed. */
static int
open_count(berth_store *s, const berth_container *c, berth_error **err)
{
  cleanup_free char *path = xasprintf("containers/%s/mounts", c->id);
  cleanup_close int fd
      = openat(berth_store_root_fd(s), path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || flock(fd, LOCK_EX) < 0)
    return berth_error_set(err, errno, "open %s", path);
  return steal_fd(&fd);
}

static int
read_count(int fd)
{
  char buf[32] = { 0 };
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  return n > 0 ? atoi(buf) : 0;
}

static int
write_count(int fd, int count, berth_error **err)
{
  char buf[32];
  int n = snprintf(buf, sizeof(buf), "%d\n", count < 0 ? 0 : count);
  if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, n, 0) != n)
    return berth_error_set(err, errno, "write mount count");
  return 0;
}

/* True when overlay2/<mount-id>/<name> is a mount point. */
static bool
is_mounted_at(berth_store *s, const berth_container *c, const char *name)
{
  cleanup_free char *at = xasprintf("overlay2/%s/%s", c->layer.mount_id, name);
  cleanup_free char *dir = xasprintf("overlay2/%s", c->layer.mount_id);
  struct stat a, b;
  if (fstatat(berth_store_root_fd(s), at, &a, AT_SYMLINK_NOFOLLOW) < 0
      || fstatat(berth_store_root_fd(s), dir, &b, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return a.st_dev != b.st_dev;
}

bool
berth_container_is_mounted(berth_store *s, const berth_container *c)
{
  return is_mounted_at(s, c, "merged");
}

/* The container's root.  It is the root the runtime pivots into, so it is
 * not nosuid: su, ping and friends inside the container need their setuid
 * bits (Docker's overlay mounts are not nosuid either).  It is nodev: the
 * devices a container may use come from the /dev the runtime makes (a tmpfs
 * of its own, or binds of the host's nodes), never from the image, so a
 * device node an image carries opens nowhere (as podman's mounts, nodev by
 * default).  Outside the container, the merged dir sits in overlay2/<id>/,
 * 0710 root like the store root, so no other user reaches the setuid files
 * there; `berth mount` hands out a nosuid,nodev view instead (mount_host).
 * index, redirect_dir and metacopy are off (common/mount.c) so the upper
 * stays a true diff; a --rm container's upper is thrown away, so it is also
 * volatile: no sync of the whole backing filesystem when it is unmounted
 * (35 ms and more on these machines), as podman does for such containers. */
static int
do_mount(berth_store *s, berth_container *c, berth_error **err)
{
  cleanup_free char *lower = berth_store_rwlayer_lower_links(s, &c->layer, err);
  if (lower == NULL)
    return -1;
  cleanup_close int ofd
      = openat(berth_store_root_fd(s), "overlay2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ofd < 0)
    return berth_error_set(err, errno, "open overlay2");
  const char *mid = c->layer.mount_id;
  cleanup_free char *merged = xasprintf("%s/merged", mid);
  if (mkdirat(ofd, merged, 0700) < 0 && errno != EEXIST)
    return berth_error_set(err, errno, "mkdir overlay2/%s", merged);
  cleanup_free char *dirpath = xasprintf("%s/overlay2", berth_store_root(s));
  cleanup_free char *upper = xasprintf("%s/diff", mid), *work = xasprintf("%s/work", mid);
  bool transient = json_is_true(json_object_get(c->hostconfig, "AutoRemove"));
  berth_overlay o = { .dirfd = ofd,
                      .dirpath = dirpath,
                      .lower = lower,
                      .upper = upper,
                      .work = work,
                      .flags = BERTH_MOUNT_NODEV | (transient ? BERTH_MOUNT_VOLATILE : 0) };
  return berth_mount_overlay(&o, merged, err);
}

char *
berth_container_mount(berth_store *s, berth_container *c, berth_error **err)
{
  cleanup_close int fd = open_count(s, c, err);
  if (fd < 0)
    return NULL;
  int count = read_count(fd);
  if (!berth_container_is_mounted(s, c)) {
    if (do_mount(s, c, err) < 0) {
      berth_error_prefix(err, "mount container %.12s", c->id);
      return NULL;
    }
    count = 0;
  }
  if (write_count(fd, count + 1, err) < 0)
    return NULL;
  return berth_store_rwlayer_merged_path(s, &c->layer);
}

/* `berth mount`: the same mount, counted the same way, and a bind of it at
 * overlay2/<mount-id>/mnt that is nosuid,nodev (SPEC: mounts berth makes
 * outside a container are), so a setuid file in a container cannot make
 * root of whoever the host user passes the path to.  It goes with the last
 * release. */
char *
berth_container_mount_host(berth_store *s, berth_container *c, berth_error **err)
{
  cleanup_free char *merged = berth_container_mount(s, c, err);
  if (merged == NULL)
    return NULL;
  cleanup_free char *rel = xasprintf("overlay2/%s/mnt", c->layer.mount_id);
  cleanup_free char *host = xasprintf("%s/%s", berth_store_root(s), rel);
  int ret = -1;
  {
    cleanup_close int fd = open_count(s, c, err); /* two `mount`s make one view */
    if (fd >= 0 && is_mounted_at(s, c, "mnt"))
      ret = 0;
    else if (fd >= 0 && mkdirat(berth_store_root_fd(s), rel, 0700) < 0 && errno != EEXIST)
      berth_error_set(err, errno, "mkdir %s", rel);
    else if (fd >= 0)
      ret = berth_mount_bind(merged, host, BERTH_MOUNT_NOSUID | BERTH_MOUNT_NODEV, err);
  }
  if (ret < 0) {
    berth_container_unmount(s, c, NULL); /* the count taken above */
    berth_error_prefix(err, "mount container %.12s", c->id);
    return NULL;
  }
  return steal_pointer(&host);
}

/* Drops one count (all: every count) and unmounts at zero.  The view
 * `berth mount` made is the user's mount: when something still uses it, a
 * release fails (as umount(8) does) and the count stays for a retry; rm
 * detaches it.  The container's root then is unmounted, and detached when
 * busy: no berth user holds it any more (the count says so), the container
 * has exited, and whatever host process sat in it must not keep the count
 * and the mount apart (Docker always detaches its overlay mounts). */
static int
release(berth_store *s, berth_container *c, bool all, berth_error **err)
{
  cleanup_close int fd = open_count(s, c, err);
  if (fd < 0)
    return -1;
  int count = all ? 0 : read_count(fd) - 1;
  if (count <= 0) {
    cleanup_free char *host
        = xasprintf("%s/overlay2/%s/mnt", berth_store_root(s), c->layer.mount_id);
    if (berth_unmount(host, all, err) < 0)
      return -1;
    cleanup_free char *rel = xasprintf("overlay2/%s/mnt", c->layer.mount_id);
    unlinkat(berth_store_root_fd(s), rel, AT_REMOVEDIR); /* only ever empty; fine if absent */
    cleanup_free char *merged = berth_store_rwlayer_merged_path(s, &c->layer);
    if (berth_container_is_mounted(s, c) && berth_unmount(merged, true, err) < 0)
      return -1;
  }
  return write_count(fd, count, err);
}

int
berth_container_unmount(berth_store *s, berth_container *c, berth_error **err)
{
  return release(s, c, false, err);
}

int
berth_container_unmount_all(berth_store *s, berth_container *c, berth_error **err)
{
  return release(s, c, true, err);
}
