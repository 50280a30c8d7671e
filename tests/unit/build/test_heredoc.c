/* RUN's heredoc plan and COPY's heredoc expansion (build/heredoc.c), and
 * which words are heredocs (dockerfile/heredoc.c), as BuildKit decides them
 * (dockerfile2llb dispatchRun, parser.MustParseHeredoc, ExpandRaw). */
#include <stdlib.h>
#include <string.h>

#include "build/build_internal.h"
#include "harness.h"

static berth_df_heredoc
doc(const char *name, const char *body)
{
  return (berth_df_heredoc){
    .name = (char *)name, .content = (char *)body, .content_len = strlen(body), .expand = true
  };
}

TEST(run_lone_heredoc_is_the_script)
{
  berth_df_heredoc d = doc("EOF", "echo a\necho b\n");
  berth_build_run_heredoc h;
  CHECK(berth_build_run_heredoc_plan("<<EOF", &d, 1, &h, NULL) == 0);
  CHECK_STR(h.command, "echo a\necho b\n");
  CHECK_STR(h.saved, "echo a\necho b\n");
  CHECK(h.pipe == NULL);
  berth_build_run_heredoc_clear(&h);
  /* <<-, a quoted delimiter and a descriptor are still one word alone */
  const char *lone[] = { "<<-EOF", "<<\"EOF\"", "<<'E'OF", "3<<EOF", NULL };
  for (const char **l = lone; *l != NULL; l++) {
    CHECK(berth_build_run_heredoc_plan(*l, &d, 1, &h, NULL) == 0);
    CHECK_STR(h.command, "echo a\necho b\n");
    berth_build_run_heredoc_clear(&h);
  }
}

TEST(run_shebang_is_a_pipe)
{
  berth_df_heredoc d = doc("SCRIPT", "#!/usr/bin/awk -f\nBEGIN { print 1 }\n");
  berth_build_run_heredoc h;
  CHECK(berth_build_run_heredoc_plan("<<SCRIPT", &d, 1, &h, NULL) == 0);
  CHECK_STR(h.command, "/dev/pipes/SCRIPT");
  CHECK(h.pipe == &d);
  /* the body stays in CREATED BY */
  CHECK_STR(h.saved, "<<SCRIPT\n#!/usr/bin/awk -f\nBEGIN { print 1 }\nSCRIPT");
  berth_build_run_heredoc_clear(&h);
  berth_df_heredoc bad = doc("a/b", "#!/bin/sh\n");
  berth_error *e = NULL;
  CHECK(berth_build_run_heredoc_plan("<<a/b", &bad, 1, &h, &e) < 0);
  CHECK(e != NULL && strstr(berth_error_message(e), "must be a file name") != NULL);
  berth_error_free(e);
}

TEST(run_other_lines_go_to_the_shell_whole)
{
  berth_df_heredoc d[] = { doc("A", "one\n"), doc("B", "two\n") };
  berth_build_run_heredoc h;
  CHECK(berth_build_run_heredoc_plan("cat <<A > /a && cat <<B > /b", d, 2, &h, NULL) == 0);
  CHECK_STR(h.command, "cat <<A > /a && cat <<B > /b\none\nA\ntwo\nB");
  CHECK(h.pipe == NULL);
  berth_build_run_heredoc_clear(&h);
  /* a second word after the heredoc: the shell's, even with #! */
  berth_df_heredoc s = doc("EOF", "#!/bin/sh\necho x\n");
  CHECK(berth_build_run_heredoc_plan("<<EOF bash", &s, 1, &h, NULL) == 0);
  CHECK_STR(h.command, "<<EOF bash\n#!/bin/sh\necho x\nEOF");
  CHECK(h.pipe == NULL);
  berth_build_run_heredoc_clear(&h);
  /* a NUL byte cannot go into a command string */
  berth_df_heredoc z = { .name = "EOF", .content = "a\0b\n", .content_len = 4 };
  berth_error *e = NULL;
  CHECK(berth_build_run_heredoc_plan("<<EOF", &z, 1, &h, &e) < 0);
  berth_error_free(e);
}

TEST(copy_expansion_keeps_quotes)
{
  char *env[] = { "WHO=world", "E=", NULL };
  struct {
    const char *in, *want;
  } cases[] = {
    { "hello $WHO\n", "hello world\n" },
    { "'$WHO' \"${WHO}\"\n", "'world' \"world\"\n" },
    { "\\$WHO \\\\ \\\"\n", "$WHO \\ \"\n" },
    { "${NOPE:-a 'b' c}|$E|\n", "a 'b' c||\n" },
    { "it's\n", "it's\n" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = berth_build_heredoc_expand(cases[i].in, strlen(cases[i].in), env, NULL);
    CHECK(got != NULL);
    if (got != NULL)
      CHECK_STR(got, cases[i].want);
    free(got);
  }
  berth_error *e = NULL;
  CHECK(berth_build_heredoc_expand("a\0b", 3, env, &e) == NULL);
  berth_error_free(e);
}

TEST(heredoc_words)
{
  berth_df_heredoc h;
  CHECK(berth_df_heredoc_word("<<EOF", &h));
  CHECK_STR(h.name, "EOF");
  CHECK(h.expand && !h.chomp);
  free(h.name);
  CHECK(berth_df_heredoc_word("<<-'E'OF", &h));
  CHECK_STR(h.name, "EOF");
  CHECK(!h.expand && h.chomp);
  free(h.name);
  CHECK(!berth_df_heredoc_word("file.txt", &h));
  CHECK(!berth_df_heredoc_word("<<", &h));
  CHECK(!berth_df_heredoc_word("a<<EOF", &h));
  CHECK(!berth_df_heredoc_word("<<EOF <<B", &h));
}

int
main(void)
{
  RUN(run_lone_heredoc_is_the_script);
  RUN(run_shebang_is_a_pipe);
  RUN(run_other_lines_go_to_the_shell_whole);
  RUN(copy_expansion_keeps_quotes);
  RUN(heredoc_words);
  DONE();
}
