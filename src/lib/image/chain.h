/* Chain IDs: the names of layerdb entries.  The first layer's chain ID is its
 * diffID; then chain(n) = "sha256:" + hex(sha256(chain(n-1) + " " + diffID(n))). */
#pragma once

#include <stddef.h>

#include "common/digest.h"

/* diff_id (and parent_chain, NULL or "" for the bottom layer) are validated
 * "sha256:<hex>" digests, e.g. from berth_image_config_parse. */
void berth_chain_id(const char *parent_chain, const char *diff_id, char out[BERTH_DIGEST_LEN]);

/* The chain IDs of a stack of n diffIDs, bottom first, as a NULL-terminated
 * array of n strings (free with cleanup_strv). */
char **berth_chain_ids(char *const *diff_ids, size_t n);
