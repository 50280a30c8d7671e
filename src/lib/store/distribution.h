/* distribution/: diffid-by-digest/sha256/<blob-hex> → "sha256:<diffid>",
 * v2metadata-by-diffid/sha256/<diffid-hex> → JSON list of
 * {"Digest","SourceRepository","HMAC"} (and berth's "MediaType" of the blob
 * where it knows it: Docker's readers ignore the key; an entry without it
 * is a gzip blob, as Docker's are), and berth's own
 * manifest-by-digest/sha256/<hex> → the manifest bytes as received. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

/* media_type: the blob's (a manifest's layer mediaType), or NULL. */
int berth_store_distribution_put(berth_store *s, const char *blob_digest, const char *diff_id,
                                 const char *source_repository, const char *media_type,
                                 berth_error **err);
/* 1 found, 0 absent, -1 error. */
int berth_store_diffid_by_digest(berth_store *s, const char *blob_digest,
                                 char out[BERTH_DIGEST_LEN], berth_error **err);
/* The JSON list (new reference), or NULL (err set only on a real error;
 * absent gives an empty list). */
json_t *berth_store_v2metadata(berth_store *s, const char *diff_id, berth_error **err);
/* Stores manifest bytes; refuses bytes whose sha256 is not digest. */
int berth_store_manifest_put(berth_store *s, const char *digest, const char *data, size_t len,
                             berth_error **err);
/* 1 found, 0 absent, -1 error. */
int berth_store_manifest_get(berth_store *s, const char *digest, char **data, size_t *len,
                             berth_error **err);
