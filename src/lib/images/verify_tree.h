/* What extraction made of a layer's tar, re-derived for `berth verify`.
 *
 * The layer tar is re-read from its tar-split with libarchive, configured as
 * unpack.c configures it, and each entry is applied to an in-memory tree by
 * the rules of archive/extract.c: a later entry replaces an earlier one
 * (unless both are directories, whose metadata then merges), parents are
 * resolved through the tree's own symlinks inside the root, missing parents
 * become implicit directories, ".wh.X" becomes a 0/0 character device X,
 * ".wh..wh..opq" marks its directory opaque, aufs metadata is skipped, a hard
 * link copies what its target was at that moment.  The result is the layer
 * directory as it was when the pull finished, to be compared with the disk
 * (verify_disk.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "images/verify.h"

/* A run of a regular file's contents: len bytes at off with that crc64
 * (Go's crc64.ISO, as the tar-split keeps it).  Bytes outside every block
 * are zero (sparse files' holes). */
typedef struct berth_verify_block {
  long long off, len;
  uint64_t crc;
} berth_verify_block;

typedef struct berth_verify_xattr {
  char *name;
  unsigned char *value;
  size_t len;
} berth_verify_xattr;

typedef struct berth_verify_node {
  char *path;       /* clean and resolved (no symlink on the way); "" is the root */
  mode_t type;      /* S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK or S_IFIFO */
  bool from_header; /* false: a parent extraction created (mode 0755, no header) */
  bool live;        /* false: replaced or removed by a later entry */
  bool opaque;      /* trusted.overlay.opaque=y (".wh..wh..opq") */
  bool sparse;      /* contents came from a sparse entry: holes are zeros */
  mode_t perm;      /* & 07777 */
  long long uid, gid;
  long long size;             /* regular files */
  char *link;                 /* symlink target */
  unsigned long major, minor; /* devices */
  berth_verify_xattr *xattrs; /* trusted.overlay.* excluded, as extraction skips them */
  size_t n_xattrs;
  berth_verify_block *blocks;
  size_t n_blocks;
  size_t inode;  /* hard links share it */
  char *link_of; /* a hard link: the path it was made to */
} berth_verify_node;

typedef struct berth_verify_tree {
  berth_verify_node **v; /* creation order; dead nodes stay */
  size_t n, cap;
  size_t *slots; /* open addressing: index + 1 of the newest node of a path */
  size_t n_slots, next_inode;
  size_t lost; /* regular files whose contents the directory cannot hold: replaced by a
                * later entry, or aufs metadata that extraction skips */
} berth_verify_tree;

/* Builds the tree from the (untrusted) tar-split on tsfd.  An entry that
 * extraction would have refused is an error: no pulled layer holds one. */
int berth_verify_tree_build(int tsfd, berth_verify_tree *t, berth_error **err);

/* The live node at a resolved path, or NULL. */
berth_verify_node *berth_verify_tree_get(const berth_verify_tree *t, const char *path);

void berth_verify_tree_clear(berth_verify_tree *t);

/* Compares every live node with the layer directory rootfd (untrusted:
 * nothing is followed), adding to l one report per difference. */
int berth_verify_tree_compare(int rootfd, const berth_verify_tree *t, berth_verify_layer *l,
                              berth_error **err);

/* Adds a report: kind '+', '-' or '~'; what NULL for added, removed and
 * changed contents, else the words ("changed mode 0755 -> 4755"). */
void berth_verify_layer_add(berth_verify_layer *l, char kind, const char *rel, char *what);
