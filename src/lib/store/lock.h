/* The store's writer lock: an exclusive flock on <root>/tmp/.lock, held only
 * while publishing or deleting, so that several berth processes can pull into
 * one store at once.  Readers never take it (every change a writer makes is a
 * rename, so a reader sees a thing whole or not at all) and never wait for
 * it; deletions under it only rename into a trash dir, emptied after the
 * release.  The first acquisition of a handle sweeps what dead writers left
 * (see berth_store_gc()).  Re-entrant within one berth_store (a recursive mutex
 * guards the flock), so store functions that take it internally can be called
 * by a caller that already holds it, from any thread. */
#pragma once

#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

typedef struct berth_store_lock berth_store_lock;

berth_store_lock *berth_store_lock_acquire(berth_store *s, berth_error **err);
void berth_store_lock_release(berth_store_lock *l);
void berth_store_lock_cleanup(berth_store_lock **l);
#define cleanup_store_lock __attribute__((cleanup(berth_store_lock_cleanup)))
