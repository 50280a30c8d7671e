/* `import`: a rootfs tarball becomes a one-layer image. */
#pragma once

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct berth_import_options {
  const char *message; /* the history comment; "Imported from <source>" when NULL */
  const char *source;  /* what the tarball came from, "-" for a local file or stdin */
  const char *ref;     /* a name to tag the image with, or NULL */
} berth_import_options;

/* Reads a plain, gzip or zstd tarball from fd (untrusted: unpacked by
 * berth_layer_unpack, confined to the new layer), publishes it as a layer,
 * writes a config like Docker's import (the host's os/architecture, created
 * now, one history entry) and tags it.  id_out gets the image id. */
int berth_image_import(berth_store *s, int fd, const berth_import_options *opts,
                       char id_out[BERTH_DIGEST_LEN], berth_error **err);

/* The config Docker's import writes for one layer (compact JSON, top-level
 * keys sorted as Docker's image.MarshalJSON leaves them). */
char *berth_import_config(const char *diff_id, const char *created, const char *comment);
