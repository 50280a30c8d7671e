/* SHA-256 digests as the OCI specs write them: "sha256:<64 lowercase hex>". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define BERTH_SHA256_HEX_LEN 64
/* "sha256:" + 64 hex + NUL */
#define BERTH_DIGEST_LEN (7 + BERTH_SHA256_HEX_LEN + 1)

typedef struct berth_sha256 berth_sha256;

berth_sha256 *berth_sha256_new(void);
void berth_sha256_update(berth_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" into out (BERTH_DIGEST_LEN bytes).  The hasher can be
 * finished once; free it afterwards. */
void berth_sha256_final(berth_sha256 *h, char out[BERTH_DIGEST_LEN]);
void berth_sha256_free(berth_sha256 *h);
void berth_sha256_cleanup(berth_sha256 **h);
#define cleanup_sha256 __attribute__((cleanup(berth_sha256_cleanup)))

/* One-shot digest of a buffer. */
void berth_sha256_digest(const void *data, size_t len, char out[BERTH_DIGEST_LEN]);

/* True when s is "sha256:" followed by exactly 64 lowercase hex digits. */
bool berth_digest_is_valid(const char *s);

/* The hex part of a valid digest ("sha256:abc…" → "abc…"). */
const char *berth_digest_hex(const char *digest);

/* Validates an untrusted digest string; the error names what was wrong. */
int berth_digest_check(const char *s, berth_error **err);
