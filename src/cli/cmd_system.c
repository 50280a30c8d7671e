/* The management commands `system` (df, info, prune), `builder` (build, prune)
 * and `container` (prune, and the listing and removal forms). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_prune.h"
#include "manage.h"

static const berth_subcommand system_cmds[] = {
  { "df", berth_cmd_system_df, "Show docker disk usage" },
  { "info", berth_cmd_info, "Display system-wide information" },
  { "prune", berth_cmd_system_prune, "Remove unused data" },
  { NULL, NULL, NULL },
};

static const berth_subcommand builder_cmds[] = {
  { "build", berth_cmd_build, "Build an image from a Dockerfile" },
  { "prune", berth_cmd_builder_prune, "Remove build cache" },
  { NULL, NULL, NULL },
};

/* Docker's `docker container` list, in its order, on the same code as the
 * top-level commands (berth has no stats or update). */
static const berth_subcommand container_cmds[] = {
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
  { "ps", berth_cmd_ps, NULL }, /* Docker's order of the aliases: ls, ps, list */
  { "list", berth_cmd_ps, NULL },
  { "pause", berth_cmd_pause, "Pause all processes within one or more containers" },
  { "port", berth_cmd_port, "List port mappings or a specific mapping for the container" },
  { "prune", berth_cmd_container_prune, "Remove all stopped containers" },
  { "rename", berth_cmd_rename, "Rename a container" },
  { "restart", berth_cmd_restart, "Restart one or more containers" },
  { "rm", berth_cmd_rm, "Remove one or more containers" },
  { "remove", berth_cmd_rm, NULL },
  { "run", berth_cmd_run, "Run a command in a new container" },
  { "start", berth_cmd_start, "Start one or more stopped containers" },
  { "stop", berth_cmd_stop, "Stop one or more running containers" },
  { "top", berth_cmd_top, "Display the running processes of a container" },
  { "unpause", berth_cmd_unpause, "Unpause all processes within one or more containers" },
  { "wait", berth_cmd_wait,
    "Block until one or more containers stop, then print their exit codes" },
  { NULL, NULL, NULL },
};

int
berth_cmd_system(berth_cli *cli, int argc, char **argv)
{
  return berth_cli_manage(cli, argc, argv, "Manage Docker", system_cmds);
}

int
berth_cmd_builder(berth_cli *cli, int argc, char **argv)
{
  return berth_cli_manage(cli, argc, argv, "Manage builds", builder_cmds);
}

int
berth_cmd_container(berth_cli *cli, int argc, char **argv)
{
  return berth_cli_manage(cli, argc, argv, "Manage containers", container_cmds);
}
