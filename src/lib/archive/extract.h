/* Writes libarchive entries into a layer directory, following Docker's
 * UnpackLayer rules with stricter confinement (see confine.h):
 * - names are cleaned; a ".." that climbs out is refused; a leading "/" is
 *   dropped (absolute names are relative to the layer);
 * - parents are resolved inside the root (RESOLVE_IN_ROOT, or the walk
 *   that means the same where openat2 cannot be used), so an entry written
 *   through a symlink lands inside the layer, at the symlink's target as
 *   seen from the layer root, or is refused (dangling target);
 * - hard link targets are resolved the same way; symlink targets are data;
 * - ".wh.NAME" becomes a 0/0 character device NAME, ".wh..wh..opq" sets
 *   trusted.overlay.opaque=y on its directory, other ".wh..wh.*" are skipped;
 * - a later entry replaces an earlier one, unless both are directories;
 * - owner, mode (setuid/sticky too), xattrs (except trusted.overlay.*, which
 *   only the whiteout rules may set) and times are kept; directory times are
 *   set by berth_extract_finish, after their contents. */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>

#include "common/error.h"

typedef struct berth_extract berth_extract;

/* rootfd is the layer directory (not owned). */
berth_extract *berth_extract_new(int rootfd);
/* Plain files, as Docker's Untar writes a build context: the whiteout and
 * aufs rules are off (".wh.NAME" is a file like any other); the
 * confinement is the same. */
void berth_extract_set_plain(berth_extract *x);
void berth_extract_free(berth_extract *x);
void berth_extract_cleanup(berth_extract **x);
#define cleanup_extract __attribute__((cleanup(berth_extract_cleanup)))

/* Applies one entry (untrusted: its name, link target, type, owner, mode and
 * xattrs all come from the tarball); reads a regular file's contents from a.
 * Adds the size of regular files' contents to *size. */
int berth_extract_entry(berth_extract *x, struct archive *a, struct archive_entry *e,
                        long long *size, berth_error **err);

/* True for a clean entry path that extraction skips as aufs metadata
 * (".wh..wh.aufs", ".wh..wh.plnk/…", ".wh..wh.orph/…"): verify mirrors it. */
bool berth_extract_is_aufs_meta(const char *path);

/* Sets the deferred directory times, deepest last-seen first. */
int berth_extract_finish(berth_extract *x, berth_error **err);
