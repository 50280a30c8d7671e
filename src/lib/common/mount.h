/* The store's overlay and bind mounts, made without touching the process's
 * working directory.  The new mount API (fsopen/fsconfig/fsmount/move_mount,
 * open_tree/mount_setattr) is used where the kernel has it: the layers are
 * handed to overlayfs one by one ("lowerdir+"), as fds or else as absolute
 * paths, so there is no option string to keep short.  Older kernels get a
 * single lowerdir string through fsconfig, and kernels without fsopen get
 * mount(2) from inside the layers directory (fchdir and back), the short
 * relative l/ names keeping the option string under a page as Docker does.
 *
 * BERTH_TEST_MOUNT_API=fd|paths|string|legacy starts the ladder at that
 * step, so the tests can prove every fallback makes the same mount. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/error.h"

enum {
  BERTH_MOUNT_RDONLY = 1 << 0,
  BERTH_MOUNT_NOSUID = 1 << 1,
  BERTH_MOUNT_NODEV = 1 << 2,
  /* overlay only: no sync of the whole backing filesystem at unmount, for
   * an upper that is thrown away (ignored where the kernel lacks it). */
  BERTH_MOUNT_VOLATILE = 1 << 3,
};

typedef struct berth_overlay {
  int dirfd;                /* the layers dir; relative names below are in it */
  const char *dirpath;      /* its absolute path, for kernels that want paths */
  const char *lower;        /* "l/ABC…:l/DEF…", topmost first (store-made names) */
  const char *upper, *work; /* both NULL for a read-only overlay */
  unsigned flags;           /* BERTH_MOUNT_* */
} berth_overlay;

/* Mounts the overlay o describes at target (relative to o->dirfd, or
 * absolute), with index, redirect_dir and metacopy off where the kernel has
 * them, so that the upper stays a true diff.  Trusts every name in o: they
 * come from the store, not from a user. */
int berth_mount_overlay(const berth_overlay *o, const char *target, berth_error **err);

/* Bind-mounts the directory src (absolute; only its own mount, not what is
 * mounted below it) on target (absolute) with flags (BERTH_MOUNT_RDONLY,
 * NOSUID, NODEV) on the new mount. */
int berth_mount_bind(const char *src, const char *target, unsigned flags, berth_error **err);

/* Unmounts path without following a symlink in its last component.  A busy
 * mount is an error unless detach_when_busy (then it is detached: gone from
 * the tree at once, freed when its last user leaves).  Nothing mounted at
 * path is not an error. */
int berth_unmount(const char *path, bool detach_when_busy, berth_error **err);

/* Moves this process into a mount namespace of its own whose mounts do not
 * propagate out (the host's still propagate in), so that whatever it and
 * its children mount goes when the last of them dies, even killed with
 * SIGKILL between a mount and its unmount.  For a command whose mounts
 * nobody else uses (a build's containers).  False when the kernel refuses
 * (no CAP_SYS_ADMIN, a seccomp filter): the mounts are then made in the
 * shared namespace, as without it.  Before any thread is started. */
bool berth_mount_namespace_own(void);

/* /proc/self/mountinfo of the mount namespace this process started in,
 * where the mounts of other berth commands are (image mounts), even after
 * berth_mount_namespace_own (where a host whose mounts are private shows
 * none made since); NULL when it cannot be read.  Not for two threads at
 * once (the copies share one file offset). */
FILE *berth_mountinfo_open(void);
