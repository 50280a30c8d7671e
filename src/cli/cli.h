/* What every berth command shares: the global options, the configuration,
 * and the store, opened on first use. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "common/error.h"
#include "reference/reference.h"
#include "registry/client.h"
#include "store/store.h"
#include "system/config.h"

typedef struct berth_cli {
  const char *prog; /* "berth" */
  const char *root; /* --root, $BERTH_ROOT, data-root, or the default */
  berth_config *config;
  berth_registry_options registry;
  berth_store *store;         /* see berth_cli_store() */
  bool debug;                 /* -D, --debug: error chains and phase timings on stderr */
  struct timespec debug_mark; /* when the last phase ended (debug.c) */
  /* Under a management command (manage.c): the form's words as Docker's
   * help and errors name it ("image ls" for `berth image list`) and the
   * names it answers to ("ls, list"); "" at the top level. */
  char form[48];
  char aliases[48];
} berth_cli;

/* -D, --debug (debug.c): the start of the first phase; the end of one (its
 * name and how long it took, on stderr); an error's whole chain, each cause
 * with its errno and kind.  Nothing at all without --debug. */
void berth_cli_debug_start(berth_cli *cli);
void berth_cli_debug_phase(berth_cli *cli, const char *phase);
void berth_cli_debug_error(berth_cli *cli, const berth_error *err);
/* Has the store tell each phase of the library's operations (pull's
 * manifest, layers…) to berth_cli_debug_phase, with --debug. */
void berth_cli_debug_trace(berth_cli *cli, berth_store *store);

/* Opens the store on first use. */
berth_store *berth_cli_store(berth_cli *cli, berth_error **err);

/* Prints an error as "Error: <message>" and returns its exit code. */
int berth_cli_fail(berth_cli *cli, berth_error *err);

/* The exit code for a failure of this kind (1, or Docker's 125/126/127). */
int berth_cli_exit_code(const berth_error *err);

/* Prints "<message>\nSee 'berth <cmd> --help'." and returns 125 for a bad
 * command line, as Docker's client does (under a management command, the
 * form's words in place of cmd: "See 'berth image ls --help'."). */
int berth_cli_usage_error(berth_cli *cli, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Pulls ref into the store, printing Docker's progress and status lines to
 * out (nothing when out is NULL). */
int berth_cli_pull(berth_cli *cli, const berth_reference *ref, const char *platform, FILE *out,
                   berth_error **err);

/* Docker's message for an option getopt_long refused ("unknown flag:
 * --bogus", "unknown shorthand flag: 'z' in -z", and, for c == ':' (every
 * option string has ':' after its '+' or '-'), "flag needs an argument:
 * 'e' in -e"), then "See …" (as berth_cli_usage_error's); 125.  c is what
 * getopt_long returned. */
int berth_cli_bad_option(berth_cli *cli, const char *cmd, char **argv, int c);

/* 0 when value (user input bound for a JSON document) is NULL or UTF-8;
 * otherwise the usage error `invalid argument "a\xffb" for WHAT: not valid
 * UTF-8` (WHAT e.g. "\"-e, --env\" flag") and 125. */
int berth_cli_check_utf8(berth_cli *cli, const char *cmd, const char *what, const char *value);

/* A flag's integer value as Docker's (Go's strconv.ParseInt) reads it:
 * sign and decimal digits only, within int.  0 with *out set, or Docker's
 * usage error (`invalid argument "abc" for "-t, --time" flag:
 * strconv.ParseInt: parsing "abc": invalid syntax`) and 125. */
int berth_cli_parse_int(berth_cli *cli, const char *cmd, const char *flag, const char *s, int *out);

/* Commands: each takes argv with argv[0] = the command's name. */
int berth_cmd_pull(berth_cli *cli, int argc, char **argv);
int berth_cmd_push(berth_cli *cli, int argc, char **argv);
int berth_cmd_images(berth_cli *cli, int argc, char **argv);
int berth_cmd_inspect(berth_cli *cli, int argc, char **argv);
int berth_cmd_history(berth_cli *cli, int argc, char **argv);
int berth_cmd_tag(berth_cli *cli, int argc, char **argv);
int berth_cmd_rmi(berth_cli *cli, int argc, char **argv);
int berth_cmd_save(berth_cli *cli, int argc, char **argv);
int berth_cmd_import(berth_cli *cli, int argc, char **argv);
int berth_cmd_load(berth_cli *cli, int argc, char **argv);
int berth_cmd_info(berth_cli *cli, int argc, char **argv);
int berth_cmd_manifest(berth_cli *cli, int argc, char **argv);
int berth_cmd_layers(berth_cli *cli, int argc, char **argv);
int berth_cmd_login(berth_cli *cli, int argc, char **argv);
int berth_cmd_logout(berth_cli *cli, int argc, char **argv);
int berth_cmd_image(berth_cli *cli, int argc, char **argv);
int berth_cmd_create(berth_cli *cli, int argc, char **argv);
int berth_cmd_exec(berth_cli *cli, int argc, char **argv);
int berth_cmd_run(berth_cli *cli, int argc, char **argv);
int berth_cmd_start(berth_cli *cli, int argc, char **argv);
int berth_cmd_stop(berth_cli *cli, int argc, char **argv);
int berth_cmd_kill(berth_cli *cli, int argc, char **argv);
int berth_cmd_rm(berth_cli *cli, int argc, char **argv);
int berth_cmd_ps(berth_cli *cli, int argc, char **argv);
int berth_cmd_logs(berth_cli *cli, int argc, char **argv);
int berth_cmd_wait(berth_cli *cli, int argc, char **argv);
int berth_cmd_mount(berth_cli *cli, int argc, char **argv);
int berth_cmd_cp(berth_cli *cli, int argc, char **argv);
int berth_cmd_rename(berth_cli *cli, int argc, char **argv);
int berth_cmd_restart(berth_cli *cli, int argc, char **argv);
int berth_cmd_pause(berth_cli *cli, int argc, char **argv);
int berth_cmd_unpause(berth_cli *cli, int argc, char **argv);
int berth_cmd_top(berth_cli *cli, int argc, char **argv);
int berth_cmd_port(berth_cli *cli, int argc, char **argv);
int berth_cmd_network(berth_cli *cli, int argc, char **argv);
int berth_cmd_attach(berth_cli *cli, int argc, char **argv);
int berth_cmd_export(berth_cli *cli, int argc, char **argv);
int berth_cmd_umount(berth_cli *cli, int argc, char **argv);
int berth_cmd_build(berth_cli *cli, int argc, char **argv);
int berth_cmd_commit(berth_cli *cli, int argc, char **argv);
int berth_cmd_diff(berth_cli *cli, int argc, char **argv);
int berth_cmd_verify(berth_cli *cli, int argc, char **argv);
int berth_cmd_version(berth_cli *cli, int argc, char **argv);
