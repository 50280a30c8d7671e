/* COPY/ADD source patterns as Docker's classic builder matches them: Go's
 * filepath.Match (on Linux: `/` separates, `\` escapes) applied to each path
 * of the context relative to its root, so `*`, `?` and `[...]` never cross a
 * `/` and every component is matched in place. */
#pragma once

#include <stdbool.h>

/* Docker's containsWildcards: a `*`, `?` or `[` not escaped by `\`. */
bool berth_glob_has_wildcards(const char *pattern);

/* filepath.Match(pattern, name) (both untrusted: any bytes).  A malformed
 * pattern (an unclosed `[`, a trailing `\`, an empty or reversed class
 * bound...) sets *bad (may be NULL) and matches nothing, as the builder's
 * `match, _ := Match(...)` ignores the error. */
bool berth_glob_match(const char *pattern, const char *name, bool *bad);
