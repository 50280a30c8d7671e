/* The prune commands, `system df`, and the management commands that hold
 * them (`system`, `builder`, `container prune`). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "container/container.h"

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

/* A container as ps's ContainerContext shows it (cmd_ps.c), for df -v. */
json_t *berth_ps_row_json(const berth_container *c, bool no_trunc, int64_t now);
