/* BuildKit's Node.Dump(), for comparing with the dumps of its test corpus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/dump.h"
#include "dockerfile/parser_internal.h"

/* unicode.IsPrint for characters beyond ASCII, approximately: the
 * non-printing ones that Dockerfiles may plausibly hold (C1 controls, spaces
 * other than U+0020, format characters, private use, noncharacters).
 * Unassigned code points count as printable here, unlike in Go. */
static bool
is_print(int32_t r)
{
  if (r < 0x80)
    return r >= 0x20 && r < 0x7F;
  if (r <= 0xA0 || r == 0xAD || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x180E || r == 0x1680
      || (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F)
      || (r >= 0x205F && r <= 0x206F) || r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB)
      || (r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000 || (r & 0xFFFE) == 0xFFFE
      || (r >= 0xFDD0 && r <= 0xFDEF) || r == 0x110BD || (r >= 0x1D173 && r <= 0x1D17A)
      || r == 0xE0001 || (r >= 0xE0020 && r <= 0xE007F))
    return false;
  return true;
}

char *
berth_dockerfile_quote(const char *s, size_t n)
{
  struct df_buf b = { 0 };
  char tmp[16];
  df_buf_addc(&b, '"');
  for (size_t i = 0; i < n;) {
    int32_t r;
    size_t w = df_utf8_decode(s + i, n - i, &r);
    if (r < 0) {
      snprintf(tmp, sizeof(tmp), "\\x%02x", (unsigned char)s[i]);
      df_buf_add(&b, tmp, strlen(tmp));
    } else if (r == '"' || r == '\\') {
      df_buf_addc(&b, '\\');
      df_buf_addc(&b, (char)r);
    } else if (is_print(r)) {
      df_buf_add(&b, s + i, w);
    } else {
      const char *named = NULL;
      switch (r) {
      case '\a':
        named = "\\a";
        break;
      case '\b':
        named = "\\b";
        break;
      case '\f':
        named = "\\f";
        break;
      case '\n':
        named = "\\n";
        break;
      case '\r':
        named = "\\r";
        break;
      case '\t':
        named = "\\t";
        break;
      case '\v':
        named = "\\v";
        break;
      }
      if (named != NULL)
        snprintf(tmp, sizeof(tmp), "%s", named);
      else if (r < 0x20 || r == 0x7F)
        snprintf(tmp, sizeof(tmp), "\\x%02x", (unsigned)r);
      else if (r < 0x10000)
        snprintf(tmp, sizeof(tmp), "\\u%04x", (unsigned)r);
      else
        snprintf(tmp, sizeof(tmp), "\\U%08x", (unsigned)r);
      df_buf_add(&b, tmp, strlen(tmp));
    }
    i += w;
  }
  df_buf_addc(&b, '"');
  return df_buf_steal(&b, NULL);
}

static void
add_quoted(struct df_buf *b, const char *s, size_t n)
{
  char *q = berth_dockerfile_quote(s, n);
  df_buf_add(b, q, strlen(q));
  free(q);
}

static void dump_instruction(struct df_buf *b, const berth_df_instruction *ins);

/* Node.Dump() trims what it made: only an empty keyword (a logical line of
 * spaces) leaves anything to trim. */
static void
add_trimmed(struct df_buf *b, const berth_df_instruction *ins)
{
  struct df_buf one = { 0 };
  dump_instruction(&one, ins);
  const char *p = one.s;
  size_t n = one.len;
  df_trim_space(&p, &n);
  df_buf_add(b, p, n);
  df_buf_free(&one);
}

/* One instruction without its parentheses. */
static void
dump_instruction(struct df_buf *b, const berth_df_instruction *ins)
{
  df_buf_add(b, ins->keyword, strlen(ins->keyword));
  if (ins->n_flags > 0) {
    df_buf_add(b, " [", 2);
    for (size_t i = 0; i < ins->n_flags; i++) {
      if (i > 0)
        df_buf_addc(b, ' ');
      add_quoted(b, ins->flags[i], strlen(ins->flags[i]));
    }
    df_buf_addc(b, ']');
  }
  if (ins->sub != NULL) {
    df_buf_add(b, " (", 2);
    add_trimmed(b, ins->sub);
    df_buf_addc(b, ')');
  }
  for (size_t i = 0; i < ins->n_args; i++) {
    df_buf_addc(b, ' ');
    add_quoted(b, ins->args[i], ins->arg_lens[i]);
  }
}

char *
berth_dockerfile_dump(const berth_dockerfile *df)
{
  struct df_buf b = { 0 };
  for (size_t i = 0; i < df->n_instructions; i++) {
    df_buf_addc(&b, '(');
    add_trimmed(&b, &df->instructions[i]);
    df_buf_add(&b, ")\n", 2);
  }
  return df_buf_steal(&b, NULL);
}
