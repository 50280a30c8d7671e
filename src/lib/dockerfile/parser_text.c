/* Byte strings, word lists and the UTF-8 and whitespace rules of Go that the
 * parser must follow to split lines where BuildKit splits them. */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "dockerfile/parser_internal.h"

void
df_buf_add(struct df_buf *b, const void *p, size_t n)
{
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
      cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
  }
  if (n > 0)
    memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void
df_buf_addc(struct df_buf *b, char c)
{
  df_buf_add(b, &c, 1);
}

char *
df_buf_steal(struct df_buf *b, size_t *len)
{
  if (b->s == NULL)
    df_buf_add(b, "", 0);
  char *s = b->s;
  if (len != NULL)
    *len = b->len;
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

void
df_buf_free(struct df_buf *b)
{
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

void
df_words_add(struct df_words *w, const char *p, size_t n)
{
  if (w->n + 2 > w->cap) {
    w->cap = w->cap ? w->cap * 2 : 8;
    w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
    w->len = xrealloc(w->len, w->cap * sizeof(*w->len));
  }
  char *s = xmalloc(n + 1);
  if (n > 0)
    memcpy(s, p, n);
  s[n] = '\0';
  w->v[w->n] = s;
  w->len[w->n] = n;
  w->n++;
  w->v[w->n] = NULL;
}

void
df_words_free(struct df_words *w)
{
  for (size_t i = 0; i < w->n; i++)
    free(w->v[i]);
  free(w->v);
  free(w->len);
  memset(w, 0, sizeof(*w));
}

size_t
df_utf8_decode(const char *s, size_t n, int32_t *r)
{
  const unsigned char *p = (const unsigned char *)s;
  unsigned c = p[0];
  *r = -1;
  if (c < 0x80) {
    *r = (int32_t)c;
    return 1;
  }
  size_t w;
  uint32_t v, min;
  if (c >= 0xC2 && c <= 0xDF)
    w = 2, v = c & 0x1F, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    w = 3, v = c & 0x0F, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    w = 4, v = c & 0x07, min = 0x10000;
  else
    return 1;
  if (n < w)
    return 1;
  for (size_t i = 1; i < w; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 1;
    v = (v << 6) | (p[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 1;
  *r = (int32_t)v;
  return w;
}

void
df_utf8_encode(struct df_buf *b, int32_t r)
{
  unsigned char o[4];
  size_t n;
  uint32_t v = (uint32_t)r;
  if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    v = 0xFFFD;
  if (v < 0x80)
    o[0] = (unsigned char)v, n = 1;
  else if (v < 0x800)
    o[0] = (unsigned char)(0xC0 | (v >> 6)), o[1] = (unsigned char)(0x80 | (v & 0x3F)), n = 2;
  else if (v < 0x10000)
    o[0] = (unsigned char)(0xE0 | (v >> 12)), o[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F)),
    o[2] = (unsigned char)(0x80 | (v & 0x3F)), n = 3;
  else
    o[0] = (unsigned char)(0xF0 | (v >> 18)), o[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F)),
    o[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F)), o[3] = (unsigned char)(0x80 | (v & 0x3F)),
    n = 4;
  df_buf_add(b, o, n);
}

static bool
is_space_rune(int32_t r)
{
  switch (r) {
  case '\t':
  case '\n':
  case '\v':
  case '\f':
  case '\r':
  case ' ':
  case 0x85:
  case 0xA0:
  case 0x1680:
  case 0x2028:
  case 0x2029:
  case 0x202F:
  case 0x205F:
  case 0x3000:
    return true;
  default:
    return r >= 0x2000 && r <= 0x200A;
  }
}

size_t
df_space_at(const char *p, size_t n)
{
  if (n == 0)
    return 0;
  int32_t r;
  size_t w = df_utf8_decode(p, n, &r);
  return is_space_rune(r) ? w : 0;
}

size_t
df_space_before(const char *p, size_t n)
{
  /* A space character is 1 to 3 bytes long; a shorter suffix is tried first
   * and a longer one can only be a whole character if it decodes so. */
  for (size_t w = 1; w <= 3 && w <= n; w++) {
    int32_t r;
    if (df_utf8_decode(p + n - w, w, &r) == w && r >= 0)
      return is_space_rune(r) ? w : 0;
  }
  return 0;
}

bool
df_is_blank(char c)
{
  return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ';
}

void
df_trim_space(const char **p, size_t *n)
{
  size_t w;
  while (*n > 0 && (w = df_space_at(*p, *n)) > 0)
    *p += w, *n -= w;
  while (*n > 0 && (w = df_space_before(*p, *n)) > 0)
    *n -= w;
}
