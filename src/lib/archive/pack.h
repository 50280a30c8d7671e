/* A directory (a container's upperdir, a layer's diff) → a layer tar. */
#pragma once
#include <stdbool.h>

#include "archive/stream.h"
#include "common/digest.h"
#include "common/error.h"

typedef struct berth_pack_result {
  char diff_id[BERTH_DIGEST_LEN]; /* sha256 of every byte written */
  long long size;                 /* sum of the regular files' sizes */
  long long entries;              /* tar entries written */
  /* berth_layer_pack_as_layer: false when a name in the tree starts with
   * ".wh." (extraction would make it a whiteout or skip it, so the tree
   * cannot be the layer's directory as it is) */
  bool plain;
} berth_pack_result;

/* Streams dirfd's tree to write as an uncompressed tar, the same bytes for
 * the same tree: entries depth-first, each directory before its contents,
 * names sorted bytewise, relative ("bin/", "bin/sh"), the root left out;
 * ustar headers with PAX extended headers where ustar cannot say it (long or
 * non-ASCII names and link targets, big numbers, xattrs as
 * SCHILY.xattr.<name>); mode bits, uid/gid and mtime (seconds) kept, no user
 * or group names, no atime/ctime.  Overlay's forms become the tar forms
 * Docker writes: a character device 0/0 (a whiteout) → an empty regular file
 * ".wh.<name>" (mode 0600), an opaque directory → its entry followed by
 * "<dir>/.wh..wh..opq"; overlay's own xattrs (trusted.overlay.*, the only
 * ones that mark whiteouts and opaque dirs: user.overlay.* is data) are
 * left out.  An xattr that cannot be read fails the pack.  Hard links:
 * every occurrence after the first is a link entry to the first.  Symlinks
 * are stored, never followed; sockets are skipped.  The tree is trusted to
 * hold no more than it shows: a file that changes size while being read is
 * an error. */
int berth_layer_pack(int dirfd, berth_write_fn write, void *ctx, berth_pack_result *out,
                     berth_error **err);

/* berth_layer_pack, and entry by entry once packed, the tree made the
 * directory that unpacking the tar would make (archive/layer_dir.h says
 * how), so that a stopped container's upperdir can become the layer's
 * directory by a rename instead of a second copy.  The tar is the same
 * bytes berth_layer_pack writes for the tree. */
int berth_layer_pack_as_layer(int dirfd, berth_write_fn write, void *ctx, berth_pack_result *out,
                              berth_error **err);
