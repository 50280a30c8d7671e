/* Path confinement for writing untrusted layer entries: every name is
 * cleaned lexically, then resolved inside the layer root with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so a symlink met on the
 * way (absolute or with "..") is interpreted relative to the root and never
 * leaves it.  Without openat2 (ENOSYS), a component-by-component walk with
 * O_NOFOLLOW is used instead, and it refuses any symlink on the way: the
 * fallback is stricter, never looser. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

typedef enum berth_confine_mode {
  BERTH_CONFINE_AUTO,    /* openat2, switching to WALK when the kernel lacks it */
  BERTH_CONFINE_OPENAT2, /* openat2 only */
  BERTH_CONFINE_WALK,    /* the O_NOFOLLOW walk only */
} berth_confine_mode;

/* Cleans an untrusted tar name into a relative path: leading "/" stripped,
 * "." and empty components dropped, ".." applied lexically.  A ".." that
 * would climb above the root is refused.  Returns "" for the root itself. */
char *berth_confine_clean(const char *name, berth_error **err);

/* Opens the directory at the clean relative path inside rootfd (O_RDONLY |
 * O_DIRECTORY).  With create, missing directories are made with mode 0755.
 * *mode may change from AUTO to WALK when openat2 is missing. */
int berth_confine_open_dir(int rootfd, const char *path, bool create, berth_confine_mode *mode,
                           berth_error **err);

/* Splits a clean, non-empty path into a directory fd (opened as above) and
 * its last component (*base points into path). */
int berth_confine_open_parent(int rootfd, const char *path, bool create, berth_confine_mode *mode,
                              const char **base, berth_error **err);
