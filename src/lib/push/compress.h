/* The compressor of push: a layer tar streamed into gzip (isa-l) or zstd,
 * the compressed bytes handed on to a sink as they come.  The output is a
 * function of the input bytes alone (fixed settings, input cut into fixed
 * blocks whatever the caller's writes), so a blob can be made again byte for
 * byte when a registry needs part of it once more. */
#pragma once

#include <stddef.h>

#include "archive/stream.h"
#include "common/error.h"

typedef enum berth_push_compression {
  BERTH_PUSH_GZIP, /* the default, as Docker */
  BERTH_PUSH_ZSTD, /* OCI manifests only */
} berth_push_compression;

typedef struct push_compressor push_compressor;

/* out receives the compressed bytes (its err ends the stream). */
push_compressor *push_compressor_new(berth_push_compression c, berth_write_fn out, void *out_ctx,
                                     berth_error **err);
/* The same at another level than push's (-1: push's): for measurements. */
push_compressor *push_compressor_new_level(berth_push_compression c, int level, berth_write_fn out,
                                           void *out_ctx, berth_error **err);
void push_compressor_free(push_compressor *pc);
void push_compressor_cleanup(push_compressor **pc);
#define cleanup_compressor __attribute__((cleanup(push_compressor_cleanup)))

/* A berth_write_fn: ctx is the push_compressor. */
int push_compressor_write(void *ctx, const void *buf, size_t len, berth_error **err);
/* Ends the stream: the last bytes and the trailer go to out. */
int push_compressor_finish(push_compressor *pc, berth_error **err);
