/* The management commands `system` (df, info, prune), `builder` (prune)
 * and `container` (prune, and the listing and removal forms). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_prune.h"

typedef int (*command_fn)(berth_cli *cli, int argc, char **argv);

typedef struct subcommand {
  const char *name;
  command_fn fn;
  const char *summary;
} subcommand;

static const subcommand system_cmds[] = {
  { "df", berth_cmd_system_df, "Show docker disk usage" },
  { "info", berth_cmd_info, "Display system-wide information" },
  { "prune", berth_cmd_system_prune, "Remove unused data" },
  { NULL, NULL, NULL },
};

static const subcommand builder_cmds[] = {
  { "prune", berth_cmd_builder_prune, "Remove build cache" },
  { NULL, NULL, NULL },
};

static const subcommand container_cmds[] = {
  { "ls", berth_cmd_ps, "List containers" },
  { "list", berth_cmd_ps, NULL },
  { "ps", berth_cmd_ps, NULL },
  { "prune", berth_cmd_container_prune, "Remove all stopped containers" },
  { "rm", berth_cmd_rm, "Remove one or more containers" },
  { NULL, NULL, NULL },
};

static void
usage(FILE *out, const char *name, const char *what, const subcommand *v)
{
  fprintf(out, "Usage:  berth %s COMMAND\n\n%s\n\nCommands:\n", name, what);
  for (; v->name != NULL; v++)
    if (v->summary != NULL)
      fprintf(out, "  %-9s %s\n", v->name, v->summary);
  fprintf(out, "\nRun 'berth %s COMMAND --help' for more information on a command.\n", name);
}

static int
dispatch(berth_cli *cli, int argc, char **argv, const char *what, const subcommand *v)
{
  if (argc < 2) {
    usage(stderr, argv[0], what, v);
    return 125;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout, argv[0], what, v);
    return 0;
  }
  for (const subcommand *c = v; c->name != NULL; c++)
    if (strcmp(c->name, argv[1]) == 0)
      return c->fn(cli, argc - 1, argv + 1);
  fprintf(stderr, "berth: '%s %s' is not a berth command.\nSee 'berth %s --help'\n", argv[0],
          argv[1], argv[0]);
  return 125;
}

int
berth_cmd_system(berth_cli *cli, int argc, char **argv)
{
  return dispatch(cli, argc, argv, "Manage Docker", system_cmds);
}

int
berth_cmd_builder(berth_cli *cli, int argc, char **argv)
{
  return dispatch(cli, argc, argv, "Manage builds", builder_cmds);
}

int
berth_cmd_container(berth_cli *cli, int argc, char **argv)
{
  return dispatch(cli, argc, argv, "Manage containers", container_cmds);
}
