/* .dockerignore patterns and their matching, as moby/patternmatcher does it.
 *
 * Docker classifies each pattern (exact, prefix, suffix) and turns the rest
 * into a Go regexp: `*` becomes `[^/]*`, `?` `[^/]`, `**` an optional run
 * of anything that ends in `/` (or anything, at the end), `\x` `\x`, and
 * `[...]` is passed through.  berth matches the
 * same language with a small automaton over the pattern's tokens instead
 * (one pass over the path, a set of states: no backtracking, so no pattern
 * can make a match slow).
 *
 * A pattern is first checked as Go's filepath.Match checks it (Docker calls
 * it for that only): a class needs at least one member and its `]`, a member
 * is not an unescaped `-` or `]`, a `\` needs a character after it.  A class
 * range whose ends are reversed (`[z-a]`) passes that check but is refused
 * by Go's regexp compiler when the pattern is first used; berth refuses it
 * at once.
 *
 * Where the regexp translation lets regexp syntax through, berth keeps
 * filepath.Match's meaning, as Docker documents the patterns: `\d` is `d`
 * (Docker: a digit, or an invalid escape), `*` and `?` inside brackets are
 * members of the class (Docker: a broken class), `[[:alpha:]]` is a set of
 * characters (Docker: a POSIX class).  A `^` outside brackets in a pattern
 * with wildcards is kept as the regexp's start anchor, as in Docker (it can
 * match only at the start, where nothing has been read).  A NUL byte cannot
 * be in a path, and a pattern holding one is refused. */
#include "dockerfile/ignore.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "dockerfile/go_unicode.h"

#define RUNE_ERROR BERTH_RUNE_ERROR
/* bufio.Scanner's default limit: a longer line is an error in Docker too. */
#define MAX_LINE (64 * 1024)

enum tok_type {
  TOK_LIT,       /* one character */
  TOK_ANY,       /* `?`: one character but `/` */
  TOK_CLASS,     /* `[...]` */
  TOK_STAR,      /* `*`: any run without `/` */
  TOK_DSTAR_DIR, /* `**` before more: empty, or anything ending in `/` */
  TOK_DSTAR_END, /* `**` at the end: anything */
  TOK_ANCHOR,    /* `^`: only where nothing has been read */
};

struct tok {
  enum tok_type type;
  bool negated;
  uint32_t rune;
  size_t first_range, nranges; /* into ranges[], pairs lo, hi */
};

struct pattern {
  char *text; /* cleaned, without the `!` */
  size_t len;
  bool exception;
  berth_ignore_kind kind;
  struct tok *toks;
  size_t ntoks;
  uint32_t *ranges;
};

struct berth_ignore {
  struct pattern *pats;
  size_t n;
  bool exceptions;
};

/* strings.TrimSpace of s[0..*n): returns the start, sets *n to the length. */
static const char *
trim_space(const char *s, size_t *n)
{
  size_t start = 0, end = 0, i = 0;
  bool seen = false;
  while (i < *n) {
    uint32_t r;
    size_t w = berth_utf8_decode(s + i, *n - i, &r);
    if (!berth_go_is_space(r)) {
      if (!seen)
        start = i;
      seen = true;
      end = i + w;
    }
    i += w;
  }
  *n = seen ? end - start : 0;
  return s + start;
}

/* Go's filepath.Clean (Unix) of s[0..n): one `/` between elements, no `.`
 * elements, `x/..` removed, `..` above the root dropped, no trailing `/`;
 * "" is ".". */
static char *
clean_path(const char *s, size_t n)
{
  if (n == 0)
    return xstrdup(".");
  bool rooted = s[0] == '/';
  char *out = xmalloc(n + 2);
  size_t w = 0, r = 0, dotdot = 0;
  if (rooted) {
    out[w++] = '/';
    r = dotdot = 1;
  }
  while (r < n) {
    if (s[r] == '/') {
      r++;
    } else if (s[r] == '.' && (r + 1 == n || s[r + 1] == '/')) {
      r++;
    } else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == n || s[r + 2] == '/')) {
      r += 2;
      if (w > dotdot) {
        /* back up to the previous `/` */
        w--;
        while (w > dotdot && out[w] != '/')
          w--;
      } else if (!rooted) {
        if (w > 0)
          out[w++] = '/';
        out[w++] = '.';
        out[w++] = '.';
        dotdot = w;
      }
    } else {
      if ((rooted && w != 1) || (!rooted && w != 0))
        out[w++] = '/';
      for (; r < n && s[r] != '/'; r++)
        out[w++] = s[r];
    }
  }
  if (w == 0)
    out[w++] = '.';
  out[w] = '\0';
  return out;
}

/* Go's filepath.Match rule for one class member (getEsc): not empty, not an
 * unescaped `-` or `]`, an escape followed by a character, a well-formed
 * rune, and something after it (the class is not finished yet).  Returns the
 * member's length in p[0..n), 0 when it is malformed. */
static size_t
class_member(const char *p, size_t n, uint32_t *r)
{
  size_t i = 0;
  if (n == 0 || p[0] == '-' || p[0] == ']')
    return 0;
  if (p[0] == '\\') {
    i = 1;
    if (n == 1)
      return 0;
  }
  size_t w = berth_utf8_decode(p + i, n - i, r);
  if (*r == RUNE_ERROR && w == 1)
    return 0;
  if (i + w == n)
    return 0;
  return i + w;
}

/* Parses the class that starts after the `[` at p[0..n) into tok and
 * *ranges; returns its length up to and with the `]`, 0 when malformed. */
static size_t
parse_class(const char *p, size_t n, struct tok *tok, uint32_t **ranges, size_t *nranges,
            size_t *cap)
{
  size_t i = 0;
  tok->type = TOK_CLASS;
  tok->first_range = *nranges;
  tok->nranges = 0;
  tok->negated = false;
  if (i < n && p[i] == '^') {
    tok->negated = true;
    i++;
  }
  for (;;) {
    if (i < n && p[i] == ']' && tok->nranges > 0)
      return i + 1;
    uint32_t lo, hi;
    size_t w = class_member(p + i, n - i, &lo);
    if (w == 0)
      return 0;
    i += w;
    hi = lo;
    if (p[i] == '-') {
      w = class_member(p + i + 1, n - i - 1, &hi);
      if (w == 0)
        return 0;
      i += 1 + w;
    }
    /* Go's regexp refuses a reversed range when Docker compiles it. */
    if (hi < lo)
      return 0;
    if (*nranges + 2 > *cap) {
      *cap = *cap ? *cap * 2 : 8;
      *ranges = xrealloc(*ranges, *cap * sizeof **ranges);
    }
    (*ranges)[(*nranges)++] = lo;
    (*ranges)[(*nranges)++] = hi;
    tok->nranges++;
  }
}

static void
push_tok(struct pattern *pat, size_t *cap, struct tok tok)
{
  if (pat->ntoks == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    pat->toks = xrealloc(pat->toks, *cap * sizeof *pat->toks);
  }
  pat->toks[pat->ntoks++] = tok;
}

/* Classifies and tokenises pat->text as patternmatcher's compile scans it;
 * -1 when the pattern is malformed. */
static int
compile(struct pattern *pat)
{
  const char *p = pat->text;
  size_t n = pat->len, pos = 0, tcap = 0, nranges = 0, rcap = 0;
  berth_ignore_kind kind = BERTH_IGNORE_EXACT;
  for (size_t iter = 0; pos < n; iter++) {
    uint32_t ch;
    pos += berth_utf8_decode(p + pos, n - pos, &ch);
    struct tok tok = { .type = TOK_LIT, .rune = ch };
    if (ch == '*' && pos < n && p[pos] == '*') {
      pos++;
      /* a `/` after `**` belongs to it */
      if (pos < n && p[pos] == '/')
        pos++;
      if (pos == n && kind == BERTH_IGNORE_EXACT) {
        kind = BERTH_IGNORE_PREFIX;
      } else {
        tok.type = pos == n ? TOK_DSTAR_END : TOK_DSTAR_DIR;
        kind = BERTH_IGNORE_GLOB;
      }
      if (iter == 0)
        kind = BERTH_IGNORE_SUFFIX;
    } else if (ch == '*' || ch == '?') {
      tok.type = ch == '*' ? TOK_STAR : TOK_ANY;
      kind = BERTH_IGNORE_GLOB;
    } else if (ch == '\\') {
      if (pos == n)
        return -1; /* filepath.Match: nothing to escape */
      pos += berth_utf8_decode(p + pos, n - pos, &tok.rune);
      kind = BERTH_IGNORE_GLOB;
    } else if (ch == '[') {
      size_t w = parse_class(p + pos, n - pos, &tok, &pat->ranges, &nranges, &rcap);
      if (w == 0)
        return -1;
      pos += w;
      kind = BERTH_IGNORE_GLOB;
    } else if (ch == ']') {
      kind = BERTH_IGNORE_GLOB;
    } else if (ch == '^') {
      tok.type = TOK_ANCHOR;
    }
    push_tok(pat, &tcap, tok);
  }
  pat->kind = kind;
  return 0;
}

static bool
class_has(const struct pattern *pat, const struct tok *t, uint32_t r)
{
  bool in = false;
  for (size_t i = 0; i < t->nranges && !in; i++) {
    const uint32_t *rg = pat->ranges + 2 * (t->first_range + i);
    in = rg[0] <= r && r <= rg[1];
  }
  return in != t->negated;
}

/* The epsilon moves, which only go forward: a single pass. */
static void
closure(const struct pattern *pat, unsigned char *set, bool at_start)
{
  for (size_t i = 0; i < pat->ntoks; i++) {
    if (!(set[i] & 1))
      continue;
    enum tok_type t = pat->toks[i].type;
    if (t == TOK_STAR || t == TOK_DSTAR_DIR || t == TOK_DSTAR_END || (t == TOK_ANCHOR && at_start))
      set[i + 1] |= 1;
  }
}

/* set[i] bit 0: at token i; bit 1: inside token i's `**` since something
 * other than `/` (it may be left only after a `/`). */
static bool
glob_match(const struct pattern *pat, const char *s, size_t n)
{
  size_t nstates = pat->ntoks + 1;
  cleanup_free unsigned char *cur = xcalloc(nstates, 1);
  cleanup_free unsigned char *next = xcalloc(nstates, 1);
  cur[0] = 1;
  closure(pat, cur, true);
  for (size_t pos = 0; pos < n;) {
    uint32_t r;
    pos += berth_utf8_decode(s + pos, n - pos, &r);
    memset(next, 0, nstates);
    bool any = false;
    for (size_t i = 0; i < pat->ntoks; i++) {
      if (cur[i] == 0)
        continue;
      const struct tok *t = &pat->toks[i];
      if (t->type == TOK_DSTAR_DIR) {
        next[i] |= r == '/' ? 1 : 2;
        any = true;
        continue;
      }
      if (!(cur[i] & 1))
        continue;
      bool to_next = (t->type == TOK_LIT && r == t->rune) || (t->type == TOK_ANY && r != '/')
                     || (t->type == TOK_CLASS && class_has(pat, t, r));
      if (to_next)
        next[i + 1] |= 1, any = true;
      if ((t->type == TOK_STAR && r != '/') || t->type == TOK_DSTAR_END)
        next[i] |= 1, any = true;
    }
    if (!any)
      return false;
    closure(pat, next, false);
    unsigned char *tmp = cur;
    cur = next;
    next = tmp;
  }
  return cur[pat->ntoks] & 1;
}

static bool
pattern_match(const struct pattern *pat, const char *s, size_t n)
{
  switch (pat->kind) {
  case BERTH_IGNORE_EXACT:
    return n == pat->len && memcmp(s, pat->text, n) == 0;
  case BERTH_IGNORE_PREFIX:
    return n >= pat->len - 2 && memcmp(s, pat->text, pat->len - 2) == 0;
  case BERTH_IGNORE_SUFFIX: {
    const char *suf = pat->text + 2;
    size_t sl = pat->len - 2;
    if (n >= sl && memcmp(s + n - sl, suf, sl) == 0)
      return true;
    /* `**` then `/foo` also matches "foo" */
    return sl > 0 && suf[0] == '/' && n == sl - 1 && memcmp(s, suf + 1, n) == 0;
  }
  case BERTH_IGNORE_GLOB:
    return glob_match(pat, s, n);
  }
  return false;
}

static void
pattern_free(struct pattern *pat)
{
  free(pat->text);
  free(pat->toks);
  free(pat->ranges);
}

void
berth_ignore_free(berth_ignore *ign)
{
  if (ign == NULL)
    return;
  for (size_t i = 0; i < ign->n; i++)
    pattern_free(&ign->pats[i]);
  free(ign->pats);
  free(ign);
}

void
berth_ignore_cleanup(berth_ignore **ign)
{
  int saved = errno;
  berth_ignore_free(*ign);
  errno = saved;
}

/* Names pattern i for an error: "NAME line N" when lines are known. */
static int
pattern_error(berth_error **err, const char *name, const size_t *lines, size_t i, const char *p,
              const char *what)
{
  cleanup_free char *esc = berth_bytes_escape(p);
  if (lines != NULL)
    return berth_error_set(err, 0, "%s line %zu: \"%s\": %s", name, lines[i], esc, what);
  return berth_error_set(err, 0, "pattern %zu \"%s\": %s", i + 1, esc, what);
}

/* patternmatcher.New over untrusted patterns; lines (may be NULL) give the
 * line of each for errors. */
static berth_ignore *
ignore_new(char *const *patterns, size_t n, const char *name, const size_t *lines,
           berth_error **err)
{
  cleanup_ignore berth_ignore *ign = xcalloc(1, sizeof *ign);
  ign->pats = xcalloc(n ? n : 1, sizeof *ign->pats);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(patterns[i]);
    const char *p = trim_space(patterns[i], &len);
    if (len == 0)
      continue;
    cleanup_free char *clean = clean_path(p, len);
    struct pattern *pat = &ign->pats[ign->n];
    const char *body = clean;
    if (clean[0] == '!') {
      if (clean[1] == '\0')
        return pattern_error(err, name, lines, i, patterns[i], "illegal exclusion pattern: \"!\""),
               NULL;
      pat->exception = true;
      ign->exceptions = true;
      body++;
    }
    pat->text = xstrdup(body);
    pat->len = strlen(body);
    ign->n++;
    if (compile(pat) < 0)
      return pattern_error(err, name, lines, i, patterns[i], "syntax error in pattern"), NULL;
  }
  return steal_pointer(&ign);
}

berth_ignore *
berth_ignore_new(char *const *patterns, size_t n, berth_error **err)
{
  return ignore_new(patterns, n, NULL, NULL, err);
}

/* ignorefile.ReadAll; lines (may be NULL) gets each pattern's line number. */
static char **
ignore_read(const char *data, size_t len, const char *name, size_t *n, size_t **lines,
            berth_error **err)
{
  size_t cap = 8, count = 0, lineno = 0;
  cleanup_strv char **out = xcalloc(cap + 1, sizeof *out);
  cleanup_free size_t *nums = xcalloc(cap, sizeof *nums);
  if (data != NULL && memchr(data, '\0', len) != NULL) {
    const char *z = memchr(data, '\0', len);
    size_t at = 1;
    for (const char *c = data; c < z; c++)
      at += *c == '\n';
    return berth_error_set(err, 0, "%s line %zu: a NUL byte", name, at), NULL;
  }
  for (size_t pos = 0; data != NULL && pos < len;) {
    const char *line = data + pos;
    const char *nl = memchr(line, '\n', len - pos);
    size_t ll = nl ? (size_t)(nl - line) : len - pos;
    pos += ll + (nl != NULL);
    lineno++;
    if (ll >= MAX_LINE)
      return berth_error_set(err, 0, "%s line %zu: longer than %d bytes", name, lineno,
                             MAX_LINE - 1),
             NULL;
    if (ll > 0 && line[ll - 1] == '\r')
      ll--;
    if (lineno == 1 && ll >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
      line += 3, ll -= 3;
    if (ll > 0 && line[0] == '#')
      continue;
    const char *p = trim_space(line, &ll);
    if (ll == 0)
      continue;
    bool invert = p[0] == '!';
    if (invert) {
      p++, ll--;
      p = trim_space(p, &ll);
    }
    cleanup_free char *clean = ll > 0 ? clean_path(p, ll) : xstrdup("");
    const char *c = clean;
    if (c[0] == '/' && c[1] != '\0')
      c++;
    if (count == cap) {
      cap *= 2;
      out = xrealloc(out, (cap + 1) * sizeof *out);
      nums = xrealloc(nums, cap * sizeof *nums);
    }
    nums[count] = lineno;
    out[count++] = xasprintf("%s%s", invert ? "!" : "", c);
    out[count] = NULL;
  }
  if (n != NULL)
    *n = count;
  if (lines != NULL)
    *lines = steal_pointer(&nums);
  return steal_pointer(&out);
}

char **
berth_ignore_read(const char *data, size_t len, const char *name, size_t *n, berth_error **err)
{
  return ignore_read(data, len, name, n, NULL, err);
}

berth_ignore *
berth_ignore_parse(const char *data, size_t len, const char *name, berth_error **err)
{
  size_t n;
  cleanup_free size_t *lines = NULL;
  cleanup_strv char **pats = ignore_read(data, len, name, &n, &lines, err);
  if (pats == NULL)
    return NULL;
  return ignore_new(pats, n, name, lines, err);
}

static bool
excluded(const berth_ignore *ign, const char *path, bool parents)
{
  size_t n = strlen(path);
  /* filepath.Dir: everything before the last `/`, cleaned */
  const char *slash = parents ? strrchr(path, '/') : NULL;
  cleanup_free char *parent = slash ? clean_path(path, (size_t)(slash - path) + 1) : NULL;
  size_t plen = parent != NULL && strcmp(parent, ".") != 0 ? strlen(parent) : 0;
  bool matched = false;
  for (size_t i = 0; i < ign->n; i++) {
    const struct pattern *pat = &ign->pats[i];
    /* an inclusion cannot add to a match, an exception has nothing to undo */
    if (pat->exception != matched)
      continue;
    bool m = pattern_match(pat, path, n);
    /* each of the parent's leading runs of elements, itself last */
    for (size_t k = 0; !m && plen > 0 && k <= plen; k++) {
      if (k == plen || parent[k] == '/')
        m = pattern_match(pat, parent, k);
    }
    if (m)
      matched = !pat->exception;
  }
  return matched;
}

bool
berth_ignore_excluded(const berth_ignore *ign, const char *path)
{
  return excluded(ign, path, true);
}

bool
berth_ignore_excluded_exact(const berth_ignore *ign, const char *path)
{
  return excluded(ign, path, false);
}

bool
berth_ignore_has_exceptions(const berth_ignore *ign)
{
  return ign->exceptions;
}

bool
berth_ignore_must_walk(const berth_ignore *ign, const char *dir)
{
  size_t d = strlen(dir);
  for (size_t i = 0; i < ign->n; i++) {
    const struct pattern *pat = &ign->pats[i];
    /* (pattern + "/") starts with (dir + "/") */
    if (pat->exception && pat->len >= d && memcmp(pat->text, dir, d) == 0
        && (pat->len == d || pat->text[d] == '/'))
      return true;
  }
  return false;
}

size_t
berth_ignore_count(const berth_ignore *ign)
{
  return ign->n;
}

const char *
berth_ignore_pattern(const berth_ignore *ign, size_t i, bool *exception, berth_ignore_kind *kind)
{
  if (i >= ign->n)
    return NULL;
  if (exception != NULL)
    *exception = ign->pats[i].exception;
  if (kind != NULL)
    *kind = ign->pats[i].kind;
  return ign->pats[i].text;
}
