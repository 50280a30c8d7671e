/* `system df`: what the store's images, containers and build cache use on
 * disk, as Docker's /system/df reports it (a layer several images share
 * counted once), and, beyond Docker, what nothing in the store references
 * (leftovers of crashes a collection would remove). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "container/container.h"
#include "images/list.h"
#include "store/store.h"

typedef struct berth_df_image {
  long long size;   /* all its layers */
  long long shared; /* its layers some other image has too */
  int containers;   /* containers made from it */
} berth_df_image;

typedef struct berth_df_cache {
  char *id;
  const char *type; /* "regular" (an intermediate image), "exec.cachemount" */
  long long size;
  bool in_use;
  int64_t created; /* unix seconds, 0 unknown */
} berth_df_cache;

typedef struct berth_df_leftover {
  char *path; /* under the root */
  long long size;
} berth_df_leftover;

typedef struct berth_df {
  berth_image_summary *images; /* newest first */
  berth_df_image *image;       /* by index in images */
  size_t n_images;
  long long layers_size;        /* every layer once */
  berth_container **containers; /* newest first */
  long long *size_rw;           /* by index in containers */
  size_t n_containers;
  berth_df_cache *cache;
  size_t n_cache;
  berth_df_leftover *leftovers;
  size_t n_leftovers;
} berth_df;

int berth_system_df(berth_store *s, berth_df *out, berth_error **err);
void berth_df_clear(berth_df *d);
