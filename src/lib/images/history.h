/* `history`: one row per history entry of an image's config, newest first. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct berth_history_row {
  char id[BERTH_DIGEST_LEN]; /* "" prints as <missing> */
  int64_t created;           /* unix seconds, 0 when the entry has none */
  char *created_by;
  char *comment;
  long long size; /* the layer the entry made, 0 for an empty_layer entry */
} berth_history_row;

/* As Docker does it: the top row carries the image id, the next its parent
 * image's id (imagedb metadata), and so on while local parents exist. */
int berth_image_history(berth_store *s, const char *id, berth_history_row **rows, size_t *n,
                        berth_error **err);
void berth_history_rows_free(berth_history_row *rows, size_t n);
