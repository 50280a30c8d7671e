/* A member of a local manifest list, read from its registry as `docker
 * manifest create` reads it. */
#pragma once

#include <jansson.h>

#include "common/error.h"
#include "reference/reference.h"
#include "registry/options.h"

/* Fetches the image manifest ref names (a normalized reference with a tag
 * or digest) and its config, and returns the list member (list.h's shape):
 * the descriptor of the manifest bytes as served, the platform from the
 * config.  Errors in Docker's words: "no such manifest: REF" when the
 * registry has none, "REF is a manifest list", "REF is not a manifest". */
json_t *berth_manifest_member_fetch(const berth_reference *ref, const berth_registry_options *opts,
                                    berth_error **err);
