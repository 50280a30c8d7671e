/* The layer directory against what extraction made of the layer tar
 * (verify_tree.h): per path its type, mode, owner, size, contents, link
 * target, device numbers, xattrs and hard links.
 *
 * Not compared: times.  They change nothing a container sees or may do;
 * a ustar header holds whole seconds where the disk keeps nanoseconds;
 * implicit directories get the time of the pull; and a directory's mtime
 * moves with every name added or removed in it, which is reported by name
 * anyway. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/confine.h"
#include "archive/crc64.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "images/verify_tree.h"

#define BUF_SIZE (256 * 1024)

void
berth_verify_layer_add(berth_verify_layer *l, char kind, const char *rel, char *what)
{
  l->files = xrealloc(l->files, (l->n_files + 1) * sizeof *l->files);
  l->files[l->n_files].kind = kind;
  l->files[l->n_files].path = xasprintf("/%s", rel);
  l->files[l->n_files].what = what;
  l->n_files++;
}

static const char *
type_name(mode_t t)
{
  switch (t) {
  case S_IFREG:
    return "file";
  case S_IFDIR:
    return "directory";
  case S_IFLNK:
    return "symlink";
  case S_IFCHR:
    return "char device";
  case S_IFBLK:
    return "block device";
  case S_IFIFO:
    return "fifo";
  case S_IFSOCK:
    return "socket";
  default:
    return "unknown";
  }
}

struct disk {
  int rootfd;
  berth_confine_mode mode;
  char *dir; /* the cached parent */
  int dfd;
  unsigned char *buf;
};

/* The parent of path, opened without following anything (a symlink put in
 * the way by hand is refused: the path is then missing). */
static int
disk_parent(struct disk *d, const char *path, const char **base)
{
  const char *slash = strrchr(path, '/');
  size_t len = slash ? (size_t)(slash - path) : 0;
  *base = slash ? slash + 1 : path;
  if (d->dir != NULL && strlen(d->dir) == len && strncmp(d->dir, path, len) == 0)
    return d->dfd;
  if (d->dfd >= 0)
    close(d->dfd);
  free(d->dir);
  d->dir = xstrndup(path, len);
  berth_error *err = NULL;
  d->dfd = berth_confine_open_dir(d->rootfd, d->dir, false, &d->mode, &err);
  berth_error_free(err);
  return d->dfd;
}

static int
cmp_block(const void *a, const void *b)
{
  long long x = ((const berth_verify_block *)a)->off, y = ((const berth_verify_block *)b)->off;
  return x < y ? -1 : x > y;
}

static bool
range_crc(struct disk *d, int fd, long long off, long long len, uint64_t *crc)
{
  *crc = 0;
  while (len > 0) {
    ssize_t n = pread(fd, d->buf, len < BUF_SIZE ? (size_t)len : BUF_SIZE, (off_t)off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    *crc = berth_crc64_update(*crc, d->buf, (size_t)n);
    off += n;
    len -= n;
  }
  return true;
}

static bool
range_zero(struct disk *d, int fd, long long off, long long len)
{
  while (len > 0) {
    ssize_t n = pread(fd, d->buf, len < BUF_SIZE ? (size_t)len : BUF_SIZE, (off_t)off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    for (ssize_t i = 0; i < n; i++)
      if (d->buf[i] != 0)
        return false;
    off += n;
    len -= n;
  }
  return true;
}

/* A sparse file's data outside its blocks must be zeros: only the extents
 * the file system keeps are read (SEEK_DATA), so holes cost nothing. */
static bool
holes_zero(struct disk *d, int fd, const berth_verify_block *b, size_t nb, long long size)
{
  off_t pos = 0;
  size_t i = 0;
  while (pos < size) {
    off_t ds = lseek(fd, pos, SEEK_DATA);
    if (ds < 0)
      return errno == ENXIO;
    off_t de = lseek(fd, ds, SEEK_HOLE);
    if (de < 0)
      de = (off_t)size;
    for (long long x = ds; x < de;) {
      while (i < nb && b[i].off + b[i].len <= x)
        i++;
      if (i < nb && b[i].off <= x) {
        x = b[i].off + b[i].len;
        continue;
      }
      long long end = i < nb && b[i].off < de ? b[i].off : de;
      if (!range_zero(d, fd, x, end - x))
        return false;
      x = end;
    }
    pos = de;
  }
  return true;
}

static bool
same_contents(struct disk *d, int fd, const berth_verify_node *n)
{
  cleanup_free berth_verify_block *b
      = n->n_blocks ? xmemdup(n->blocks, n->n_blocks * sizeof *b) : NULL;
  if (n->n_blocks > 1)
    qsort(b, n->n_blocks, sizeof *b, cmp_block);
  for (size_t i = 0; i < n->n_blocks; i++) {
    uint64_t crc;
    if (!range_crc(d, fd, b[i].off, b[i].len, &crc) || crc != b[i].crc)
      return false;
  }
  return !n->sparse || holes_zero(d, fd, b, n->n_blocks, n->size);
}

static const berth_verify_xattr *
find_xattr(const berth_verify_node *n, const char *name)
{
  for (size_t i = 0; i < n->n_xattrs; i++)
    if (strcmp(n->xattrs[i].name, name) == 0)
      return &n->xattrs[i];
  return NULL;
}

static void
check_xattrs(berth_verify_layer *l, int fd, const berth_verify_node *n)
{
  ssize_t len = flistxattr(fd, NULL, 0);
  cleanup_free char *names = xmalloc(len > 0 ? (size_t)len : 1);
  len = len > 0 ? flistxattr(fd, names, (size_t)len) : 0;
  bool opaque = false;
  for (ssize_t i = 0; i < len; i += (ssize_t)strlen(names + i) + 1) {
    const char *name = names + i;
    if (strcmp(name, "trusted.overlay.opaque") == 0) {
      char v[2];
      opaque = fgetxattr(fd, name, v, sizeof v) == 1 && v[0] == 'y';
      continue;
    }
    /* the kernel labels every new file on SELinux hosts */
    if (strcmp(name, "security.selinux") == 0 && find_xattr(n, name) == NULL)
      continue;
    if (find_xattr(n, name) == NULL)
      berth_verify_layer_add(l, '~', n->path, xasprintf("changed xattr %s", name));
  }
  if (opaque != n->opaque)
    berth_verify_layer_add(l, '~', n->path, xstrdup("changed xattr trusted.overlay.opaque"));
  for (size_t i = 0; i < n->n_xattrs; i++) {
    const berth_verify_xattr *x = &n->xattrs[i];
    cleanup_free unsigned char *v = xmalloc(x->len + 1);
    ssize_t got = fgetxattr(fd, x->name, v, x->len + 1);
    if (got < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
      continue; /* extraction skipped it too: the file system has no such xattrs */
    if (got != (ssize_t)x->len || (x->len > 0 && memcmp(v, x->value, x->len) != 0))
      berth_verify_layer_add(l, '~', n->path, xasprintf("changed xattr %s", x->name));
  }
}

/* Contents and xattrs of a regular file or a directory, through an fd. */
static void
check_open(struct disk *d, berth_verify_layer *l, int dfd, const char *base,
           const berth_verify_node *n)
{
  int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (n->type == S_IFDIR)
    flags |= O_DIRECTORY;
  cleanup_close int fd = *n->path ? openat(dfd, base, flags) : dup(d->rootfd);
  if (fd < 0) {
    berth_verify_layer_add(l, '~', n->path, NULL);
    return;
  }
  if (n->type == S_IFREG && !same_contents(d, fd, n))
    berth_verify_layer_add(l, '~', n->path, NULL);
  check_xattrs(l, fd, n);
}

static void
check_node(struct disk *d, const berth_verify_tree *t, berth_verify_layer *l,
           const berth_verify_node *n)
{
  const char *base = "";
  int dfd = *n->path ? disk_parent(d, n->path, &base) : d->rootfd;
  struct stat st;
  if (dfd < 0 || fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW | (*base ? 0 : AT_EMPTY_PATH)) < 0) {
    berth_verify_layer_add(l, '-', n->path, NULL);
    return;
  }
  mode_t type = st.st_mode & S_IFMT;
  if (type != n->type) {
    berth_verify_layer_add(l, '~', n->path,
                           xasprintf("changed type %s -> %s", type_name(n->type), type_name(type)));
    return;
  }
  if (n->from_header && type != S_IFLNK && (st.st_mode & 07777) != n->perm)
    berth_verify_layer_add(
        l, '~', n->path,
        xasprintf("changed mode %04o -> %04o", (unsigned)n->perm, (unsigned)(st.st_mode & 07777)));
  if (n->from_header && ((long long)st.st_uid != n->uid || (long long)st.st_gid != n->gid))
    berth_verify_layer_add(l, '~', n->path,
                           xasprintf("changed owner %lld:%lld -> %u:%u", n->uid, n->gid,
                                     (unsigned)st.st_uid, (unsigned)st.st_gid));
  if (type == S_IFREG && st.st_size != n->size)
    berth_verify_layer_add(l, '~', n->path,
                           xasprintf("changed size %lld -> %lld", n->size, (long long)st.st_size));
  if (type == S_IFLNK) {
    char target[4097];
    ssize_t len = readlinkat(dfd, base, target, sizeof target - 1);
    target[len > 0 ? len : 0] = '\0';
    if (strcmp(target, n->link) != 0)
      berth_verify_layer_add(l, '~', n->path,
                             xasprintf("changed link target %s -> %s", n->link, target));
  }
  if ((type == S_IFCHR || type == S_IFBLK)
      && (major(st.st_rdev) != n->major || minor(st.st_rdev) != n->minor))
    berth_verify_layer_add(l, '~', n->path,
                           xasprintf("changed device %lu:%lu -> %u:%u", n->major, n->minor,
                                     major(st.st_rdev), minor(st.st_rdev)));
  if (type == S_IFREG && st.st_size != n->size)
    berth_verify_layer_add(l, '~', n->path, NULL);
  else if (type == S_IFREG || type == S_IFDIR)
    check_open(d, l, dfd, base, n);
  /* a hard link: still one inode with the path it was made to */
  const berth_verify_node *to = n->link_of ? berth_verify_tree_get(t, n->link_of) : NULL;
  if (to != NULL && to->inode == n->inode) {
    struct stat tst;
    const char *tbase;
    int tfd = disk_parent(d, to->path, &tbase);
    if (tfd >= 0 && fstatat(tfd, tbase, &tst, AT_SYMLINK_NOFOLLOW) == 0
        && (tst.st_ino != st.st_ino || tst.st_dev != st.st_dev))
      berth_verify_layer_add(l, '~', n->path, xasprintf("changed hard link /%s -> none", to->path));
  }
}

int
berth_verify_tree_compare(int rootfd, const berth_verify_tree *t, berth_verify_layer *l,
                          berth_error **err)
{
  cleanup_free unsigned char *buf = xmalloc(BUF_SIZE);
  struct disk d = { rootfd, BERTH_CONFINE_WALK, NULL, -1, buf };
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i]->live)
      check_node(&d, t, l, t->v[i]);
  if (d.dfd >= 0)
    close(d.dfd);
  free(d.dir);
  return 0;
}
