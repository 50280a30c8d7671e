/* `image mount` / `image umount`: an image's layers (or a prefix of them,
 * IMAGE@layer:N or a chain ID) mounted at a path, for chroot and friends.
 * Each mount is recorded under tmp/image-mounts/<random>/ ({image,chain,
 * target} files, and upper/ work/ for --rw; see store/mount_record.h) so
 * umount can find and clean it, rmi refuses the image and the collection
 * keeps its layers while it is mounted. */
#pragma once
#include <stdbool.h>

#include "common/error.h"
#include "store/store.h"

/* Mounts the rootfs of name (any form berth_image_resolve_rootfs takes):
 * read-only overlayfs of the layer dirs through the l/ short links (one layer:
 * its diff bind-mounted read-only); with rw, an overlay with a fresh upper
 * and work dir in the record dir, thrown away on umount.  dir: an existing
 * directory to mount on, or NULL for the record's own merged/.  *path gets
 * the mount point. */
int berth_image_mount(berth_store *s, const char *name, const char *dir, bool rw, char **path,
                      berth_error **err);

/* Unmounts what `image mount` made: the mount whose target is the path
 * what names (when it is a directory), else every mount of image what.
 * *n gets how many were released; none is an error. */
int berth_image_umount(berth_store *s, const char *what, int *n, berth_error **err);
