/* One layer of a pull: download, verify and unpack a blob into a staging
 * directory of the store, in a single streaming pass. */
#pragma once

#include <stdatomic.h>

#include "image/descriptor.h"
#include "pull/events.h"
#include "registry/client.h"
#include "store/store.h"

typedef struct berth_layer_fetch {
  /* in */
  berth_store *store;
  berth_registry *registry;
  const berth_descriptor *blob;
  const char *diff_id; /* what the image config promises */
  char short_id[13];   /* first 12 hex of the blob digest, for progress */
  berth_pull_events *events;
  atomic_bool *cancel; /* set by any failing layer; the others stop early */
  /* A blob the manifest listed before: not downloaded again, its verified
   * stage is copied (berth_layer_fetch_copy) once the downloads are done. */
  struct berth_layer_fetch *same_blob;
  /* out */
  berth_layer_stage *stage;
  long long size;
  berth_error *error;
} berth_layer_fetch;

/* Runs the whole fetch; on success fetch->stage holds the verified layer,
 * otherwise fetch->error says why (and sets *cancel). */
void berth_layer_fetch_run(berth_layer_fetch *fetch);

/* For a fetch whose blob another fetch downloaded (fetch->same_blob):
 * re-creates that layer's tar from its stage and unpacks it into a stage of
 * its own, checking the diffID again. */
int berth_layer_fetch_copy(berth_layer_fetch *fetch, berth_error **err);
