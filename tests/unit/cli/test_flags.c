/* flags.c: the getopt tables built from a berth_flag table, and --help as
 * Docker's client (pflag) prints it: flags by name, aligned, wrapped at 80
 * columns (the cases worked out by hand with pflag's wrap, whose
 * results help.bats compares with Docker's own help); a management
 * form's usage and aliases. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "flags.h"
#include "harness.h"

/* main.c's, which the tests do not link: a bad flag is only counted */
static int bad_options;

int
berth_cli_bad_option(berth_cli *cli, const char *cmd, char **argv, int c)
{
  (void)cli, (void)cmd, (void)argv, (void)c;
  bad_options++;
  return 125;
}

static const berth_flag flags[] = {
  { "tag", 't', "list", "Name and optionally a tag in the 'name:tag' format" },
  { "human", 'H', berth_flag_bool,
    "Print sizes and dates in human readable format (default true)" },
  { "all", 'a', NULL, "Show all" },
  { "cgroupns", BERTH_FLAG_LONG, "string",
    "Cgroup namespace to use (host|private)\n'host':    Run the container in the Docker host's "
    "cgroup namespace" },
  { 0 },
};
static const berth_cmd_spec spec
    = { "berth images [OPTIONS] [REPOSITORY[:TAG]]", "List images", flags, .max_args = 1 };

static char *
help_of(const berth_cli *cli)
{
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  berth_flags_help(out, cli, &spec);
  fclose(out);
  return text;
}

TEST(help_sorted_aligned_wrapped)
{
  if (isatty(STDIN_FILENO)) /* the width would be the terminal's */
    return;
  char *got = help_of(NULL);
  CHECK_STR(got, "Usage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n"
                 "\n"
                 "List images\n"
                 "\n"
                 "Options:\n"
                 "  -a, --all               Show all\n"
                 "      --cgroupns string   Cgroup namespace to use (host|private)\n"
                 "                          'host':    Run the container in the Docker\n"
                 "                          host's cgroup namespace\n"
                 "  -H, --human             Print sizes and dates in human readable format\n"
                 "                          (default true)\n"
                 /* within the 5 columns of slop: not wrapped */
                 "  -t, --tag list          Name and optionally a tag in the 'name:tag' format\n");
  free(got);
}

TEST(help_of_a_management_form)
{
  berth_cli cli = { .prog = "berth" };
  snprintf(cli.form, sizeof cli.form, "image ls");
  snprintf(cli.aliases, sizeof cli.aliases, "ls, list");
  char *got = help_of(&cli);
  CHECK(strncmp(got,
                "Usage:  berth image ls [OPTIONS] [REPOSITORY[:TAG]]\n\nList images\n\n"
                "Aliases:\n  ls, list\n\nOptions:\n",
                strlen("Usage:  berth image ls [OPTIONS] [REPOSITORY[:TAG]]\n\nList images\n\n"
                       "Aliases:\n  ls, list\n\nOptions:\n"))
        == 0);
  free(got);
}

/* the flags of argv by s in order, as "key[=value]", then "|" and the
 * arguments left (after -1: argv[optind..argc)) */
static void
parse_by(const berth_cmd_spec *s, const char *want, int argc, char **argv)
{
  berth_cli cli = { .prog = "berth" };
  berth_flag_iter it = { 0 };
  char got[256] = "";
  int c;
  opterr = 0;
  while ((c = berth_flags_next(&it, &cli, s, argc, argv)) != -1) {
    size_t n = strlen(got);
    if (c == BERTH_FLAG_DONE) {
      snprintf(got + n, sizeof got - n, "done:%d ", it.status);
      break;
    }
    snprintf(got + n, sizeof got - n, "%s%s%s ", it.flag->name, optarg ? "=" : "",
             optarg ? optarg : "");
  }
  size_t n = strlen(got);
  snprintf(got + n, sizeof got - n, "|");
  for (int i = optind; c == -1 && i < argc; i++) {
    n = strlen(got);
    snprintf(got + n, sizeof got - n, " %s", argv[i]);
  }
  CHECK_STR(got, want);
}

static void
parse(const char *want, int argc, char **argv)
{
  parse_by(&spec, want, argc, argv);
}

/* What berth_flags_next prints on stderr while parsing argv by s (fd 2
 * on a temporary file meanwhile, stdout, TAP's, on /dev/null). */
static char *
stderr_of(const berth_cmd_spec *s, const berth_cli *cli, int argc, char **argv, int *status)
{
  fflush(stdout);
  fflush(stderr);
  int saved = dup(STDERR_FILENO), saved_out = dup(STDOUT_FILENO);
  FILE *tmp = tmpfile();
  dup2(fileno(tmp), STDERR_FILENO);
  int null = open("/dev/null", O_WRONLY);
  dup2(null, STDOUT_FILENO);
  close(null);
  berth_flag_iter it = { 0 };
  berth_cli copy = *cli;
  int c;
  while ((c = berth_flags_next(&it, &copy, s, argc, argv)) != -1 && c != BERTH_FLAG_DONE)
    ;
  *status = c == -1 ? -1 : it.status;
  fflush(stdout);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  dup2(saved_out, STDOUT_FILENO);
  close(saved);
  close(saved_out);
  long len = ftell(tmp);
  char *text = calloc(1, (size_t)len + 1);
  rewind(tmp);
  if (fread(text, 1, (size_t)len, tmp) != (size_t)len)
    text[0] = '\0';
  fclose(tmp);
  return text;
}

TEST(parse_values)
{
  parse("tag=a:1 all human | img", 5, (char *[]){ "images", "-ta:1", "-a", "-H", "img", NULL });
  /* a bool's value only joined to it, as pflag takes it */
  parse("human==false human=false human | false", 5,
        (char *[]){ "images", "-H=false", "--human=false", "--human", "false", NULL });
  parse("cgroupns=host |", 3, (char *[]){ "images", "--cgroupns", "host", NULL });
  parse("cgroupns=host |", 3, (char *[]){ "images", "--cgroupns", "host", NULL });
}

TEST(parse_flags_among_arguments)
{
  /* pflag's: a flag after an argument is still a flag, the arguments stay
   * in their order, and the flags' elements move before them */
  char *v[] = { "images", "img", "-a", "--tag", "t:1", "-at", "x", NULL };
  parse("all tag=t:1 all tag=x | img", 7, v);
  CHECK_STR(v[1], "-a");
  CHECK_STR(v[6], "img");
  /* "--" ends the flags, wherever it is; "-" is an argument */
  static const berth_cmd_spec any = { "berth images [OPTIONS] [REPOSITORY[:TAG]]", "List images",
                                      flags, .max_args = BERTH_ARGS_ANY };
  parse_by(&any, "all | a - --all -b", 7,
           (char *[]){ "images", "a", "-", "-a", "--", "--all", "-b", NULL });
  parse("| --all", 3, (char *[]){ "images", "--", "--all", NULL });
  /* the same when GNU getopt would not permute */
  setenv("POSIXLY_CORRECT", "1", 1);
  parse("all | img", 3, (char *[]){ "images", "img", "-a", NULL });
  unsetenv("POSIXLY_CORRECT");
  /* own_args: the first argument ends the flags (run's command is its own) */
  static const berth_cmd_spec own = { "berth run [OPTIONS] IMAGE [COMMAND] [ARG...]",
                                      "Run",
                                      flags,
                                      .min_args = 1,
                                      .max_args = BERTH_ARGS_ANY,
                                      .own_args = true };
  parse_by(&own, "all | img -a --tag x", 6,
           (char *[]){ "run", "-a", "img", "-a", "--tag", "x", NULL });
}

/* Docker's argument-count errors (cli/required.go), each form of them */
TEST(argument_counts)
{
  berth_cli cli = { .prog = "berth" };
  int status;
  char *got = stderr_of(&spec, &cli, 4, (char *[]){ "images", "a", "-a", "b", NULL }, &status);
  CHECK(status == 1);
  CHECK_STR(got, "\"berth images\" requires at most 1 argument.\n"
                 "See 'berth images --help'.\n"
                 "\n"
                 "Usage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n"
                 "\n"
                 "List images\n");
  free(got);
  /* a management form's path and usage; the description's first paragraph */
  berth_cli form = { .prog = "berth" };
  snprintf(form.form, sizeof form.form, "image ls");
  static const berth_cmd_spec longer = { "berth images [OPTIONS] [REPOSITORY[:TAG]]",
                                         "List images\n\nMore words.", flags, .max_args = 1 };
  got = stderr_of(&longer, &form, 3, (char *[]){ "ls", "a", "b", NULL }, &status);
  CHECK_STR(got, "\"berth image ls\" requires at most 1 argument.\n"
                 "See 'berth image ls --help'.\n"
                 "\n"
                 "Usage:  berth image ls [OPTIONS] [REPOSITORY[:TAG]]\n"
                 "\n"
                 "List images\n");
  free(got);
  static const struct {
    int min, max, argc;
    const char *first_line;
  } rows[] = {
    { 0, 0, 1, "\"berth x\" accepts no arguments." },
    { 1, 1, 0, "\"berth x\" requires exactly 1 argument." },
    { 2, 2, 3, "\"berth x\" requires exactly 2 arguments." },
    { 1, BERTH_ARGS_ANY, 0, "\"berth x\" requires at least 1 argument." },
    { 2, BERTH_ARGS_ANY, 1, "\"berth x\" requires at least 2 arguments." },
    { 0, 1, 2, "\"berth x\" requires at most 1 argument." },
    { 0, 2, 3, "\"berth x\" requires at most 2 arguments." },
    { 1, 2, 0, "\"berth x\" requires at least 1 and at most 2 arguments." },
    { 1, 2, 3, "\"berth x\" requires at least 1 and at most 2 arguments." },
    { 1, 1, 1, NULL },
    { 0, BERTH_ARGS_ANY, 3, NULL },
    { 1, 2, 2, NULL },
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    berth_cmd_spec s
        = { "berth x ARGS", "X", NULL, .min_args = rows[i].min, .max_args = rows[i].max };
    char *argv[] = { "x", "a", "b", "c", NULL };
    argv[rows[i].argc + 1] = NULL;
    got = stderr_of(&s, &cli, rows[i].argc + 1, argv, &status);
    if (rows[i].first_line == NULL) {
      CHECK(status == -1);
      CHECK_STR(got, "");
    } else {
      CHECK(status == 1);
      CHECK(strncmp(got, rows[i].first_line, strlen(rows[i].first_line)) == 0);
      CHECK(got[strlen(rows[i].first_line)] == '\n');
    }
    free(got);
  }
  /* --help comes first, whatever the count */
  got = stderr_of(&spec, &cli, 4, (char *[]){ "images", "a", "b", "--help", NULL }, &status);
  CHECK(status == 0);
  CHECK_STR(got, "");
  free(got);
}

TEST(parse_help_and_bad_flags)
{
  bad_options = 0;
  parse("done:125 |", 2, (char *[]){ "images", "--bogus", NULL });
  parse("done:125 |", 2, (char *[]){ "images", "--tag", NULL });
  parse("done:125 |", 2, (char *[]){ "images", "--all=yes", NULL });
  CHECK(bad_options == 3);
}

TEST(what)
{
  char *s = berth_flag_what(&flags[0]);
  CHECK_STR(s, "\"-t, --tag\" flag");
  free(s);
  s = berth_flag_what(&flags[3]);
  CHECK_STR(s, "\"--cgroupns\" flag");
  free(s);
}

int
main(void)
{
  RUN(help_sorted_aligned_wrapped);
  RUN(help_of_a_management_form);
  RUN(parse_values);
  RUN(parse_flags_among_arguments);
  RUN(argument_counts);
  RUN(parse_help_and_bad_flags);
  RUN(what);
  DONE();
}
