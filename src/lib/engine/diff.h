/* `diff`: the A/C/D changes of a container, or between two images. */
#pragma once
#include <stddef.h>

#include "changes/changes.h"
#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

/* The container's upperdir against its init layer and image layers (no
 * mount needed: the directories are read as overlayfs reads them). */
int berth_container_diff(berth_store *s, const berth_container *c, berth_change **out, size_t *n,
                         berth_error **err);

/* The changes from image `from` to image `to` (any form
 * berth_image_resolve_rootfs takes, so IMAGE@layer:N and chain IDs too). */
int berth_image_diff(berth_store *s, const char *from, const char *to, berth_change **out,
                     size_t *n, berth_error **err);

/* Opens the first n_layers layer directories of image id, topmost first
 * (fds[0] = layer n_layers); *fds is malloc()ed, close each and free it. */
int berth_image_open_layers(berth_store *s, const char *id, size_t n_layers, int **fds,
                            berth_error **err);
