/* `tag`: point a name at an image. */
#pragma once

#include "common/error.h"
#include "store/store.h"

/* Resolves source (any form berth_image_resolve takes) and points target
 * (normalized, tag "latest" by default; a digest is refused) at it. */
int berth_image_tag(berth_store *s, const char *source, const char *target, berth_error **err);

/* Points target at image id (a resolved "sha256:…") and records the time
 * as the image's Metadata.LastTagTime, as Docker's daemon tags (tag,
 * commit, build, import). */
int berth_image_tag_id(berth_store *s, const char *id, const char *target, berth_error **err);

/* Only points target at id: Docker's load adds its tags to the reference
 * store this way, so a loaded image's LastTagTime stays Go's zero time. */
int berth_image_add_tag(berth_store *s, const char *id, const char *target, berth_error **err);
