/* `push`: an image of the store to a registry over the OCI Distribution API
 * (Docker schema2 manifest, gzip layers), as `docker push` does. */
#pragma once

#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
#include "reference/reference.h"
#include "registry/options.h"
#include "store/store.h"

typedef enum berth_push_event_kind {
  BERTH_PUSH_PREPARING,
  BERTH_PUSH_PUSHED,
  BERTH_PUSH_EXISTS,
  BERTH_PUSH_MOUNTED,
} berth_push_event_kind;

/* id: the 12 hex of the layer's diffID, as Docker names it; from: the
 * repository a layer was mounted from (BERTH_PUSH_MOUNTED), else NULL. */
typedef void (*berth_push_event_fn)(void *ctx, berth_push_event_kind kind, const char *id,
                                    const char *from);

typedef struct berth_push_options {
  const berth_registry_options *registry; /* "pull,push" is asked for whatever its actions */
  berth_push_event_fn on_event;           /* may be NULL */
  void *event_ctx;
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
 * those manifest bytes (its digest kept).  Otherwise each layer's tar is
 * rebuilt from the store, checked against its diffID and gzipped once into
 * a scratch file (which gives its digest and length); a blob the repository
 * has (HEAD) is not sent again; the config follows, the manifest last. */
int berth_push(berth_store *s, const berth_reference *ref, const char *image_id,
               const berth_push_options *opts, berth_push_result *out, berth_error **err);
