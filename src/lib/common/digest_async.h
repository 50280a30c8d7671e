/* A SHA-256 computed on a thread of its own while the caller goes on: the
 * bytes are copied into a bounded ring (1 MiB) that the thread hashes.  On
 * two cores, a stream that is read, hashed and written (save's and push's
 * layer tars) no longer waits for the hash.  Where no thread can be started,
 * the caller's thread hashes, with the same result. */
#pragma once

#include <stddef.h>

#include "common/digest.h"

typedef struct berth_sha256_async berth_sha256_async;

berth_sha256_async *berth_sha256_async_new(void);
/* Copies data into the ring (waiting for room while the thread catches up). */
void berth_sha256_async_update(berth_sha256_async *h, const void *data, size_t len);
/* Waits for the thread and writes "sha256:<hex>" into out; once. */
void berth_sha256_async_final(berth_sha256_async *h, char out[BERTH_DIGEST_LEN]);
/* Stops the thread if still running (the digest is dropped) and frees h. */
void berth_sha256_async_free(berth_sha256_async *h);
void berth_sha256_async_cleanup(berth_sha256_async **h);
#define cleanup_sha256_async __attribute__((cleanup(berth_sha256_async_cleanup)))
