/* The OCI Distribution v2 client: manifests and blobs of one repository on
 * one registry, with Docker's auth (Bearer tokens, Basic), TLS and insecure
 * registry rules.  One berth_registry may be used from several threads at
 * once (each call takes its own pooled curl handle; auth state is locked). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/digest.h"
#include "common/error.h"
#include "registry/http.h"
#include "registry/options.h"

typedef struct berth_registry berth_registry;

/* domain: "docker.io" (→ registry-1.docker.io, creds key
   "https://index.docker.io/v1/"), "127.0.0.1:5000", … ; repository:
   "library/nginx".  Does no I/O yet. */
berth_registry *berth_registry_new(const char *domain, const char *repository,
                                   const berth_registry_options *opts, berth_error **err);
void berth_registry_free(berth_registry *r);

/* Told of each second of the wait before another try of a request that
 * failed in passing (what: the tag or digest asked for); returning false
 * gives up at once. */
typedef bool (*berth_registry_retry_fn)(void *ctx, const char *what, int seconds_left);

/* A GET that fails in passing (a reset or cut-short connection, a timeout,
 * 408, 429, 500, 502, 503, 504) is tried up to 5 times in all, as Docker
 * tries a layer, waiting first_delay_ms (default 1000) and twice as long
 * each time after; a blob goes on from the byte it had reached.  notify
 * (may be NULL) is told while it waits. */
void berth_registry_set_retry(berth_registry *r, berth_registry_retry_fn notify, void *ctx,
                              unsigned first_delay_ms);

typedef struct berth_fetched_manifest {
  char *data;
  size_t len;                    /* bytes exactly as received */
  char *content_type;            /* Content-Type header ("" when absent) */
  char digest[BERTH_DIGEST_LEN]; /* sha256 of data (verified against the request when by digest,
                                    and against Docker-Content-Digest when the server sends it) */
} berth_fetched_manifest;
void berth_fetched_manifest_clear(berth_fetched_manifest *m);

/* The Accept header sent for manifests: OCI index and manifest, Docker list
 * and schema2, and schema1 (so that callers can refuse it by name). */
extern const char berth_registry_manifest_accept[];

/* GET /v2/<repo>/manifests/<ref>.  Caps the body at 4 MiB.  Errors: ENOENT
 * (404, "manifest unknown: manifest unknown"), EACCES (401/403), EPROTO
 * (digest mismatch, over-long body), transport errnos. */
int berth_registry_get_manifest(berth_registry *r, const char *tag_or_digest,
                                berth_fetched_manifest *out, berth_error **err);

/* Streams a blob to sink as it arrives (no buffering of the whole blob),
   hashing it on the way; at the end checks the byte count against size (if
   >= 0) and the digest.  A mismatch or a truncated body is an error naming
   the blob ("blob sha256:…: digest mismatch: got …") returned AFTER sink has
   seen the bytes — the caller must not publish anything until this returns
   0.  Follows redirects.  sink returning -1 aborts. */
typedef int (*berth_blob_sink)(void *ctx, const void *data, size_t len, berth_error **err);
int berth_registry_get_blob(berth_registry *r, const char *digest, int64_t size,
                            berth_blob_sink sink, void *ctx, berth_error **err);

/* One request of push (method, headers and body set in hr) on path_or_url:
 * a path below the registry's base URL ("/v2/…"), or an absolute URL the
 * registry itself gave in a Location header.  Authenticated (once more with
 * fresh credentials on a 401, a body read from a file rewound), not retried
 * otherwise.  Returns 0 once any HTTP status arrived (the caller judges it
 * and clears resp), -1 on a transport error. */
int berth_registry_send(berth_registry *r, const char *path_or_url, berth_http_request *hr,
                        berth_http_response *resp, berth_error **err);
/* The repository r was made for ("x/y"). */
const char *berth_registry_repository(const berth_registry *r);

/* Checks credentials against the registry (ping + auth). */
int berth_registry_login(const char *domain, const char *user, const char *password,
                         const berth_registry_options *opts, berth_error **err);
