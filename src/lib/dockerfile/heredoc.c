/* Which words of a RUN, COPY or ADD line announce heredocs.  BuildKit splits
 * the whole line into shell words with quotes and escapes kept (variables
 * left alone), takes each word of the form `[digits]<<[-]rest`, and unquotes
 * rest as a shell word: it must be exactly one non-empty word, the
 * delimiter, and any quoting in it turns off expansion of the body.  A line
 * that does not split (an unterminated quote) announces none.
 *
 * One difference: BuildKit's splitter expands `${VAR:-a b}` forms when it
 * splits (unset variables stay as written); here `$` is an ordinary
 * character, which only matters for a `<<` word made by such an expansion. */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "dockerfile/parser_internal.h"

/* Splits p into raw words: quotes and escapes kept, spaces inside quotes or
 * after a backslash do not split.  -1 when a quote is not closed. */
static int
raw_words(const char *p, size_t n, struct df_words *out)
{
  struct df_buf w = { 0 };
  bool in_word = false;
  size_t i = 0;
  while (i < n) {
    char c = p[i];
    size_t sp;
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < n && p[j] != c) {
        if (c == '"' && p[j] == '\\' && j + 1 < n)
          j++;
        j++;
      }
      if (j >= n) {
        df_buf_free(&w);
        return -1;
      }
      df_buf_add(&w, p + i, j + 1 - i);
      in_word = true;
      i = j + 1;
    } else if (c == '\\') {
      df_buf_add(&w, p + i, i + 1 < n ? 2 : 1);
      in_word = true;
      i += 2;
    } else if ((sp = df_space_at(p + i, n - i)) > 0) {
      if (in_word && w.len > 0)
        df_words_add(out, w.s, w.len);
      w.len = 0;
      in_word = false;
      i += sp;
    } else {
      df_buf_addc(&w, c);
      in_word = true;
      i++;
    }
  }
  if (w.len > 0)
    df_words_add(out, w.s, w.len);
  df_buf_free(&w);
  return 0;
}

/* Unquotes the delimiter word rest as the shell does (double quotes let \
 * escape only `"`, `$` and `\`); *quoted says whether quotes were used.
 * Returns the word, NULL when it is not one non-empty word. */
static char *
delimiter(const char *p, size_t n, bool *quoted)
{
  struct df_buf w = { 0 };
  *quoted = false;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c == '\'' || c == '"') {
      *quoted = true;
      for (i++; i < n && p[i] != c; i++) {
        if (c == '"' && p[i] == '\\' && i + 1 < n
            && (p[i + 1] == '"' || p[i + 1] == '$' || p[i + 1] == '\\'))
          i++;
        df_buf_addc(&w, p[i]);
      }
    } else if (c == '\\') {
      if (i + 1 < n)
        df_buf_addc(&w, p[++i]);
    } else {
      /* a space here was escaped or quoted in the line (raw_words made one
       * word of it): part of the name */
      df_buf_addc(&w, c);
    }
  }
  if (w.len == 0 || memchr(w.s, '\0', w.len) != NULL) {
    df_buf_free(&w);
    return NULL;
  }
  return df_buf_steal(&w, NULL);
}

/* Trusts nothing in line. */
void
df_heredocs_from_line(const char *line, size_t n, berth_df_heredoc **out, size_t *n_out)
{
  struct df_words words = { 0 };
  *out = NULL;
  *n_out = 0;
  if (memmem(line, n, "<<", 2) == NULL || raw_words(line, n, &words) < 0) {
    df_words_free(&words);
    return;
  }
  size_t cap = 0;
  for (size_t k = 0; k < words.n; k++) {
    const char *w = words.v[k];
    size_t len = words.len[k], i = 0;
    unsigned long fd = 0;
    bool fd_overflow = false;
    while (i < len && w[i] >= '0' && w[i] <= '9') {
      if (fd > (0xFFFFFFFFul - 9) / 10)
        fd_overflow = true;
      fd = fd * 10 + (unsigned long)(w[i] - '0');
      i++;
    }
    if (len - i < 2 || w[i] != '<' || w[i + 1] != '<')
      continue;
    i += 2;
    bool chomp = i < len && w[i] == '-';
    if (chomp)
      i++;
    if (memchr(w + i, '<', len - i) != NULL || i == len)
      continue;
    bool quoted;
    char *name = delimiter(w + i, len - i, &quoted);
    if (name == NULL)
      continue;
    if (*n_out == cap) {
      cap = cap ? cap * 2 : 2;
      *out = xrealloc(*out, cap * sizeof(**out));
    }
    /* Go's ParseUint error leaves 0, as BuildKit ignores it */
    (*out)[(*n_out)++] = (berth_df_heredoc){
      .name = name, .fd = fd_overflow ? 0 : (unsigned)fd, .expand = !quoted, .chomp = chomp
    };
  }
  df_words_free(&words);
}

/* Trusts nothing in word. */
bool
berth_df_heredoc_word(const char *word, berth_df_heredoc *out)
{
  berth_df_heredoc *v = NULL;
  size_t n = 0;
  size_t len = strlen(word);
  df_heredocs_from_line(word, len, &v, &n);
  /* one word with no blank in it: the whole of it is the heredoc word */
  bool one = n == 1;
  for (size_t i = 0; one && i < len; i++)
    one = df_space_at(word + i, len - i) == 0;
  if (one)
    *out = v[0];
  for (size_t i = one ? 1 : 0; i < n; i++)
    free(v[i].name);
  free(v);
  return one;
}
