/* A container's upperdir made the directory of the layer it packs into,
 * instead of unpacking that layer tar again into a new directory: what
 * berth_layer_pack_as_layer (pack.h) does to the tree, entry by entry once
 * the entry is packed, so that the tree ends as extraction
 * (archive/extract.c) would have made it from the tar, which `berth verify`
 * checks:
 * - xattrs: overlay's bookkeeping (trusted.overlay.origin, impure, nlink,
 *   uuid, protattr… every trusted.overlay.* that the tar leaves out) is
 *   removed; trusted.overlay.opaque="y" on a directory stays (the layer
 *   format has it: extraction sets it for ".wh..wh..opq"); a redirect or
 *   metacopy is refused (the upper would not be the whole diff; berth
 *   mounts with redirect_dir=off and metacopy=off, common/mount.c);
 *   security.selinux stays (the kernel labels every new file anyway);
 * - times: atime and mtime become the header's whole seconds (a directory
 *   after its contents, whose fixes may have touched it);
 * - whiteouts (0/0 character devices, the format of both) stay; one the
 *   kernel shares by hard links with other whiteouts, or with permission
 *   bits, is made again on its own, mode 0, as extraction makes it;
 * - sockets, which the tar skips, are removed;
 * - the root gets extraction's: mode 0755, our owner, no xattrs but
 *   security.selinux (the tar has no entry for it).
 * The tree is trusted to be a stopped container's upperdir that nothing
 * else changes meanwhile; names are never followed (O_NOFOLLOW, l*xattr,
 * AT_SYMLINK_NOFOLLOW). */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "archive/pack.h"
#include "common/error.h"

/* Packs dirfd for its diffID and tar-split only (as_layer: with
 * berth_layer_pack_as_layer): the tar stream goes through the tar-split
 * classifier into tarsplit_fd (gzip, the bytes berth_layer_unpack writes
 * for the same stream) and is not kept. */
int berth_layer_pack_tarsplit(int dirfd, bool as_layer, int tarsplit_fd, berth_pack_result *out,
                              berth_error **err);

/* ---- the steps, for pack.c ---------------------------------------------- */

/* attr, one of the xattrs pack leaves out, of the entry name (fd: it
 * opened, or -1 to go by path, a /proc/self/fd path of its parent). */
int berth_layer_dir_xattr(int fd, const char *path, const char *name, const char *attr, bool is_dir,
                          berth_error **err);

/* atime = mtime = st's mtime in whole seconds, unless already so. */
int berth_layer_dir_times(int fd, int dirfd, const char *base, const struct stat *st,
                          berth_error **err);

/* A whiteout as extraction makes it (see above). */
int berth_layer_dir_whiteout(int dirfd, const char *base, const struct stat *st, berth_error **err);

/* The tree's root as extraction leaves it (see above). */
int berth_layer_dir_root(int rootfd, berth_error **err);
