/* An OCI content descriptor: what a manifest says about a blob it points at. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

typedef struct berth_descriptor {
  char *media_type;
  char *digest; /* "sha256:<hex>", validated */
  int64_t size; /* >= 0 */
  /* platform, index entries only (NULL when absent); as the document wrote
   * them, not normalized */
  char *os, *architecture, *variant;
} berth_descriptor;

/* Fills d from an untrusted descriptor object: mediaType (string), digest
 * (checked with berth_digest_check), size (integer >= 0) are required; with
 * want_platform, an optional "platform" object whose os and architecture are
 * then required.  On failure d is left empty. */
int berth_descriptor_parse(json_t *obj, bool want_platform, berth_descriptor *d, berth_error **err);

/* Frees what d holds and zeroes it (d itself is not freed). */
void berth_descriptor_clear(berth_descriptor *d);
