/* The tokens inside one {{action}}, as Go's text/template lexer cuts them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "template/internal.h"

static bool
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Go takes Unicode letters; a byte of a UTF-8 sequence counts as one. */
static bool
is_alnum(char c)
{
  return c == '_' || isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

void
tmpl_tok_clear(tok *t)
{
  free(t->text);
  free(t->raw);
  *t = (tok){ 0 };
}

static int
set(tok *t, tok_kind k, const lexer *lx, size_t start, size_t end)
{
  t->kind = k;
  t->pos = start;
  t->raw = xstrndup(lx->src + start, end - start);
  t->text = xstrdup(t->raw);
  return 0;
}

/* Go's escapes in a "…" string: \a \b \f \n \r \t \v \\ \" \' \xHH \ooo
 * \uHHHH \UHHHHHHHH. */
static int
unquote(const char *s, size_t n, char **out, berth_error **err)
{
  char *o = xmalloc(n * 4 + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\') {
      o[k++] = s[i];
      continue;
    }
    if (++i >= n)
      goto bad;
    char c = s[i];
    const char *simple = strchr("abfnrtv\\\"'", c);
    if (simple != NULL && c != '\0') {
      static const char map[] = "\a\b\f\n\r\t\v\\\"'";
      o[k++] = map[simple - "abfnrtv\\\"'"];
      continue;
    }
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : (c >= '0' && c <= '7') ? 3 : 0;
    if (digits == 0)
      goto bad;
    int base = (c >= '0' && c <= '7') ? 8 : 16;
    size_t from = base == 8 ? i : i + 1;
    if (from + (size_t)digits > n)
      goto bad;
    unsigned long v = 0;
    for (int d = 0; d < digits; d++) {
      char h = s[from + d];
      int x = isdigit((unsigned char)h)                    ? h - '0'
              : (base == 16 && isxdigit((unsigned char)h)) ? tolower((unsigned char)h) - 'a' + 10
                                                           : -1;
      if (x < 0 || x >= base)
        goto bad;
      v = v * (unsigned long)base + (unsigned long)x;
    }
    i = from + (size_t)digits - 1;
    if (c == 'x' || base == 8) {
      if (v > 255)
        goto bad;
      o[k++] = (char)v;
    } else if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) {
      goto bad;
    } else if (v < 0x80) {
      o[k++] = (char)v;
    } else if (v < 0x800) {
      o[k++] = (char)(0xC0 | (v >> 6));
      o[k++] = (char)(0x80 | (v & 0x3F));
    } else if (v < 0x10000) {
      o[k++] = (char)(0xE0 | (v >> 12));
      o[k++] = (char)(0x80 | ((v >> 6) & 0x3F));
      o[k++] = (char)(0x80 | (v & 0x3F));
    } else {
      o[k++] = (char)(0xF0 | (v >> 18));
      o[k++] = (char)(0x80 | ((v >> 12) & 0x3F));
      o[k++] = (char)(0x80 | ((v >> 6) & 0x3F));
      o[k++] = (char)(0x80 | (v & 0x3F));
    }
  }
  o[k] = '\0';
  *out = o;
  return 0;
bad:
  free(o);
  return berth_error_set(err, 0, "invalid syntax");
}

static int
lex_quote(lexer *lx, tok *t, berth_error **err)
{
  size_t start = lx->pos++;
  while (lx->pos < lx->end && lx->src[lx->pos] != '"') {
    if (lx->src[lx->pos] == '\n')
      break;
    if (lx->src[lx->pos] == '\\' && lx->pos + 1 < lx->end)
      lx->pos++;
    lx->pos++;
  }
  if (lx->pos >= lx->end || lx->src[lx->pos] != '"')
    return berth_error_set(err, 0, "unterminated quoted string");
  lx->pos++;
  set(t, TOK_STRING, lx, start, lx->pos);
  free(t->text);
  t->text = NULL;
  if (unquote(lx->src + start + 1, lx->pos - start - 2, &t->text, err) < 0)
    return -1;
  return 0;
}

static int
lex_raw(lexer *lx, tok *t, berth_error **err)
{
  size_t start = lx->pos++;
  while (lx->pos < lx->end && lx->src[lx->pos] != '`')
    lx->pos++;
  if (lx->pos >= lx->end)
    return berth_error_set(err, 0, "unterminated raw quoted string");
  lx->pos++;
  set(t, TOK_STRING, lx, start, lx->pos);
  free(t->text);
  t->text = xstrndup(lx->src + start + 1, lx->pos - start - 2);
  return 0;
}

/* 'x' or '\n': a number, the character's code point. */
static int
lex_char(lexer *lx, tok *t, berth_error **err)
{
  size_t start = lx->pos++;
  while (lx->pos < lx->end && lx->src[lx->pos] != '\'' && lx->src[lx->pos] != '\n') {
    if (lx->src[lx->pos] == '\\' && lx->pos + 1 < lx->end)
      lx->pos++;
    lx->pos++;
  }
  if (lx->pos >= lx->end || lx->src[lx->pos] != '\'')
    return berth_error_set(err, 0, "unterminated character constant");
  lx->pos++;
  set(t, TOK_CHAR, lx, start, lx->pos);
  char *v = NULL;
  if (unquote(lx->src + start + 1, lx->pos - start - 2, &v, err) < 0)
    return berth_error_set(err, 0, "malformed character constant: %s", t->raw);
  const unsigned char *u = (const unsigned char *)v;
  long cp = u[0];
  size_t len = strlen(v);
  if (u[0] >= 0xF0 && len == 4)
    cp = ((u[0] & 7L) << 18) | ((u[1] & 0x3FL) << 12) | ((u[2] & 0x3FL) << 6) | (u[3] & 0x3F);
  else if (u[0] >= 0xE0 && len == 3)
    cp = ((u[0] & 0xFL) << 12) | ((u[1] & 0x3FL) << 6) | (u[2] & 0x3F);
  else if (u[0] >= 0xC0 && len == 2)
    cp = ((u[0] & 0x1FL) << 6) | (u[1] & 0x3F);
  else if (len != 1) {
    free(v);
    return berth_error_set(err, 0, "malformed character constant: %s", t->raw);
  }
  free(v);
  free(t->text);
  t->text = xasprintf("%ld", cp);
  return 0;
}

/* Go's scanNumber: a sign, a base prefix, digits with _, a fraction, an
 * exponent; whatever letter follows is bad number syntax. */
static int
lex_number(lexer *lx, tok *t, berth_error **err)
{
  size_t start = lx->pos;
  const char *s = lx->src;
  if (s[lx->pos] == '+' || s[lx->pos] == '-')
    lx->pos++;
  const char *digits = "0123456789_";
  if (s[lx->pos] == '0' && lx->pos + 1 < lx->end && strchr("xXoObB", s[lx->pos + 1])
      && s[lx->pos + 1] != '\0') {
    char p = (char)tolower((unsigned char)s[lx->pos + 1]);
    digits = p == 'x' ? "0123456789abcdefABCDEF_" : p == 'o' ? "01234567_" : "01_";
    lx->pos += 2;
  }
  while (lx->pos < lx->end && strchr(digits, s[lx->pos]) && s[lx->pos] != '\0')
    lx->pos++;
  if (lx->pos < lx->end && s[lx->pos] == '.') {
    lx->pos++;
    while (lx->pos < lx->end && strchr(digits, s[lx->pos]) && s[lx->pos] != '\0')
      lx->pos++;
  }
  if (lx->pos < lx->end && strchr("eEpP", s[lx->pos]) && s[lx->pos] != '\0') {
    lx->pos++;
    if (lx->pos < lx->end && (s[lx->pos] == '+' || s[lx->pos] == '-'))
      lx->pos++;
    while (lx->pos < lx->end && isdigit((unsigned char)s[lx->pos]))
      lx->pos++;
  }
  if (lx->pos < lx->end && s[lx->pos] == 'i')
    lx->pos++; /* imaginary: refused by the parser */
  if (lx->pos < lx->end && is_alnum(s[lx->pos])) {
    while (lx->pos < lx->end && is_alnum(s[lx->pos]))
      lx->pos++;
    return berth_error_set(err, 0, "bad number syntax: \"%.*s\"", (int)(lx->pos - start),
                           s + start);
  }
  return set(t, TOK_NUMBER, lx, start, lx->pos);
}

static void
lex_word(lexer *lx, tok *t, tok_kind k, size_t start)
{
  while (lx->pos < lx->end && is_alnum(lx->src[lx->pos]))
    lx->pos++;
  set(t, k, lx, start, lx->pos);
}

int
tmpl_lex_next(lexer *lx, tok *t, berth_error **err)
{
  *t = (tok){ 0 };
  size_t before = lx->pos;
  while (lx->pos < lx->end && is_space(lx->src[lx->pos]))
    lx->pos++;
  t->space_before = lx->pos > before;
  t->pos = lx->pos;
  const char *s = lx->src;
  if (lx->pos >= lx->end)
    return berth_error_set(err, 0, "unclosed action");
  bool trim = t->space_before && lx->end - lx->pos >= 3 && memcmp(s + lx->pos, "-}}", 3) == 0;
  if (trim || (lx->end - lx->pos >= 2 && memcmp(s + lx->pos, "}}", 2) == 0)) {
    lx->trim_after = trim;
    lx->pos += trim ? 3 : 2;
    t->kind = TOK_CLOSE;
    return 0;
  }
  size_t start = lx->pos;
  char c = s[lx->pos];
  bool next_digit = lx->pos + 1 < lx->end && isdigit((unsigned char)s[lx->pos + 1]);
  switch (c) {
  case '"':
    return lex_quote(lx, t, err);
  case '`':
    return lex_raw(lx, t, err);
  case '\'':
    return lex_char(lx, t, err);
  case '(':
  case ')':
  case '|':
  case ',':
    lx->pos++;
    return set(t,
               c == '('   ? TOK_LPAREN
               : c == ')' ? TOK_RPAREN
               : c == '|' ? TOK_PIPE
                          : TOK_COMMA,
               lx, start, lx->pos);
  case '=':
    lx->pos++;
    return set(t, TOK_ASSIGN, lx, start, lx->pos);
  case ':':
    if (lx->pos + 1 < lx->end && s[lx->pos + 1] == '=') {
      lx->pos += 2;
      return set(t, TOK_DECLARE, lx, start, lx->pos);
    }
    return berth_error_set(err, 0, "expected :=");
  case '$':
    lx->pos++;
    lex_word(lx, t, TOK_VAR, start);
    return 0;
  case '.':
    if (next_digit)
      return lex_number(lx, t, err);
    lx->pos++;
    if (lx->pos < lx->end && is_alnum(s[lx->pos])) {
      lex_word(lx, t, TOK_FIELD, start);
      free(t->text);
      t->text = xstrdup(t->raw + 1);
      return 0;
    }
    return set(t, TOK_DOT, lx, start, lx->pos);
  default:
    break;
  }
  if (isdigit((unsigned char)c) || ((c == '+' || c == '-') && next_digit))
    return lex_number(lx, t, err);
  if (is_alnum(c)) {
    lex_word(lx, t, TOK_IDENT, start);
    return 0;
  }
  unsigned char u = (unsigned char)c;
  if (u >= 0x20 && u < 0x7f) { /* Go 1.13's lexer emits these as items */
    lx->pos++;
    return set(t, TOK_OTHER, lx, start, lx->pos);
  }
  return berth_error_set(err, 0, "unrecognized character in action: U+%04X", u);
}
