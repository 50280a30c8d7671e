/* UTF-8 as JSON needs it.  Every string berth writes into a JSON document
 * (container records, image configs, OCI specs) must be valid UTF-8: jansson
 * refuses anything else (json_string() returns NULL), and a NULL handed to
 * json_object_set_new() or json_array_append_new() silently drops the value.
 * Outside input goes through berth_utf8_check() or berth_json_string_checked()
 * so a bad byte is refused with an error, never dropped. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* True when the n bytes at s are well-formed UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), as jansson checks. */
bool berth_utf8_valid(const char *s, size_t n);

/* True when every byte of the string s is ASCII (below 0x80): what a tar
 * header's ustar fields may hold as they are. */
bool berth_ascii(const char *s);

/* U+FFFD, what an ill-formed byte decodes to. */
#define BERTH_RUNE_ERROR 0xFFFDu

/* One character of s[0..n) (n > 0) as Go's utf8.DecodeRune reads it: the
 * width of a well-formed sequence with *r its code point, or 1 with *r
 * BERTH_RUNE_ERROR for a byte that starts none (overlong, surrogate, above
 * U+10FFFF, truncated). */
size_t berth_utf8_decode(const char *s, size_t n, uint32_t *r);

/* r as UTF-8 into out (U+FFFD for a surrogate or beyond U+10FFFF); returns
 * the length, 1 to 4. */
size_t berth_utf8_encode(uint32_t r, char out[4]);

/* s for an error message: printable ASCII and valid multibyte sequences as
 * they are, `"` and `\` backslashed, every other byte as \xHH (Go's %q
 * style, without the quotes).  Never NULL. */
char *berth_bytes_escape(const char *s);

/* 0 when s is NULL or valid UTF-8; otherwise -1 with the error
 * `invalid argument "a\xffb" for WHAT: not valid UTF-8`. */
int berth_utf8_check(const char *s, const char *what, berth_error **err);

/* json_string(s), refused (NULL, err set as berth_utf8_check does) instead
 * of dropped when s is not UTF-8.  s must not be NULL. */
json_t *berth_json_string_checked(const char *s, const char *what, berth_error **err);

/* The strings of the NULL-terminated v (NULL: none) as a JSON array, each
 * through berth_json_string_checked. */
json_t *berth_json_strv_checked(char *const *v, const char *what, berth_error **err);

/* The n bytes at s with every byte that is not part of a well-formed
 * sequence replaced by U+FFFD, as Go's encoding/json (and so Docker's
 * json-file log) writes them: for data that must be kept, not refused (a
 * container's output).  NUL-terminated; *out_len gets its length. */
char *berth_utf8_sanitize(const char *s, size_t n, size_t *out_len);
