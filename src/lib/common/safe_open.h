/* The one confinement primitive: open a path inside a root directory the way
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) does.  "/" and ".." at the
 * root are the root itself, and every symlink met on the way (absolute or
 * relative) is resolved inside the root, so no name can lead out of it.
 *
 * openat2 is retried on EINTR and on EAGAIN (RESOLVE_IN_ROOT gives EAGAIN
 * when a rename races a ".." lookup; the store renames constantly), a bounded
 * number of times.  Where openat2 cannot be used (ENOSYS: a kernel before
 * 5.6; EPERM: a seccomp filter, e.g. berth inside a container; EINVAL: flags
 * the kernel's openat2 refuses) or EAGAIN keeps coming, a component-by-
 * component walk gives the same answer: each component is opened with
 * O_PATH | O_NOFOLLOW relative to the directory fd before it, ".." pops back
 * to a directory already walked (never above the root), and a symlink's
 * target is read and walked in its place (at most 40 of them, then ELOOP).
 * Both ways resolve names identically; which one runs is only a matter of
 * cost.
 *
 * BERTH_TEST_NO_OPENAT2=1 in the environment makes BERTH_SAFE_OPEN_AUTO use
 * the walk, as on a kernel without openat2 (the test suites run with it
 * too).  It is read by calls in AUTO mode, and a caller that keeps a mode
 * then remembers the answer (the mode becomes WALK): no global state. */
#pragma once

#include <stddef.h>

#include "common/error.h"

typedef enum berth_safe_open_mode {
  BERTH_SAFE_OPEN_AUTO,    /* openat2, switching to WALK where it cannot be used */
  BERTH_SAFE_OPEN_OPENAT2, /* openat2 only (its errors are returned as they are) */
  BERTH_SAFE_OPEN_WALK,    /* the component walk only */
} berth_safe_open_mode;

/* Opens path inside rootfd (neither trusted: path may hold "..", absolute
 * symlinks, anything).  flags are open(2)'s; O_CLOEXEC is always added,
 * O_NOFOLLOW leaves a trailing symlink unfollowed (ELOOP, or the link itself
 * with O_PATH), O_CREAT and O_TMPFILE are refused (EINVAL).  An empty path is
 * ENOENT, as for openat2.  mode may be NULL (AUTO, nothing remembered); in
 * AUTO mode it may become WALK.  On failure returns -1 with errno set as
 * open(2) would and *err naming the path. */
int berth_safe_open_at(int rootfd, const char *path, int flags, berth_safe_open_mode *mode,
                       berth_error **err);

/* For tests: the same, with the openat2 system call replaced by sys (same
 * arguments and return convention as syscall(SYS_openat2, ...)). */
typedef long (*berth_openat2_fn)(int dirfd, const char *path, void *how, size_t size);
int berth_safe_open_with(berth_openat2_fn sys, int rootfd, const char *path, int flags,
                         berth_safe_open_mode *mode, berth_error **err);

/* How often openat2 is retried on EAGAIN before the walk is used instead. */
#define BERTH_SAFE_OPEN_EAGAIN_TRIES 64
