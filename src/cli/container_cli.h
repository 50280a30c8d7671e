/* What the container commands share: `create`/`run` flag parsing and
 * looking a container up by what the user typed. */
#pragma once

#include <stdbool.h>

#include "cli.h"
#include "container/container.h"
#include "container/create.h"

typedef struct berth_run_flags {
  berth_create_options create;
  bool detach;
  berth_port_map *ports; /* -p's, n_ports of them (create.ports points here) */
  size_t n_ports;
  berth_port_map *exposed; /* --expose's */
  size_t n_exposed;
  char **owned;          /* strings the parser allocated (env-file lines, vectors) */
  berth_ulimit *ulimits; /* --ulimit's, create.limits.ulimits */
} berth_run_flags;

/* Parses `create`/`run` flags (allow_run adds -d/--rm).  0 on success;
 * otherwise the exit status of a usage error (or -2 after --help). */
int berth_cli_parse_run(berth_cli *cli, int argc, char **argv, bool allow_run, berth_run_flags *f);
void berth_run_flags_clear(berth_run_flags *f);

/* Creates the container; an image missing from the store is pulled first,
 * as docker run does ("Unable to find image …", the pull's lines on
 * stderr). */
int berth_cli_create_container(berth_cli *cli, berth_create_options *o, berth_container **out,
                               berth_error **err);

/* One operation on one container for berth_cli_each_container; may replace
 * *c (stop reloads it).  Returns -1 with *err set. */
typedef int (*berth_container_op)(berth_store *s, berth_container **c, void *ctx,
                                  berth_error **err);

/* Applies op to each named container in turn, as docker rm/kill/stop do:
 * the name on stdout for each success, an error line for each failure; the
 * exit status of the last failure, or 0. */
int berth_cli_each_container(berth_cli *cli, char **names, int n, berth_container_op op, void *ctx);

/* Finds the container or prints Docker's error; NULL then. */
berth_container *berth_cli_container(berth_cli *cli, berth_store *s, const char *name, int *status);
/* The one CONTAINER argument left after a command's flags (its spec takes
 * exactly 1: berth_flags_next checked), its store in *s; NULL with
 * *status set when there is no such container or the store fails. */
berth_container *berth_cli_only_container(berth_cli *cli, char **argv, berth_store **s,
                                          int *status);
