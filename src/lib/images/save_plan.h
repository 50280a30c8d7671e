/* What `save` writes, worked out before the first byte: the images with
 * their tags, and every layer once with its v1 id and json (images/save.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct save_layer {
  char v1[65]; /* the directory's name */
  char chain_id[BERTH_DIGEST_LEN], diff_id[BERTH_DIGEST_LEN];
  char *json;    /* the v1 "json" file */
  char *link_to; /* the v1 id whose layer.tar has the same diffID, or NULL */
  int64_t mtime; /* the created time of the image that brought it */
} save_layer;

typedef struct save_image {
  char id[BERTH_DIGEST_LEN];
  char **tags; /* familiar "repo:tag", NULL-terminated */
  size_t n_tags;
  char *config; /* the config bytes as stored */
  size_t config_len;
  int64_t created;
  char *parent;  /* the recorded parent image id, or NULL */
  char **layers; /* v1 ids, bottom first, NULL-terminated */
} save_image;

typedef struct save_plan {
  save_image *images;
  size_t n_images;
  save_layer *layers;
  size_t n_layers;
} save_plan;

/* Resolves names (untrusted user input) as Docker's tarexporter does and
 * prepares every member but the layer tars. */
int save_plan_make(berth_store *s, char *const *names, size_t n, save_plan *p, berth_error **err);
void save_plan_clear(save_plan *p);

/* manifest.json and repositories (NULL when no image has a tag), compact
 * with a newline, as Go's json.Encoder writes them. */
char *save_plan_manifest(const save_plan *p);
char *save_plan_repositories(const save_plan *p);
