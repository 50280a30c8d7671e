/* Standard base64 with padding (RFC 4648 §4), as Go's encoding/json writes
 * []byte values in tar-split entries. */
#pragma once

#include <stddef.h>

#include "common/error.h"

/* Returns a NUL-terminated encoding of len bytes (caller frees). */
char *berth_base64_encode(const void *data, size_t len);

/* Decodes untrusted text of length len into a new buffer (*out, *out_len;
 * caller frees).  Refuses characters outside the alphabet and bad padding. */
int berth_base64_decode(const char *text, size_t len, unsigned char **out, size_t *out_len,
                        berth_error **err);
