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

/* Docker's `docker container` list, in its order, on the same code as the
 * top-level commands (berth has no stats or update). */
static const subcommand container_cmds[] = {
  { "attach", berth_cmd_attach,
    "Attach local standard input, output, and error streams to a running container" },
  { "commit", berth_cmd_commit, "Create a new image from a container's changes" },
  { "cp", berth_cmd_cp, "Copy files/folders between a container and the local filesystem" },
  { "create", berth_cmd_create, "Create a new container" },
  { "diff", berth_cmd_diff, "Inspect changes to files or directories on a container's filesystem" },
  { "exec", berth_cmd_exec, "Execute a command in a running container" },
  { "export", berth_cmd_export, "Export a container's filesystem as a tar archive" },
  { "inspect", berth_cmd_inspect, "Display detailed information on one or more containers" },
  { "kill", berth_cmd_kill, "Kill one or more running containers" },
  { "logs", berth_cmd_logs, "Fetch the logs of a container" },
  { "ls", berth_cmd_ps, "List containers" },
  { "list", berth_cmd_ps, NULL },
  { "ps", berth_cmd_ps, NULL },
  { "pause", berth_cmd_pause, "Pause all processes within one or more containers" },
  { "port", berth_cmd_port, "List port mappings or a specific mapping for the container" },
  { "prune", berth_cmd_container_prune, "Remove all stopped containers" },
  { "rename", berth_cmd_rename, "Rename a container" },
  { "restart", berth_cmd_restart, "Restart one or more containers" },
  { "rm", berth_cmd_rm, "Remove one or more containers" },
  { "remove", berth_cmd_rm, NULL },
  { "run", berth_cmd_run, "Create and run a new container from an image" },
  { "start", berth_cmd_start, "Start one or more stopped containers" },
  { "stop", berth_cmd_stop, "Stop one or more running containers" },
  { "top", berth_cmd_top, "Display the running processes of a container" },
  { "unpause", berth_cmd_unpause, "Unpause all processes within one or more containers" },
  { "wait", berth_cmd_wait,
    "Block until one or more containers stop, then print their exit codes" },
  { NULL, NULL, NULL },
};

static void
usage(FILE *out, const char *name, const char *what, const subcommand *v)
{
  fprintf(out, "Usage:  berth %s COMMAND\n\n%s\n\nCommands:\n", name, what);
  for (; v->name != NULL; v++)
    if (v->summary != NULL)
      fprintf(out, "  %-11s %s\n", v->name, v->summary); /* cobra's name padding */
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
