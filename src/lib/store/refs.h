/* repositories.json: {"Repositories":{"<repo>":{"<repo>:<tag>":"sha256:<id>",
 * "<repo>@sha256:<digest>":"sha256:<id>"}}}, read-modify-write under the
 * writer lock, written atomically (mode 0600, compact, sorted keys, as Docker
 * writes it). */
#pragma once

#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

typedef struct berth_ref {
  char *repository; /* familiar repository name */
  char *name;       /* "repo:tag" or "repo@sha256:…" */
  char *image_id;   /* "sha256:…" */
} berth_ref;

int berth_store_refs_list(berth_store *s, berth_ref **refs, size_t *n, berth_error **err);
void berth_refs_free(berth_ref *refs, size_t n);
/* Points name (which moves if it pointed elsewhere) at image_id. */
int berth_store_ref_set(berth_store *s, const char *repository, const char *name,
                        const char *image_id, berth_error **err);
/* 1 deleted, 0 absent. */
int berth_store_ref_delete(berth_store *s, const char *name, berth_error **err);
/* 1 found, 0 absent. */
int berth_store_ref_get(berth_store *s, const char *name, char id_out[BERTH_DIGEST_LEN],
                        berth_error **err);
