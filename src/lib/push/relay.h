/* A pulled layer's exact blob, relayed from the registry it was pulled from
 * to a push's target on another registry, so that the layer (and so the
 * kept manifest) keeps its digest where neither a HEAD nor a mount finds it. */
#pragma once

#include "common/error.h"
#include "image/descriptor.h"
#include "registry/client.h"
#include "registry/options.h"
#include "store/store.h"

/* For each source repository the store recorded for diff_id with blob's
 * digest (v2metadata) on a registry other than target_domain, newest first:
 * if it has the blob (HEAD), streams it from there (with that registry's
 * auth: opts, "pull") into an upload to target as the same digest, never
 * whole in memory, its digest checked as it streams (and again by the
 * target).  1: relayed; 0: no source had it or could give it (push then
 * compresses the layer again); -1: the target refused the upload. */
int push_relay_blob(berth_store *s, berth_registry *target, const char *diff_id,
                    const berth_descriptor *blob, const char *target_domain,
                    const berth_registry_options *opts, berth_error **err);
