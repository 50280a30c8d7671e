/* A private scratch directory of one command, tmp/scratch-<random>/ in the
 * store: flock()ed by its creator while alive (as the layer stages are), so
 * the store's sweep removes it after a crash; removed when freed.  `build`
 * unpacks a context read from standard input here. */
#pragma once

#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

typedef struct berth_store_scratch berth_store_scratch;

berth_store_scratch *berth_store_scratch_new(berth_store *s, berth_error **err);
/* Its directory fd (owned by the scratch; holds the flock). */
int berth_store_scratch_fd(const berth_store_scratch *sc);
/* Its path (ROOT/tmp/scratch-…). */
const char *berth_store_scratch_path(const berth_store_scratch *sc);
/* Removes the directory and everything in it. */
void berth_store_scratch_free(berth_store_scratch *sc);
void berth_store_scratch_cleanup(berth_store_scratch **sc);
#define cleanup_scratch __attribute__((cleanup(berth_store_scratch_cleanup)))
