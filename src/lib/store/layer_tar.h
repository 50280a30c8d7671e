/* A stored layer's exact tar: rebuilt from its diff dir and tar-split and
 * checked against its diffID while it streams (save and push send it). */
#pragma once

#include "archive/stream.h"
#include "common/error.h"
#include "store/store.h"

/* Streams layer chain_id's tar to write; *written gets its length.  A tar
 * whose sha256 is not the diffID (the layer's files changed) is an error
 * after the last byte: the caller must not publish what it wrote. */
int berth_store_layer_tar_write(berth_store *s, const char *chain_id, berth_write_fn write,
                                void *ctx, long long *written, berth_error **err);
