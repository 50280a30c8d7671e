/* The reference grammar of distribution/reference (regexp.go), walked by
 * hand instead of with regular expressions.  Internal to src/lib/reference.
 *
 * Every function takes a byte slice (s, n) that may hold anything (outside
 * input) and only reads inside it.  A match is always anchored at both ends,
 * like the anchored expressions upstream. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* domainAndPort: (domain-name | "[" ipv6 "]") [":" port]. */
bool berth_reference_match_domain(const char *s, size_t n);
/* remoteName: path-component ("/" path-component)*. */
bool berth_reference_match_path(const char *s, size_t n);
/* tag: [\w][\w.-]{0,127}. */
bool berth_reference_match_tag(const char *s, size_t n);
/* digestPat: algorithm ":" at least 32 hex digits. */
bool berth_reference_match_digest(const char *s, size_t n);
/* identifier: exactly 64 lowercase hex digits. */
bool berth_reference_match_identifier(const char *s, size_t n);

/* anchoredNameRegexp: [domain "/"] remoteName.  On a match *domain_len is the
 * length of the domain (0 when there is none; the path then starts at 0,
 * otherwise at domain_len + 1). */
bool berth_reference_match_name(const char *s, size_t n, size_t *domain_len);

/* Where the parts of a whole reference lie in the matched string. */
typedef struct berth_reference_match {
  size_t name_len; /* the name is s[0, name_len) */
  size_t tag_off;  /* tag_len 0: no tag */
  size_t tag_len;
  size_t digest_off; /* digest_len 0: no digest */
  size_t digest_len;
} berth_reference_match;

/* referenceRegexp: name [":" tag] ["@" digest]. */
bool berth_reference_match_reference(const char *s, size_t n, berth_reference_match *m);
