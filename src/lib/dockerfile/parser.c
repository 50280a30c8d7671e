/* The Dockerfile parser's outer loop, as BuildKit's parser.Parse reads a
 * file: physical lines (a byte-order mark dropped from the first), parser
 * directives while they come first, comments and blank lines skipped, line
 * continuations joined (comment and blank lines inside one skipped), each
 * logical line handed to the line parsers, then the bodies of its heredocs
 * read from the lines that follow. */
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "dockerfile/parser_internal.h"

struct directives {
  char escape;
  bool done; /* the first line that is not a directive ends them */
  bool seen_escape, seen_syntax, seen_check;
};

struct reader {
  const char *p, *end;
  int line; /* 1-based number of the last line read */
};

/* The next physical line with its line end; false at the end of input. */
static bool
next_line(struct reader *r, const char **line, size_t *len)
{
  if (r->p >= r->end)
    return false;
  const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
  const char *stop = nl != NULL ? nl + 1 : r->end;
  *line = r->p;
  *len = (size_t)(stop - r->p);
  if (r->line == 0 && *len >= 3 && memcmp(*line, "\xEF\xBB\xBF", 3) == 0)
    *line += 3, *len -= 3;
  r->p = stop;
  r->line++;
  return true;
}

/* bytes.TrimRight(s, "\r\n") */
static size_t
trim_newline(const char *s, size_t n)
{
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
    n--;
  return n;
}

static size_t
skip_spaces(const char *s, size_t n)
{
  size_t i = 0, w;
  while (i < n && (w = df_space_at(s + i, n - i)) > 0)
    i += w;
  return i;
}

static bool
is_comment(const char *s, size_t n)
{
  n = trim_newline(s, n);
  size_t i = skip_spaces(s, n);
  return i < n && s[i] == '#';
}

/* Go's \s in BuildKit's directive pattern: [\t\n\f\r ]. */
static bool
re_space(char c)
{
  return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static bool
is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* `# key = value` at the top of the file (BuildKit's reDirectives:
 * ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$).  escape sets the escape
 * character; syntax and check are accepted and have no effect here; each may
 * come once.  Any other line, an unknown key included, ends the
 * directives. */
static int
directive(struct directives *d, const char *s, size_t n, berth_error **err)
{
  if (d->done)
    return 0;
  size_t i = 0;
  if (n == 0 || s[0] != '#')
    goto not_directive;
  for (i = 1; i < n && re_space(s[i]); i++)
    ;
  size_t key = i;
  if (i >= n || !is_alpha(s[i]))
    goto not_directive;
  while (i < n && (is_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9')))
    i++;
  size_t key_len = i - key;
  while (i < n && re_space(s[i]))
    i++;
  if (i >= n || s[i] != '=')
    goto not_directive;
  i++;
  size_t v = i;
  while (v < n && re_space(s[v]))
    v++;
  size_t end = n;
  if (v == n) {
    /* (.+?) needs a character: the pattern gives back the last space */
    if (i == n)
      goto not_directive;
    v = n - 1;
  } else {
    while (end > v + 1 && re_space(s[end - 1]))
      end--;
  }
  char k[16] = "";
  if (key_len < sizeof(k))
    for (size_t j = 0; j < key_len; j++)
      k[j] = (char)(s[key + j] | 0x20);
  bool *seen = strcmp(k, "escape") == 0   ? &d->seen_escape
               : strcmp(k, "syntax") == 0 ? &d->seen_syntax
               : strcmp(k, "check") == 0  ? &d->seen_check
                                          : NULL;
  if (seen == NULL)
    goto not_directive;
  if (*seen)
    return berth_error_set(err, 0, "only one %s parser directive can be used", k);
  *seen = true;
  if (seen == &d->seen_escape) {
    if (end - v != 1 || (s[v] != '`' && s[v] != '\\')) {
      cleanup_free char *val = xstrndup(s + v, end - v);
      return berth_error_set(err, 0, "invalid escape token '%s' does not match ` or \\", val);
    }
    d->escape = s[v];
  }
  return 0;
not_directive:
  d->done = true;
  return 0;
}

/* Removes a line continuation from the end of b (from offset from on):
 * the escape character and the spaces and tabs after it, unless the escape
 * is itself escaped.  True when there was one. */
static bool
trim_continuation(struct df_buf *b, size_t from, char escape)
{
  size_t n = b->len;
  while (n > from && (b->s[n - 1] == ' ' || b->s[n - 1] == '\t'))
    n--;
  if (n == from || b->s[n - 1] != escape)
    return false;
  if (n - 1 > from && b->s[n - 2] == escape)
    return false;
  b->len = n - 1;
  b->s[b->len] = '\0';
  return true;
}

/* One physical line as BuildKit's processLine leaves it: line end removed,
 * leading spaces too for the first line of an instruction, directives
 * looked for, a line starting with # emptied. */
static int
process_line(struct directives *d, const char *s, size_t n, bool strip_left, struct df_buf *out,
             berth_error **err)
{
  n = trim_newline(s, n);
  if (strip_left) {
    size_t i = skip_spaces(s, n);
    s += i, n -= i;
  }
  if (directive(d, s, n, err) < 0)
    return -1;
  if (n > 0 && s[0] == '#')
    n = 0;
  df_buf_add(out, s, n);
  return 0;
}

static int
fail_at(berth_error **err, const char *name, int line, berth_error **cause)
{
  berth_error_propagate(err, cause);
  return berth_error_prefix(err, "%s:%d", name, line);
}

static int
check_length(size_t len, const char *name, int line, berth_error **err)
{
  if (len <= BERTH_DOCKERFILE_MAX_LINE + 1)
    return 0;
  return berth_error_set(err, 0, "%s:%d: dockerfile line greater than max allowed size of %u", name,
                         line, BERTH_DOCKERFILE_MAX_LINE);
}

static bool
takes_heredocs(const berth_df_instruction *ins)
{
  if (strcmp(ins->keyword, "onbuild") == 0 && ins->sub != NULL)
    ins = ins->sub;
  if (ins->json)
    return false;
  return strcmp(ins->keyword, "run") == 0 || strcmp(ins->keyword, "copy") == 0
         || strcmp(ins->keyword, "add") == 0;
}

/* Reads the bodies of the heredocs ins->original announces. */
static int
read_heredocs(struct reader *r, berth_df_instruction *ins, const char *name, berth_error **err)
{
  df_heredocs_from_line(ins->original, strlen(ins->original), &ins->heredocs, &ins->n_heredocs);
  for (size_t h = 0; h < ins->n_heredocs; h++) {
    berth_df_heredoc *doc = &ins->heredocs[h];
    struct df_buf body = { 0 };
    bool terminated = false;
    const char *s;
    size_t n;
    while (next_line(r, &s, &n)) {
      if (check_length(n, name, r->line, err) < 0) {
        df_buf_free(&body);
        return -1;
      }
      size_t tabs = 0;
      if (doc->chomp)
        while (tabs < n && s[tabs] == '\t')
          tabs++;
      size_t end = trim_newline(s, n);
      if (end - tabs == strlen(doc->name) && memcmp(s + tabs, doc->name, end - tabs) == 0) {
        terminated = true;
        break;
      }
      df_buf_add(&body, s + tabs, n - tabs);
    }
    doc->content = df_buf_steal(&body, &doc->content_len);
    if (!terminated)
      return berth_error_set(err, 0, "%s:%d: unterminated heredoc (<<%s%s)", name, ins->start_line,
                             doc->chomp ? "-" : "", doc->name);
  }
  return 0;
}

/* The first physical line s of an instruction and those that continue it,
 * into ins.  0 with ins->keyword NULL when there is no instruction (a blank
 * or comment line). */
static int
read_instruction(struct reader *r, struct directives *d, const char *s, size_t n, const char *name,
                 berth_df_instruction *ins, char **warning, berth_error **err)
{
  bool empty_continuation = false;
  struct df_buf line = { 0 };
  berth_error *e = NULL;
  int start = r->line;
  if (process_line(d, s, n, true, &line, &e) < 0)
    return fail_at(err, name, r->line, &e);
  bool more = trim_continuation(&line, 0, d->escape);
  if (!more && line.len == 0) {
    df_buf_free(&line);
    return 0;
  }
  while (more && next_line(r, &s, &n)) {
    if (check_length(n, name, r->line, err) < 0)
      goto fail;
    size_t from = line.len;
    if (process_line(d, s, n, false, &line, &e) < 0) {
      fail_at(err, name, r->line, &e);
      goto fail;
    }
    /* a comment line (indented too) or a blank one inside a continuation
     * is skipped and does not end it */
    bool blank
        = !is_comment(s, n) && skip_spaces(line.s + from, line.len - from) == line.len - from;
    empty_continuation = empty_continuation || blank;
    if (is_comment(s, n) || blank) {
      line.len = from;
      line.s[from] = '\0';
      continue;
    }
    more = trim_continuation(&line, from, d->escape);
  }
  if (df_parse_instruction(line.s, line.len, d->escape, 0, ins, &e) < 0) {
    fail_at(err, name, start, &e);
    goto fail;
  }
  ins->start_line = start;
  /* Docker's parser warns of a blank line inside a continuation (not of a
   * comment line), naming the joined line */
  if (empty_continuation)
    *warning = xasprintf("[WARNING]: Empty continuation line found in:\n    %s", line.s);
  df_buf_free(&line);
  if (takes_heredocs(ins) && read_heredocs(r, ins, name, err) < 0)
    return -1;
  ins->end_line = r->line;
  return 0;
fail:
  df_buf_free(&line);
  return -1;
}

/* Trusts nothing in data: any bytes, any length. */
berth_dockerfile *
berth_dockerfile_parse(const char *data, size_t len, const char *name, berth_error **err)
{
  if (name == NULL)
    name = "Dockerfile";
  if (len > BERTH_DOCKERFILE_MAX_SIZE) {
    /* len is all a reader kept (the CLI stops one byte past the limit) */
    berth_error_set(err, 0, "%s: file too large: more than %u bytes (4 MiB), the limit", name,
                    BERTH_DOCKERFILE_MAX_SIZE);
    return NULL;
  }
  cleanup_dockerfile berth_dockerfile *df = xcalloc(1, sizeof(*df));
  struct directives d = { .escape = '\\' };
  struct reader r = { data, data + len, 0 };
  size_t cap = 0;
  const char *s;
  size_t n;
  while (next_line(&r, &s, &n)) {
    if (check_length(n, name, r.line, err) < 0)
      return NULL;
    berth_df_instruction ins = { 0 };
    char *warning = NULL;
    if (read_instruction(&r, &d, s, n, name, &ins, &warning, err) < 0) {
      free(warning);
      df_instruction_clear(&ins);
      return NULL;
    }
    if (warning != NULL) {
      df->warnings = xrealloc(df->warnings, (df->n_warnings + 3) * sizeof *df->warnings);
      df->warnings[df->n_warnings++] = warning;
      df->warnings[df->n_warnings] = NULL;
    }
    if (ins.keyword == NULL)
      continue;
    if (df->n_instructions == cap) {
      cap = cap ? cap * 2 : 16;
      df->instructions = xrealloc(df->instructions, cap * sizeof(*df->instructions));
    }
    df->instructions[df->n_instructions++] = ins;
  }
  if (df->n_instructions == 0) {
    berth_error_set(err, 0, "%s: file with no instructions", name);
    return NULL;
  }
  df->escape = d.escape;
  if (df->n_warnings > 0) {
    df->warnings[df->n_warnings++]
        = xstrdup("[WARNING]: Empty continuation lines will become errors in a future release.");
    df->warnings[df->n_warnings] = NULL;
  }
  return steal_pointer(&df);
}

void
berth_dockerfile_free(berth_dockerfile *df)
{
  if (df == NULL)
    return;
  for (size_t i = 0; i < df->n_instructions; i++)
    df_instruction_clear(&df->instructions[i]);
  free(df->instructions);
  for (size_t i = 0; i < df->n_warnings; i++)
    free(df->warnings[i]);
  free(df->warnings);
  free(df);
}

void
berth_dockerfile_cleanup(berth_dockerfile **df)
{
  berth_dockerfile_free(*df);
  *df = NULL;
}
