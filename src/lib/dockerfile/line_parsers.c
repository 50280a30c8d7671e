/* One logical line to an instruction: the keyword, the leading --flags and
 * the arguments in the shape BuildKit's line parsers give each keyword
 * (frontend/dockerfile/parser/line_parsers.go and split_command.go). */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "dockerfile/dump.h"
#include "dockerfile/parser_internal.h"

/* ONBUILD ONBUILD is refused (Docker refuses it too), which also bounds the
 * recursion. */
#define MAX_ONBUILD_DEPTH 1

static bool
ascii_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The leading flags of p: words starting with `--`, quotes and backslashes
 * processed, ended by the first other word or a bare `--` (dropped).
 * Returns the offset of the rest.  BuildKit tests spaces here byte by byte
 * as Latin-1 characters (and so writes non-ASCII flag bytes as Latin-1 in
 * UTF-8); here only ASCII spaces split and bytes are kept as they are. */
static size_t
extract_flags(const char *p, size_t n, struct df_words *flags)
{
  struct df_buf w = { 0 };
  enum { SPACES, WORD, QUOTE } phase = SPACES;
  char quote = 0;
  bool blank_ok = false;
  size_t pos;
  for (pos = 0; pos <= n; pos++) {
    char ch = pos < n ? p[pos] : 0;
    if (phase == SPACES) {
      if (pos == n)
        break;
      if (ascii_space(ch))
        continue;
      if (ch != '-' || pos + 1 == n || p[pos + 1] != '-')
        goto out;
      phase = WORD;
    }
    if (pos == n) {
      if (!(w.len == 2 && memcmp(w.s, "--", 2) == 0) && (blank_ok || w.len > 0))
        df_words_add(flags, w.s, w.len);
      break;
    }
    if (phase == WORD) {
      if (ascii_space(ch)) {
        phase = SPACES;
        if (w.len == 2 && memcmp(w.s, "--", 2) == 0)
          goto out;
        if (blank_ok || w.len > 0)
          df_words_add(flags, w.s != NULL ? w.s : "", w.len);
        w.len = 0;
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch, blank_ok = true, phase = QUOTE;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == n)
          continue;
        ch = p[++pos];
      }
      df_buf_addc(&w, ch);
      continue;
    }
    /* QUOTE */
    if (ch == quote) {
      phase = WORD;
      continue;
    }
    if (ch == '\\') {
      if (pos + 1 == n) {
        phase = WORD;
        continue;
      }
      ch = p[++pos];
    }
    df_buf_addc(&w, ch);
  }
  pos = n;
out:
  df_buf_free(&w);
  return pos;
}

/* Words separated by spaces, quotes and escapes kept in them (BuildKit's
 * parseWords): ARG, and the key=value form of ENV and LABEL. */
static void
parse_words(const char *p, size_t n, char escape, struct df_words *out)
{
  struct df_buf w = { 0 };
  enum { SPACES, WORD, QUOTE } phase = SPACES;
  char quote = 0;
  bool blank_ok = false;
  size_t width = 1;
  for (size_t pos = 0; pos <= n; pos += width) {
    int32_t r;
    width = pos < n ? df_utf8_decode(p + pos, n - pos, &r) : 1;
    const char *ch = p + pos;
    if (phase == SPACES) {
      if (pos == n)
        break;
      if (df_space_at(ch, n - pos) > 0)
        continue;
      phase = WORD;
    }
    if (pos == n) {
      if (blank_ok || w.len > 0)
        df_words_add(out, w.s != NULL ? w.s : "", w.len);
      break;
    }
    if (phase == WORD) {
      if (df_space_at(ch, n - pos) > 0) {
        phase = SPACES;
        if (blank_ok || w.len > 0)
          df_words_add(out, w.s != NULL ? w.s : "", w.len);
        w.len = 0;
        blank_ok = false;
        continue;
      }
      if (*ch == '\'' || *ch == '"') {
        quote = *ch, blank_ok = true, phase = QUOTE;
      } else if (*ch == escape) {
        if (pos + 1 == n)
          continue; /* an escape at the very end is dropped */
        /* the escape and the character it escapes are both kept */
        df_buf_addc(&w, *ch);
        pos += 1;
        width = df_utf8_decode(p + pos, n - pos, &r);
        ch = p + pos;
      }
      df_buf_add(&w, ch, width);
      continue;
    }
    if (*ch == quote) {
      phase = WORD;
    } else if (*ch == escape && quote != '\'') {
      if (pos + 1 == n) {
        phase = WORD;
        continue;
      }
      df_buf_addc(&w, *ch);
      pos += 1;
      width = df_utf8_decode(p + pos, n - pos, &r);
      ch = p + pos;
    }
    df_buf_add(&w, ch, width);
  }
  df_buf_free(&w);
}

/* Splits on runs of [\t\v\f\r ] (p is trimmed, so no empty word). */
static void
split_blanks(const char *p, size_t n, struct df_words *out)
{
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && !df_is_blank(p[j]))
      j++;
    df_words_add(out, p + i, j - i);
    while (j < n && df_is_blank(p[j]))
      j++;
    i = j;
  }
}

static void
add_triple(struct df_words *out, const char *k, size_t kn, const char *v, size_t vn,
           const char *sep)
{
  df_words_add(out, k, kn);
  df_words_add(out, v, vn);
  df_words_add(out, sep, strlen(sep));
}

/* ENV and LABEL: `K V…` (the old form, one pair) or `K=V…` pairs. */
static int
parse_name_val(const char *p, size_t n, char escape, const char *what, struct df_words *out,
               berth_error **err)
{
  struct df_words words = { 0 };
  parse_words(p, n, escape, &words);
  if (words.n == 0)
    return 0;
  int rc = 0;
  if (memchr(words.v[0], '=', words.len[0]) == NULL) {
    size_t i = 0;
    while (i < n && !df_is_blank(p[i]))
      i++;
    size_t j = i;
    while (j < n && df_is_blank(p[j]))
      j++;
    if (i == n)
      rc = berth_error_set(err, 0, "%s must have two arguments", what);
    else
      add_triple(out, p, i, p + j, n - j, "");
    goto done;
  }
  for (size_t k = 0; k < words.n; k++) {
    const char *eq = memchr(words.v[k], '=', words.len[k]);
    if (eq == NULL) {
      char *q = berth_dockerfile_quote(words.v[k], words.len[k]);
      rc = berth_error_set(err, 0,
                           "Syntax error - can't find = in %s. Must be of the form: name=value", q);
      free(q);
      goto done;
    }
    size_t kn = (size_t)(eq - words.v[k]);
    add_triple(out, words.v[k], kn, eq + 1, words.len[k] - kn - 1, "=");
  }
done:
  df_words_free(&words);
  return rc;
}

/* RUN, CMD, ENTRYPOINT, SHELL: a JSON array of strings, or the whole rest. */
static int
parse_maybe_json(const char *p, size_t n, berth_df_instruction *ins, struct df_words *out,
                 berth_error **err)
{
  if (n == 0)
    return 0;
  int r = df_json_strings(p, n, out, err);
  if (r < 0)
    return -1;
  if (r > 0) {
    ins->json = true;
    return 0;
  }
  df_words_add(out, p, n);
  return 0;
}

static int
parse_health(const char *p, size_t n, berth_df_instruction *ins, struct df_words *out,
             berth_error **err)
{
  size_t sep = 0;
  while (sep < n && !ascii_space(p[sep]))
    sep++;
  size_t next = sep;
  while (next < n && ascii_space(p[next]))
    next++;
  if (sep == 0)
    return 0;
  struct df_words cmd = { 0 };
  if (parse_maybe_json(p + next, n - next, ins, &cmd, err) < 0)
    return -1;
  df_words_add(out, p, sep);
  for (size_t i = 0; i < cmd.n; i++)
    df_words_add(out, cmd.v[i], cmd.len[i]);
  df_words_free(&cmd);
  return 0;
}

enum form {
  F_IGNORE,
  F_JSON,
  F_JSON_LIST,
  F_WORDS,
  F_BLANKS,
  F_NAME_VAL,
  F_STRING,
  F_HEALTH,
  F_SUB
};

static const struct {
  const char *keyword;
  enum form form;
} dispatch[] = {
  { "add", F_JSON_LIST },  { "arg", F_WORDS },         { "cmd", F_JSON },
  { "copy", F_JSON_LIST }, { "entrypoint", F_JSON },   { "env", F_NAME_VAL },
  { "expose", F_BLANKS },  { "from", F_BLANKS },       { "healthcheck", F_HEALTH },
  { "label", F_NAME_VAL }, { "maintainer", F_STRING }, { "onbuild", F_SUB },
  { "run", F_JSON },       { "shell", F_JSON },        { "stopsignal", F_STRING },
  { "user", F_STRING },    { "volume", F_JSON_LIST },  { "workdir", F_STRING },
};

static enum form
form_of(const char *keyword)
{
  for (size_t i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
    if (strcmp(dispatch[i].keyword, keyword) == 0)
      return dispatch[i].form;
  return F_IGNORE;
}

static int
parse_args(enum form form, const char *p, size_t n, char escape, int depth,
           berth_df_instruction *ins, struct df_words *out, berth_error **err)
{
  int r;
  switch (form) {
  case F_IGNORE:
    df_words_add(out, "", 0);
    return 0;
  case F_JSON:
    return parse_maybe_json(p, n, ins, out, err);
  case F_JSON_LIST:
    r = df_json_strings(p, n, out, err);
    if (r != 0) {
      ins->json = r > 0;
      return r < 0 ? -1 : 0;
    }
    split_blanks(p, n, out);
    return 0;
  case F_WORDS:
    parse_words(p, n, escape, out);
    return 0;
  case F_BLANKS:
    split_blanks(p, n, out);
    return 0;
  case F_NAME_VAL:
    return parse_name_val(p, n, escape, strcmp(ins->keyword, "env") == 0 ? "ENV" : "LABEL", out,
                          err);
  case F_STRING:
    if (n > 0)
      df_words_add(out, p, n);
    return 0;
  case F_HEALTH:
    return parse_health(p, n, ins, out, err);
  case F_SUB:
    if (n == 0)
      return 0;
    if (depth >= MAX_ONBUILD_DEPTH)
      return berth_error_set(err, 0, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    ins->sub = xcalloc(1, sizeof(*ins->sub));
    return df_parse_instruction(p, n, escape, depth + 1, ins->sub, err);
  }
  return 0;
}

/* Trusts nothing in line: any bytes, a NUL among them. */
int
df_parse_instruction(const char *line, size_t n, char escape, int depth, berth_df_instruction *ins,
                     berth_error **err)
{
  const char *p = line;
  ins->original = xstrndup(line, n);
  df_trim_space(&p, &n);
  size_t k = 0;
  while (k < n && !df_is_blank(p[k]))
    k++;
  ins->keyword = xstrndup(p, k);
  for (char *c = ins->keyword; *c != '\0'; c++)
    if (*c >= 'A' && *c <= 'Z')
      *c = (char)(*c - 'A' + 'a');
  const char *rest = p + k;
  size_t rn = n - k;
  while (rn > 0 && df_is_blank(*rest))
    rest++, rn--;

  struct df_words flags = { 0 }, args = { 0 };
  size_t off = k < n ? extract_flags(rest, rn, &flags) : rn;
  rest += off, rn -= off;
  df_trim_space(&rest, &rn);
  int rc = parse_args(form_of(ins->keyword), rest, rn, escape, depth, ins, &args, err);
  /* empty lists too are NULL-terminated arrays */
  if (flags.v == NULL)
    flags.v = xcalloc(1, sizeof(*flags.v));
  if (args.v == NULL)
    args.v = xcalloc(1, sizeof(*args.v)), args.len = xcalloc(1, sizeof(*args.len));
  ins->flags = flags.v;
  ins->n_flags = flags.n;
  free(flags.len);
  ins->args = args.v;
  ins->arg_lens = args.len;
  ins->n_args = args.n;
  return rc < 0 ? -1 : 0;
}

void
df_instruction_clear(berth_df_instruction *ins)
{
  free(ins->keyword);
  free(ins->original);
  for (size_t i = 0; i < ins->n_flags; i++)
    free(ins->flags[i]);
  free(ins->flags);
  for (size_t i = 0; i < ins->n_args; i++)
    free(ins->args[i]);
  free(ins->args);
  free(ins->arg_lens);
  if (ins->sub != NULL) {
    df_instruction_clear(ins->sub);
    free(ins->sub);
  }
  for (size_t i = 0; i < ins->n_heredocs; i++) {
    free(ins->heredocs[i].name);
    free(ins->heredocs[i].content);
  }
  free(ins->heredocs);
  memset(ins, 0, sizeof(*ins));
}
