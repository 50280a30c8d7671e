/* `image inspect`: Docker 20.10's JSON for one image. */
#pragma once

#include <jansson.h>

#include "common/error.h"
#include "store/store.h"

/* The inspect object of image id (a resolved "sha256:…"), keys in Docker's
 * order, GraphDriver pointing at the store's overlay2 directories. */
json_t *berth_image_inspect(berth_store *s, const char *id, berth_error **err);

/* Dumps values (an array) as Docker prints them: 4-space indent, key order
 * kept, '<', '>' and '&' escaped as Go's encoder does.  Ends with "\n". */
char *berth_inspect_dump(const json_t *values);
