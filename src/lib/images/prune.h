/* `image prune`, `container prune`, `builder prune`: Docker's daemon's
 * pruning, through rmi's and rm's removal and then the store's collection
 * (store/gc.h), so nothing a container, an image or a live mount uses is
 * ever removed. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "store/store.h"

typedef struct berth_prune_filter {
  bool has_until;
  int64_t until;     /* unix seconds: objects created after it are kept */
  char **labels;     /* label=k or label=k=v: every one must match */
  char **not_labels; /* label!=…: an object all of them match is kept */
} berth_prune_filter;

typedef struct berth_prune_report {
  char **deleted; /* Docker's lines ("untagged: …", "deleted: sha256:…", ids) */
  size_t n_deleted;
  char **kept; /* why an object that would have gone was kept (in use) */
  size_t n_kept;
  long long reclaimed; /* bytes */
} berth_prune_report;

void berth_prune_report_clear(berth_prune_report *r);

/* Dangling images (untagged, no child), or with all every image no
 * container uses, as Docker's ImagesPrune; a mounted image is kept and
 * said so in r->kept.  Reclaimed: the sizes of the layers that went. */
int berth_image_prune(berth_store *s, bool all, const berth_prune_filter *f, berth_prune_report *r,
                      berth_error **err);

/* Every container that is not running (full ids in r->deleted). */
int berth_container_prune(berth_store *s, const berth_prune_filter *f, berth_prune_report *r,
                          berth_error **err);

/* berth's build cache: the intermediate images builds keep (untagged
 * images with children, which no container and no mount uses) and the
 * RUN --mount=type=cache directories no build holds; with all also the
 * build contexts' stat caches. */
int berth_builder_prune(berth_store *s, bool all, berth_prune_report *r, berth_error **err);

/* Docker's label / label! match over a JSON object of labels. */
bool berth_prune_filter_match(const berth_prune_filter *f, const void *labels_json);
