/* `import`: a rootfs tarball (a file, stdin or a URL) becomes a one-layer
 * image. */
#pragma once

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct berth_import_options {
  const char *message;  /* the history comment; "Imported from <source>" when NULL */
  const char *source;   /* what the tarball came from, "-" for a local file or stdin */
  const char *ref;      /* a name to tag the image with, or NULL */
  char *const *changes; /* -c Dockerfile instructions for the Config, NULL-terminated, or NULL */
  const char *platform; /* --platform ("linux/arm64"), or NULL for the host's */
  /* berth_image_import_url: called once the server answered with the body
   * to come (Docker prints "Downloading from URL" then), or NULL. */
  void (*on_download)(void *ctx, const char *url);
  void *ctx;
} berth_import_options;

/* Reads a plain, gzip or zstd tarball from fd (untrusted: unpacked by
 * berth_layer_unpack, confined to the new layer), publishes it as a layer,
 * writes a config like Docker's import (the platform's os/architecture,
 * the Config made by the -c changes, created now, one history entry) and
 * tags it.  The message, name, changes and platform are checked before
 * anything is read.  id_out gets the image id. */
int berth_image_import(berth_store *s, int fd, const berth_import_options *opts,
                       char id_out[BERTH_DIGEST_LEN], berth_error **err);

/* The same from an http(s) URL, as Docker's import of a URL: fetched with
 * the project's libcurl client and unpacked while it streams (never staged
 * whole); a status >= 400 is Docker's "failed to GET URL with status …"
 * error.  The history comment names the URL (opts->source is ignored). */
int berth_image_import_url(berth_store *s, const char *url, const berth_import_options *opts,
                           char id_out[BERTH_DIGEST_LEN], berth_error **err);

/* The config Docker's import writes for one layer (compact JSON, top-level
 * keys sorted as Docker's image.MarshalJSON leaves them), for the host. */
char *berth_import_config(const char *diff_id, const char *created, const char *comment);
