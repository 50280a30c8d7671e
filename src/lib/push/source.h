/* What a pulled image brings to its push: the manifest it was pulled with,
 * whose blobs the registry may already have or can mount. */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "image/manifest.h"
#include "store/store.h"

typedef struct push_source {
  char *digest; /* of the kept manifest bytes */
  char *data;
  size_t len;
  berth_manifest *m;
} push_source;

/* Finds the kept manifest (manifest-by-digest) of image_id through the
 * store's "repo@digest" references to it.  Found (1) only when it is an
 * image manifest whose config is image_id and whose layers are, in order,
 * the blobs the store recorded for diff_ids.  0: none fits. */
int push_source_find(berth_store *s, const char *image_id, char *const *diff_ids, size_t n,
                     push_source *out, berth_error **err);
void push_source_clear(push_source *src);

/* True when a layer of media type mt can stand in a Docker schema2 manifest
 * as a gzip layer. */
bool push_source_layer_is_gzip(const char *mt);
