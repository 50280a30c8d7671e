/* Byte strings, word lists and the UTF-8 and whitespace rules of Go that the
 * parser must follow to split lines where BuildKit splits them. */
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/xalloc.h"
#include "dockerfile/go_unicode.h"
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
  uint32_t v;
  size_t w = berth_utf8_decode(s, n, &v);
  *r = v == BERTH_RUNE_ERROR && w == 1 ? -1 : (int32_t)v;
  return w;
}

void
df_utf8_encode(struct df_buf *b, int32_t r)
{
  char o[4];
  df_buf_add(b, o, berth_utf8_encode((uint32_t)r, o));
}

size_t
df_space_at(const char *p, size_t n)
{
  if (n == 0)
    return 0;
  int32_t r;
  size_t w = df_utf8_decode(p, n, &r);
  return (r >= 0 && berth_go_is_space((uint32_t)r)) ? w : 0;
}

size_t
df_space_before(const char *p, size_t n)
{
  /* A space character is 1 to 3 bytes long; a shorter suffix is tried first
   * and a longer one can only be a whole character if it decodes so. */
  for (size_t w = 1; w <= 3 && w <= n; w++) {
    int32_t r;
    if (df_utf8_decode(p + n - w, w, &r) == w && r >= 0)
      return (r >= 0 && berth_go_is_space((uint32_t)r)) ? w : 0;
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
