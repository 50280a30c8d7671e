/* Flags tables (flags.h): getopt_long's arguments and --help from one. */
#include "flags.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

const char berth_flag_bool[] = "bool";

static void put_usage(FILE *out, const berth_cli *cli, const berth_cmd_spec *spec);

/* The table as getopt_long takes it: '+' (stop at the first argument:
 * own_args) or '-' (return each argument in place, as key 1: see
 * berth_flags_next), then ':' (report a missing value as ':'), each
 * shorthand, ':' after one that takes a value ("::" for an optional one);
 * then "help"/'h' unless a flag has 'h' (run's --hostname). */
static void
build(berth_flag_iter *it, const berth_cmd_spec *spec)
{
  size_t n = 0, k = 0;
  bool h_taken = false;
  it->optstring[k++] = spec->own_args ? '+' : '-';
  it->optstring[k++] = ':';
  for (const berth_flag *f = spec->flags; f != NULL && f->name != NULL && n < BERTH_FLAGS_MAX;
       f++, n++) {
    int has_arg = f->type == NULL              ? no_argument
                  : f->type == berth_flag_bool ? optional_argument
                                               : required_argument;
    it->options[n] = (struct option){ f->name, has_arg, NULL, f->key };
    if (f->key < BERTH_FLAG_LONG) {
      it->optstring[k++] = (char)f->key;
      if (has_arg != no_argument)
        it->optstring[k++] = ':';
      if (has_arg == optional_argument)
        it->optstring[k++] = ':';
      h_taken |= f->key == 'h';
    }
  }
  it->options[n++] = (struct option){ "help", no_argument, NULL, 'h' };
  it->options[n] = (struct option){ 0 };
  if (!h_taken)
    it->optstring[k++] = 'h';
  it->optstring[k] = '\0';
  /* "berth image umount DIR|IMAGE": the lower-case words after "berth" */
  const char *u = strncmp(spec->usage, "berth ", 6) == 0 ? spec->usage + 6 : spec->usage;
  size_t len = 0;
  while (u[len] >= 'a' && u[len] <= 'z') {
    while ((u[len] >= 'a' && u[len] <= 'z') || u[len] == '-')
      len++;
    if (u[len] != ' ' || !(u[len + 1] >= 'a' && u[len + 1] <= 'z'))
      break;
    len++;
  }
  snprintf(it->name, sizeof it->name, "%.*s", (int)len, u);
}

/* argv[from, to) moved to argv[at] before argv[at, from), in order */
static void
rotate(char **argv, int at, int from, int to)
{
  for (int i = from; i < to; i++) {
    char *moved = argv[i];
    memmove(argv + at + 1, argv + at, (size_t)(i - at) * sizeof *argv);
    argv[at++] = moved;
  }
}

static const char *
plural(int n)
{
  return n == 1 ? "argument" : "arguments";
}

/* Docker's error for a wrong number of arguments (cli/required.go: the
 * message of the command's Args, its path, UseLine and Short); 1. */
static int
args_error(berth_flag_iter *it, const berth_cli *cli, const berth_cmd_spec *spec)
{
  const char *prog = cli->prog != NULL ? cli->prog : "berth";
  char path[128];
  snprintf(path, sizeof path, "%s %s", prog, cli->form[0] != '\0' ? cli->form : it->name);
  int min = spec->min_args, max = spec->max_args;
  fprintf(stderr, "\"%s\" ", path);
  if (max == 0)
    fputs("accepts no arguments.", stderr);
  else if (min == max)
    fprintf(stderr, "requires exactly %d %s.", min, plural(min));
  else if (max == BERTH_ARGS_ANY)
    fprintf(stderr, "requires at least %d %s.", min, plural(min));
  else if (min == 0)
    fprintf(stderr, "requires at most %d %s.", max, plural(max));
  else
    fprintf(stderr, "requires at least %d and at most %d %s.", min, max, plural(max));
  fprintf(stderr, "\nSee '%s --help'.\n\n", path);
  put_usage(stderr, cli, spec);
  /* cobra's Short: the description's first paragraph */
  const char *d = spec->description, *end = strstr(d, "\n\n");
  fprintf(stderr, "\n%.*s\n", end != NULL ? (int)(end - d) : (int)strlen(d), d);
  return 1;
}

/* Flags among the arguments: pflag takes them anywhere (but for own_args
 * commands), GNU getopt only when it permutes, which it does not when
 * POSIXLY_CORRECT is set.  So berth permutes itself, the same with or
 * without it: getopt_long in order ('-'), each argument returned as key 1
 * and left in place, and the elements of each flag (and "--") moved down
 * before the arguments met so far, argv[it->args, it->next).  Only
 * elements getopt_long has passed move (a group -it being read stays put),
 * and an error is reported before anything moves (it names argv[optind -
 * 1]). */
int
berth_flags_next(berth_flag_iter *it, berth_cli *cli, const berth_cmd_spec *spec, int argc,
                 char **argv)
{
  if (it->optstring[0] == '\0') {
    build(it, spec);
    optind = 0; /* afresh: getopt reads its ordering ('-', '+') only then */
    it->args = it->next = 1;
  }
  int index = -1, c;
  while ((c = getopt_long(argc, argv, it->optstring, it->options, &index)) == 1)
    it->next = optind; /* an argument: argv[it->args, optind) */
  if (c == -1 || (c != '?' && c != ':')) {
    rotate(argv, it->args, it->next, optind);
    it->args += optind - it->next;
    it->next = optind;
  }
  if (c == -1) {
    optind = it->args;
    int n = argc - optind;
    if (n < spec->min_args || (spec->max_args != BERTH_ARGS_ANY && n > spec->max_args)) {
      it->status = args_error(it, cli, spec);
      return BERTH_FLAG_DONE;
    }
    return -1;
  }
  bool help = index >= 0 ? strcmp(it->options[index].name, "help") == 0
                         : c == 'h' && strchr(it->optstring, 'h') != NULL
                               && strchr(it->optstring, 'h')[1] != ':';
  if (help) {
    berth_flags_help(stdout, cli, spec);
    it->status = 0;
    return BERTH_FLAG_DONE;
  }
  if (c == '?' || c == ':') {
    it->status = berth_cli_bad_option(cli, it->name[0] ? it->name : argv[0], argv, c);
    return BERTH_FLAG_DONE;
  }
  it->flag = NULL;
  for (const berth_flag *f = spec->flags; f != NULL && f->name != NULL; f++)
    if (f->key == c)
      it->flag = f;
  return c;
}

/* "  -s, --signal string" or "      --rm" */
static char *
flag_text(const berth_flag *f)
{
  char s[4] = "   ";
  if (f->key < BERTH_FLAG_LONG)
    s[0] = '-', s[1] = (char)f->key, s[2] = ',';
  bool typed = f->type != NULL && f->type != berth_flag_bool;
  return xasprintf("  %s --%s%s%s", s, f->name, typed ? " " : "", typed ? f->type : "");
}

char *
berth_flag_what(const berth_flag *f)
{
  if (f->key < BERTH_FLAG_LONG)
    return xasprintf("\"-%c, --%s\" flag", (char)f->key, f->name);
  return xasprintf("\"--%s\" flag", f->name);
}

/* pflag's wrapN: where the first line of s ends when it may hold i bytes,
 * or slop more when that takes in the whole of s (no short orphan word on
 * the last line): at the last blank before i, or at a newline before that
 * blank; *rest is what comes after it. */
static size_t
wrap_n(size_t i, size_t slop, const char *s, const char **rest)
{
  size_t len = strlen(s);
  *rest = s + len;
  if (i + slop > len)
    return len;
  size_t blank = 0, nl = 0;
  for (size_t k = 0; k < i; k++) {
    if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n')
      blank = k;
    if (s[k] == '\n')
      nl = k;
  }
  if (blank == 0)
    return len;
  size_t end = nl > 0 && nl < blank ? nl : blank;
  *rest = s + end + 1;
  return end;
}

/* n bytes of s, each newline followed by the indent */
static void
put_indented(FILE *out, const char *s, size_t n, int indent)
{
  for (size_t k = 0; k < n; k++) {
    fputc(s[k], out);
    if (s[k] == '\n')
      fprintf(out, "%*s", indent, "");
  }
}

/* A flag's description from column indent on, wrapped to cols as pflag's
 * FlagUsagesWrapped wraps it (Docker's help: the terminal's width less 1,
 * 79 without a terminal). */
static void
put_wrapped(FILE *out, const char *s, int indent, int cols)
{
  int room = cols - indent;
  if (room < 24) { /* too narrow: the description on lines of its own */
    indent = 16;
    room = cols - indent;
    fprintf(out, "\n%*s", indent, "");
  }
  const size_t slop = 5;
  room -= (int)slop;
  const char *rest;
  size_t n = wrap_n((size_t)room, slop, s, &rest);
  put_indented(out, s, n, indent);
  while (*rest != '\0') {
    s = rest;
    n = wrap_n((size_t)room, slop, s, &rest);
    fprintf(out, "\n%*s", indent, "");
    put_indented(out, s, n, indent);
  }
  fputc('\n', out);
}

static int
by_name(const void *a, const void *b)
{
  return strcmp((*(const berth_flag *const *)a)->name, (*(const berth_flag *const *)b)->name);
}

/* Docker's width for help: its terminal's (on stdin, as Docker asks), or 80. */
static int
help_columns(void)
{
  struct winsize ws;
  if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

/* The usage line: a management form's words ("berth image ls") in place
 * of the command's ("berth images"), on the first line only (as cobra's
 * UseLine: the second line of cp's usage stays "berth cp"). */
static void
put_usage(FILE *out, const berth_cli *cli, const berth_cmd_spec *spec)
{
  berth_flag_iter it = { 0 };
  build(&it, spec);
  const char *words = strncmp(spec->usage, "berth ", 6) == 0 ? spec->usage + 6 : spec->usage;
  if (cli != NULL && cli->form[0] != '\0' && words != spec->usage)
    fprintf(out, "Usage:  berth %s%s\n", cli->form, words + strlen(it.name));
  else
    fprintf(out, "Usage:  %s\n", spec->usage);
}

void
berth_flags_help(FILE *out, const berth_cli *cli, const berth_cmd_spec *spec)
{
  put_usage(out, cli, spec);
  fprintf(out, "\n%s\n", spec->description);
  if (cli != NULL && cli->aliases[0] != '\0')
    fprintf(out, "\nAliases:\n  %s\n", cli->aliases);
  if (spec->flags == NULL || spec->flags[0].name == NULL)
    return;
  const berth_flag *sorted[BERTH_FLAGS_MAX];
  size_t n = 0, width = 0;
  for (const berth_flag *f = spec->flags; f->name != NULL && n < BERTH_FLAGS_MAX; f++) {
    sorted[n++] = f;
    cleanup_free char *t = flag_text(f);
    width = strlen(t) > width ? strlen(t) : width;
  }
  qsort(sorted, n, sizeof sorted[0], by_name); /* pflag lists flags by name */
  int cols = help_columns() - 1;
  fputs("\nOptions:\n", out);
  for (size_t i = 0; i < n; i++) {
    cleanup_free char *t = flag_text(sorted[i]);
    fprintf(out, "%-*s   ", (int)width, t);
    put_wrapped(out, sorted[i]->usage, (int)width + 3, cols);
  }
}
