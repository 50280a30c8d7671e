/* `save`: images as the tarball Docker 20.10's `docker save` writes
 * (manifest.json, repositories, <config hex>.json, and per layer a
 * directory named by its legacy v1 id holding VERSION, json and layer.tar). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "store/store.h"

/* One layer's legacy v1 image as Docker's saveImage makes it (image/v1
 * CreateID): below the top, an empty image created at the epoch; at the top,
 * the image's own V1Image fields of config (the stored config, parsed,
 * untrusted: a field of the wrong type counts as absent).  chain_id is the
 * layer's chain ID, parent_hex the v1 id of the layer below (NULL at the
 * bottom).  id_hex gets the v1 id (sha256 of the sorted v1 JSON with
 * "layer_id" and "parent" digests); *json_out the bytes of the layer's
 * "json" file as Go's encoder writes them. */
int berth_save_v1_layer(const json_t *config, const char *chain_id, const char *parent_hex,
                        bool top, char id_hex[65], char **json_out, berth_error **err);

/* The compact JSON text jansson wrote, escaped as Go's encoding/json escapes
 * strings (<, >, & and U+2028/U+2029 as \u escapes, control characters as
 * \u00xx except \n, \r and \t), so that hashes over it match Docker's. */
char *berth_save_go_escape(const char *json);

/* Writes the tarball of the images names (as a user typed them, resolved
 * as Docker's save does: a tag names that tag, a bare repository name every
 * tag of it, an id or digest the image with no tag) to fd.  Every name is
 * resolved before a byte is written; each layer.tar is rebuilt from the
 * store as it streams and its sha256 checked against the diffID. */
int berth_image_save(berth_store *s, char *const *names, size_t n, int fd, berth_error **err);

/* berth_image_save (or, with oci, berth_image_save_oci) to a temporary
 * file beside path, fsynced and renamed to path; on failure nothing is left
 * at either name. */
int berth_image_save_file(berth_store *s, char *const *names, size_t n, const char *path, bool oci,
                          berth_error **err);

/* The same images (names resolved as berth_image_save does) as a tar of an
 * OCI image layout: oci-layout, index.json (a manifest descriptor per tag,
 * named by org.opencontainers.image.ref.name and io.containerd.image.name),
 * blobs/sha256/ holding each config as stored, each OCI manifest and each
 * layer once as its exact uncompressed tar (its digest the diffID, checked
 * while it streams). */
int berth_image_save_oci(berth_store *s, char *const *names, size_t n, int fd, berth_error **err);

/* That layout as the directory path, written under a temporary name beside
 * it, every file and directory fsynced, then renamed (over an empty
 * directory, not a full one); on failure nothing is left. */
int berth_image_save_oci_dir(berth_store *s, char *const *names, size_t n, const char *path,
                             berth_error **err);
