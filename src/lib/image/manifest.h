/* Registry manifests: image indexes (OCI index, Docker manifest list) and
 * image manifests (OCI manifest, Docker schema 2).  Schema 1 is refused. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "image/descriptor.h"

typedef struct berth_manifest {
  bool is_index;           /* index / manifest list */
  char *media_type;        /* from the document or the Content-Type given */
  berth_descriptor config; /* image manifests */
  berth_descriptor *layers;
  size_t n_layers;
  berth_descriptor *manifests; /* indexes */
  size_t n_manifests;
} berth_manifest;

/* Reads an untrusted manifest or index.  content_type is the HTTP
 * Content-Type (may be NULL; parameters such as "; charset=utf-8" are
 * ignored); mediaType in the body wins when present, and the two must not
 * contradict (a generic type such as application/json says nothing).  Checks
 * schemaVersion 2, every descriptor (digest, size >= 0, required fields), the
 * config media type and each layer media type of an image manifest, and that
 * the document's shape fits its type. */
berth_manifest *berth_manifest_parse(const char *data, size_t len, const char *content_type,
                                     berth_error **err);

void berth_manifest_free(berth_manifest *m);
void berth_manifest_cleanup(berth_manifest **m);
#define cleanup_manifest __attribute__((cleanup(berth_manifest_cleanup)))

/* Picks the image manifest entry of an index for a platform ("linux/amd64",
 * "linux/arm64/v8", "linux/arm/v7"; NULL = the host's), matching as
 * containerd does: normalized names, the exact platform first, then older
 * compatible ones; among equals the first listed.  Entries that are not image
 * manifests are skipped.  The result points into index.  When none matches:
 * "no matching manifest for linux/amd64 in the manifest list entries". */
const berth_descriptor *berth_manifest_select(const berth_manifest *index, const char *platform,
                                              berth_error **err);
