/* The parse tree as BuildKit's Node.Dump() prints it, for the parser test
 * corpus of moby/buildkit (its README gives the format): one
 * `(keyword ["--flag"] "arg"…)` line per instruction. */
#pragma once

#include <stddef.h>

#include "dockerfile/parser.h"

/* The whole dump, ending in one '\n'.  Never NULL. */
char *berth_dockerfile_dump(const berth_dockerfile *df);

/* The n bytes at s as Go's strconv.Quote writes them, quotes included:
 * `"` and `\` backslashed, printable characters kept, \n \t … for those, \xNN
 * for other control bytes and for bytes that are not UTF-8.  Never NULL. */
char *berth_dockerfile_quote(const char *s, size_t n);
