/* The store's record of each `image mount`: tmp/image-mounts/<random>/ with
 * image ("<image-id> <n-layers>"), chain (the chain id of the topmost layer
 * mounted), target (the mount point) and, for --rw, upper/ and work/.  A
 * mount is a reference to its layers: the collection keeps them and rmi
 * refuses the image while the record is live.  Live = its creator still
 * holds the record dir's flock (it is being mounted), or target is a mount
 * point in the mountinfo of the mount namespace berth started in
 * (berth_mountinfo_open: a build has one of its own); a record whose mount
 * is gone is stale and the collection removes it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

#define BERTH_IMAGE_MOUNTS_DIR "tmp/image-mounts"

typedef struct berth_mount_record {
  char *name; /* under tmp/image-mounts/ */
  char image_id[BERTH_DIGEST_LEN];
  size_t n_layers;
  char chain_id[BERTH_DIGEST_LEN]; /* "" in a record without one */
  char *target;
  bool live;
} berth_mount_record;

/* Every well-formed record, live or not. */
int berth_store_mount_records(berth_store *s, berth_mount_record **out, size_t *n,
                              berth_error **err);
void berth_mount_records_free(berth_mount_record *v, size_t n);

/* Whether path (absolute, as realpath gives it) is a mount point of this
 * mount namespace. */
bool berth_is_mount_point(const char *path);
