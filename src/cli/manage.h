/* The management commands (`berth image SUB`, `berth container SUB`,
 * system, builder): one dispatch, so that each subcommand's help and
 * errors name the form as Docker's do ("berth image ls", "Aliases: ls,
 * list"). */
#pragma once

#include "cli.h"

typedef struct berth_subcommand {
  const char *name;
  int (*fn)(berth_cli *cli, int argc, char **argv);
  const char *summary; /* NULL: another name of the entry with the same fn */
} berth_subcommand;

/* Runs the subcommand argv[1] of the management command argv[0] (what:
 * its description) from v, ended by { NULL }: with argv[0] = the name
 * typed, cli->form and cli->aliases set; its --help, or the usage and 125
 * without one. */
int berth_cli_manage(berth_cli *cli, int argc, char **argv, const char *what,
                     const berth_subcommand *v);
