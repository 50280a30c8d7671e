/* The two parsers of a tar-split line, apart for the unit tests: the reader
 * tries the fast one and falls back to the JSON one. */
#pragma once

#include <stddef.h>

#include "archive/tarsplit.h"
#include "common/error.h"

/* The canonical lines (Go's and berth's writers): 1 with *e filled, 0 for
 * anything else (*e left cleared).  Untrusted input. */
int berth_tarsplit_parse_fast(const char *line, size_t len, berth_tarsplit_entry *e);

/* Any JSON line, every field type-checked: 0, or -1 with *err set.
 * Untrusted input. */
int berth_tarsplit_parse_json(const char *line, size_t len, berth_tarsplit_entry *e,
                              berth_error **err);
