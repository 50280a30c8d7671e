/* What a ustar header can say, by the rules of Go's archive/tar writer (the
 * tars Docker writes): archive/pack.c writes layer tars by them and
 * context/tar_size.c counts the bytes of Docker's context tar by them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Whether name fits a ustar header: ASCII, and 100 bytes or split at a `/`
 * into a prefix of at most 155 and a name of 1 to 100 (Go's
 * splitUSTARPath: a directory's trailing `/` is never the split).
 * *prefix_len gets the prefix's length (0: no split).  False: a PAX
 * "path" record carries it. */
bool berth_ustar_split(const char *name, size_t *prefix_len);

/* The length of the PAX record "<len> key=value\n", len counting itself. */
size_t berth_pax_record_len(const char *key, size_t value_len);
