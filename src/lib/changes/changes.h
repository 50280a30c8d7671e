/* Docker's A/C/D change lists (`docker diff`), computed from directories.
 *
 * A "stack" is a list of layer directories, topmost first, read the way
 * overlayfs reads them: the topmost entry of a name decides, a character
 * device 0/0 is a whiteout (the name is deleted), an opaque directory
 * (trusted.overlay.opaque = "y"; user.overlay.* is ordinary data, which
 * any container can set) hides the lower layers' contents of that
 * directory.  Nothing is mounted and symlinks are
 * never followed.
 *
 * Order (SPEC §4): depth-first, each directory before its contents, siblings
 * sorted bytewise; parents of changes appear as C. */
#pragma once
#include <stddef.h>

#include "common/error.h"

typedef struct berth_change {
  char kind;  /* 'A' added, 'C' changed, 'D' deleted */
  char *path; /* absolute, "/etc/passwd" */
} berth_change;

void berth_changes_free(berth_change *c, size_t n);

/* A container's changes: upper_dirfd is its upperdir, lower_dirfds the layers
 * below it (init layer and image layers), topmost first.  A whiteout in the
 * upper is D (when the lowers have the name), a name the lowers lack is A,
 * otherwise C; an opaque directory is C with every lower name it hides as D
 * and its own contents as A.  A directory present in both is C only when its
 * mode/owner/mtime differ or something below it changed.  The directories
 * are trusted to be the store's own, their contents are not (names and types
 * are only read, never followed). */
int berth_changes_overlay(int upper_dirfd, const int *lower_dirfds, size_t n, berth_change **out,
                          size_t *n_out, berth_error **err);

/* The changes that turn the tree of stack `from` into the tree of stack `to`
 * (`berth diff IMAGE IMAGE`): names only in `to` are A (with all their
 * contents), names only in `from` are D (the top one only, as Docker), names
 * in both are C when the type, mode, owner, size, device, link target or
 * xattrs differ, or the mtime differs and so do the contents. */
int berth_changes_trees(const int *from_fds, size_t n_from, const int *to_fds, size_t n_to,
                        berth_change **out, size_t *n_out, berth_error **err);

/* "<kind> <path>\n" lines, Docker's output; a malloc()ed string. */
char *berth_changes_format(const berth_change *c, size_t n);
