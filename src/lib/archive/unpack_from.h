/* Unpacking a layer tar this process produces itself (a packed upperdir for
 * commit, a rebuilt layer for a blob a manifest lists twice): the producer
 * runs in a thread and writes into one end of a socket pair while
 * berth_layer_unpack reads the other end, so the tar is never staged whole
 * and the tar-split and diffID come from the same pass. */
#pragma once

#include "archive/stream.h"
#include "archive/unpack.h"
#include "common/error.h"

/* Writes a whole layer tar through write(wctx, …); 0, or -1 with *err. */
typedef int (*berth_tar_producer)(void *ctx, berth_write_fn write, void *wctx, berth_error **err);

/* Runs produce(ctx) in a thread and unpacks what it writes into diff_dirfd
 * and tarsplit_fd (see berth_layer_unpack).  The producer's error, when it
 * failed, is the one reported: it explains the unpacker's. */
int berth_layer_unpack_from(berth_tar_producer produce, void *ctx, int diff_dirfd, int tarsplit_fd,
                            berth_unpack_result *out, berth_error **err);
