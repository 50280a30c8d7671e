/* What the files of the store part share and nothing outside it uses. */
#pragma once

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/strset.h"
#include "store/gc.h"
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
  int lock_fd;           /* tmp/.lock; -1 on a read-only store until a writer needs it */
  pthread_mutex_t mutex; /* recursive; guards everything below */
  int lock_depth;
  bool swept;           /* the sweep ran under this handle's first writer lock */
  bool sweep_tmp;       /* dead tmp/ dirs still to remove once the lock is released */
  int trash_fd;         /* tmp/trash-<random>/, flock()ed: what this lock holder deleted */
  char *trash_name;     /* its name under tmp/, NULL when there is none */
  unsigned trash_n;     /* entries moved into it so far (their names) */
  int pins_fd;          /* tmp/pins-<random>/, flock()ed: layers published, not yet used */
  char *pins_name;      /* its name under tmp/, NULL when nothing is pinned */
  berth_trace_fn trace; /* berth_store_set_trace's hook, NULL for none */
  void *trace_ctx;
};

/* A fresh directory stream on dirfd/path (its own file description). */
DIR *berth_store_opendir(int dirfd, const char *path, berth_error **err);

/* True when name is 64 lowercase hex digits. */
bool berth_store_is_hex64(const char *name);

/* Makes tmp/<prefix><random>/ and returns its fd, flock()ed; *name gets its
 * name under tmp/.  Retries when a sweeper removed it before the lock.  The
 * prefixes: TMP_STAGE, TMP_TRASH (swept when dead), TMP_PINS (a dead one
 * is collected by the collection, see berth_store_dead_pins). */
#define TMP_STAGE "stage-"
#define TMP_TRASH "trash-"
#define TMP_PINS "pins-"
#define TMP_SCRATCH "scratch-" /* store/scratch.h: swept when dead */
int berth_store_tmpdir_new(berth_store *s, const char *prefix, char **name, berth_error **err);

/* Removes tmp/<*name> and closes *fd (its flock goes after the dir), then
 * sets them to -1/NULL; either may already be -1/NULL.  A failed removal is
 * left to a later sweep. */
void berth_store_tmpdir_drop(berth_store *s, int *fd, char **name);

/* Removes the tmp/ dirs of ours whose owner holds no flock on them (dead).
 * Needs no writer lock. */
void berth_store_sweep_tmpdirs(berth_store *s);

/* Deletion without rm -rf under the writer lock: moves dirfd/name (a file
 * or a whole tree) into this handle's trash dir, out of every reader's
 * sight; the trash is removed once the outermost writer lock is released
 * (trash.c), or by the next sweep when this process dies first.  A missing
 * name is fine.  Caller holds the writer lock. */
int berth_store_trash_locked(berth_store *s, int dirfd, const char *name, berth_error **err);

/* Called by the lock after its outermost release, holding nothing: removes
 * the trash taken from the handle (trash_fd/trash_name, -1/NULL for none;
 * both are consumed) and, when sweep_tmp, the tmp/ dirs whose owners died. */
void berth_store_after_unlock(berth_store *s, int trash_fd, char *trash_name, bool sweep_tmp);

/* Records chain_id as published by this handle and not yet named by an image
 * (tmp/pins-<random>/<chain-hex>), so that no collection removes it meanwhile.
 * Caller holds the writer lock. */
int berth_store_pin_locked(berth_store *s, const char *chain_id, berth_error **err);

/* Makes this handle's pins dir if it has none: 1 when it made it, 0 when
 * there was one.  Flocked while it lives, it is also the sign of work that
 * leaves garbage when killed midway: a deletion or a collection opens it
 * first and, when it made it, releases it once done (berth_store_pins_release),
 * so that only a kill leaves a dead pins dir and the next writer collects
 * (berth_store_dead_pins). */
int berth_store_pins_open(berth_store *s, berth_error **err);

/* Adds the chains pinned by live handles (this one's included) to out and
 * trashes dead pins dirs.  Caller holds the writer lock. */
int berth_store_pinned_chains(berth_store *s, berth_strset *out, berth_error **err);

/* The mark and sweep of store/gc.h with the writer lock held (gc.c). */
int berth_store_gc_locked(berth_store *s, berth_gc_stats *stats, berth_error **err);

/* True when tmp/ holds the pins dir of a handle that died: a publisher was
 * killed between publishing layers and naming them in an image, the one way
 * layers become garbage without a deletion (which collects on its own). */
bool berth_store_dead_pins(berth_store *s);

/* The sweep the first writer lock of a handle runs (gc.c): layerdb/tmp and
 * the atomic writes' temp files, and the whole collection only when a
 * publisher died (berth_store_dead_pins), so that an ordinary command does
 * not read every image's config.  Best effort: a failure leaves the garbage
 * for a later sweep and fails no command. */
void berth_store_sweep_locked(berth_store *s);

/* Adds the chain ids of image id's rootfs (bottom first) to out; an absent
 * image is ENOENT. */
int berth_store_image_chains(berth_store *s, const char *id, berth_strset *out, berth_error **err);

/* "sha256:<name>" for each 64-hex entry of image/overlay2/<dir>,
 * NULL-terminated. */
char **berth_store_list_digests(berth_store *s, const char *dir, berth_error **err);
