#include "archive/layer_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/classify.h"
#include "archive/tarsplit.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

static int
classify_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  return berth_tar_classifier_feed(ctx, buf, len, err);
}

int
berth_layer_pack_tarsplit(int dirfd, bool as_layer, int tarsplit_fd, berth_pack_result *out,
                          berth_error **err)
{
  cleanup_tarsplit_writer berth_tarsplit_writer *w = berth_tarsplit_writer_new(tarsplit_fd);
  cleanup_tar_classifier berth_tar_classifier *cls = berth_tar_classifier_new(w);
  int r = as_layer ? berth_layer_pack_as_layer(dirfd, classify_write, cls, out, err)
                   : berth_layer_pack(dirfd, classify_write, cls, out, err);
  if (r < 0 || berth_tar_classifier_finish(cls, err) < 0
      || berth_tarsplit_writer_finish(w, err) < 0)
    return -1;
  return 0;
}

static ssize_t
get_x(int fd, const char *path, const char *attr, void *buf, size_t len)
{
  return fd >= 0 ? fgetxattr(fd, attr, buf, len) : lgetxattr(path, attr, buf, len);
}

static int
remove_x(int fd, const char *path, const char *attr)
{
  int r = fd >= 0 ? fremovexattr(fd, attr) : lremovexattr(path, attr);
  return r < 0 && errno == ENODATA ? 0 : r;
}

int
berth_layer_dir_xattr(int fd, const char *path, const char *name, const char *attr, bool is_dir,
                      berth_error **err)
{
  if (strncmp(attr, "trusted.overlay.", 16) != 0)
    return 0; /* security.selinux */
  const char *what = attr + 16;
  if (strcmp(what, "redirect") == 0 || strcmp(what, "metacopy") == 0)
    return berth_error_set(err, 0, "%s has %s: the upperdir is not the whole diff", name, attr);
  if (is_dir && strcmp(what, "opaque") == 0) {
    char v[2];
    ssize_t n = get_x(fd, path, attr, v, sizeof v);
    if (n == 1 && v[0] == 'y')
      return 0; /* the layer format's own marker */
  }
  if (remove_x(fd, path, attr) < 0)
    return berth_error_set(err, errno, "remove xattr %.100s of %s", attr, name);
  return 0;
}

int
berth_layer_dir_times(int fd, int dirfd, const char *base, const struct stat *st, berth_error **err)
{
  if (st->st_mtim.tv_nsec == 0 && st->st_atim.tv_sec == st->st_mtim.tv_sec
      && st->st_atim.tv_nsec == 0)
    return 0;
  struct timespec t[2] = { { st->st_mtim.tv_sec, 0 }, { st->st_mtim.tv_sec, 0 } };
  int r = fd >= 0 ? futimens(fd, t) : utimensat(dirfd, base, t, AT_SYMLINK_NOFOLLOW);
  if (r < 0)
    return berth_error_set(err, errno, "set times of %s", base);
  return 0;
}

int
berth_layer_dir_whiteout(int dirfd, const char *base, const struct stat *st, berth_error **err)
{
  if (st->st_nlink == 1 && (st->st_mode & 07777) == 0)
    return 0;
  if (unlinkat(dirfd, base, 0) < 0 || mknodat(dirfd, base, S_IFCHR | 0, makedev(0, 0)) < 0)
    return berth_error_set(err, errno, "make whiteout %s again", base);
  if (fchownat(dirfd, base, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_set(err, errno, "chown whiteout %s", base);
  return 0;
}

int
berth_layer_dir_root(int rootfd, berth_error **err)
{
  ssize_t n = flistxattr(rootfd, NULL, 0);
  if (n < 0 && errno != ENOTSUP)
    return berth_error_set(err, errno, "list xattrs of the layer root");
  if (n > 0) {
    cleanup_free char *list = xmalloc((size_t)n);
    n = flistxattr(rootfd, list, (size_t)n);
    if (n < 0)
      return berth_error_set(err, errno, "list xattrs of the layer root");
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
      if (strcmp(list + i, "security.selinux") != 0 && remove_x(rootfd, NULL, list + i) < 0)
        return berth_error_set(err, errno, "remove xattr %.100s of the layer root", list + i);
  }
  struct stat st;
  if (fstat(rootfd, &st) < 0)
    return berth_error_set(err, errno, "stat the layer root");
  if ((st.st_uid != geteuid() || st.st_gid != getegid())
      && fchown(rootfd, geteuid(), getegid()) < 0)
    return berth_error_set(err, errno, "chown the layer root");
  if ((st.st_mode & 07777) != 0755 && fchmod(rootfd, 0755) < 0)
    return berth_error_set(err, errno, "chmod the layer root");
  return 0;
}
