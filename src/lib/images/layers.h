/* `berth layers IMAGE`: every layer of an image with all its ids. */
#pragma once

#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct berth_layer_row {
  size_t number;                 /* 1 = bottom */
  char digest[BERTH_DIGEST_LEN]; /* distribution digest, "" when unknown */
  char diff_id[BERTH_DIGEST_LEN];
  char chain_id[BERTH_DIGEST_LEN];
  char cache_id[65];
  long long size;
  char *created_by; /* the history entry that made it, "" when none */
} berth_layer_row;

/* One row per layer, bottom first; history entries are matched to layers by
 * skipping empty_layer entries. */
int berth_image_layer_rows(berth_store *s, const char *id, berth_layer_row **rows, size_t *n,
                           berth_error **err);
void berth_layer_rows_free(berth_layer_row *rows, size_t n);
