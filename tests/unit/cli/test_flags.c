/* flags.c: the getopt tables built from a berth_flag table, and --help as
 * Docker's client (pflag) prints it: flags by name, aligned, wrapped at 80
 * columns (the cases worked out by hand with pflag's wrap, whose
 * results help.bats compares with Docker's own help); a management
 * form's usage and aliases. */
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
    = { "berth images [OPTIONS] [REPOSITORY[:TAG]]", "List images", flags };

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

/* the flags of argv in order, as "key[=value]" */
static void
parse(const char *want, int argc, char **argv)
{
  berth_cli cli = { .prog = "berth" };
  berth_flag_iter it = { 0 };
  char got[256] = "";
  int c;
  optind = 0;
  opterr = 0;
  while ((c = berth_flags_next(&it, &cli, &spec, argc, argv)) != -1) {
    size_t n = strlen(got);
    if (c == BERTH_FLAG_DONE) {
      snprintf(got + n, sizeof got - n, "done:%d ", it.status);
      break;
    }
    snprintf(got + n, sizeof got - n, "%s%s%s ", it.flag->name, optarg ? "=" : "",
             optarg ? optarg : "");
  }
  size_t n = strlen(got);
  snprintf(got + n, sizeof got - n, "| %s", optind < argc ? argv[optind] : "");
  CHECK_STR(got, want);
}

TEST(parse_values)
{
  parse("tag=a:1 all human | img", 5, (char *[]){ "images", "-ta:1", "-a", "-H", "img", NULL });
  /* a bool's value only joined to it, as pflag takes it */
  parse("human==false human=false human | false", 5,
        (char *[]){ "images", "-H=false", "--human=false", "--human", "false", NULL });
  parse("cgroupns=host | ", 3, (char *[]){ "images", "--cgroupns", "host", NULL });
  /* the first argument ends the flags */
  parse("| img", 3, (char *[]){ "images", "img", "-a", NULL });
}

TEST(parse_help_and_bad_flags)
{
  bad_options = 0;
  parse("done:125 | ", 2, (char *[]){ "images", "--bogus", NULL });
  parse("done:125 | ", 2, (char *[]){ "images", "--tag", NULL });
  parse("done:125 | ", 2, (char *[]){ "images", "--all=yes", NULL });
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
  RUN(parse_help_and_bad_flags);
  RUN(what);
  DONE();
}
