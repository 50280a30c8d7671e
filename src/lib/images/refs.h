/* The names (repositories.json entries) that point at one image. */
#pragma once

#include <stddef.h>

#include "store/refs.h"

/* Familiar tags ("repo:tag") and digest refs ("repo@sha256:…") of id, each a
 * sorted NULL-terminated array (free with cleanup_strv). */
void berth_image_refs_of(const berth_ref *refs, size_t n, const char *id, char ***tags,
                         char ***digests);

/* The number of refs that point at id. */
size_t berth_image_refs_count(const berth_ref *refs, size_t n, const char *id);
