#include "common/safe_open.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#define MAX_SYMLINKS 40 /* the kernel's MAXSYMLINKS */

static long
sys_openat2(int dirfd, const char *path, void *how, size_t size)
{
  return syscall(SYS_openat2, dirfd, path, how, size);
}

/* Read on each AUTO call rather than cached in a static: see safe_open.h. */
static bool
openat2_forced_off(void)
{
  const char *v = getenv("BERTH_TEST_NO_OPENAT2");
  return v != NULL && strcmp(v, "1") == 0;
}

/* The directories walked so far, root first: a ".." pops one, so the walk
 * never asks the filesystem for a parent (which a concurrent rename could
 * move out of the root).  fds[0] is the root and is not owned. */
struct walk {
  int *fds;
  size_t n, cap;
};

static int
walk_top(const struct walk *w)
{
  return w->fds[w->n - 1];
}

static void
walk_push(struct walk *w, int fd)
{
  if (w->n == w->cap) {
    w->cap = w->cap ? w->cap * 2 : 16;
    w->fds = xrealloc(w->fds, w->cap * sizeof *w->fds);
  }
  w->fds[w->n++] = fd;
}

static void
walk_pop(struct walk *w)
{
  if (w->n > 1)
    close(w->fds[--w->n]);
}

static void
walk_reset(struct walk *w)
{
  while (w->n > 1)
    walk_pop(w);
}

/* Replaces what is left of the path with a symlink's target followed by
 * the rest; an absolute target starts again at the root. */
static char *
splice_link(struct walk *w, int linkfd, const char *next, bool must_dir)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat(linkfd, "", target, sizeof target - 1);
  if (n < 0)
    return NULL;
  if (n == 0) {
    errno = ENOENT;
    return NULL;
  }
  target[n] = '\0';
  if (target[0] == '/')
    walk_reset(w);
  return xasprintf("%s%s%s", target, *next != '\0' || must_dir ? "/" : "", next);
}

/* The fallback, component by component (path untrusted). */
static int
walk_open(int rootfd, const char *path, int flags)
{
  if (*path == '\0') {
    errno = ENOENT;
    return -1;
  }
  struct walk w = { 0 };
  walk_push(&w, rootfd);
  cleanup_free char *rest = xstrdup(path);
  char *p = rest;
  unsigned links = 0;
  int ret = -1;
  for (;;) {
    while (*p == '/')
      p++;
    if (*p == '\0') { /* "/", or a path ending in "." or ".." */
      ret = openat(walk_top(&w), ".", flags | O_CLOEXEC);
      break;
    }
    char *end = strchrnul(p, '/');
    char *next = end;
    while (*next == '/')
      next++;
    bool last = *next == '\0', must_dir = last && *end == '/';
    *end = '\0';
    if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
      if (p[1] == '.')
        walk_pop(&w);
      p = next;
      continue;
    }
    int fd = openat(walk_top(&w), p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
      if (fd >= 0) {
        int e = errno;
        close(fd);
        errno = e;
      }
      break;
    }
    if (S_ISLNK(st.st_mode) && (!last || must_dir || !(flags & O_NOFOLLOW))) {
      char *spliced
          = ++links > MAX_SYMLINKS ? (errno = ELOOP, NULL) : splice_link(&w, fd, next, must_dir);
      int e = errno;
      close(fd);
      errno = e;
      if (spliced == NULL)
        break;
      free(rest);
      p = rest = spliced;
      continue;
    }
    if (!last) {
      if (!S_ISDIR(st.st_mode)) {
        close(fd);
        errno = ENOTDIR;
        break;
      }
      walk_push(&w, fd);
      p = next;
      continue;
    }
    close(fd);
    /* The last name again, with the caller's flags: O_NOFOLLOW keeps a
     * symlink swapped in meanwhile from being followed. */
    ret = openat(walk_top(&w), p, flags | O_NOFOLLOW | O_CLOEXEC | (must_dir ? O_DIRECTORY : 0));
    break;
  }
  int e = errno;
  walk_reset(&w);
  free(w.fds);
  errno = e;
  return ret;
}

static int
fail(berth_error **err, int e, const char *path)
{
  berth_error_set(err, e, "open '%.256s' inside the root", path);
  errno = e;
  return -1;
}

int
berth_safe_open_with(berth_openat2_fn sys, int rootfd, const char *path, int flags,
                     berth_safe_open_mode *mode, berth_error **err)
{
  berth_safe_open_mode local = BERTH_SAFE_OPEN_AUTO;
  if (mode == NULL)
    mode = &local;
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
    return fail(err, EINVAL, path);
  if (*mode == BERTH_SAFE_OPEN_AUTO && openat2_forced_off())
    *mode = BERTH_SAFE_OPEN_WALK;
  if (*mode != BERTH_SAFE_OPEN_WALK) {
    struct open_how how = {
      .flags = (uint64_t)(flags | O_CLOEXEC),
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int e = 0;
    for (unsigned tries = 0; tries < BERTH_SAFE_OPEN_EAGAIN_TRIES; tries++) {
      long fd = sys(rootfd, path, &how, sizeof how);
      if (fd >= 0)
        return (int)fd;
      e = errno;
      if (e != EINTR && e != EAGAIN)
        break;
    }
    if (*mode == BERTH_SAFE_OPEN_OPENAT2)
      return fail(err, e, path);
    /* Both ways give the same answer, so remembering WALK only costs a
     * syscall that would fail again (a seccomp EPERM, a missing openat2). */
    if (e == ENOSYS || e == EPERM || e == EINVAL)
      *mode = BERTH_SAFE_OPEN_WALK;
    else if (e != EAGAIN && e != EINTR)
      return fail(err, e, path);
    /* EAGAIN/EINTR every time: the walk, for this call only */
  }
  int fd = walk_open(rootfd, path, flags);
  if (fd < 0)
    return fail(err, errno, path);
  return fd;
}

int
berth_safe_open_at(int rootfd, const char *path, int flags, berth_safe_open_mode *mode,
                   berth_error **err)
{
  return berth_safe_open_with(sys_openat2, rootfd, path, flags, mode, err);
}
