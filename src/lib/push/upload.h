/* A blob's upload while it is being made: the bytes come from a producer
 * (a layer tar through the compressor), are hashed and sent as they come,
 * and the digest is known only at the end.  A blob that ends within one
 * chunk goes as one monolithic PUT; a bigger one as POST, PATCH chunks
 * (Content-Range, each answer's Location followed) and a final PUT
 * ?digest=.  A failure in passing (a cut connection, 408, 429, 5xx) asks
 * the registry where the upload stands (GET of its Location: Range) and
 * goes on from there, with the bytes still in hand or by making the blob
 * again (the producer's output is the same every time) and skipping what
 * the registry holds; where the registry lost the upload, the blob starts
 * over.  Bounded tries with a growing wait; 401, 403, 404 and other
 * refusals end it at once. */
#pragma once

#include <stdint.h>

#include "archive/stream.h"
#include "common/digest.h"
#include "common/error.h"
#include "registry/client.h"

/* The chunk, and the largest blob sent in one PUT: see upload.c. */
#define PUSH_UPLOAD_CHUNK (4 * 1024 * 1024)
/* Tries of one blob in all, as pull tries a layer (Docker: 5). */
#define PUSH_UPLOAD_ATTEMPTS 5

/* Told of each second of the wait before another try (Docker's "Retrying
 * in N seconds"). */
typedef void (*push_retry_fn)(void *ctx, int seconds_left);

typedef struct push_upload_opts {
  const char *name; /* what errors name before the digest is known ("layer sha256:…") */
  push_retry_fn on_retry;
  void *retry_ctx;
  unsigned first_delay_ms; /* 0: 1000, doubled after each failure */
} push_upload_opts;

/* Runs the whole production once, writing every byte to sink(sink_ctx). */
typedef int (*push_produce_fn)(void *ctx, berth_write_fn sink, void *sink_ctx, berth_error **err);

/* Makes and uploads one blob to r's repository; digest and *len are the
 * blob's.  *existed: a small blob the repository already had (HEAD), not
 * sent again. */
int push_upload_stream(berth_registry *r, const push_upload_opts *o, push_produce_fn produce,
                       void *pctx, char digest[BERTH_DIGEST_LEN], int64_t *len, bool *existed,
                       berth_error **err);

/* A blob in memory whose digest is known (the config): one monolithic PUT,
 * tried as above. */
int push_upload_bytes(berth_registry *r, const push_upload_opts *o, const char *digest,
                      const void *data, int64_t len, berth_error **err);
