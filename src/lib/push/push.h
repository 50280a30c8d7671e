/* `push`: an image of the store to a registry over the OCI Distribution API
 * (Docker schema2 manifest and gzip layers by default, or OCI with gzip or
 * zstd layers), as `docker push` does. */
#pragma once

#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
#include "push/compress.h"
#include "reference/reference.h"
#include "registry/options.h"
#include "store/store.h"

typedef enum berth_push_event_kind {
  BERTH_PUSH_PREPARING,
  BERTH_PUSH_PUSHED,
  BERTH_PUSH_EXISTS,
  BERTH_PUSH_MOUNTED,
  BERTH_PUSH_WAITING,  /* more layers than uploads at once: this one waits its turn */
  BERTH_PUSH_RETRYING, /* detail: Docker's words, "Retrying in N seconds" */
} berth_push_event_kind;

/* id: the 12 hex of the layer's diffID, as Docker names it; detail: the
 * repository a layer was mounted from (BERTH_PUSH_MOUNTED), the words of a
 * wait (BERTH_PUSH_RETRYING), else NULL.  Called from the push's threads,
 * one call at a time. */
typedef void (*berth_push_event_fn)(void *ctx, berth_push_event_kind kind, const char *id,
                                    const char *detail);
/* A layer being made and sent ("Pushing"): current bytes of its tar read
 * of total (its size in the store), as Docker counts them. */
typedef void (*berth_push_progress_fn)(void *ctx, const char *id, long long current,
                                       long long total);

typedef enum berth_push_format {
  BERTH_PUSH_FORMAT_DEFAULT, /* a pulled image's kept manifest, else Docker schema2 */
  BERTH_PUSH_FORMAT_DOCKER,  /* Docker schema2 (gzip layers only) */
  BERTH_PUSH_FORMAT_OCI,     /* OCI image manifest */
} berth_push_format;

typedef struct berth_push_options {
  const berth_registry_options *registry; /* "pull,push" is asked for whatever its actions */
  berth_push_event_fn on_event;           /* may be NULL */
  berth_push_progress_fn on_progress;     /* may be NULL */
  void *event_ctx;                        /* for both */
  berth_push_format format;
  berth_push_compression compression; /* BERTH_PUSH_ZSTD needs BERTH_PUSH_FORMAT_OCI */
  unsigned retry_delay_ms;            /* the first wait before another try (0: 1 s) */
} berth_push_options;

typedef struct berth_push_result {
  char digest[BERTH_DIGEST_LEN]; /* the manifest's */
  size_t size;                   /* the manifest's length */
  /* A pulled image whose blobs neither the target, nor a mount, nor the
   * registries it came from could give: the kept manifest's digest, which
   * the push could not keep; else "". */
  char replaced[BERTH_DIGEST_LEN];
} berth_push_result;

/* Pushes image_id (found by the caller) as ref (a tagged name with a
 * registry host; a digest reference is refused).  A pulled image whose
 * kept manifest's blobs the repository has, or can mount from the
 * repositories they were pulled from on the same registry, is pushed with
 * those manifest bytes (its digest kept).  Otherwise each layer whose blob
 * the store recorded (an earlier push, a pull) is looked for there (HEAD)
 * or mounted; the others are made from the store (the exact tar, checked
 * against its diffID) and compressed while they upload, several at once;
 * the config follows, the manifest last. */
int berth_push(berth_store *s, const berth_reference *ref, const char *image_id,
               const berth_push_options *opts, berth_push_result *out, berth_error **err);
