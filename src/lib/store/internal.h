/* What the files of the store part share and nothing outside it uses. */
#pragma once

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "store/store.h"

#define IMAGE_DIR "image/overlay2"
#define IMAGEDB_CONTENT "imagedb/content/sha256"
#define IMAGEDB_METADATA "imagedb/metadata/sha256"
#define LAYERDB_SHA "layerdb/sha256"
#define LAYERDB_MOUNTS "layerdb/mounts"
#define LAYERDB_TMP "layerdb/tmp"
#define DIST_DIFFID "distribution/diffid-by-digest/sha256"
#define DIST_V2META "distribution/v2metadata-by-diffid/sha256"
#define DIST_MANIFEST "distribution/manifest-by-digest/sha256"

struct berth_store {
  char *root;
  int root_fd;
  int image_fd;          /* image/overlay2 */
  int overlay_fd;        /* overlay2 */
  int links_fd;          /* overlay2/l */
  int tmp_fd;            /* tmp */
  int lock_fd;           /* tmp/.lock */
  pthread_mutex_t mutex; /* recursive; guards lock_depth and the flock */
  int lock_depth;
};

/* A fresh directory stream on dirfd/path (its own file description). */
DIR *berth_store_opendir(int dirfd, const char *path, berth_error **err);

/* True when name is 64 lowercase hex digits. */
bool berth_store_is_hex64(const char *name);

/* Makes tmp/stage-<random>/ and returns its fd, flock()ed; *name gets its
 * name under tmp/.  Retries when a sweeper removed it before the lock. */
int berth_store_tmpdir_new(berth_store *s, char **name, berth_error **err);

/* "sha256:<name>" for each 64-hex entry of image/overlay2/<dir>,
 * NULL-terminated. */
char **berth_store_list_digests(berth_store *s, const char *dir, berth_error **err);

/* Removes a published layer: its layerdb entry first (renamed into
 * layerdb/tmp, so it vanishes atomically), then its l/ link and overlay2
 * dir.  Caller holds the writer lock. */
int berth_store_layer_remove_locked(berth_store *s, const char *chain_id, berth_error **err);
