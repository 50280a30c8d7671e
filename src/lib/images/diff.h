/* `diff IMAGE IMAGE`: the A/C/D changes between two images (SPEC §7). */
#pragma once
#include <stddef.h>

#include "changes/changes.h"
#include "common/error.h"
#include "store/store.h"

/* The changes from image `from` to image `to` (any form
 * berth_image_resolve_rootfs takes, so IMAGE@layer:N and chain IDs too). */
int berth_image_diff(berth_store *s, const char *from, const char *to, berth_change **out,
                     size_t *n, berth_error **err);

/* Opens the first n_layers layer directories of image id, topmost first
 * (fds[0] = layer n_layers); *fds is malloc()ed, close each and free it. */
int berth_image_open_layers(berth_store *s, const char *id, size_t n_layers, int **fds,
                            berth_error **err);
