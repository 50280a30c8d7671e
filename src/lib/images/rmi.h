/* `rmi`: Docker's image removal semantics. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "store/store.h"

typedef struct berth_rmi_options {
  bool force;    /* -f: remove an image several repositories name, by id */
  bool no_prune; /* --no-prune: keep untagged parents */
} berth_rmi_options;

/* Removes name (an id, id prefix or reference) as `docker rmi` does, under
 * the store lock.  *records gets the lines Docker prints ("Untagged: …",
 * "Deleted: sha256:…"), NULL-terminated, even when it fails partway. */
int berth_image_remove(berth_store *s, const char *name, const berth_rmi_options *opts,
                       char ***records, berth_error **err);
