/* Media types of the registry documents and blobs berth understands: OCI
 * image-spec and Docker's distribution schema 2.  Helpers classify them. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* Indexes. */
#define BERTH_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define BERTH_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
/* Image manifests. */
#define BERTH_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define BERTH_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
/* Schema 1: recognized only to be refused. */
#define BERTH_MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define BERTH_MT_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
/* Image configs. */
#define BERTH_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define BERTH_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
/* Layers. */
#define BERTH_MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define BERTH_MT_DOCKER_FOREIGN_LAYER_GZIP                                                         \
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define BERTH_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define BERTH_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define BERTH_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define BERTH_MT_OCI_ND_LAYER "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define BERTH_MT_OCI_ND_LAYER_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define BERTH_MT_OCI_ND_LAYER_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

enum berth_compression {
  BERTH_COMPRESSION_NONE,
  BERTH_COMPRESSION_GZIP,
  BERTH_COMPRESSION_ZSTD,
};

/* How a layer blob of media type mt is compressed.  mt is untrusted (it
 * comes from a manifest); an unknown or missing type is an error. */
int berth_media_type_layer_compression(const char *mt, enum berth_compression *out,
                                       berth_error **err);

/* True for the two index types (OCI index, Docker manifest list). */
bool berth_media_type_is_index(const char *mt);
/* True for the two image manifest types (OCI manifest, Docker schema 2). */
bool berth_media_type_is_manifest(const char *mt);
/* True for the two schema 1 types. */
bool berth_media_type_is_schema1(const char *mt);
/* True for the two image config types. */
bool berth_media_type_is_config(const char *mt);
/* True for layer types that must not be pushed to other registries. */
bool berth_media_type_is_nondistributable(const char *mt);
