/* Docker's FamiliarMatch, which filters references with Go's path.Match:
 * '*' is any run of non-'/' bytes, '?' one non-'/' character, "[...]" a
 * character class ("[^...]" negated, "a-z" ranges), '\\' quotes.  A
 * malformed pattern is an error even when the name already failed to match. */
#include <string.h>

#include "common/cleanup.h"
#include "reference/internal.h"
#include "reference/reference.h"

#define RUNE_ERROR 0xfffd

typedef struct slice {
  const char *p;
  size_t n;
} slice;

static void
advance(slice *s, size_t k)
{
  s->p += k;
  s->n -= k;
}

/* Decodes one rune as Go does: bad UTF-8 is RUNE_ERROR of width 1. */
static unsigned int
decode_rune(slice s, size_t *width)
{
  const unsigned char *u = (const unsigned char *)s.p;
  unsigned int cp;
  size_t len;
  if (u[0] < 0x80) {
    *width = 1;
    return u[0];
  }
  if (u[0] >= 0xc2 && u[0] <= 0xdf)
    len = 2, cp = u[0] & 0x1f;
  else if (u[0] >= 0xe0 && u[0] <= 0xef)
    len = 3, cp = u[0] & 0x0f;
  else if (u[0] >= 0xf0 && u[0] <= 0xf4)
    len = 4, cp = u[0] & 0x07;
  else
    len = 0, cp = 0;
  bool ok = len > 0 && len <= s.n;
  for (size_t i = 1; ok && i < len; i++) {
    ok = (u[i] & 0xc0) == 0x80;
    cp = (cp << 6) | (u[i] & 0x3f);
  }
  static const unsigned int min[] = { 0, 0, 0x80, 0x800, 0x10000 };
  if (!ok || cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    *width = 1;
    return RUNE_ERROR;
  }
  *width = len;
  return cp;
}

/* One end of a class range, possibly '\\'-quoted.  -1: bad pattern. */
static int
class_char(slice *chunk, unsigned int *r)
{
  if (chunk->n == 0 || chunk->p[0] == '-' || chunk->p[0] == ']')
    return -1;
  if (chunk->p[0] == '\\') {
    advance(chunk, 1);
    if (chunk->n == 0)
      return -1;
  }
  size_t w;
  *r = decode_rune(*chunk, &w);
  if (*r == RUNE_ERROR && w == 1)
    return -1;
  advance(chunk, w);
  return chunk->n == 0 ? -1 : 0; /* a class must still be closed */
}

/* Reads "[...]" (after the '[') and says whether rune r is in it. */
static int
match_class(slice *chunk, unsigned int r, bool *in)
{
  bool negated = chunk->n > 0 && chunk->p[0] == '^';
  if (negated)
    advance(chunk, 1);
  bool hit = false;
  for (int ranges = 0;; ranges++) {
    if (chunk->n > 0 && chunk->p[0] == ']' && ranges > 0) {
      advance(chunk, 1);
      break;
    }
    unsigned int lo, hi;
    if (class_char(chunk, &lo) < 0)
      return -1;
    hi = lo;
    if (chunk->p[0] == '-') {
      advance(chunk, 1);
      if (class_char(chunk, &hi) < 0)
        return -1;
    }
    if (lo <= r && r <= hi)
      hit = true;
  }
  *in = hit != negated;
  return 0;
}

/* Matches a star-free chunk at the start of s.  Keeps reading the chunk
 * after a failure so that a bad pattern is always reported.  Returns -1 on a
 * bad pattern, else 0 with *ok and (on success) *s moved past the match. */
static int
match_chunk(slice chunk, slice *s, bool *ok)
{
  slice t = *s;
  bool failed = false;
  while (chunk.n > 0) {
    if (t.n == 0)
      failed = true;
    char c = chunk.p[0];
    advance(&chunk, 1);
    if (c == '[') {
      size_t w = 0;
      unsigned int r = failed ? 0 : decode_rune(t, &w);
      bool in;
      if (match_class(&chunk, r, &in) < 0)
        return -1;
      if (!in)
        failed = true;
      if (!failed)
        advance(&t, w);
    } else if (c == '?') {
      if (!failed) {
        size_t w;
        decode_rune(t, &w);
        failed = t.p[0] == '/';
        advance(&t, w);
      }
    } else {
      if (c == '\\') {
        if (chunk.n == 0)
          return -1;
        c = chunk.p[0];
        advance(&chunk, 1);
      }
      if (!failed) {
        failed = t.p[0] != c;
        advance(&t, 1);
      }
    }
  }
  *ok = !failed;
  if (!failed)
    *s = t;
  return 0;
}

/* Splits off leading stars and the chunk up to the next star outside a
 * class. */
static slice
next_chunk(slice *pattern, bool *star)
{
  *star = false;
  while (pattern->n > 0 && pattern->p[0] == '*') {
    advance(pattern, 1);
    *star = true;
  }
  bool in_class = false;
  size_t i = 0;
  for (; i < pattern->n; i++) {
    char c = pattern->p[i];
    if (c == '\\' && i + 1 < pattern->n)
      i++;
    else if (c == '[')
      in_class = true;
    else if (c == ']')
      in_class = false;
    else if (c == '*' && !in_class)
      break;
  }
  slice chunk = { pattern->p, i };
  advance(pattern, i);
  return chunk;
}

/* After a mismatch: 0 if the rest of the pattern is well formed, else -1. */
static int
check_rest(slice pattern)
{
  while (pattern.n > 0) {
    bool star, ok;
    slice chunk = next_chunk(&pattern, &star);
    slice empty = { "", 0 };
    if (match_chunk(chunk, &empty, &ok) < 0)
      return -1;
  }
  return 0;
}

/* Tries chunk at name and, after a star, at each later point before a '/'.
 * last: the chunk must consume the whole name. */
static int
match_here_or_later(slice chunk, slice *name, bool star, bool last, bool *ok)
{
  for (size_t skip = 0; skip <= name->n; skip++) {
    if (skip > 0 && (!star || name->p[skip - 1] == '/'))
      break;
    slice t = { name->p + skip, name->n - skip };
    if (match_chunk(chunk, &t, ok) < 0)
      return -1;
    if (*ok && (t.n == 0 || !last)) {
      *name = t;
      return 0;
    }
  }
  *ok = false;
  return 0;
}

/* Go's path.Match: 1 match, 0 no match, -1 bad pattern. */
static int
path_match(const char *pattern_str, const char *name_str)
{
  slice pattern = { pattern_str, strlen(pattern_str) };
  slice name = { name_str, strlen(name_str) };
  while (pattern.n > 0) {
    bool star, ok;
    slice chunk = next_chunk(&pattern, &star);
    if (star && chunk.n == 0)
      return memchr(name.p, '/', name.n) == NULL;
    if (match_here_or_later(chunk, &name, star, pattern.n == 0, &ok) < 0)
      return -1;
    if (!ok)
      return check_rest(pattern) < 0 ? -1 : 0;
  }
  return name.n == 0;
}

/* pattern is outside input (a --filter value). */
int
berth_reference_familiar_match(const char *pattern, const berth_reference *ref, berth_error **err)
{
  cleanup_free char *str = berth_reference_familiar_string(ref);
  int m = path_match(pattern, str);
  if (m == 0 && !berth_reference_is_digest_only(ref)) {
    cleanup_free char *name = berth_reference_familiar_name(ref);
    m = path_match(pattern, name) == 1 ? 1 : 0;
  }
  if (m < 0)
    return berth_error_set(err, 0, "syntax error in pattern");
  return m;
}
