/* The Dockerfile parser against moby/buildkit's parser test corpus
 * (../shared/testdata/dockerfile-parser/parser: every positive case's dump
 * byte for byte, every negative case refused, testfile-line's line ranges),
 * then berth's own cases: the error words of each bad input with its line,
 * heredocs, parser directives. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "dockerfile/dump.h"
#include "dockerfile/parser.h"
#include "harness.h"

static char *corpus; /* .../dockerfile-parser/parser, NULL when absent */

static char *
read_all(const char *path, size_t *len)
{
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (n == cap)
      buf = xrealloc(buf, cap *= 2);
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      free(buf);
      return NULL;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  *len = n;
  return buf;
}

static berth_dockerfile *
parse_str(const char *text, berth_error **err)
{
  return berth_dockerfile_parse(text, strlen(text), "Dockerfile", err);
}

/* The error message of parsing text, "" when it parses. */
static char *
parse_error(const char *text)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df = parse_str(text, &err);
  if (df != NULL)
    return xstrdup("");
  return xstrdup(berth_error_message(err) ? berth_error_message(err) : "(no message)");
}

/* The error message of berth_dockerfile_check on text, "" when it passes. */
static char *
check_error(const char *text)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df = parse_str(text, &err);
  if (df == NULL)
    return xasprintf("parse failed: %s", berth_error_message(err));
  if (berth_dockerfile_check(df, "Dockerfile", &err) == 0)
    return xstrdup("");
  return xstrdup(berth_error_message(err));
}

static char *
dump_of(const char *text)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df = parse_str(text, &err);
  if (df == NULL)
    return xasprintf("error: %s", berth_error_message(err));
  return berth_dockerfile_dump(df);
}

static int
cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case directories under corpus/sub, sorted; NULL-terminated. */
static char **
cases(const char *sub)
{
  cleanup_free char *dir = xasprintf("%s/%s", corpus, sub);
  cleanup_dir DIR *d = opendir(dir);
  char **v = xcalloc(1, sizeof(*v));
  size_t n = 0;
  struct dirent *de;
  while (d != NULL && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    v = xrealloc(v, (n + 2) * sizeof(*v));
    v[n++] = xstrdup(de->d_name);
    v[n] = NULL;
  }
  qsort(v, n, sizeof(*v), cmp_names);
  return v;
}

static void
report(bool ok, const char *what)
{
  printf("%s %d - %s\n", ok ? "ok" : "not ok", ++berth_t.planned, what);
}

static int corpus_passed, corpus_total;

static void
corpus_positive(void)
{
  cleanup_strv char **names = cases("testfiles");
  for (char **c = names; *c != NULL; c++) {
    cleanup_free char *path = xasprintf("%s/testfiles/%s/Dockerfile", corpus, *c);
    cleanup_free char *rpath = xasprintf("%s/testfiles/%s/result", corpus, *c);
    size_t len = 0, rlen = 0;
    cleanup_free char *text = read_all(path, &len);
    cleanup_free char *want = read_all(rpath, &rlen);
    cleanup_error berth_error *err = NULL;
    cleanup_dockerfile berth_dockerfile *df
        = text ? berth_dockerfile_parse(text, len, "Dockerfile", &err) : NULL;
    cleanup_free char *got = df ? berth_dockerfile_dump(df) : NULL;
    bool ok = want != NULL && got != NULL && strlen(got) == rlen && memcmp(got, want, rlen) == 0;
    if (!ok && got == NULL)
      printf("#   parse failed: %s\n", err ? berth_error_message(err) : "(unreadable)");
    else if (!ok)
      printf("#   got:\n%s#   want:\n%.*s", got, (int)rlen, want ? want : "");
    corpus_total++, corpus_passed += ok;
    cleanup_free char *what = xasprintf("corpus testfiles/%s dumps as its result", *c);
    report(ok, what);
  }
}

static void
corpus_negative(void)
{
  cleanup_strv char **names = cases("testfiles-negative");
  for (char **c = names; *c != NULL; c++) {
    cleanup_free char *path = xasprintf("%s/testfiles-negative/%s/Dockerfile", corpus, *c);
    size_t len = 0;
    cleanup_free char *text = read_all(path, &len);
    cleanup_error berth_error *err = NULL;
    cleanup_dockerfile berth_dockerfile *df
        = text ? berth_dockerfile_parse(text, len, "Dockerfile", &err) : NULL;
    bool ok = text != NULL && df == NULL && err != NULL;
    if (err != NULL)
      printf("#   %s: %s\n", *c, berth_error_message(err));
    corpus_total++, corpus_passed += ok;
    cleanup_free char *what = xasprintf("corpus testfiles-negative/%s is refused", *c);
    report(ok, what);
  }
}

static void
corpus_lines(void)
{
  cleanup_free char *path = xasprintf("%s/testfile-line/Dockerfile", corpus);
  size_t len = 0;
  cleanup_free char *text = read_all(path, &len);
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = text ? berth_dockerfile_parse(text, len, "Dockerfile", &err) : NULL;
  static const int want[][2] = { { 5, 5 }, { 11, 12 }, { 17, 31 } };
  bool ok = df != NULL && df->n_instructions == 3;
  for (size_t i = 0; ok && i < 3; i++) {
    if (df->instructions[i].start_line != want[i][0] || df->instructions[i].end_line != want[i][1])
      ok = false;
    printf("#   [%d,%d]\n", df->instructions[i].start_line, df->instructions[i].end_line);
  }
  corpus_total++, corpus_passed += ok;
  report(ok, "corpus testfile-line: instructions span [5,5], [11,12], [17,31]");
}

/* ---- berth's own cases ---- */

TEST(error_unterminated_heredoc)
{
  cleanup_free char *e = parse_error("FROM a\n\n\n\n\n\nRUN <<EOF\necho hi\n");
  CHECK_STR(e, "Dockerfile:7: unterminated heredoc (<<EOF)");
  cleanup_free char *e2 = parse_error("FROM a\nCOPY <<A <<-B /x\na\nA\n\tb\n");
  CHECK_STR(e2, "Dockerfile:2: unterminated heredoc (<<-B)");
}

TEST(error_nested_json)
{
  cleanup_free char *e = parse_error("FROM a\nCMD [ \"echo\", [ \"nested json\" ] ]\n");
  CHECK_STR(e, "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings "
               "only");
  cleanup_free char *e2 = parse_error("FROM a\nCOPY [\"a\", 1] /x\n");
  CHECK_STR(e2, "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings "
                "only");
}

TEST(bad_json_falls_back_to_shell_form)
{
  cleanup_free char *d = dump_of("CMD [\"a\", 1\nRUN [\"x\"] y\nENTRYPOINT [\"\\q\"]\n");
  CHECK_STR(d, "(cmd \"[\\\"a\\\", 1\")\n(run \"x\")\n(entrypoint \"[\\\"\\\\q\\\"]\")\n");
  /* a raw control character in a JSON string is invalid JSON; bad UTF-8 is
   * not (Go decodes it as U+FFFD); a lone surrogate escape is U+FFFD too */
  cleanup_free char *d2 = dump_of("CMD [\"a\tb\"]\nCMD [\"\xff\", \"\\ud800\"]\n");
  CHECK_STR(d2, "(cmd \"[\\\"a\\tb\\\"]\")\n(cmd \"\xef\xbf\xbd\" \"\xef\xbf\xbd\")\n");
}

TEST(error_env_without_value)
{
  cleanup_free char *e = parse_error("FROM a\n# c\nENV PATH\n");
  CHECK_STR(e, "Dockerfile:3: ENV must have two arguments");
  cleanup_free char *e2 = parse_error("FROM a\nLABEL a=b \\\n  c\n");
  CHECK_STR(e2, "Dockerfile:2: Syntax error - can't find = in \"c\". Must be of the form: "
                "name=value");
}

TEST(error_no_instructions)
{
  cleanup_free char *e = parse_error("");
  CHECK_STR(e, "Dockerfile: file with no instructions");
  cleanup_free char *e2 = parse_error("# only\n\n   # comments\n");
  CHECK_STR(e2, "Dockerfile: file with no instructions");
}

TEST(error_too_large)
{
  size_t n = 10u << 20;
  cleanup_free char *big = xmalloc(n);
  memset(big, '\n', n);
  memcpy(big, "FROM a\n", 7);
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df = berth_dockerfile_parse(big, n, "Dockerfile", &err);
  CHECK(df == NULL);
  CHECK_STR(berth_error_message(err),
            "Dockerfile: file too large: more than 4194304 bytes (4 MiB), the limit");
}

TEST(error_line_too_long)
{
  size_t n = 70000;
  cleanup_free char *text = xmalloc(n + 20);
  memcpy(text, "FROM a\nRUN ", 11);
  memset(text + 11, 'x', n);
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = berth_dockerfile_parse(text, n + 11, "Dockerfile", &err);
  CHECK(df == NULL);
  CHECK_STR(berth_error_message(err),
            "Dockerfile:2: dockerfile line greater than max allowed size of 65535");
}

TEST(error_directives)
{
  cleanup_free char *e = parse_error("# escape=x\nFROM a\n");
  CHECK_STR(e, "Dockerfile:1: invalid escape token 'x' does not match ` or \\");
  cleanup_free char *e2 = parse_error("# escape=`\n# escape=\\\nFROM a\n");
  CHECK_STR(e2, "Dockerfile:2: only one escape parser directive can be used");
  cleanup_free char *e3 = parse_error("FROM a\nONBUILD ONBUILD RUN x\n");
  CHECK_STR(e3, "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
}

TEST(check_unknown_instruction)
{
  cleanup_free char *e = check_error("FROM a\nRUN x\n\nFOO bar\n");
  CHECK_STR(e, "Dockerfile:4: unknown instruction: FOO");
  cleanup_free char *e2 = check_error("FROM a\nONBUILD Bogus x\n");
  CHECK_STR(e2, "Dockerfile:2: unknown instruction: Bogus");
  cleanup_free char *e3 = check_error("FROM a\nONBUILD FROM b\n");
  CHECK_STR(e3, "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger");
}

TEST(check_from_first)
{
  cleanup_free char *e = check_error("ARG V=1\n# c\nENV A=b\nFROM a\n");
  CHECK_STR(e, "Dockerfile:3: no build stage in current context (ENV before the first FROM)");
  cleanup_free char *e2 = check_error("ARG V=1\nARG W\n");
  CHECK_STR(e2, "Dockerfile:2: no build stage in current context (no FROM)");
  cleanup_free char *ok = check_error("ARG V=1\nFROM a:$V\nRUN x\n");
  CHECK_STR(ok, "");
}

static const berth_df_instruction *
nth(const berth_dockerfile *df, size_t i)
{
  return df != NULL && i < df->n_instructions ? &df->instructions[i] : NULL;
}

TEST(heredoc_run)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = parse_str("FROM a\nRUN <<EOF\necho $HOME\n  two\nEOF\nRUN x\n", &err);
  const berth_df_instruction *run = nth(df, 1);
  CHECK(run != NULL && run->n_heredocs == 1);
  if (run == NULL || run->n_heredocs != 1)
    return;
  CHECK_STR(run->args[0], "<<EOF");
  CHECK_STR(run->heredocs[0].name, "EOF");
  CHECK_STR(run->heredocs[0].content, "echo $HOME\n  two\n");
  CHECK(run->heredocs[0].expand && !run->heredocs[0].chomp && run->heredocs[0].fd == 0);
  CHECK(run->start_line == 2 && run->end_line == 5);
  CHECK(nth(df, 2)->start_line == 6);
}

TEST(heredoc_copy_several_quoted_chomp)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = parse_str("FROM a\nCOPY <<'ONE' 3<<-\"T\"WO /dest/\n$x\nONE\n\t\tkeep\n\tTWO\n", &err);
  const berth_df_instruction *cp = nth(df, 1);
  CHECK(cp != NULL && cp->n_heredocs == 2);
  if (cp == NULL || cp->n_heredocs != 2)
    return;
  CHECK(cp->n_args == 3);
  CHECK_STR(cp->args[2], "/dest/");
  CHECK_STR(cp->heredocs[0].name, "ONE");
  CHECK(!cp->heredocs[0].expand && !cp->heredocs[0].chomp);
  CHECK_STR(cp->heredocs[0].content, "$x\n");
  CHECK_STR(cp->heredocs[1].name, "TWO");
  CHECK(!cp->heredocs[1].expand && cp->heredocs[1].chomp && cp->heredocs[1].fd == 3);
  CHECK_STR(cp->heredocs[1].content, "keep\n");
  CHECK(cp->end_line == 6);
}

TEST(heredoc_not_in_json_or_other_instructions)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = parse_str("FROM a\nRUN [\"sh\", \"<<EOF\"]\nLABEL a=<<EOF\nRUN cat<<EOF x\n", &err);
  CHECK(df != NULL && df->n_instructions == 4);
  for (size_t i = 0; df != NULL && i < df->n_instructions; i++)
    CHECK(df->instructions[i].n_heredocs == 0);
}

TEST(heredoc_onbuild_and_crlf)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = parse_str("FROM a\r\nONBUILD RUN <<EOF\r\nhi\r\nEOF\r\nCMD x\r\n", &err);
  const berth_df_instruction *ob = nth(df, 1);
  CHECK(ob != NULL && ob->n_heredocs == 1 && ob->sub != NULL);
  if (ob == NULL || ob->n_heredocs != 1)
    return;
  CHECK_STR(ob->heredocs[0].content, "hi\r\n");
  CHECK(ob->end_line == 4);
  cleanup_free char *d = berth_dockerfile_dump(df);
  CHECK_STR(d, "(from \"a\")\n(onbuild (run \"<<EOF\"))\n(cmd \"x\")\n");
}

TEST(escape_directive_backtick)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = parse_str("# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\n\nFROM a\n"
                  "RUN dir c:\\ `\n  && echo x\nCOPY . c:\\app\\\n",
                  &err);
  CHECK(df != NULL && df->escape == '`');
  cleanup_free char *d = df ? berth_dockerfile_dump(df) : xstrdup("");
  CHECK_STR(d, "(from \"a\")\n(run \"dir c:\\\\   && echo x\")\n(copy \".\" \"c:\\\\app\\\\\")\n");
  CHECK(nth(df, 1) != NULL && nth(df, 1)->start_line == 6 && nth(df, 1)->end_line == 7);
}

TEST(escape_directive_only_at_top)
{
  /* after an instruction, or after a comment, it is an ordinary comment */
  cleanup_free char *d = dump_of("FROM a\n# escape=`\nRUN a \\\n b\n");
  CHECK_STR(d, "(from \"a\")\n(run \"a  b\")\n");
  cleanup_free char *d2 = dump_of("# hello\n# escape=`\nRUN a \\\n b\n");
  CHECK_STR(d2, "(run \"a  b\")\n");
  /* a byte-order mark does not hide the directive */
  cleanup_free char *d3 = dump_of("\xEF\xBB\xBF# escape=`\nRUN a `\n b\n");
  CHECK_STR(d3, "(run \"a  b\")\n");
}

TEST(continuation_skips_comments_and_blank_lines)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = parse_str("FROM a\nRUN one \\\n  # inside\n\n   two \\\n", &err);
  cleanup_free char *d = df ? berth_dockerfile_dump(df) : xstrdup("");
  CHECK_STR(d, "(from \"a\")\n(run \"one    two\")\n");
  CHECK(nth(df, 1) != NULL && nth(df, 1)->end_line == 5);
  /* the blank line (not the comment) warned of, as Docker's parser does */
  CHECK(df != NULL && df->n_warnings == 2);
  if (df != NULL && df->n_warnings == 2) {
    CHECK_STR(df->warnings[0], "[WARNING]: Empty continuation line found in:\n    RUN one    two ");
    CHECK_STR(df->warnings[1],
              "[WARNING]: Empty continuation lines will become errors in a future release.");
    CHECK(df->warnings[2] == NULL);
  }
  cleanup_dockerfile berth_dockerfile *quiet
      = parse_str("FROM a\nRUN one \\\n  # only a comment\n   two\n", &err);
  CHECK(quiet != NULL && quiet->n_warnings == 0 && quiet->warnings == NULL);
}

TEST(instruction_shape)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = parse_str("from --platform=linux/amd64 b AS base\ncopy --from=base --chown=1:2 a b /c/\n"
                  "CMD [\"a\\u0000b\"]\nENV K V W\n",
                  &err);
  CHECK(df != NULL && df->n_instructions == 4);
  if (df == NULL || df->n_instructions != 4)
    return;
  const berth_df_instruction *f = &df->instructions[0];
  CHECK_STR(f->keyword, "from");
  CHECK(f->n_flags == 1 && f->n_args == 3 && f->args[3] == NULL);
  CHECK_STR(f->flags[0], "--platform=linux/amd64");
  CHECK_STR(f->args[2], "base");
  const berth_df_instruction *c = &df->instructions[1];
  CHECK(c->n_flags == 2 && c->n_args == 3 && !c->json);
  CHECK_STR(c->original, "copy --from=base --chown=1:2 a b /c/");
  const berth_df_instruction *cmd = &df->instructions[2];
  CHECK(cmd->json && cmd->n_args == 1 && cmd->arg_lens[0] == 3
        && memcmp(cmd->args[0], "a\0b", 3) == 0);
  const berth_df_instruction *env = &df->instructions[3];
  CHECK(env->n_args == 3);
  CHECK_STR(env->args[1], "V W");
  CHECK_STR(env->args[2], "");
}

static char *
find_corpus(void)
{
  const char *env = getenv("BERTH_SHARED_DIR");
  cleanup_free char *dir = xasprintf("%s/testdata/dockerfile-parser/parser",
                                     env != NULL && *env != '\0' ? env : BERTH_SHARED_DEFAULT);
  struct stat st;
  if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
    return NULL;
  return steal_pointer(&dir);
}

int
main(void)
{
  corpus = find_corpus();
  if (corpus == NULL) {
    report(true, "buildkit parser corpus # SKIP shared testdata absent");
  } else {
    corpus_positive();
    corpus_negative();
    corpus_lines();
    printf("# buildkit parser corpus: %d of %d cases pass\n", corpus_passed, corpus_total);
    free(corpus);
  }
  RUN(error_unterminated_heredoc);
  RUN(error_nested_json);
  RUN(bad_json_falls_back_to_shell_form);
  RUN(error_env_without_value);
  RUN(error_no_instructions);
  RUN(error_too_large);
  RUN(error_line_too_long);
  RUN(error_directives);
  RUN(check_unknown_instruction);
  RUN(check_from_first);
  RUN(heredoc_run);
  RUN(heredoc_copy_several_quoted_chomp);
  RUN(heredoc_not_in_json_or_other_instructions);
  RUN(heredoc_onbuild_and_crlf);
  RUN(escape_directive_backtick);
  RUN(escape_directive_only_at_top);
  RUN(continuation_skips_comments_and_blank_lines);
  RUN(instruction_shape);
  DONE();
}
