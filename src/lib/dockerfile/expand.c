/* Dockerfile word expansion, after buildkit's frontend/dockerfile/shell
 * (lex.go): the same scanner steps, so that the same text gives the same
 * result, errors included. */
#include "dockerfile/expand.h"

#include <stdint.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "dockerfile/go_unicode.h"

#define EOF_RUNE (-1)
#define RUNE_ERROR ((int32_t)BERTH_RUNE_ERROR)
#define BOM 0xFEFF

/* Nesting of ${...} (and quotes inside them) beyond which a word is refused:
 * Go's stacks grow, ours do not, and a Dockerfile is outside input. */
#define MAX_DEPTH 200

struct buf {
  char *s;
  size_t n, cap;
};

static void
buf_put(struct buf *b, const char *p, size_t n)
{
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 32;
    while (cap < b->n + n + 1)
      cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
  }
  memcpy(b->s + b->n, p, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
  buf_put(b, s, strlen(s));
}

static void
buf_rune(struct buf *b, int32_t r)
{
  char u[4];
  size_t n;
  if (r < 0x80) {
    u[0] = (char)r, n = 1;
  } else if (r < 0x800) {
    u[0] = (char)(0xC0 | (r >> 6)), u[1] = (char)(0x80 | (r & 0x3F)), n = 2;
  } else if (r < 0x10000) {
    u[0] = (char)(0xE0 | (r >> 12)), u[1] = (char)(0x80 | ((r >> 6) & 0x3F));
    u[2] = (char)(0x80 | (r & 0x3F)), n = 3;
  } else {
    u[0] = (char)(0xF0 | (r >> 18)), u[1] = (char)(0x80 | ((r >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((r >> 6) & 0x3F)), u[3] = (char)(0x80 | (r & 0x3F)), n = 4;
  }
  buf_put(b, u, n);
}

static char *
buf_take(struct buf *b)
{
  if (b->s == NULL)
    return xstrdup("");
  char *s = b->s;
  *b = (struct buf){ 0 };
  return s;
}

/* Go's utf8.DecodeRune (common/utf8.h), as the lexer wants it. */
static int32_t
decode_rune(const unsigned char *s, size_t n, size_t *width)
{
  uint32_t r;
  *width = berth_utf8_decode((const char *)s, n, &r);
  return (int32_t)r;
}

/* The fields being split, as buildkit's wordsStruct. */
struct fields {
  struct buf cur;
  bool in_word;
  char **v;
  size_t n, cap;
};

static void
fields_push(struct fields *f)
{
  if (f->n + 2 > f->cap) {
    f->cap = f->cap ? f->cap * 2 : 8;
    f->v = xrealloc(f->v, f->cap * sizeof *f->v);
  }
  f->v[f->n++] = buf_take(&f->cur);
  f->v[f->n] = NULL;
  f->in_word = false;
}

static void
fields_raw_rune(struct fields *f, int32_t r)
{
  buf_rune(&f->cur, r);
  f->in_word = true;
}

/* A blank ends the field being built (when it holds anything); any other
 * character is part of it. */
static void
fields_rune(struct fields *f, int32_t r)
{
  if (berth_go_is_space((uint32_t)r)) {
    if (f->in_word && f->cur.n != 0)
      fields_push(f);
  } else {
    fields_raw_rune(f, r);
  }
}

/* A variable's value: split on its blanks.  Go ranges over the string's
 * runes, so an invalid byte becomes U+FFFD here (but not in the word). */
static void
fields_split(struct fields *f, const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    size_t w;
    int32_t r = decode_rune(p + i, n - i, &w);
    fields_rune(f, r);
    i += w;
  }
}

/* Quoted text: taken whole, and it makes a field even when empty. */
static void
fields_raw(struct fields *f, const char *s, size_t n)
{
  buf_put(&f->cur, s, n);
  f->in_word = true;
}

struct lexer {
  const unsigned char *s;
  size_t n, pos;
  bool started;
  int32_t escape;
  berth_df_lookup_fn lookup;
  void *data;
  berth_strset *used, *unset;
  int depth;
  char *error; /* the first failure's text; once set, every step unwinds */
};

static int fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct lexer *lx, const char *fmt, ...)
{
  if (lx->error == NULL) {
    va_list ap;
    va_start(ap, fmt);
    lx->error = xvasprintf(fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* text/scanner's Peek: the next rune, a leading byte order mark skipped. */
static int32_t
peek(struct lexer *lx)
{
  if (!lx->started) {
    lx->started = true;
    size_t w;
    if (lx->n > 0 && decode_rune(lx->s, lx->n, &w) == BOM)
      lx->pos = w;
  }
  if (lx->pos >= lx->n)
    return EOF_RUNE;
  size_t w;
  return decode_rune(lx->s + lx->pos, lx->n - lx->pos, &w);
}

static int32_t
next(struct lexer *lx)
{
  int32_t r = peek(lx);
  if (r != EOF_RUNE) {
    size_t w;
    decode_rune(lx->s + lx->pos, lx->n - lx->pos, &w);
    lx->pos += w;
  }
  return r;
}

static const char *
get_env(struct lexer *lx, const char *name)
{
  const char *v = lx->lookup(lx->data, name);
  berth_strset_add(v != NULL ? lx->used : lx->unset, name);
  return v;
}

static int process_stop_on(struct lexer *lx, int32_t stop, struct buf *out, struct fields *f);

/* buildkit's processName: a run of digits (a positional parameter), one
 * special parameter character, or letters, digits and '_'; maybe empty. */
static char *
process_name(struct lexer *lx)
{
  struct buf name = { 0 };
  for (int32_t r; (r = peek(lx)) != EOF_RUNE;) {
    if (name.n == 0 && berth_go_is_digit((uint32_t)r)) {
      while ((r = peek(lx)) != EOF_RUNE && berth_go_is_digit((uint32_t)r))
        buf_rune(&name, next(lx));
      break;
    }
    if (name.n == 0 && r < 0x80 && r != 0 && strchr("@*#?-$!0", r) != NULL) {
      buf_rune(&name, next(lx));
      break;
    }
    if (!berth_go_is_letter((uint32_t)r) && !berth_go_is_digit((uint32_t)r) && r != '_')
      break;
    buf_rune(&name, next(lx));
  }
  return buf_take(&name);
}

/* The word of ${name<op>word}, up to its '}'; a failure at the end of the
 * text is the missing brace. */
static int
modifier_word(struct lexer *lx, struct buf *word)
{
  if (process_stop_on(lx, '}', word, NULL) < 0) {
    if (peek(lx) == EOF_RUNE) {
      free(lx->error);
      lx->error = NULL;
      return fail(lx, "syntax error: missing '}'");
    }
    return -1;
  }
  return 0;
}

/* At '$': appends the expansion to out. */
static int
process_dollar(struct lexer *lx, struct buf *out)
{
  next(lx);
  if (peek(lx) != '{') {
    cleanup_free char *name = process_name(lx);
    if (*name == '\0') {
      buf_str(out, "$");
      return 0;
    }
    const char *v = get_env(lx, name);
    buf_str(out, v != NULL ? v : "");
    return 0;
  }
  next(lx);
  int32_t r = peek(lx);
  if (r == EOF_RUNE)
    return fail(lx, "syntax error: missing '}'");
  if (r == '{' || r == '}' || r == ':')
    return fail(lx, "syntax error: bad substitution");
  cleanup_free char *name = process_name(lx);
  int32_t op = next(lx);
  bool null_is_unset = false;
  struct buf chs = { 0 };
  buf_rune(&chs, op);
  if (op == '}') {
    free(chs.s);
    const char *v = get_env(lx, name);
    buf_str(out, v != NULL ? v : "");
    return 0;
  }
  if (op == ':') {
    null_is_unset = true;
    op = next(lx);
    if (op != EOF_RUNE)
      buf_rune(&chs, op);
  }
  cleanup_free char *ops = buf_take(&chs);
  if (op == EOF_RUNE && !null_is_unset)
    return fail(lx, "syntax error: missing '}'");
  if (!null_is_unset && op != '+' && op != '-' && op != '?') {
    cleanup_free char *q = berth_bytes_escape(ops);
    return fail(lx, "unsupported modifier (%s) in substitution", q);
  }
  struct buf word_buf = { 0 };
  if (modifier_word(lx, &word_buf) < 0) {
    free(word_buf.s);
    return -1;
  }
  cleanup_free char *word = buf_take(&word_buf);
  const char *v = get_env(lx, name);
  bool empty = v == NULL || (null_is_unset && *v == '\0');
  switch (op) {
  case '-':
    buf_str(out, empty ? word : v);
    return 0;
  case '+':
    buf_str(out, empty ? "" : word);
    return 0;
  case '?':
    if (empty) {
      const char *why = v == NULL ? "is not allowed to be unset" : "is not allowed to be empty";
      cleanup_free char *qn = berth_bytes_escape(name);
      cleanup_free char *qw = berth_bytes_escape(*word != '\0' ? word : why);
      return fail(lx, "%s: %s", qn, qw);
    }
    buf_str(out, v);
    return 0;
  default: {
    cleanup_free char *q = berth_bytes_escape(ops);
    return fail(lx, "unsupported modifier (%s) in substitution", q);
  }
  }
}

/* At a single quote: everything up to the next one, as it is. */
static int
process_single_quote(struct lexer *lx, struct buf *out)
{
  next(lx);
  for (;;) {
    int32_t r = next(lx);
    if (r == EOF_RUNE)
      return fail(lx, "unexpected end of statement while looking for matching single-quote");
    if (r == '\'')
      return 0;
    buf_rune(out, r);
  }
}

/* At a double quote: up to the closing one, variables expanded; the escape
 * character escapes only '"', '$' and itself, and is kept before others. */
static int
process_double_quote(struct lexer *lx, struct buf *out)
{
  next(lx);
  for (;;) {
    int32_t r = peek(lx);
    if (r == EOF_RUNE)
      return fail(lx, "unexpected end of statement while looking for matching double-quote");
    if (r == '"') {
      next(lx);
      return 0;
    }
    if (r == '$') {
      if (process_dollar(lx, out) < 0)
        return -1;
      continue;
    }
    r = next(lx);
    if (r == lx->escape) {
      int32_t after = peek(lx);
      if (after == EOF_RUNE)
        continue; /* reported as the unterminated quote it is */
      if (after == '"' || after == '$' || after == lx->escape)
        r = next(lx);
    }
    buf_rune(out, r);
  }
}

/* buildkit's processStopOn: the text up to stop (consumed; EOF_RUNE for the
 * end of the word), appended to out and, when f is not NULL, split into
 * fields. */
static int
process_stop_on(struct lexer *lx, int32_t stop, struct buf *out, struct fields *f)
{
  if (++lx->depth > MAX_DEPTH)
    return fail(lx, "syntax error: more than %d nested substitutions or quotes", MAX_DEPTH);
  int rc = -1;
  for (int32_t r; (r = peek(lx)) != EOF_RUNE;) {
    if (stop != EOF_RUNE && r == stop) {
      next(lx);
      rc = 0;
      goto out;
    }
    if (r == '$' || r == '\'' || r == '"') {
      struct buf part = { 0 };
      int prc = r == '$'   ? process_dollar(lx, &part)
                : r == '"' ? process_double_quote(lx, &part)
                           : process_single_quote(lx, &part);
      if (prc < 0) {
        free(part.s);
        goto out;
      }
      if (part.n > 0)
        buf_put(out, part.s, part.n);
      if (f != NULL) {
        if (r == '$')
          fields_split(f, part.s != NULL ? part.s : "", part.n);
        else
          fields_raw(f, part.s != NULL ? part.s : "", part.n);
      }
      free(part.s);
      continue;
    }
    r = next(lx);
    if (r == lx->escape) {
      /* The escape takes the next character literally; at the end of the
       * word it is dropped. */
      r = next(lx);
      if (r == EOF_RUNE)
        break;
      if (f != NULL)
        fields_raw_rune(f, r);
    } else if (f != NULL) {
      fields_rune(f, r);
    }
    buf_rune(out, r);
  }
  if (stop != EOF_RUNE) {
    fail(lx, "unexpected end of statement while looking for matching %c", (char)stop);
    goto out;
  }
  rc = 0;
out:
  lx->depth--;
  return rc;
}

const char *
berth_df_env_lookup(void *data, const char *name)
{
  char *const *env = data;
  if (env == NULL)
    return NULL;
  size_t n = 0;
  while (env[n] != NULL)
    n++;
  size_t len = strlen(name);
  while (n-- > 0) {
    const char *e = env[n];
    if (strncmp(e, name, len) != 0)
      continue;
    /* Only the first '=' separates: a key never holds one. */
    if (e[len] == '=')
      return e + len + 1;
    if (e[len] == '\0')
      return e + len;
  }
  return NULL;
}

int
berth_df_expand(const char *word, char escape, berth_df_lookup_fn lookup, void *data,
                berth_df_expansion *out, berth_error **err)
{
  *out = (berth_df_expansion){ 0 };
  struct lexer lx = {
    .s = (const unsigned char *)word,
    .n = strlen(word),
    .escape = (unsigned char)escape,
    .lookup = lookup,
    .data = data,
    .used = &out->used,
    .unset = &out->unset,
  };
  struct buf result = { 0 };
  struct fields f = { 0 };
  if (process_stop_on(&lx, EOF_RUNE, &result, &f) < 0) {
    free(result.s);
    free(f.cur.s);
    berth_cleanup_strvp(&f.v);
    cleanup_free char *q = berth_bytes_escape(word);
    berth_error_set(err, 0, "failed to process \"%s\": %s", q, lx.error);
    free(lx.error);
    return -1;
  }
  if (f.cur.n > 0)
    fields_push(&f);
  free(f.cur.s);
  out->word = buf_take(&result);
  out->words = f.v != NULL ? f.v : xcalloc(1, sizeof *out->words);
  return 0;
}

void
berth_df_expansion_clear(berth_df_expansion *x)
{
  free(x->word);
  x->word = NULL;
  berth_cleanup_strvp(&x->words);
  x->words = NULL;
  berth_strset_clear(&x->used);
  berth_strset_clear(&x->unset);
}

char *
berth_df_expand_word(const char *word, char escape, char *const *env, berth_error **err)
{
  cleanup_df_expansion berth_df_expansion x = { 0 };
  if (berth_df_expand(word, escape, berth_df_env_lookup, (void *)env, &x, err) < 0)
    return NULL;
  return steal_pointer(&x.word);
}

char **
berth_df_expand_words(const char *word, char escape, char *const *env, berth_error **err)
{
  cleanup_df_expansion berth_df_expansion x = { 0 };
  if (berth_df_expand(word, escape, berth_df_env_lookup, (void *)env, &x, err) < 0)
    return NULL;
  return steal_pointer(&x.words);
}
