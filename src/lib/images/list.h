/* Summaries of every stored image, for `images`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct berth_image_summary {
  char id[BERTH_DIGEST_LEN];
  char parent[BERTH_DIGEST_LEN]; /* "" when none */
  char **tags;                   /* familiar "repo:tag", sorted, NULL-terminated */
  char **digests;                /* familiar "repo@sha256:…", sorted, NULL-terminated */
  int64_t created;               /* unix seconds; 0 when the config has none */
  long long size;                /* sum of its layers' sizes */
  bool has_children;             /* some image names it as parent */
} berth_image_summary;

/* Every image, newest first (ties by id). */
int berth_image_list(berth_store *s, berth_image_summary **out, size_t *n, berth_error **err);
void berth_image_summaries_free(berth_image_summary *v, size_t n);
