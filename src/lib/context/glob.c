/* A transcription of Go's path/filepath Match (go1.16 and later, which
 * validate the whole pattern), kept step for step so that the same pattern
 * means the same thing here as in Docker's builder. */
#include "context/glob.h"

#include <stdint.h>
#include <string.h>

#include "common/utf8.h"

bool
berth_glob_has_wildcards(const char *p)
{
  for (size_t i = 0; p[i] != '\0'; i++) {
    if (p[i] == '\\') {
      if (p[i + 1] == '\0')
        break;
      i++;
    } else if (p[i] == '*' || p[i] == '?' || p[i] == '[') {
      return true;
    }
  }
  return false;
}

/* A pattern or name as Go slices them: a pointer and a length. */
typedef struct {
  const char *s;
  size_t n;
} span;

static span
adv(span x, size_t k)
{
  return (span){ x.s + k, x.n - k };
}

/* scanChunk: leading stars, then the chunk up to the next unbracketed star. */
static void
scan_chunk(span *pattern, bool *star, span *chunk)
{
  *star = false;
  while (pattern->n > 0 && pattern->s[0] == '*') {
    *pattern = adv(*pattern, 1);
    *star = true;
  }
  bool inrange = false;
  size_t i;
  for (i = 0; i < pattern->n; i++) {
    char c = pattern->s[i];
    if (c == '\\') {
      if (i + 1 < pattern->n)
        i++;
    } else if (c == '[') {
      inrange = true;
    } else if (c == ']') {
      inrange = false;
    } else if (c == '*' && !inrange) {
      break;
    }
  }
  *chunk = (span){ pattern->s, i };
  *pattern = adv(*pattern, i);
}

/* getEsc: one possibly escaped character of a class; false: bad pattern. */
static bool
get_esc(span *chunk, uint32_t *r)
{
  if (chunk->n == 0 || chunk->s[0] == '-' || chunk->s[0] == ']')
    return false;
  if (chunk->s[0] == '\\') {
    *chunk = adv(*chunk, 1);
    if (chunk->n == 0)
      return false;
  }
  size_t w = berth_utf8_decode(chunk->s, chunk->n, r);
  bool ok = !(*r == BERTH_RUNE_ERROR && w == 1);
  *chunk = adv(*chunk, w);
  if (chunk->n == 0)
    ok = false;
  return ok;
}

/* matchChunk: 1 matched (*rest what is left of s), 0 not, -1 bad pattern.
 * After a failure the chunk is still read through, to check its syntax. */
static int
match_chunk(span chunk, span s, span *rest)
{
  bool failed = false;
  while (chunk.n > 0) {
    if (!failed && s.n == 0)
      failed = true;
    char c = chunk.s[0];
    if (c == '[') {
      uint32_t r = 0;
      if (!failed) {
        size_t w = berth_utf8_decode(s.s, s.n, &r);
        s = adv(s, w);
      }
      chunk = adv(chunk, 1);
      bool negated = false;
      if (chunk.n > 0 && chunk.s[0] == '^') {
        negated = true;
        chunk = adv(chunk, 1);
      }
      bool match = false;
      int nrange = 0;
      for (;;) {
        if (chunk.n > 0 && chunk.s[0] == ']' && nrange > 0) {
          chunk = adv(chunk, 1);
          break;
        }
        uint32_t lo, hi;
        if (!get_esc(&chunk, &lo))
          return -1;
        hi = lo;
        if (chunk.s[0] == '-') {
          chunk = adv(chunk, 1);
          if (!get_esc(&chunk, &hi))
            return -1;
        }
        if (lo <= r && r <= hi)
          match = true;
        nrange++;
      }
      if (match == negated)
        failed = true;
    } else if (c == '?') {
      if (!failed) {
        if (s.s[0] == '/')
          failed = true;
        uint32_t r;
        s = adv(s, berth_utf8_decode(s.s, s.n, &r));
      }
      chunk = adv(chunk, 1);
    } else {
      if (c == '\\') {
        chunk = adv(chunk, 1);
        if (chunk.n == 0)
          return -1;
      }
      if (!failed) {
        if (chunk.s[0] != s.s[0])
          failed = true;
        s = adv(s, 1);
      }
      chunk = adv(chunk, 1);
    }
  }
  if (failed)
    return 0;
  *rest = s;
  return 1;
}

/* The remainder of a pattern after a failed match: only its syntax counts. */
static int
check_rest(span pattern)
{
  while (pattern.n > 0) {
    bool star;
    span chunk, t;
    scan_chunk(&pattern, &star, &chunk);
    if (match_chunk(chunk, (span){ "", 0 }, &t) < 0)
      return -1;
  }
  return 0;
}

/* Untrusted pattern and name; -1 for a malformed pattern. */
static int
match(span pattern, span name)
{
  while (pattern.n > 0) {
    bool star;
    span chunk, t;
    scan_chunk(&pattern, &star, &chunk);
    if (star && chunk.n == 0)
      return memchr(name.s, '/', name.n) == NULL;
    int ok = match_chunk(chunk, name, &t);
    if (ok > 0 && (t.n == 0 || pattern.n > 0)) {
      name = t;
      continue;
    }
    if (ok < 0)
      return -1;
    bool advanced = false;
    if (star) {
      for (size_t i = 0; i < name.n && name.s[i] != '/'; i++) {
        ok = match_chunk(chunk, adv(name, i + 1), &t);
        if (ok > 0) {
          if (pattern.n == 0 && t.n > 0)
            continue;
          name = t;
          advanced = true;
          break;
        }
        if (ok < 0)
          return -1;
      }
    }
    if (advanced)
      continue;
    return check_rest(pattern) < 0 ? -1 : 0;
  }
  return name.n == 0;
}

bool
berth_glob_match(const char *pattern, const char *name, bool *bad)
{
  int r = match((span){ pattern, strlen(pattern) }, (span){ name, strlen(name) });
  if (bad != NULL)
    *bad = r < 0;
  return r > 0;
}
