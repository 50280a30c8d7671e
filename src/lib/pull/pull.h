/* Pulling an image from a registry into the store.
 *
 * The manifest and config are fetched first; then every layer the store lacks
 * streams from the socket through digest checking, decompression and diffID
 * hashing straight into a staging directory (several layers at once).  Only
 * when every layer has been verified are they published, bottom first,
 * followed by the image config and its names — so a failed pull leaves the
 * store exactly as it was. */
#pragma once

#include <stdbool.h>

#include "common/digest.h"
#include "common/error.h"
#include "reference/reference.h"
#include "registry/client.h"
#include "store/store.h"

/* Progress as Docker reports it.  `id` is the short layer id (12 hex of the
 * blob digest) or, for the opening line, the tag; `status` is Docker's status
 * text ("Pulling fs layer", "Waiting", "Downloading", "Verifying Checksum",
 * "Download complete", "Extracting", "Pull complete", "Already exists", or
 * "Pulling from <repo>").  current/total are bytes for "Downloading" and
 * "Extracting" and 0 otherwise.  Calls are serialized by the pull, so the
 * callback needs no locking of its own. */
typedef void (*berth_pull_event_fn)(void *ctx, const char *id, const char *status,
                                    long long current, long long total);

typedef struct berth_pull_options {
  const char *platform; /* "os/arch[/variant]", NULL for the host's */
  const berth_registry_options *registry;
  berth_pull_event_fn on_event; /* may be NULL */
  void *event_ctx;
} berth_pull_options;

typedef struct berth_pull_result {
  char image_id[BERTH_DIGEST_LEN];
  char digest[BERTH_DIGEST_LEN]; /* of the manifest (or index) the reference named */
  bool updated;                  /* the name now points somewhere new ("Downloaded newer image") */
} berth_pull_result;

int berth_pull(berth_store *store, const berth_reference *ref, const berth_pull_options *opts,
               berth_pull_result *out, berth_error **err);
