#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/random.h"
#include "common/xalloc.h"

static int
write_all(int fd, const void *data, size_t len)
{
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static char *
dir_of(const char *name)
{
  const char *slash = strrchr(name, '/');
  return slash == NULL ? xstrdup(".") : xstrndup(name, (size_t)(slash - name + (slash == name)));
}

int
berth_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                           berth_error **err)
{
  char rnd[17];
  berth_random_hex(rnd, 16);
  cleanup_free char *tmp = xasprintf("%s.tmp-%s", name, rnd);
  cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return berth_error_set(err, errno, "create %s", tmp);
  if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
    berth_error_set(err, errno, "write %s", tmp);
    unlinkat(dirfd, tmp, 0);
    return -1;
  }
  if (renameat(dirfd, tmp, dirfd, name) < 0) {
    berth_error_set(err, errno, "rename %s to %s", tmp, name);
    unlinkat(dirfd, tmp, 0);
    return -1;
  }
  cleanup_free char *parent = dir_of(name);
  return berth_fsync_dir_at(dirfd, parent, err);
}

int
berth_write_file_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                    berth_error **err)
{
  cleanup_close int fd
      = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return berth_error_set(err, errno, "create %s", name);
  if (write_all(fd, data, len) < 0)
    return berth_error_set(err, errno, "write %s", name);
  return 0;
}

int
berth_read_file_at(int dirfd, const char *name, char **data, size_t *len, berth_error **err)
{
  cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", name);
  size_t cap = 4096, used = 0;
  cleanup_free char *buf = xmalloc(cap);
  for (;;) {
    if (cap - used < 2) {
      cap *= 2;
      buf = xrealloc(buf, cap);
    }
    ssize_t n = read(fd, buf + used, cap - used - 1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return berth_error_set(err, errno, "read %s", name);
    }
    if (n == 0)
      break;
    used += (size_t)n;
  }
  buf[used] = '\0';
  if (len != NULL)
    *len = used;
  *data = steal_pointer(&buf);
  return 0;
}

char *
berth_read_line_at(int dirfd, const char *name, berth_error **err)
{
  char *data = NULL;
  size_t len = 0;
  if (berth_read_file_at(dirfd, name, &data, &len, err) < 0)
    return NULL;
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    data[--len] = '\0';
  return data;
}

int
berth_mkdir_p_at(int dirfd, const char *path, mode_t mode, berth_error **err)
{
  cleanup_free char *p = xstrdup(path);
  for (char *s = p + 1;; s++) {
    bool last = *s == '\0';
    if (*s == '/' || last) {
      *s = '\0';
      if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
        return berth_error_set(err, errno, "mkdir %s", p);
      if (last)
        break;
      *s = '/';
    }
  }
  return 0;
}

int
berth_open_dir_at(int dirfd, const char *path, bool create, berth_error **err)
{
  if (create && berth_mkdir_p_at(dirfd, path, 0700, err) < 0)
    return -1;
  int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", path);
  return fd;
}

/* Which mount a directory fd is on: the mount id where statx reports it
 * (Linux 5.8+), else the device alone (which misses a bind mount of the same
 * filesystem). */
struct mount_key {
  dev_t dev;
  unsigned long long mnt_id; /* 0 when unknown */
};

static int
mount_key_of(int fd, struct mount_key *k)
{
  struct statx stx;
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
    return -1;
  k->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
  k->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
  return 0;
}

static bool
same_mount(const struct mount_key *a, const struct mount_key *b)
{
  return a->dev == b->dev && (a->mnt_id == 0 || b->mnt_id == 0 || a->mnt_id == b->mnt_id);
}

static int rm_rf(int dirfd, const char *name, const struct mount_key *parent, berth_error **err);

static int
rm_rf_fd(int dfd, const char *what, const struct mount_key *self, berth_error **err)
{
  cleanup_dir DIR *d = fdopendir(dfd);
  if (d == NULL) {
    close(dfd);
    return berth_error_set(err, errno, "opendir %s", what);
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (rm_rf(dirfd(d), de->d_name, self, err) < 0)
      return -1;
  }
  return 0;
}

/* Never descends into another mount: whatever is mounted below name (a
 * container's merged/, an image mount's target) is left alone, with an error
 * (EBUSY), rather than emptied through the mount. */
static int
rm_rf(int dirfd, const char *name, const struct mount_key *parent, berth_error **err)
{
  if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return berth_error_set(err, errno, "remove %s", name);
  int dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return berth_error_set(err, errno, "open %s", name);
  struct mount_key self;
  if (mount_key_of(dfd, &self) < 0) {
    close(dfd);
    return berth_error_set(err, errno, "stat %s", name);
  }
  if (parent != NULL && !same_mount(parent, &self)) {
    close(dfd);
    return berth_error_set(err, EBUSY, "remove %s: a mount point, left alone", name);
  }
  if (rm_rf_fd(dfd, name, &self, err) < 0)
    return -1;
  if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return berth_error_set(err, errno, "remove %s", name);
  return 0;
}

int
berth_rm_rf_at(int dirfd, const char *name, berth_error **err)
{
  return rm_rf(dirfd, name, NULL, err);
}

int
berth_fsync_dir_at(int dirfd, const char *path, berth_error **err)
{
  cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) < 0)
    return berth_error_set(err, errno, "sync %s", path);
  return 0;
}

void
berth_close_fds(int *fds, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  free(fds);
}

bool
berth_exists_at(int dirfd, const char *path)
{
  struct stat st;
  return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

struct inode_seen {
  dev_t dev;
  ino_t ino;
};

struct du_state {
  struct inode_seen *seen;
  size_t n, cap;
  long long total;
};

static bool
du_seen_before(struct du_state *s, const struct stat *st)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->seen[i].dev == st->st_dev && s->seen[i].ino == st->st_ino)
      return true;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->seen = xrealloc(s->seen, s->cap * sizeof(*s->seen));
  }
  s->seen[s->n++] = (struct inode_seen){ st->st_dev, st->st_ino };
  return false;
}

static int
du_dir(int dfd, struct du_state *s, berth_error **err)
{
  cleanup_dir DIR *d = fdopendir(dfd);
  if (d == NULL) {
    close(dfd);
    return berth_error_set(err, errno, "opendir");
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    struct stat st;
    if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
      return berth_error_set(err, errno, "stat %s", de->d_name);
    if (S_ISDIR(st.st_mode)) {
      int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return berth_error_set(err, errno, "open %s", de->d_name);
      if (du_dir(sub, s, err) < 0)
        return -1;
    } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
      if (st.st_nlink > 1 && du_seen_before(s, &st))
        continue;
      s->total += st.st_size;
    }
  }
  return 0;
}

int
berth_du_at(int dirfd, const char *path, long long *size, berth_error **err)
{
  int dfd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return berth_error_set(err, errno, "open %s", path);
  struct du_state s = { 0 };
  int r = du_dir(dfd, &s, err);
  free(s.seen);
  if (r == 0)
    *size = s.total;
  return r;
}
