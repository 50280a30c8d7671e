/* An image as stored: its parsed config and the layers of its rootfs. */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "image/config.h"
#include "store/store.h"

/* Reads and parses the config of image id ("sha256:…"); "No such image"
 * (ENOENT) when it is not in the imagedb.  The id "" is scratch, the empty
 * image a build's `FROM scratch` starts from: no layers, an empty config,
 * the host's platform (it is in no imagedb). */
berth_image_config *berth_image_load(berth_store *s, const char *id, berth_error **err);

/* The published layers of a config's rootfs, bottom first (*n = its number of
 * diff ids); a missing layer is an error naming its chain id. */
int berth_image_layers(berth_store *s, const berth_image_config *c, berth_layer **out, size_t *n,
                       berth_error **err);

/* Sum of the layers' sizes (Docker's image Size). */
long long berth_image_layers_size(const berth_layer *layers, size_t n);
