/* Finding an image by what a user typed, as Docker's daemon does. */
#pragma once

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

/* Docker's lookup order: a full id (64 hex or "sha256:<hex>"), then a
 * reference (normalized, tag "latest" by default; a digest wins over a tag)
 * in repositories.json, then a unique id prefix.  Not found: "No such image:
 * <name>" with errnum ENOENT; an ambiguous prefix is an error of its own. */
int berth_image_resolve(berth_store *s, const char *name, char id[BERTH_DIGEST_LEN],
                        berth_error **err);
