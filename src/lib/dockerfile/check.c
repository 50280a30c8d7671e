/* The checks of a parsed Dockerfile that need no build state, worded as
 * BuildKit's instructions package words them. */
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "dockerfile/dump.h"
#include "dockerfile/parser.h"
#include "dockerfile/parser_internal.h"

static const char *const known[] = {
  "add",    "arg",   "cmd",         "copy",  "entrypoint", "env",
  "expose", "from",  "healthcheck", "label", "maintainer", "onbuild",
  "run",    "shell", "stopsignal",  "user",  "volume",     "workdir",
};

static bool
is_known(const char *keyword)
{
  for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
    if (strcmp(known[i], keyword) == 0)
      return true;
  return false;
}

/* The keyword as written (Docker's message keeps its case): the first word
 * of the instruction's text. */
static char *
written_keyword(const berth_df_instruction *ins)
{
  const char *p = ins->original;
  size_t n = strlen(p);
  df_trim_space(&p, &n);
  size_t k = 0;
  while (k < n && !df_is_blank(p[k]))
    k++;
  return xstrndup(p, k);
}

static int
unknown(const berth_df_instruction *ins, const char *name, int line, berth_error **err)
{
  cleanup_free char *kw = written_keyword(ins);
  cleanup_free char *shown = berth_dockerfile_quote(kw, strlen(kw));
  /* quoted only when it holds what a terminal should not get raw */
  size_t len = strlen(shown);
  bool plain = len == strlen(kw) + 2;
  return berth_error_set(err, 0, "%s:%d: unknown instruction: %.*s", name, line,
                         plain ? (int)strlen(kw) : (int)len, plain ? kw : shown);
}

static void
upper(char *out, size_t size, const char *s)
{
  size_t i = 0;
  for (; s[i] != '\0' && i + 1 < size; i++)
    out[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
  out[i] = '\0';
}

int
berth_dockerfile_check(const berth_dockerfile *df, const char *name, berth_error **err)
{
  if (name == NULL)
    name = "Dockerfile";
  bool stage = false;
  for (size_t i = 0; i < df->n_instructions; i++) {
    const berth_df_instruction *ins = &df->instructions[i];
    char kw[16];
    if (!is_known(ins->keyword))
      return unknown(ins, name, ins->start_line, err);
    upper(kw, sizeof(kw), ins->keyword);
    if (strcmp(ins->keyword, "from") == 0) {
      stage = true;
    } else if (!stage && strcmp(ins->keyword, "arg") != 0) {
      return berth_error_set(err, 0,
                             "%s:%d: no build stage in current context (%s before the first FROM)",
                             name, ins->start_line, kw);
    }
    if (strcmp(ins->keyword, "onbuild") == 0) {
      const berth_df_instruction *t = ins->sub;
      if (t == NULL)
        return berth_error_set(err, 0, "%s:%d: ONBUILD requires at least one argument", name,
                               ins->start_line);
      if (!is_known(t->keyword))
        return unknown(t, name, ins->start_line, err);
      if (strcmp(t->keyword, "from") == 0 || strcmp(t->keyword, "maintainer") == 0) {
        upper(kw, sizeof(kw), t->keyword);
        return berth_error_set(err, 0, "%s:%d: %s isn't allowed as an ONBUILD trigger", name,
                               ins->start_line, kw);
      }
    }
  }
  if (!stage) {
    int line = df->n_instructions > 0 ? df->instructions[df->n_instructions - 1].start_line : 0;
    return berth_error_set(err, 0, "%s:%d: no build stage in current context (no FROM)", name,
                           line);
  }
  return 0;
}
