/* Re-creating a layer's exact tar bytes from its directory and tar-split. */
#pragma once

#include "archive/stream.h"
#include "common/error.h"

/* Re-creates the exact original layer tar bytes from the layer directory and
 * its tar-split, streaming them to write (used by verify, save, push).
 * Errors when a file the tar-split names is missing or has changed
 * size/crc.  The tar-split is treated as untrusted: names are confined to
 * diff_dirfd like unpacked entries, and only regular files are read. */
int berth_layer_tar_rebuild(int diff_dirfd, int tarsplit_fd, berth_write_fn write, void *ctx,
                            berth_error **err);
