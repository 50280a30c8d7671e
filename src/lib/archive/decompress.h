/* Streaming decompression of a layer blob: gzip (isa-l, zlib as fallback),
 * zstd, or plain tar passed through, chosen from the first bytes. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "archive/stream.h"
#include "common/error.h"

typedef enum berth_compression {
  BERTH_COMPRESSION_NONE,
  BERTH_COMPRESSION_GZIP,
  BERTH_COMPRESSION_ZSTD,
} berth_compression;

typedef struct berth_decompress berth_decompress;

/* Wraps a source of compressed bytes; nothing is read until the first
 * berth_decompress_read. */
berth_decompress *berth_decompress_new(berth_read_fn read, void *ctx);
void berth_decompress_free(berth_decompress *d);
void berth_decompress_cleanup(berth_decompress **d);
#define cleanup_decompress __attribute__((cleanup(berth_decompress_cleanup)))

/* Fills buf with up to len uncompressed bytes: returns the count, 0 at the
 * clean end of the stream, -1 with *err set on a corrupt or truncated
 * stream.  The source is untrusted: every decoder error is reported. */
ssize_t berth_decompress_read(berth_decompress *d, void *buf, size_t len, berth_error **err);

/* The compression detected (valid after the first read). */
berth_compression berth_decompress_kind(const berth_decompress *d);
