/* Blobs of push on one repository of a registry. */
#pragma once

#include <stdint.h>

#include "common/error.h"
#include "registry/client.h"

/* 1 when the repository has the blob, 0 when not (404). */
int push_blob_exists(berth_registry *r, const char *digest, berth_error **err);
/* The same, with the blob's size from the registry (-1 when it gave none). */
int push_blob_stat(berth_registry *r, const char *digest, int64_t *size, berth_error **err);

/* Uploads len bytes, from data, or from fd (at its offset) when data is
 * NULL, as the blob digest (the registry checks the digest).  A refusal is
 * an error naming the blob with the registry's words. */
int push_blob_upload(berth_registry *r, const char *digest, const void *data, int fd, int64_t len,
                     berth_error **err);

/* Mounts the blob from repository from (a path on the same registry, from
 * the store's records: checked by the caller against the repository
 * grammar); 1 mounted, 0 not. */
int push_blob_mount(berth_registry *r, const char *digest, const char *from, berth_error **err);

/* PUTs a manifest (or index) of media type `type` as reference (a tag or
 * a digest) in r's repository; a refusal is the registry's words. */
int push_manifest_put(berth_registry *r, const char *reference, const char *type, const char *data,
                      size_t len, berth_error **err);
