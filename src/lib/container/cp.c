#include "container/cp.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/extract.h"
#include "common/cleanup.h"
#include "common/safe_open.h"
#include "common/xalloc.h"
#include "container/cp_pack.h"
#include "container/mount.h"

/* Go's filepath.Clean for an absolute path ("/" + path when relative):
 * "." and empty components dropped, ".." applied.  A ".." that climbs above
 * "/" is refused (Go would stay at "/"): berth takes such a name as a
 * mistake or an attack, never as the root.  Returns the path without its
 * leading "/" ("" for the root). */
static char *
clean_rooted(const char *path, berth_error **err)
{
  cleanup_free char *out = xmalloc(strlen(path) + 1);
  size_t n = 0;
  for (const char *p = path; *p != '\0';) {
    while (*p == '/')
      p++;
    const char *end = strchrnul(p, '/');
    size_t len = (size_t)(end - p);
    if (len == 0 || (len == 1 && *p == '.')) {
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      if (n == 0)
        return berth_error_set(err, 0, "path %s escapes the container's root", path), NULL;
      while (n > 0 && out[n - 1] != '/')
        n--;
      if (n > 0)
        n--;
    } else {
      if (n > 0)
        out[n++] = '/';
      memcpy(out + n, p, len);
      n += len;
    }
    p = end;
  }
  out[n] = '\0';
  return steal_pointer(&out);
}

/* Docker's specifiesCurrentDir / hasTrailingPathSeparator: "x/." and "x/"
 * both say "x is a directory". */
static bool
ends_with_dot(const char *p)
{
  size_t n = strlen(p);
  return (n == 1 && p[0] == '.') || (n >= 2 && strcmp(p + n - 2, "/.") == 0);
}

static bool
asserts_dir(const char *p)
{
  size_t n = strlen(p);
  return (n > 0 && p[n - 1] == '/') || ends_with_dot(p);
}

/* Docker's SplitPathDirEntry, lexically: ("dir", "base") of the cleaned
 * path, base "." when the path ends in "/.". */
static void
split_dir_entry(const char *path, char **dir, char **base)
{
  cleanup_free char *p = xstrdup(path);
  bool dot = ends_with_dot(p);
  size_t n = strlen(p);
  if (dot)
    p[--n] = '\0'; /* "x/." → "x/", "." → "" */
  while (n > 1 && p[n - 1] == '/')
    p[--n] = '\0';
  if (dot) {
    *dir = xstrdup(n == 0 ? "." : p);
    *base = xstrdup(".");
    return;
  }
  char *slash = strrchr(p, '/');
  if (slash == NULL) {
    *dir = xstrdup(".");
    *base = xstrdup(p);
  } else if (slash == p) {
    *dir = xstrdup("/");
    *base = xstrdup(p[1] ? p + 1 : "/");
  } else {
    *dir = xstrndup(p, (size_t)(slash - p));
    *base = xstrdup(slash + 1);
  }
}

/* Opens path in the container (rootfd, confined) or on the host (rootfd <
 * 0: the user's own names, resolved as the kernel resolves them). */
static int
open_in(int rootfd, const char *path, int flags, berth_error **err)
{
  if (rootfd >= 0) {
    cleanup_free char *clean = clean_rooted(path, err);
    if (clean == NULL)
      return errno = EINVAL, -1;
    return berth_safe_open_at(rootfd, *clean ? clean : ".", flags, NULL, err);
  }
  int fd = open(path, flags | O_CLOEXEC);
  if (fd < 0)
    berth_error_set(err, errno, "open %s", path);
  return fd;
}

/* -L: the name the copy takes is the last link target's ("-L /etcabs"
 * where /etcabs → /etc gives "etc"), each link read in the same scope. */
static char *
followed_base(int rootfd, const char *path, berth_error **err)
{
  cleanup_free char *cur = xstrdup(path);
  for (int i = 0; i < 40; i++) {
    cleanup_close int fd = open_in(rootfd, cur, O_PATH | O_NOFOLLOW, err);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
      return NULL;
    if (!S_ISLNK(st.st_mode)) {
      cleanup_free char *dir = NULL;
      char *base = NULL;
      split_dir_entry(cur, &dir, &base);
      return base;
    }
    char target[PATH_MAX];
    ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
    if (n < 0)
      return berth_error_set(err, errno, "readlink %s", cur), NULL;
    target[n] = '\0';
    cleanup_free char *dir = NULL, *base = NULL;
    split_dir_entry(cur, &dir, &base);
    char *next = target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", dir, target);
    free(cur);
    cur = next;
  }
  return berth_error_set(err, ELOOP, "%s", path), NULL;
}

typedef struct cp_src {
  int fd; /* O_PATH */
  struct stat st;
  char *base; /* the name its tar entries start with */
} cp_src;

static void
cp_src_clear(cp_src *s)
{
  if (s->fd >= 0)
    close(s->fd);
  free(s->base);
}

/* Resolves SRC as Docker does: a trailing "/" or "/." or -L follows a
 * symlink SRC, otherwise the link itself is copied; the entries are named
 * by SRC's base ("." for "dir/.").  name is the container for the words of
 * a missing file, NULL on the host. */
static int
src_open(int rootfd, const char *path, bool follow, const char *name, cp_src *out,
         berth_error **err)
{
  bool dir = asserts_dir(path);
  int flags = O_PATH | (follow || dir ? 0 : O_NOFOLLOW) | (dir ? O_DIRECTORY : 0);
  cleanup_error berth_error *local = NULL;
  out->fd = open_in(rootfd, path, flags, &local);
  if (out->fd < 0 && berth_error_errno(local) == ENOENT && name != NULL)
    return berth_error_set_as(err, ENOENT, "Could not find the file %s in container %s", path,
                              name);
  if (out->fd < 0 && (errno == ENOENT || errno == ENOTDIR))
    return berth_error_set_as(err, errno, "lstat %s: %s", path,
                              errno == ENOENT ? "no such file or directory" : "not a directory");
  if (out->fd < 0)
    return berth_error_propagate(err, &local);
  if (fstat(out->fd, &out->st) < 0)
    return berth_error_set(err, errno, "lstat %s", path);
  cleanup_free char *d = NULL;
  if (follow && !dir) {
    out->base = followed_base(rootfd, path, err);
    if (out->base == NULL)
      return -1;
  } else {
    split_dir_entry(path, &d, &out->base);
  }
  if (strcmp(out->base, "/") == 0 || out->base[0] == '\0') { /* "/" or "CTR:" */
    free(out->base);
    out->base = xstrdup(".");
  }
  return 0;
}

typedef struct pack_job {
  int fd;
  const char *name;
  int outfd;
  berth_error *err;
  int ret;
} pack_job;

static void *
pack_thread(void *arg)
{
  pack_job *j = arg;
  j->ret = berth_cp_pack(j->fd, j->name, j->outfd, &j->err);
  close(j->outfd);
  return NULL;
}

/* "base/rest" → "to/rest" (Docker's RebaseArchiveEntries). */
static char *
rebase(const char *name, const char *from, const char *to)
{
  if (from == NULL)
    return xstrdup(name);
  size_t n = strlen(from);
  if (strncmp(name, from, n) == 0 && (name[n] == '\0' || name[n] == '/'))
    return xasprintf("%s%s", to, name + n);
  return xstrdup(name);
}

typedef struct unpack_to {
  int dirfd;        /* where the entries go (the extraction's root) */
  const char *from; /* rename the first component from → to (NULL: keep) */
  const char *to;
  bool own; /* give every entry the caller's uid/gid (Docker's NoLchown) */
} unpack_to;

/* Reads a tar from infd (untrusted) into t->dirfd, confined to it. */
static int
unpack_stream(int infd, const unpack_to *t, berth_error **err)
{
  struct archive *a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  cleanup_extract berth_extract *x = berth_extract_new(t->dirfd);
  berth_extract_set_plain(x);
  int ret = 0;
  if (archive_read_open_fd(a, infd, 65536) != ARCHIVE_OK)
    ret = berth_error_set(err, 0, "read tar: %s", archive_error_string(a));
  while (ret == 0) {
    struct archive_entry *e;
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = berth_error_set(err, 0, "read tar: %s", archive_error_string(a));
      break;
    }
    cleanup_free char *name = rebase(archive_entry_pathname(e), t->from, t->to);
    archive_entry_set_pathname(e, name);
    if (archive_entry_hardlink(e) != NULL) {
      cleanup_free char *link = rebase(archive_entry_hardlink(e), t->from, t->to);
      archive_entry_set_hardlink(e, link);
    }
    if (t->own) {
      archive_entry_set_uid(e, geteuid());
      archive_entry_set_gid(e, getegid());
    }
    long long size = 0;
    ret = berth_extract_entry(x, a, e, &size, err);
  }
  if (ret == 0)
    ret = berth_extract_finish(x, err);
  archive_read_free(a);
  return ret;
}

/* Packs src in a thread into a pipe that unpack_stream reads. */
static int
pack_into(cp_src *src, const unpack_to *t, berth_error **err)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return berth_error_set(err, errno, "pipe");
  pack_job j = { .fd = src->fd, .name = src->base, .outfd = p[1] };
  pthread_t th;
  if (pthread_create(&th, NULL, pack_thread, &j) != 0) {
    close(p[0]);
    close(p[1]);
    return berth_error_set(err, 0, "cannot start a thread");
  }
  int ret = unpack_stream(p[0], t, err);
  char buf[65536]; /* the packer must reach its end, not block on a full pipe */
  while (read(p[0], buf, sizeof buf) > 0) {
  }
  close(p[0]);
  pthread_join(th, NULL);
  if (j.ret < 0) {
    berth_error_propagate(err, &j.err);
    return -1;
  }
  return ret;
}

/* Docker's PrepareArchiveCopy: where the entries go, and the rename. */
static int
prepare(const char *dst, bool dst_exists, bool dst_is_dir, const cp_src *src, char **dir,
        char **from, char **to, berth_error **err)
{
  cleanup_free char *ddir = NULL, *dbase = NULL;
  split_dir_entry(dst, &ddir, &dbase);
  bool src_dir = S_ISDIR(src->st.st_mode);
  if (dst_exists && dst_is_dir) {
    *dir = xstrdup(dst);
    return 0;
  }
  if (dst_exists && src_dir)
    return berth_error_set_as(err, EISDIR, "cannot copy directory");
  if (!dst_exists && !src_dir && asserts_dir(dst))
    return berth_error_set_as(err, ENOTDIR, "no such directory");
  *dir = steal_pointer(&ddir);
  *from = xstrdup(src->base);
  *to = steal_pointer(&dbase);
  return 0;
}

int
berth_cp_from_container(berth_store *s, berth_container *c, const char *name, const char *src,
                        const char *dst, const berth_cp_options *o, berth_error **err)
{
  cleanup_free char *merged = berth_container_mount(s, c, err);
  if (merged == NULL)
    return -1;
  /* every owned thing is declared before the first goto */
  int ret = -1;
  cp_src sv = { .fd = -1 };
  cleanup_free char *pdir = NULL, *pbase = NULL, *dir = NULL, *from = NULL, *to = NULL;
  cleanup_close int dfd = -1;
  cleanup_close int root = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    berth_error_set(err, errno, "open %s", merged);
    goto out;
  }
  if (src_open(root, src, o->follow, name, &sv, err) < 0)
    goto out;
  if (strcmp(dst, "-") == 0) {
    ret = berth_cp_pack(sv.fd, sv.base, STDOUT_FILENO, err);
    goto out;
  }
  struct stat st;
  bool exists = stat(dst, &st) == 0;
  split_dir_entry(dst, &pdir, &pbase);
  struct stat pst;
  if (!exists && stat(pdir, &pst) < 0) {
    berth_error_set_as(err, ENOENT, "invalid output path: directory \"%s\" does not exist", pdir);
    goto out;
  }
  if (!exists && !S_ISDIR(pst.st_mode)) {
    berth_error_set_as(err, ENOTDIR, "invalid output path: \"%s\" is not a directory", pdir);
    goto out;
  }
  if (prepare(dst, exists, exists && S_ISDIR(st.st_mode), &sv, &dir, &from, &to, err) < 0)
    goto out;
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    berth_error_set(err, errno, "open %s", dir);
    goto out;
  }
  unpack_to t = { .dirfd = dfd, .from = from, .to = to, .own = true };
  ret = pack_into(&sv, &t, err);
out:
  cp_src_clear(&sv);
  if (berth_container_unmount(s, c, ret == 0 ? err : NULL) < 0)
    ret = -1;
  return ret;
}

/* The directory the entries go to, in the container: Docker's daemon words
 * for a missing or non-directory extraction point. */
static int
open_extract_dir(int root, const char *dir, const char *name, berth_error **err)
{
  cleanup_error berth_error *local = NULL;
  int fd = open_in(root, dir, O_RDONLY | O_DIRECTORY, &local);
  if (fd >= 0)
    return fd;
  if (errno == ENOENT)
    return berth_error_set_as(err, ENOENT, "Could not find the file %s in container %s", dir, name);
  if (errno == ENOTDIR)
    return berth_error_set_as(err, ENOTDIR, "extraction point is not a directory");
  berth_error_propagate(err, &local);
  return -1;
}

int
berth_cp_to_container(berth_store *s, berth_container *c, const char *name, const char *src,
                      const char *dst, const berth_cp_options *o, berth_error **err)
{
  (void)o->archive; /* the tar's owners are kept with or without -a, as Docker does */
  cleanup_free char *clean = clean_rooted(dst, err);
  if (clean == NULL)
    return -1;
  cp_src sv = { .fd = -1 };
  bool from_stdin = strcmp(src, "-") == 0;
  if (!from_stdin && src_open(-1, src, o->follow, NULL, &sv, err) < 0) {
    cp_src_clear(&sv);
    return -1;
  }
  cleanup_free char *merged = berth_container_mount(s, c, err);
  if (merged == NULL) {
    cp_src_clear(&sv);
    return -1;
  }
  /* every owned thing is declared before the first goto */
  int ret = -1;
  cleanup_free char *dir = NULL, *from = NULL, *to = NULL;
  cleanup_close int dst_fd = -1, dfd = -1;
  cleanup_close int root = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    berth_error_set(err, errno, "open %s", merged);
    goto out;
  }
  struct stat st;
  /* "file/" does not exist as a directory: Docker says "no such directory" */
  dst_fd = open_in(root, dst, O_PATH | (asserts_dir(dst) ? O_DIRECTORY : 0), NULL);
  bool exists = dst_fd >= 0 && fstat(dst_fd, &st) == 0;
  if (from_stdin) {
    if (!exists) {
      berth_error_set_as(err, ENOENT, "Could not find the file %s in container %s", dst, name);
      goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
      berth_error_set_as(err, ENOTDIR, "destination \"%s:%s\" must be a directory", name, dst);
      goto out;
    }
    dir = xstrdup(dst);
  } else if (prepare(dst, exists, exists && S_ISDIR(st.st_mode), &sv, &dir, &from, &to, err) < 0) {
    goto out;
  }
  dfd = open_extract_dir(root, dir, name, err);
  if (dfd < 0)
    goto out;
  unpack_to t = { .dirfd = dfd, .from = from, .to = to, .own = false };
  ret = from_stdin ? unpack_stream(STDIN_FILENO, &t, err) : pack_into(&sv, &t, err);
out:
  cp_src_clear(&sv);
  if (berth_container_unmount(s, c, ret == 0 ? err : NULL) < 0)
    ret = -1;
  return ret;
}
