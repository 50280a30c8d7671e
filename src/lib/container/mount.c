#include "container/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
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

bool
berth_container_is_mounted(berth_store *s, const berth_container *c)
{
  cleanup_free char *merged = xasprintf("overlay2/%s/merged", c->layer.mount_id);
  cleanup_free char *dir = xasprintf("overlay2/%s", c->layer.mount_id);
  struct stat a, b;
  if (fstatat(berth_store_root_fd(s), merged, &a, AT_SYMLINK_NOFOLLOW) < 0
      || fstatat(berth_store_root_fd(s), dir, &b, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return a.st_dev != b.st_dev;
}

/* The overlay options to try, best first.  index, redirect_dir and metacopy
 * off keep the upperdir a true diff.  A --rm container's upper is thrown
 * away, so it is also "volatile": no sync of the whole backing filesystem
 * when it is unmounted (35 ms and more on these machines), as podman does
 * for such containers.  Kernels without these options get a plain mount. */
static const char *const overlay_extras[][3] = {
  { ",index=off,redirect_dir=off,metacopy=off", "", NULL },
  { ",index=off,redirect_dir=off,metacopy=off,volatile", ",index=off,redirect_dir=off,metacopy=off",
    "" },
};

static int
mount_in_overlay_dir(int overlay_fd, const char *target, const char *lower, const char *mid,
                     bool transient, berth_error **err)
{
  const char *const *extra = overlay_extras[transient ? 1 : 0];
  cleanup_close int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cwd < 0 || fchdir(overlay_fd) < 0)
    return berth_error_set(err, errno, "chdir to overlay2");
  int ret = -1, saved = 0;
  for (size_t i = 0; i < 3 && extra[i] != NULL && ret < 0; i++) {
    cleanup_free char *opts
        = xasprintf("lowerdir=%s,upperdir=%s/diff,workdir=%s/work%s", lower, mid, mid, extra[i]);
    ret = mount("overlay", target, "overlay", 0, opts);
    saved = errno;
  }
  if (fchdir(cwd) < 0 && ret == 0) {
    umount2(target, MNT_DETACH);
    return berth_error_set(err, errno, "chdir back");
  }
  if (ret < 0)
    return berth_error_set(err, saved, "mount overlay at overlay2/%s", target);
  return 0;
}

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
  cleanup_free char *merged = xasprintf("%s/merged", c->layer.mount_id);
  if (mkdirat(ofd, merged, 0700) < 0 && errno != EEXIST)
    return berth_error_set(err, errno, "mkdir overlay2/%s", merged);
  bool transient = json_is_true(json_object_get(c->hostconfig, "AutoRemove"));
  return mount_in_overlay_dir(ofd, merged, lower, c->layer.mount_id, transient, err);
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

static int
release(berth_store *s, berth_container *c, bool all, berth_error **err)
{
  cleanup_close int fd = open_count(s, c, err);
  if (fd < 0)
    return -1;
  int count = all ? 0 : read_count(fd) - 1;
  if (count <= 0 && berth_container_is_mounted(s, c)) {
    cleanup_free char *merged = berth_store_rwlayer_merged_path(s, &c->layer);
    if (umount2(merged, all ? MNT_DETACH : 0) < 0
        && (errno != EBUSY || umount2(merged, MNT_DETACH) < 0))
      return berth_error_set(err, errno, "unmount %s", merged);
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
