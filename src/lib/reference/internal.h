/* Helpers shared by the files of src/lib/reference; not part of its API. */
#pragma once

#include <stdbool.h>

/* Go's strings.ToLower as far as it can matter to the ASCII grammar: ASCII
 * letters, and the two runes whose lower case is ASCII (U+0130 -> 'i',
 * U+212A KELVIN SIGN -> 'k'); other bytes are copied.  s is outside input. */
char *berth_reference_go_to_lower(const char *s);
/* Whether Go's strings.ToLower(s[0,n)) != s[0,n): an ASCII upper-case
 * letter, U+0130 or U+212A, or bytes that are not valid UTF-8 (which Go
 * rewrites to U+FFFD).  Other non-ASCII capitals are not recognized. */
bool berth_reference_go_lower_changes(const char *s, size_t n);

/* Name(): path, or domain "/" path when the domain is not empty. */
char *berth_reference_join_name(const char *domain, const char *path);
/* String(): name, then ":" tag and "@" digest when they are not NULL. */
char *berth_reference_join_string(const char *name, const char *tag, const char *digest);
