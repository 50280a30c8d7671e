#include "manage.h"

#include <stdio.h>
#include <string.h>

static void
usage(FILE *out, const char *name, const char *what, const berth_subcommand *v)
{
  fprintf(out, "Usage:  berth %s COMMAND\n\n%s\n\nCommands:\n", name, what);
  for (; v->name != NULL; v++)
    if (v->summary != NULL)
      fprintf(out, "  %-11s %s\n", v->name, v->summary); /* cobra's name padding */
  fprintf(out, "\nRun 'berth %s COMMAND --help' for more information on a command.\n", name);
}

/* The form Docker's help shows for sub (its entry with a summary: `image
 * list` is "image ls") and, when it has other names, all of them, its own
 * first ("ls, list"). */
static void
set_form(berth_cli *cli, const char *group, const berth_subcommand *v, const berth_subcommand *sub)
{
  const berth_subcommand *named = sub;
  for (const berth_subcommand *c = v; named->summary == NULL && c->name != NULL; c++)
    if (c->fn == sub->fn && c->summary != NULL)
      named = c;
  snprintf(cli->form, sizeof cli->form, "%s %s", group, named->name);
  cli->aliases[0] = '\0';
  for (const berth_subcommand *c = v; c->name != NULL; c++) {
    size_t n = strlen(cli->aliases);
    if (c != named && c->fn == named->fn)
      snprintf(cli->aliases + n, sizeof cli->aliases - n, "%s, %s", n == 0 ? named->name : "",
               c->name);
  }
}

int
berth_cli_manage(berth_cli *cli, int argc, char **argv, const char *what, const berth_subcommand *v)
{
  if (argc < 2) {
    usage(stderr, argv[0], what, v);
    return 125;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout, argv[0], what, v);
    return 0;
  }
  for (const berth_subcommand *c = v; c->name != NULL; c++)
    if (strcmp(c->name, argv[1]) == 0) {
      set_form(cli, argv[0], v, c);
      return c->fn(cli, argc - 1, argv + 1);
    }
  fprintf(stderr, "berth: '%s %s' is not a berth command.\nSee 'berth %s --help'\n", argv[0],
          argv[1], argv[0]);
  return 125;
}
