/* imagedb: content/sha256/<id-hex> holds the config bytes (the id is their
 * sha256), metadata/sha256/<id-hex>/{parent,lastUpdated}. */
#pragma once

#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
typedef struct berth_store berth_store; /* store/store.h */

/* Stores config bytes; id_out gets "sha256:<hex>" of them.  parent_id may be
 * NULL; when given it is recorded in metadata/…/parent.  Idempotent. */
int berth_store_image_put(berth_store *s, const char *config, size_t len, const char *parent_id,
                          char id_out[BERTH_DIGEST_LEN], berth_error **err);
/* 1 found (config and len set; the bytes are checked against id), 0 absent. */
int berth_store_image_get(berth_store *s, const char *id, char **config, size_t *len,
                          berth_error **err);
/* Marks the image as named just now (imagedb/metadata/…/lastUpdated). */
int berth_store_image_touch(berth_store *s, const char *id, berth_error **err);
/* That time (RFC 3339), or NULL when it was never named by tag or commit. */
char *berth_store_image_last_updated(berth_store *s, const char *id);
/* The recorded parent image id, NULL when none. */
char *berth_store_image_parent(berth_store *s, const char *id);
/* Image ids ("sha256:…"), NULL-terminated. */
char **berth_store_image_list(berth_store *s, berth_error **err);
/* Deletes the config and metadata, then collects (berth_store_gc()) every
 * layer of it that nothing else holds.  Takes the writer lock (re-entrant).
 * Refuses while a repositories.json ref still points at the image; a
 * mounted image is for the caller to refuse (images/rmi.c). */
int berth_store_image_delete(berth_store *s, const char *id, berth_error **err);
