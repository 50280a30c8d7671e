/* Published layers: layerdb/sha256/<chain-hex>/{diff,size,cache-id,parent,
 * tar-split.json.gz} and overlay2/<cache-id>/{diff,link,lower,work,committed}. */
#pragma once

#include "common/digest.h"
#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

/* The deepest stack of layers an image may have, as Docker's layer store
 * allows ("max depth exceeded" beyond): a container mounts all of them, and
 * overlayfs and the mount options are sized for no more. */
enum { BERTH_MAX_LAYERS = 125 };

typedef struct berth_layer {
  char chain_id[BERTH_DIGEST_LEN], diff_id[BERTH_DIGEST_LEN];
  char parent[BERTH_DIGEST_LEN]; /* "" for the bottom layer */
  char cache_id[65];
  char link[27];
  long long size;
} berth_layer;

/* 1 found, 0 absent, -1 error. */
int berth_store_layer_get(berth_store *s, const char *chain_id, berth_layer *out,
                          berth_error **err);
/* "<root>/overlay2/<cache-id>/diff" */
char *berth_store_layer_diff_path(berth_store *s, const berth_layer *l);
/* An fd on the layer's tar-split.json.gz (plain gzip bytes). */
int berth_store_layer_open_tarsplit(berth_store *s, const char *chain_id, berth_error **err);
/* Chain ids ("sha256:…") of every published layer, NULL-terminated. */
char **berth_store_layer_list(berth_store *s, berth_error **err);
