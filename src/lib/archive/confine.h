/* Path confinement for writing untrusted layer entries: every name is
 * cleaned lexically, then opened inside the layer root with
 * berth_safe_open_at (common/safe_open.h): openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS), or where the kernel or a seccomp filter does not
 * allow it a component walk with the same meaning, so a symlink met on the
 * way (absolute or with "..") is interpreted relative to the root and never
 * leaves it. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "common/safe_open.h"

/* Which resolution to use (AUTO: openat2, else the walk). */
typedef berth_safe_open_mode berth_confine_mode;
#define BERTH_CONFINE_AUTO BERTH_SAFE_OPEN_AUTO
#define BERTH_CONFINE_OPENAT2 BERTH_SAFE_OPEN_OPENAT2
#define BERTH_CONFINE_WALK BERTH_SAFE_OPEN_WALK

/* Cleans an untrusted tar name into a relative path: leading "/" stripped,
 * "." and empty components dropped, ".." applied lexically.  A ".." that
 * would climb above the root is refused.  Returns "" for the root itself. */
char *berth_confine_clean(const char *name, berth_error **err);

/* Opens the directory at the clean relative path inside rootfd (O_RDONLY |
 * O_DIRECTORY).  With create, missing directories are made with mode 0755.
 * *mode may change from AUTO to WALK when openat2 cannot be used. */
int berth_confine_open_dir(int rootfd, const char *path, bool create, berth_confine_mode *mode,
                           berth_error **err);

/* Splits a clean, non-empty path into a directory fd (opened as above) and
 * its last component (*base points into path). */
int berth_confine_open_parent(int rootfd, const char *path, bool create, berth_confine_mode *mode,
                              const char **base, berth_error **err);
