/* The store's garbage collection: a mark and sweep over layers.
 *
 * Roots: every image in the imagedb (the chain ids of its rootfs), every
 * container (layerdb/mounts/<id>/: the chain of its parent layer, and its own
 * <mount-id> and <mount-id>-init dirs), every live image mount
 * (tmp/image-mounts/, see store/mount_record.h) and every layer a live store
 * handle has just published and not yet named by an image (its pins).  Each
 * root chain keeps its ancestors (layerdb parent links).  Everything else in
 * layerdb/sha256/ and overlay2/ is garbage, as are dangling overlay2/l/ links,
 * layerdb/tmp/ leftovers, stale image mount records and the temp files of
 * interrupted atomic writes under imagedb/, distribution/ and builder/.
 *
 * What a failed or killed publish leaves behind (pull.h promises a failed pull
 * leaves the store as it was) is collected: by the operation itself when it
 * fails, by rmi, and, when the publisher was killed (its pins dir is left
 * with nobody holding it), by the first writer of the next berth process.
 * The future `image prune` / `system prune` commands call berth_store_gc(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

typedef struct berth_gc_stats {
  size_t layers;        /* layerdb entries removed */
  size_t dirs;          /* overlay2 dirs removed (a removed layer's included) */
  size_t links;         /* dangling l/ links removed */
  size_t mount_records; /* stale image mount records removed */
  size_t temp_files;    /* *.tmp-* files of interrupted atomic writes */
} berth_gc_stats;

/* Collects under the writer lock (re-entrant): what it removes is moved out
 * of sight at once and deleted from disk after the outermost lock is
 * released.  stats may be NULL.  On an error (an image config that cannot be
 * read, say) nothing more is removed: when in doubt, keep. */
int berth_store_gc(berth_store *s, berth_gc_stats *stats, berth_error **err);

/* What a collection would remove now (layerdb entries and overlay2 dirs,
 * as paths under the root: "image/overlay2/layerdb/sha256/<hex>",
 * "overlay2/<dir>"), added to garbage; nothing is removed.  Under the
 * writer lock, for `system df`. */
typedef struct berth_strset berth_strset;
int berth_store_gc_scan(berth_store *s, berth_strset *garbage, berth_error **err);

/* Drops the pins of every layer this handle published (berth_layer_stage_
 * publish pins them): call once the image that names them is stored, or
 * when the operation failed, before collecting.  A handle runs one
 * publishing operation at a time.  True when something was pinned. */
bool berth_store_pins_release(berth_store *s);

/* The end of an operation that published layers (pull, commit, import):
 * drops the pins and, when it failed (failed true) after publishing some,
 * collects what it left.  The collection's own failure is ignored: the
 * operation's error is the one to report, and the next writer sweeps. */
void berth_store_publish_done(berth_store *s, bool failed);
