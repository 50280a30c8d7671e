/* `load`: docker-archive tarballs (`docker save`, `podman save`, skopeo's
 * docker-archive:) become images in the store. */
#pragma once

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

/* Called once per image loaded, after it is published: name is a RepoTag
 * as the archive wrote it, or NULL for an image without names (then id is
 * what to print). */
typedef void (*berth_load_fn)(void *ctx, const char *name, const char *id);

/* Reads a docker-archive tarball (plain, gzip or zstd: detected by magic)
 * from fd.  The archive is UNTRUSTED: every regular file entry is copied
 * into a private scratch directory of the store (tmp/scratch-*, as entries
 * come in any order and manifest.json usually comes last), manifest.json
 * may only name files of the archive, each config must parse as an image
 * config, and each layer the store lacks is unpacked from its copy by
 * berth_layer_unpack (confined; the diffID it computes must be the
 * config's).  Only when every layer of every image is verified are they
 * published under the writer lock, then the configs and the RepoTags; a
 * failure leaves the store as it was. */
int berth_image_load_archive(berth_store *s, int fd, berth_load_fn on_loaded, void *ctx,
                             berth_error **err);
