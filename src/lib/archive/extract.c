#include "archive/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/confine.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

struct dir_time {
  char *path;
  struct timespec times[2];
};

/* Syscalls are what unpacking small files costs (on these VMs each one is
 * expensive), so regular files take a short path: the directory of the last
 * regular file stays open while more follow in it (tars list a directory's
 * files together), a file is created with its final mode when the umask
 * allows, and chown is skipped when the new file already has the owner. */
struct berth_extract {
  int rootfd;
  berth_confine_mode mode;
  struct dir_time *dirs;
  size_t ndirs, cap;
  /* The cached parent: only regular-file entries use and keep it; any other
   * entry may change what a path resolves to and drops it. */
  int parent_fd;
  char *parent_path;
  bool parent_setgid;
  mode_t umask;
  uid_t euid;
  gid_t egid;
  bool plain; /* no whiteout or aufs rules: ".wh." names are files */
};

/* The process's umask, read without changing it (umask(2) would, and
 * several unpackers run at once); all bits when unknown, so that every file
 * then gets an explicit chmod. */
static mode_t
current_umask(void)
{
  cleanup_file FILE *f = fopen("/proc/self/status", "re");
  char line[256];
  unsigned int mask;
  while (f != NULL && fgets(line, sizeof(line), f) != NULL)
    if (sscanf(line, "Umask: %o", &mask) == 1)
      return (mode_t)mask;
  return 0777;
}

berth_extract *
berth_extract_new(int rootfd)
{
  berth_extract *x = xcalloc(1, sizeof(*x));
  x->rootfd = rootfd;
  x->mode = BERTH_CONFINE_AUTO;
  x->parent_fd = -1;
  x->umask = current_umask();
  x->euid = geteuid();
  x->egid = getegid();
  return x;
}

void
berth_extract_set_plain(berth_extract *x)
{
  x->plain = true;
}

static void
drop_parent(berth_extract *x)
{
  if (x->parent_fd >= 0)
    close(x->parent_fd);
  x->parent_fd = -1;
  free(x->parent_path);
  x->parent_path = NULL;
}

void
berth_extract_free(berth_extract *x)
{
  if (x == NULL)
    return;
  drop_parent(x);
  for (size_t i = 0; i < x->ndirs; i++)
    free(x->dirs[i].path);
  free(x->dirs);
  free(x);
}

void
berth_extract_cleanup(berth_extract **x)
{
  berth_extract_free(*x);
  *x = NULL;
}

/* Docker's rule: the access time is never before the modification time. */
static void
entry_times(struct archive_entry *e, struct timespec t[2])
{
  t[1].tv_sec = archive_entry_mtime(e);
  t[1].tv_nsec = archive_entry_mtime_nsec(e);
  t[0] = t[1];
  if (archive_entry_atime_is_set(e) && archive_entry_atime(e) > t[1].tv_sec) {
    t[0].tv_sec = archive_entry_atime(e);
    t[0].tv_nsec = archive_entry_atime_nsec(e);
  }
}

static void
defer_dir_time(berth_extract *x, const char *path, struct archive_entry *e)
{
  if (x->ndirs == x->cap) {
    x->cap = x->cap ? x->cap * 2 : 64;
    x->dirs = xrealloc(x->dirs, x->cap * sizeof(*x->dirs));
  }
  x->dirs[x->ndirs].path = xstrdup(path);
  entry_times(e, x->dirs[x->ndirs].times);
  x->ndirs++;
}

/* xattrs from the tarball; filesystems without xattr support (ENOTSUP) or
 * namespaces we may not write (EPERM) are skipped, as Docker does. */
static int
apply_xattrs(int fd, struct archive_entry *e, berth_error **err)
{
  const char *name;
  const void *value;
  size_t size;
  archive_entry_xattr_reset(e);
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (strncmp(name, "trusted.overlay.", 16) == 0)
      continue;
    if (fsetxattr(fd, name, value, size, 0) < 0 && errno != ENOTSUP && errno != EPERM)
      return berth_error_set(err, errno, "set xattr %.100s", name);
  }
  return 0;
}

/* Owner, then mode (chown clears setuid), then xattrs, on an open fd. */
static int
apply_fd_metadata(int fd, struct archive_entry *e, berth_error **err)
{
  if (fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
    return berth_error_set(err, errno, "chown");
  if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
    return berth_error_set(err, errno, "chmod");
  return apply_xattrs(fd, e, err);
}

enum { WRITEBACK_MIN = 1 << 20 };

static int
write_all_at(int fd, const char *p, size_t len, off_t off, berth_error **err)
{
  while (len > 0) {
    ssize_t n = pwrite(fd, p, len, off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return berth_error_set(err, errno, "write");
    }
    p += n;
    len -= (size_t)n;
    off += n;
  }
  return 0;
}

/* Contents block by block (one write each); gaps between blocks and a short
 * end stay holes, which keeps sparse files sparse. */
static int
write_contents(int fd, struct archive *a, struct archive_entry *e, berth_error **err)
{
  off_t end = 0;
  for (;;) {
    const void *buf;
    size_t size;
    la_int64_t offset;
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN)
      return berth_error_set(err, 0, "invalid layer tar: %s", archive_error_string(a));
    if (size > 0 && write_all_at(fd, buf, size, (off_t)offset, err) < 0)
      return -1;
    if ((off_t)(offset + (la_int64_t)size) > end)
      end = (off_t)(offset + (la_int64_t)size);
  }
  if (archive_entry_size_is_set(e) && archive_entry_size(e) > end
      && ftruncate(fd, archive_entry_size(e)) < 0)
    return berth_error_set(err, errno, "truncate");
  return 0;
}

/* A later entry replaces an earlier one unless both are directories. */
static int
clear_existing(int dfd, const char *base, bool entry_is_dir, berth_error **err)
{
  struct stat st;
  if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : berth_error_set(err, errno, "stat");
  if (S_ISDIR(st.st_mode) && entry_is_dir)
    return 0;
  return berth_rm_rf_at(dfd, base, err);
}

/* A regular file in the (cached) parent dfd: O_EXCL first, replacing what
 * is there only when something is. */
static int
make_regular(berth_extract *x, int dfd, const char *base, struct archive *a,
             struct archive_entry *e, long long *size, berth_error **err)
{
  mode_t perm = archive_entry_perm(e) & 07777;
  bool exact = (perm & ~(mode_t)0777) == 0 && (perm & x->umask) == 0;
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  cleanup_close int fd = openat(dfd, base, flags, exact ? perm : 0600);
  if (fd < 0 && errno == EEXIST) {
    if (clear_existing(dfd, base, false, err) < 0)
      return -1;
    fd = openat(dfd, base, flags, exact ? perm : 0600);
  }
  if (fd < 0)
    return berth_error_set(err, errno, "create");
  if (write_contents(fd, a, e, err) < 0)
    return -1;
  /* Start the writeback of a big file now, while the rest of the layer
   * unpacks: the syncfs that publishes the layer then finds it (mostly)
   * on disk instead of writing everything at the end.  Only a hint. */
  if (archive_entry_size(e) >= WRITEBACK_MIN)
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  uid_t uid = (uid_t)archive_entry_uid(e);
  gid_t gid = (gid_t)archive_entry_gid(e);
  if ((uid != x->euid || gid != x->egid || x->parent_setgid) && fchown(fd, uid, gid) < 0)
    return berth_error_set(err, errno, "chown");
  /* chown cleared any set-id bits; an exact create had none to lose. */
  if (!exact && fchmod(fd, perm) < 0)
    return berth_error_set(err, errno, "chmod");
  if (apply_xattrs(fd, e, err) < 0)
    return -1;
  struct timespec t[2];
  entry_times(e, t);
  if (futimens(fd, t) < 0)
    return berth_error_set(err, errno, "set times");
  *size += archive_entry_size(e);
  return 0;
}

/* The parent directory of path, from the cache when the last regular file
 * was in it; otherwise opened confined and cached. */
static int
regular_parent(berth_extract *x, const char *path, const char **base, berth_error **err)
{
  const char *slash = strrchr(path, '/');
  size_t len = slash ? (size_t)(slash - path) : 0;
  *base = slash ? slash + 1 : path;
  if (x->parent_fd >= 0 && strlen(x->parent_path) == len && strncmp(x->parent_path, path, len) == 0)
    return x->parent_fd;
  drop_parent(x);
  const char *b;
  int fd = berth_confine_open_parent(x->rootfd, path, true, &x->mode, &b, err);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) {
    if (fd >= 0)
      close(fd);
    return fd < 0 ? -1 : berth_error_set(err, errno, "stat parent");
  }
  x->parent_fd = fd;
  x->parent_path = xstrndup(path, len);
  x->parent_setgid = (st.st_mode & S_ISGID) != 0;
  return fd;
}

static int
make_dir(berth_extract *x, int dfd, const char *base, const char *path, struct archive_entry *e,
         berth_error **err)
{
  if (mkdirat(dfd, base, 0700) < 0 && errno != EEXIST)
    return berth_error_set(err, errno, "mkdir");
  cleanup_close int fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open directory");
  if (apply_fd_metadata(fd, e, err) < 0)
    return -1;
  defer_dir_time(x, path, e);
  return 0;
}

/* Symlinks, devices, fifos: metadata by name, never following the name. */
static int
apply_node_metadata(int dfd, const char *base, struct archive_entry *e, bool is_link,
                    berth_error **err)
{
  if (fchownat(dfd, base, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
               AT_SYMLINK_NOFOLLOW)
      < 0)
    return berth_error_set(err, errno, "chown");
  if (!is_link && fchmodat(dfd, base, archive_entry_perm(e) & 07777, 0) < 0)
    return berth_error_set(err, errno, "chmod");
  struct timespec t[2];
  entry_times(e, t);
  if (utimensat(dfd, base, t, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_set(err, errno, "set times");
  return 0;
}

static int
make_hardlink(berth_extract *x, int dfd, const char *base, const char *target, berth_error **err)
{
  cleanup_free char *clean = berth_confine_clean(target, err);
  if (clean == NULL)
    return berth_error_prefix(err, "hard link target");
  if (*clean == '\0')
    return berth_error_set(err, 0, "hard link to the layer root");
  const char *tbase;
  cleanup_error berth_error *local = NULL; /* ENOENT is worded below */
  cleanup_close int tfd
      = berth_confine_open_parent(x->rootfd, clean, false, &x->mode, &tbase, &local);
  if (tfd < 0 && berth_error_errno(local) == ENOENT)
    return berth_error_set(err, 0, "hard link target '%.256s' is not in the layer", target);
  if (tfd < 0) {
    berth_error_propagate(err, &local);
    return berth_error_prefix(err, "hard link target '%.256s'", target);
  }
  if (linkat(tfd, tbase, dfd, base, 0) < 0) {
    if (errno == ENOENT)
      return berth_error_set(err, 0, "hard link target '%.256s' is not in the layer", target);
    return berth_error_set(err, errno, "link to '%.256s'", target);
  }
  return 0;
}

static int
make_node(int dfd, const char *base, struct archive_entry *e, berth_error **err)
{
  mode_t type = archive_entry_filetype(e);
  if (type == AE_IFLNK) {
    const char *target = archive_entry_symlink(e);
    if (symlinkat(target ? target : "", dfd, base) < 0)
      return berth_error_set(err, errno, "symlink");
    return apply_node_metadata(dfd, base, e, true, err);
  }
  dev_t dev = 0;
  if (type == AE_IFCHR || type == AE_IFBLK)
    dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
  else if (type != AE_IFIFO)
    return berth_error_set(err, 0, "unsupported entry type 0%o", (unsigned)type);
  if (mknodat(dfd, base, type | (archive_entry_perm(e) & 07777), dev) < 0)
    return berth_error_set(err, errno, "mknod");
  return apply_node_metadata(dfd, base, e, false, err);
}

static int
whiteout(berth_extract *x, const char *path, const char *dir, const char *base,
         struct archive_entry *e, berth_error **err)
{
  if (strcmp(base, ".wh..wh..opq") == 0) {
    cleanup_close int fd = berth_confine_open_dir(x->rootfd, dir, true, &x->mode, err);
    if (fd < 0)
      return -1;
    if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
      return berth_error_set(err, errno, "set trusted.overlay.opaque");
    return 0;
  }
  const char *name = base + 4;
  if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return berth_error_set(err, 0, "invalid whiteout name");
  const char *b;
  cleanup_close int dfd = berth_confine_open_parent(x->rootfd, path, true, &x->mode, &b, err);
  if (dfd < 0 || clear_existing(dfd, name, false, err) < 0)
    return -1;
  if (mknodat(dfd, name, S_IFCHR | 0, makedev(0, 0)) < 0)
    return berth_error_set(err, errno, "mknod whiteout");
  if (fchownat(dfd, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
               AT_SYMLINK_NOFOLLOW)
      < 0)
    return berth_error_set(err, errno, "chown whiteout");
  return 0;
}

/* True for names inside aufs metadata (".wh..wh.plnk/…"), which Docker skips. */
static bool
is_aufs_meta(const char *path, const char *base)
{
  for (const char *p = path; p != NULL && *p != '\0';) {
    if (strncmp(p, ".wh..wh.", 8) == 0 && p != base)
      return true;
    p = strchr(p, '/');
    p = p ? p + 1 : NULL;
  }
  return strncmp(base, ".wh..wh.", 8) == 0 && strcmp(base, ".wh..wh..opq") != 0;
}

bool
berth_extract_is_aufs_meta(const char *path)
{
  const char *slash = strrchr(path, '/');
  return is_aufs_meta(path, slash ? slash + 1 : path);
}

static int
root_entry(berth_extract *x, struct archive_entry *e, berth_error **err)
{
  if (archive_entry_filetype(e) != AE_IFDIR || archive_entry_hardlink(e) != NULL)
    return berth_error_set(err, 0, "refusing to replace the layer root with a non-directory");
  if (apply_fd_metadata(x->rootfd, e, err) < 0)
    return -1;
  defer_dir_time(x, "", e);
  return 0;
}

static int
extract_clean(berth_extract *x, const char *path, struct archive *a, struct archive_entry *e,
              long long *size, berth_error **err)
{
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *hardlink = archive_entry_hardlink(e);
  bool layer_rules = !x->plain;
  if (*path != '\0' && !(layer_rules && is_aufs_meta(path, base))
      && !(layer_rules && strncmp(base, ".wh.", 4) == 0) && hardlink == NULL
      && archive_entry_filetype(e) == AE_IFREG) {
    int dfd = regular_parent(x, path, &base, err);
    return dfd < 0 ? -1 : make_regular(x, dfd, base, a, e, size, err);
  }
  drop_parent(x);
  if (*path == '\0')
    return root_entry(x, e, err);
  if (layer_rules && is_aufs_meta(path, base))
    return 0;
  if (layer_rules && strncmp(base, ".wh.", 4) == 0) {
    cleanup_free char *dir = xstrndup(path, slash ? (size_t)(slash - path) : 0);
    return whiteout(x, path, dir, base, e, err);
  }
  bool is_dir = hardlink == NULL && archive_entry_filetype(e) == AE_IFDIR;
  cleanup_close int dfd = berth_confine_open_parent(x->rootfd, path, true, &x->mode, &base, err);
  if (dfd < 0 || clear_existing(dfd, base, is_dir, err) < 0)
    return -1;
  if (hardlink != NULL)
    return make_hardlink(x, dfd, base, hardlink, err);
  if (is_dir)
    return make_dir(x, dfd, base, path, e, err);
  if (make_node(dfd, base, e, err) < 0)
    return -1;
  /* Docker's layer size (directory.Size of the layer's dir) counts every
   * entry's st_size but directories': a symlink's is its target's length */
  const char *target = archive_entry_filetype(e) == AE_IFLNK ? archive_entry_symlink(e) : NULL;
  *size += target != NULL ? (long long)strlen(target) : 0;
  return 0;
}

/* An owner a uid_t/gid_t cannot hold (PAX headers carry any decimal) is
 * refused: cast, 2^32 would become root.  (uid_t)-1 is "no change" to
 * chown, so it is refused too. */
static int
check_owner(struct archive_entry *e, const char *name, berth_error **err)
{
  la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
  if (uid < 0 || uid >= (la_int64_t)UINT32_MAX)
    return berth_error_set(err, 0, "extract '%.256s': uid %lld is out of range", name,
                           (long long)uid);
  if (gid < 0 || gid >= (la_int64_t)UINT32_MAX)
    return berth_error_set(err, 0, "extract '%.256s': gid %lld is out of range", name,
                           (long long)gid);
  return 0;
}

int
berth_extract_entry(berth_extract *x, struct archive *a, struct archive_entry *e, long long *size,
                    berth_error **err)
{
  const char *name = archive_entry_pathname(e);
  if (name == NULL)
    return berth_error_set(err, 0, "tar entry without a name");
  if (check_owner(e, name, err) < 0)
    return -1;
  cleanup_free char *path = berth_confine_clean(name, err);
  if (path == NULL)
    return berth_error_prefix(err, "extract '%.256s'", name);
  if (extract_clean(x, path, a, e, size, err) < 0)
    return berth_error_prefix(err, "extract '%.256s'", name);
  return 0;
}

int
berth_extract_finish(berth_extract *x, berth_error **err)
{
  for (size_t i = x->ndirs; i-- > 0;) {
    cleanup_error berth_error *gone = NULL;
    cleanup_close int fd
        = berth_confine_open_dir(x->rootfd, x->dirs[i].path, false, &x->mode, &gone);
    if (fd < 0)
      continue; /* replaced or whited out by a later entry: nothing to date */
    if (futimens(fd, x->dirs[i].times) < 0)
      return berth_error_set(err, errno, "set times of '%.256s'", x->dirs[i].path);
  }
  return 0;
}
