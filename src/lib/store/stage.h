/* A layer being made, invisible until published: tmp/stage-<random>/ holding
 * layer/diff/ (the caller unpacks into it) and tar-split.json.gz; flock()ed
 * by its creator while alive, so berth_store_open() can sweep dead ones. */
#pragma once

#include "common/error.h"
#include "store/layer.h"
#include "store/rwlayer.h"
typedef struct berth_store berth_store; /* store/store.h */

typedef struct berth_layer_stage berth_layer_stage;

berth_layer_stage *berth_layer_stage_new(berth_store *s, berth_error **err);
/* Directory fd of the stage's diff/ (owned by the stage). */
int berth_layer_stage_diff_fd(berth_layer_stage *st);
/* Write fd of the stage's tar-split.json.gz (owned by the stage). */
int berth_layer_stage_tarsplit_fd(berth_layer_stage *st);

/* The stage's tar-split opened again, for reading what the unpack wrote. */
int berth_layer_stage_tarsplit_reopen(berth_layer_stage *st, berth_error **err);

/* Moves the container's upperdir (overlay2/<mount-id>/diff of rw) into the
 * stage as its diff, in place of the empty one (a rename: no file is
 * copied), and leaves an empty diff behind, so that the container stays
 * whole (with no changes) until it is removed.  1 when moved, 0 when it
 * cannot be (another filesystem: nothing changed, unpack into the stage
 * instead), -1 on error.  The caller has made the upper the layer's
 * directory (archive/layer_dir.h) and the container neither runs nor is
 * mounted.  Killed after the move, the stage is swept as any other. */
int berth_layer_stage_take_upper(berth_layer_stage *st, const berth_rwlayer *rw, berth_error **err);
/* Puts a taken upper back in the container (a commit that failed after
 * the move), unless the stage was published.  Best effort. */
void berth_layer_stage_give_back_upper(berth_layer_stage *st, const berth_rwlayer *rw);

/* Publishes under the writer lock.  If chain(parent, diff_id) already exists
 * the stage is discarded and out describes the existing layer (two pulls of
 * one layer race harmlessly).  Otherwise: syncfs once, the stage's layer dir
 * (diff, link, lower, work, committed) is renamed to overlay2/<cache-id>, the
 * l/ link made, and last the layerdb entry (built in the stage) is renamed to
 * layerdb/sha256/<chain-hex> — that rename makes the layer visible.  The
 * parent must exist.  parent_chain_id NULL or "" for the bottom layer.
 * The layer stays pinned by this store handle (no collection removes it)
 * until berth_store_pins_release(): publish the image that uses it first. */
int berth_layer_stage_publish(berth_store *s, berth_layer_stage *st, const char *parent_chain_id,
                              const char *diff_id, long long size, berth_layer *out,
                              berth_error **err);
/* Removes the stage unless it was published. */
void berth_layer_stage_free(berth_layer_stage *st);
void berth_layer_stage_cleanup(berth_layer_stage **st);
#define cleanup_layer_stage __attribute__((cleanup(berth_layer_stage_cleanup)))
