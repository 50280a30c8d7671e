/* What a container or a mount can be based on (SPEC §7): an image, one of its
 * layers (`IMAGE@layer:N`, 1 = bottom), or a layer's chain ID (full
 * "sha256:<hex>", or a unique hex prefix with or without "sha256:"). */
#pragma once
#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

/* Resolves name (untrusted user input) to an image id and the number of its
 * layers to use, bottom first: all of them for an image, N for
 * IMAGE@layer:N, and for a chain ID an image whose rootfs contains that
 * chain (the one whose rootfs ends there when there is one, else the lowest
 * image id) cut at it.  "No such image: <name>" (ENOENT) when nothing
 * matches; an ambiguous chain prefix or an N out of range is an error. */
int berth_image_resolve_rootfs(berth_store *s, const char *name, char image_id[BERTH_DIGEST_LEN],
                               size_t *n_layers, berth_error **err);

/* Splits "IMAGE@layer:N": 1 with *n set and *image a malloc()ed copy of the
 * image part, 0 when name has no "@layer:" suffix, -1 when the suffix is not
 * a number from 1 to 9999. */
int berth_rootfs_ref_parse(const char *name, char **image, size_t *n, berth_error **err);
