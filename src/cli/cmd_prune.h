/* The prune commands, `system df`, and the management commands that hold
 * them (`system`, `builder`, `container prune`). */
#pragma once

#include "cli.h"

int berth_cmd_image_prune(berth_cli *cli, int argc, char **argv);
int berth_cmd_container_prune(berth_cli *cli, int argc, char **argv);
int berth_cmd_builder_prune(berth_cli *cli, int argc, char **argv);
int berth_cmd_system_prune(berth_cli *cli, int argc, char **argv);
int berth_cmd_system_df(berth_cli *cli, int argc, char **argv);

/* `berth system COMMAND`, `berth builder COMMAND`, `berth container
 * prune` (argv[0] the management command's name). */
int berth_cmd_system(berth_cli *cli, int argc, char **argv);
int berth_cmd_builder(berth_cli *cli, int argc, char **argv);
int berth_cmd_container(berth_cli *cli, int argc, char **argv);
