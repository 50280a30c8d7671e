/* Flags tables (flags.h): getopt_long's arguments and --help from one. */
#include "flags.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

/* The table as getopt_long takes it: "+:" (stop at the first argument,
 * report a missing value as ':'), each shorthand, ':' after one that takes
 * a value; then "help"/'h' unless a flag has 'h' (run's --hostname). */
static void
build(berth_flag_iter *it, const berth_cmd_spec *spec)
{
  size_t n = 0, k = 0;
  bool h_taken = false;
  it->optstring[k++] = '+';
  it->optstring[k++] = ':';
  for (const berth_flag *f = spec->flags; f != NULL && f->name != NULL && n < BERTH_FLAGS_MAX;
       f++, n++) {
    it->options[n]
        = (struct option){ f->name, f->type ? required_argument : no_argument, NULL, f->key };
    if (f->key < BERTH_FLAG_LONG) {
      it->optstring[k++] = (char)f->key;
      if (f->type != NULL)
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

int
berth_flags_next(berth_flag_iter *it, berth_cli *cli, const berth_cmd_spec *spec, int argc,
                 char **argv)
{
  if (it->optstring[0] == '\0')
    build(it, spec);
  int index = -1;
  int c = getopt_long(argc, argv, it->optstring, it->options, &index);
  if (c == -1)
    return -1;
  bool help = index >= 0 ? strcmp(it->options[index].name, "help") == 0
                         : c == 'h' && strchr(it->optstring, 'h') != NULL
                               && strchr(it->optstring, 'h')[1] != ':';
  if (help) {
    berth_flags_help(stdout, spec);
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
  return xasprintf("  %s --%s%s%s", s, f->name, f->type ? " " : "", f->type ? f->type : "");
}

char *
berth_flag_what(const berth_flag *f)
{
  if (f->key < BERTH_FLAG_LONG)
    return xasprintf("\"-%c, --%s\" flag", (char)f->key, f->name);
  return xasprintf("\"--%s\" flag", f->name);
}

void
berth_flags_help(FILE *out, const berth_cmd_spec *spec)
{
  fprintf(out, "Usage:  %s\n\n%s\n", spec->usage, spec->description);
  if (spec->flags == NULL || spec->flags[0].name == NULL)
    return;
  size_t width = 0;
  for (const berth_flag *f = spec->flags; f->name != NULL; f++) {
    cleanup_free char *t = flag_text(f);
    width = strlen(t) > width ? strlen(t) : width;
  }
  fputs("\nOptions:\n", out);
  for (const berth_flag *f = spec->flags; f->name != NULL; f++) {
    cleanup_free char *t = flag_text(f);
    fprintf(out, "%-*s   %s\n", (int)width, t, f->usage);
  }
}
