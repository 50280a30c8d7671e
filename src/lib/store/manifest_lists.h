/* Local manifest lists (`manifest create` / `annotate` / `push` / `rm`), kept
 * in the store where Docker keeps them in ~/.docker/manifests/: one file per
 * list, manifests/<hex sha256 of the list's reference> under the root, a JSON
 * document the manifests/ part reads and writes (this part only keeps the
 * bytes).  A hash for the name because Docker's escaping (':' → '-', '/' →
 * '_') lets two references share a file, and a name such as "a.tmp-b" would
 * look like an atomic write's temp file to the sweep. */
#pragma once

#include <stddef.h>

#include "common/error.h"

typedef struct berth_store berth_store; /* store/store.h */

/* 1 with *data (NUL-terminated) and *len, 0 when no list is kept for ref. */
int berth_store_manifest_list_get(berth_store *s, const char *ref, char **data, size_t *len,
                                  berth_error **err);

/* Replaces the list kept for ref, atomically, under the writer lock. */
int berth_store_manifest_list_put(berth_store *s, const char *ref, const char *data, size_t len,
                                  berth_error **err);

/* 1 removed, 0 none was kept. */
int berth_store_manifest_list_remove(berth_store *s, const char *ref, berth_error **err);
