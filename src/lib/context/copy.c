/* COPY/ADD into a destination root, as Docker 20.10's performCopyForInfo:
 * copyDirectory for a directory source (its contents merged into dest),
 * UntarPath for an ADD of a local archive, copyFile otherwise (into dest/NAME
 * when dest ends in `/` or is a directory).
 *
 * Confinement: dest is resolved inside destroot (symlinks followed inside
 * it), then every directory on the way is opened one component at a time
 * with O_NOFOLLOW from destroot, and every entry written is a single name
 * relative to a directory fd so opened: nothing written can land outside
 * destroot, whatever links the destination or the context hold. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/extract.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "context/internal.h"

typedef struct {
  berth_context *ctx;
  const berth_context_copy_opts *o;
  uid_t uid;
  gid_t gid;
  int topfd; /* the directory hard link paths are relative to */
  struct {
    dev_t dev;
    ino_t ino;
    char *dest; /* relative to topfd */
  } * links;
  size_t nlinks;
} copier;

/* The owner an entry of the source gets: its own (keep_owner), else the
 * copy's. */
static uid_t
uid_of(const copier *c, const struct stat *st)
{
  return c->o->keep_owner ? st->st_uid : c->uid;
}

static gid_t
gid_of(const copier *c, const struct stat *st)
{
  return c->o->keep_owner ? st->st_gid : c->gid;
}

int
berth_context_check_dest(const char *cmd, size_t nsources, const char *dest, berth_error **err)
{
  size_t n = strlen(dest);
  if (nsources > 1 && (n == 0 || dest[n - 1] != '/'))
    return berth_error_set_as(err, EINVAL,
                              "When using %s with more than one source file, the destination "
                              "must be a directory and end with a /",
                              cmd);
  return 0;
}

/* Who owns the directories mkdir_p makes, as Docker 20.10's copier makes
 * them: a file's missing parents are the copy's owner's
 * (MkdirAllAndChownNew with it); a directory's are root's but for the
 * destination itself (CopyWithTar makes them as root, fixPermissions
 * chowns only the destination down); an unpacked archive's all root's. */
enum made_owner { MADE_OWNED, MADE_LAST_OWNED, MADE_ROOT };

/* Opens the clean relative path canon below destroot as a directory, one
 * component at a time without following links, making what is missing
 * (0755, owned as who says). */
static int
mkdir_p(const copier *c, int destroot, const char *canon, enum made_owner who, berth_error **err)
{
  int fd = openat(destroot, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open destination");
  for (const char *p = canon; *p != '\0';) {
    size_t n = strcspn(p, "/");
    cleanup_free char *comp = xstrndup(p, n);
    p += n;
    while (*p == '/')
      p++;
    int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
        close(fd);
        return berth_error_set(err, errno, "mkdir %s", canon);
      }
      bool owned = who == MADE_OWNED || (who == MADE_LAST_OWNED && *p == '\0');
      if (fchownat(fd, comp, owned ? c->uid : 0, owned ? c->gid : 0, AT_SYMLINK_NOFOLLOW) < 0) {
        close(fd);
        return berth_error_set(err, errno, "chown %s", canon);
      }
      next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    close(fd);
    if (next < 0)
      return berth_error_set(err, errno == ELOOP ? ENOTDIR : errno, "open %s", canon);
    fd = next;
  }
  return fd;
}

/* Makes room for a new entry dfd/name of type mode: an existing directory
 * stays for a directory (merged, as Docker's untar does), anything else is
 * removed. */
static int
make_room(int dfd, const char *name, mode_t mode, bool *merge, berth_error **err)
{
  struct stat st;
  *merge = false;
  if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : berth_error_set(err, errno, "stat %s", name);
  if (S_ISDIR(st.st_mode) && S_ISDIR(mode)) {
    *merge = true;
    return 0;
  }
  if (S_ISDIR(st.st_mode))
    return berth_rm_rf_at(dfd, name, err);
  if (unlinkat(dfd, name, 0) < 0)
    return berth_error_set(err, errno, "remove %s", name);
  return 0;
}

static mode_t
perm_of(const copier *c, const struct stat *st)
{
  return c->o->chmod ? (c->o->mode & 07777) : (st->st_mode & 07777);
}

static int
copy_data(int in, int out, const char *name, berth_error **err)
{
  for (;;) {
    ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
    if (n == 0)
      return 0;
    if (n > 0)
      continue;
    if (errno == EINTR)
      continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP
        && errno != EBADF)
      return berth_error_set(err, errno, "copy %s", name);
    break;
  }
  static __thread char buf[1 << 16];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return berth_error_set(err, errno, "read %s", name);
    if (n == 0)
      return 0;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return berth_error_set(err, errno, "write %s", name);
      off += w;
    }
  }
}

/* Owner, then mode (chown clears setuid), then the capability (chown
 * clears it too), then times. */
static int
finish_fd(const copier *c, int fd, int sfd, const struct stat *st, const char *name,
          berth_error **err)
{
  if (fchown(fd, uid_of(c, st), gid_of(c, st)) < 0)
    return berth_error_set(err, errno, "chown %s", name);
  if (fchmod(fd, perm_of(c, st)) < 0)
    return berth_error_set(err, errno, "chmod %s", name);
  if (sfd >= 0) {
    char cap[512];
    ssize_t n = fgetxattr(sfd, "security.capability", cap, sizeof cap);
    if (n > 0 && fsetxattr(fd, "security.capability", cap, (size_t)n, 0) < 0 && errno != ENOTSUP)
      return berth_error_set(err, errno, "set security.capability on %s", name);
  }
  struct timespec ts[2] = { st->st_atim, st->st_mtim };
  if (futimens(fd, ts) < 0)
    return berth_error_set(err, errno, "set times of %s", name);
  return 0;
}

static int copy_dir_contents(copier *c, int sdir, const char *srel, int ddir, const char *drel,
                             berth_error **err);

/* Copies one entry sdir/sname (st: its lstat; follow: a top-level source,
 * opened through its link) to ddir/dname; drel is ddir/dname relative to
 * c->topfd, for hard links. */
static int
copy_entry(copier *c, int sdir, const char *sname, const char *srel, const struct stat *st,
           int ddir, const char *dname, const char *drel, berth_error **err)
{
  bool merge;
  if (make_room(ddir, dname, st->st_mode, &merge, err) < 0)
    return berth_error_prefix(err, "copy %s", srel);
  if (S_ISREG(st->st_mode)) {
    if (st->st_nlink > 1) {
      for (size_t i = 0; i < c->nlinks; i++)
        if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino) {
          if (linkat(c->topfd, c->links[i].dest, ddir, dname, 0) < 0)
            return berth_error_set(err, errno, "link %s", srel);
          return 0;
        }
      c->links = xrealloc(c->links, (c->nlinks + 1) * sizeof *c->links);
      c->links[c->nlinks].dev = st->st_dev;
      c->links[c->nlinks].ino = st->st_ino;
      c->links[c->nlinks++].dest = xstrdup(drel);
    }
    cleanup_close int in
        = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (in < 0)
      return berth_error_set(err, errno, "open %s", srel);
    cleanup_close int out
        = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
      return berth_error_set(err, errno, "create %s", drel);
    if (copy_data(in, out, srel, err) < 0)
      return -1;
    return finish_fd(c, out, in, st, drel, err);
  }
  if (S_ISLNK(st->st_mode)) {
    char target[PATH_MAX];
    ssize_t n = readlinkat(sdir, sname, target, sizeof target - 1);
    if (n < 0)
      return berth_error_set(err, errno, "readlink %s", srel);
    target[n] = '\0';
    /* The target is data: it is resolved in the image, never here. */
    if (symlinkat(target, ddir, dname) < 0)
      return berth_error_set(err, errno, "symlink %s", drel);
    if (fchownat(ddir, dname, uid_of(c, st), gid_of(c, st), AT_SYMLINK_NOFOLLOW) < 0)
      return berth_error_set(err, errno, "chown %s", drel);
    struct timespec ts[2] = { st->st_atim, st->st_mtim };
    if (utimensat(ddir, dname, ts, AT_SYMLINK_NOFOLLOW) < 0)
      return berth_error_set(err, errno, "set times of %s", drel);
    return 0;
  }
  if (S_ISDIR(st->st_mode)) {
    if (!merge && mkdirat(ddir, dname, 0700) < 0)
      return berth_error_set(err, errno, "mkdir %s", drel);
    cleanup_close int out = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_close int in = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (out < 0 || in < 0)
      return berth_error_set(err, errno, "open %s", out < 0 ? drel : srel);
    if (copy_dir_contents(c, in, srel, out, drel, err) < 0)
      return -1;
    return finish_fd(c, out, in, st, drel, err);
  }
  if (S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
    if (mknodat(ddir, dname, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0)
      return berth_error_set(err, errno, "mknod %s", drel);
    if (fchownat(ddir, dname, uid_of(c, st), gid_of(c, st), AT_SYMLINK_NOFOLLOW) < 0
        || fchmodat(ddir, dname, perm_of(c, st), 0) < 0)
      return berth_error_set(err, errno, "chown/chmod %s", drel);
    struct timespec ts[2] = { st->st_atim, st->st_mtim };
    if (utimensat(ddir, dname, ts, AT_SYMLINK_NOFOLLOW) < 0)
      return berth_error_set(err, errno, "set times of %s", drel);
    return 0;
  }
  return 0; /* sockets: never in a context */
}

/* An implicit directory (excluded, entered for an exception) is made as the
 * daemon's untar makes a missing parent: 0755, then owned like the rest. */
static int
copy_dir_contents(copier *c, int sdir, const char *srel, int ddir, const char *drel,
                  berth_error **err)
{
  berth_ctx_entry *v = NULL;
  size_t n = 0;
  if (berth_ctx_list(c->ctx, sdir, srel, &v, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    cleanup_free char *cs = berth_ctx_join(srel, v[i].name);
    cleanup_free char *cd = berth_ctx_join(drel, v[i].name);
    if (v[i].implicit) {
      cleanup_close int in
          = openat(sdir, v[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (in < 0 || !berth_ctx_has_visible(c->ctx, in, cs))
        continue;
      struct stat st = v[i].st;
      st.st_mode = S_IFDIR | 0755;
      rc = copy_entry(c, sdir, v[i].name, cs, &st, ddir, v[i].name, cd, err);
      continue;
    }
    rc = copy_entry(c, sdir, v[i].name, cs, &v[i].st, ddir, v[i].name, cd, err);
  }
  berth_ctx_entries_free(v, n);
  return rc;
}

/* Docker's isArchivePath: the first header of a tar, possibly compressed. */
static struct archive *
open_tar(int fd)
{
  struct archive *a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  if (archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
    archive_read_free(a);
    return NULL;
  }
  return a;
}

static bool
is_archive(int fd)
{
  struct archive *a = open_tar(fd);
  bool ok = false;
  if (a != NULL) {
    struct archive_entry *e;
    ok = archive_read_next_header(a, &e) == ARCHIVE_OK;
    archive_read_free(a);
  }
  /* the look read fd (open_tar already does): a file that is not an
   * archive is then copied whole from its start, not from where the look
   * stopped (ADD of a plain file made it empty) */
  return lseek(fd, 0, SEEK_SET) == 0 && ok;
}

/* The archive's entries are untrusted: berth_extract confines them. */
static int
unpack(int in, int ddir, const char *what, berth_error **err)
{
  if (lseek(in, 0, SEEK_SET) < 0)
    return berth_error_set(err, errno, "unpack %s", what);
  struct archive *a = open_tar(in);
  if (a == NULL)
    return berth_error_set(err, 0, "unpack %s: cannot read", what);
  cleanup_extract berth_extract *x = berth_extract_new(ddir);
  int rc = 0;
  for (;;) {
    struct archive_entry *e;
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF)
      break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      rc = berth_error_set(err, 0, "unpack %s: %s", what, archive_error_string(a));
      break;
    }
    long long size = 0;
    if (berth_extract_entry(x, a, e, &size, err) < 0) {
      rc = berth_error_prefix(err, "unpack %s", what);
      break;
    }
  }
  if (rc == 0 && berth_extract_finish(x, err) < 0)
    rc = berth_error_prefix(err, "unpack %s", what);
  archive_read_free(a);
  return rc;
}

static int
copy_source(copier *c, const berth_context_source *src, int destroot, const char *dest,
            bool dir_dest, berth_error **err)
{
  berth_context *ctx = c->ctx;
  bool exists;
  cleanup_free char *canon = berth_ctx_resolve(destroot, dest, true, NULL, NULL, &exists, err);
  if (canon == NULL)
    return -1;
  /* Only files and directories are opened for reading (a fifo would block,
   * a device could act); O_NONBLOCK covers one swapped in meanwhile. */
  int how = S_ISREG(src->st.st_mode) || S_ISDIR(src->st.st_mode) ? O_RDONLY | O_NONBLOCK : O_PATH;
  cleanup_close int sfd = berth_safe_open_at(ctx->dirfd, src->path[0] ? src->path : ".",
                                             how | O_NOCTTY, &ctx->mode, err);
  if (sfd < 0)
    return -1;
  struct stat st;
  if (fstat(sfd, &st) < 0)
    return berth_error_set(err, errno, "stat %s", src->arg);
  if ((st.st_mode & S_IFMT) != (src->st.st_mode & S_IFMT))
    return berth_error_set(err, EAGAIN, "%s changed during the build", src->arg);

  if (S_ISDIR(st.st_mode)) {
    cleanup_close int dfd = mkdir_p(c, destroot, canon, MADE_LAST_OWNED, err);
    if (dfd < 0)
      return -1;
    c->topfd = dfd;
    return copy_dir_contents(c, sfd, src->path, dfd, "", err);
  }
  if (c->o->unpack && S_ISREG(st.st_mode) && is_archive(sfd)) {
    cleanup_close int dfd = mkdir_p(c, destroot, canon, MADE_ROOT, err);
    if (dfd < 0)
      return -1;
    return unpack(sfd, dfd, src->arg, err);
  }
  struct stat dst;
  bool into_dir = dir_dest
                  || (exists && fstatat(destroot, canon[0] ? canon : ".", &dst, 0) == 0
                      && S_ISDIR(dst.st_mode));
  cleanup_free char *target = into_dir ? berth_ctx_join(canon, src->name) : xstrdup(canon);
  if (target[0] == '\0')
    return berth_error_set(err, EISDIR, "copy %s to /", src->arg);
  char *slash = strrchr(target, '/');
  cleanup_free char *parent = slash ? xstrndup(target, (size_t)(slash - target)) : xstrdup("");
  const char *base = slash ? slash + 1 : target;
  cleanup_close int pfd = mkdir_p(c, destroot, parent, MADE_OWNED, err);
  if (pfd < 0)
    return -1;
  c->topfd = pfd;
  bool merge;
  if (make_room(pfd, base, st.st_mode, &merge, err) < 0)
    return -1;
  if (S_ISREG(st.st_mode)) {
    cleanup_close int out
        = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
      return berth_error_set(err, errno, "create %s", target);
    if (copy_data(sfd, out, src->arg, err) < 0)
      return -1;
    return finish_fd(c, out, sfd, &st, target, err);
  }
  /* A fifo or device (symlinks were followed): by its name in the context. */
  cleanup_free char *sdir = xstrdup(src->path);
  char *ss = strrchr(sdir, '/');
  const char *sbase = ss ? src->path + (ss - sdir) + 1 : src->path;
  if (ss)
    *ss = '\0';
  else
    sdir[0] = '\0';
  cleanup_close int sdfd = berth_safe_open_at(ctx->dirfd, sdir[0] ? sdir : ".",
                                              O_RDONLY | O_DIRECTORY, &ctx->mode, err);
  if (sdfd < 0)
    return -1;
  return copy_entry(c, sdfd, sbase, src->path, &st, pfd, base, base, err);
}

int
berth_context_copy(berth_context *ctx, const berth_context_sources *s, int destroot,
                   const char *dest, const berth_context_copy_opts *opts, berth_error **err)
{
  berth_context_copy_opts defaults = { 0 };
  if (opts == NULL)
    opts = &defaults;
  const char *cmd = opts->cmd ? opts->cmd : "COPY";
  if (berth_context_check_dest(cmd, s->n, dest, err) < 0)
    return -1;
  size_t dn = strlen(dest);
  bool dir_dest = dn > 0 && dest[dn - 1] == '/';
  for (size_t i = 0; i < s->n; i++) {
    copier c = { .ctx = ctx,
                 .o = opts,
                 .uid = opts->chown ? opts->uid : 0,
                 .gid = opts->chown ? opts->gid : 0,
                 .topfd = -1 };
    int rc = copy_source(&c, &s->v[i], destroot, dest, dir_dest, err);
    for (size_t j = 0; j < c.nlinks; j++)
      free(c.links[j].dest);
    free(c.links);
    if (rc < 0)
      return berth_error_prefix(err, "%s %s", cmd, s->v[i].arg);
  }
  return 0;
}
