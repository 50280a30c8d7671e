/* A container's read-write layer, laid out like Docker's overlay2 driver:
 * overlay2/<mount-id>-init/ (the init layer of placeholders) and
 * overlay2/<mount-id>/ (the container's own changes), named by
 * layerdb/mounts/<container-id>/{mount-id,init-id,parent}. */
#pragma once

#include "common/digest.h"
#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

typedef struct berth_rwlayer {
  char container_id[65];
  char mount_id[65];
  char parent[BERTH_DIGEST_LEN]; /* chain id of the image layer below, "" for none */
} berth_rwlayer;

/* Under the writer lock: overlay2/<mount-id>-init/{diff,link,lower,work}
 * (diff left for the caller to fill with placeholders),
 * overlay2/<mount-id>/{diff,link,lower,work} (lower = init link + the image's
 * links, topmost first), the l/ links, then
 * layerdb/mounts/<container-id>/{mount-id,init-id,parent} last.  The mount id
 * is 64 random hex digits.  container_id must be 64 hex digits; parent_chain
 * NULL or "" for none, else a published layer. */
int berth_store_rwlayer_create(berth_store *s, const char *container_id, const char *parent_chain,
                               berth_rwlayer *out, berth_error **err);
/* 1 found, 0 absent, -1 error. */
int berth_store_rwlayer_get(berth_store *s, const char *container_id, berth_rwlayer *out,
                            berth_error **err);
/* Removes the layerdb/mounts entry first, then both overlay2 dirs and their
 * l/ links.  An absent entry is not an error. */
int berth_store_rwlayer_delete(berth_store *s, const char *container_id, berth_error **err);

/* Absolute paths for inspect's GraphDriver.Data and for mounting. */
char *berth_store_rwlayer_upper_path(berth_store *s,
                                     const berth_rwlayer *l); /* …/<mount-id>/diff */
char *berth_store_rwlayer_init_path(berth_store *s, const berth_rwlayer *l); /* …-init/diff */
char *berth_store_rwlayer_work_path(berth_store *s, const berth_rwlayer *l); /* …/<mount-id>/work */
char *berth_store_rwlayer_merged_path(berth_store *s, const berth_rwlayer *l); /* …/merged */
/* "<root>/overlay2/<mount-id>-init/diff:<root>/overlay2/<cache>/diff:…", topmost first. */
char *berth_store_rwlayer_lowerdir(berth_store *s, const berth_rwlayer *l);
/* The same list through the short links, relative to overlay2/ ("l/ABC:l/DEF"),
 * for a mount made from inside overlay2/ as Docker does; also the
 * contents of overlay2/<mount-id>/lower. */
char *berth_store_rwlayer_lower_links(berth_store *s, const berth_rwlayer *l, berth_error **err);
