/* rename, restart, pause, unpause, top, attach, port: Docker's command
 * lines over container/ops.h, container/top.h and the supervisor's log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach_stdin.h"
#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/network.h"
#include "container/ops.h"
#include "container/top.h"
#include "container_cli.h"
#include "flags.h"
#include "supervisor/log.h"
#include "supervisor/supervise.h"

/* Commands with no flag but --help (spec's flags NULL): -1 to go on, or
 * the status to return (0 after --help, a bad flag's or a wrong number of
 * arguments'). */
static int
no_flags(berth_cli *cli, int argc, char **argv, const berth_cmd_spec *spec)
{
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, spec, argc, argv) == -1)
    return -1;
  return it.status;
}

int
berth_cmd_rename(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec = { "berth rename CONTAINER NEW_NAME", "Rename a container",
                                       NULL, .min_args = 2, .max_args = 2 };
  int h = no_flags(cli, argc, argv, &spec);
  if (h != -1)
    return h;
  const char *old = argv[optind], *name = argv[optind + 1];
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  cleanup_container berth_container *c = NULL;
  if (berth_container_find(s, old, &c, &err) < 0 || berth_container_rename(s, c, name, &err) < 0) {
    /* Docker's client adds its own line after the daemon's */
    berth_cli_fail(cli, err);
    fprintf(stderr, "Error: failed to rename container named %s\n", old);
    return 1;
  }
  return 0;
}

static int
pause_one(berth_store *s, berth_container **c, void *ctx, berth_error **err)
{
  bool pause = *(bool *)ctx;
  return pause ? berth_container_pause(s, *c, err) : berth_container_unpause(s, *c, err);
}

static int
pause_cmd(berth_cli *cli, int argc, char **argv, bool pause)
{
  static const berth_cmd_spec pause_spec = { "berth pause CONTAINER [CONTAINER...]",
                                             "Pause all processes within one or more containers",
                                             NULL, .min_args = 1, .max_args = BERTH_ARGS_ANY };
  static const berth_cmd_spec unpause_spec
      = { "berth unpause CONTAINER [CONTAINER...]",
          "Unpause all processes within one or more containers", NULL, .min_args = 1,
          .max_args = BERTH_ARGS_ANY };
  int h = no_flags(cli, argc, argv, pause ? &pause_spec : &unpause_spec);
  if (h != -1)
    return h;
  return berth_cli_each_container(cli, argv + optind, argc - optind, pause_one, &pause);
}

int
berth_cmd_pause(berth_cli *cli, int argc, char **argv)
{
  return pause_cmd(cli, argc, argv, true);
}

int
berth_cmd_unpause(berth_cli *cli, int argc, char **argv)
{
  return pause_cmd(cli, argc, argv, false);
}

/* Docker's restart: stop (SIGTERM, SIGKILL after the timeout), then start
 * detached; a stopped container is just started. */
static int
restart_one(berth_store *s, berth_container **c, void *ctx, berth_error **err)
{
  if (berth_container_stop(s, c, *(int *)ctx, err) < 0)
    return -1;
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, *c);
  return berth_supervisor_start_detached(s, rt, *c, err);
}

int
berth_cmd_restart(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_TIMEOUT = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "time", 't', "int", "Seconds to wait for stop before killing the container (default 10)" },
    { "timeout", OPT_TIMEOUT, "int", "The same as --time (newer Docker's name)" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth restart [OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers",
          flags, .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  int timeout = 10, c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    if (berth_cli_parse_int(cli, argv[0], "-t, --time", optarg, &timeout) != 0) /* either */
      return 125;
  }
  return berth_cli_each_container(cli, argv + optind, argc - optind, restart_one, &timeout);
}

/* Docker's top table: tabwriter(minwidth 20, padding 3); the last column
 * is not padded. */
static void
print_top(const berth_top *t)
{
  cleanup_free size_t *w = xcalloc(t->ntitles, sizeof *w);
  for (size_t i = 0; i < t->ntitles; i++) {
    w[i] = strlen(t->titles[i]);
    for (size_t r = 0; r < t->nrows; r++)
      if (strlen(t->rows[r][i]) > w[i])
        w[i] = strlen(t->rows[r][i]);
    w[i] = w[i] + 3 < 20 ? 20 : w[i] + 3;
  }
  for (size_t r = 0; r <= t->nrows; r++) {
    char **cells = r == 0 ? t->titles : t->rows[r - 1];
    for (size_t i = 0; i < t->ntitles; i++) {
      if (i + 1 < t->ntitles)
        printf("%-*s", (int)w[i], cells[i]);
      else
        printf("%s\n", cells[i]);
    }
  }
}

int
berth_cmd_top(berth_cli *cli, int argc, char **argv)
{
  /* top's own flags (only --help) come before CONTAINER; everything after
   * it is ps's, flags included (own_args: berth_flags_next stops at
   * CONTAINER) */
  static const berth_cmd_spec spec = { "berth top CONTAINER [ps OPTIONS]",
                                       "Display the running processes of a container",
                                       NULL,
                                       .min_args = 1,
                                       .max_args = BERTH_ARGS_ANY,
                                       .own_args = true };
  int h = no_flags(cli, argc, argv, &spec);
  if (h != -1)
    return h;
  argv += optind - 1;
  argc -= optind - 1;
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  cleanup_container berth_container *c = berth_cli_container(cli, s, argv[1], &status);
  if (c == NULL)
    return status;
  berth_top t = { 0 };
  if (berth_container_top(s, c, argc > 2 ? argv + 2 : NULL, &t, &err) < 0)
    return berth_cli_fail(cli, err);
  print_top(&t);
  berth_top_clear(&t);
  return 0;
}

/* port: NetworkSettings.Ports as Docker 20.10's client prints them
 * ("80/tcp -> 0.0.0.0:8080", or for one PRIVATE_PORT its bindings alone);
 * a port not published is Docker's "No public port" error. */
int
berth_cmd_port(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec = { "berth port CONTAINER [PRIVATE_PORT[/PROTO]]",
                                       "List port mappings or a specific mapping for the container",
                                       NULL, .min_args = 1, .max_args = 2 };
  int h = no_flags(cli, argc, argv, &spec);
  if (h != -1)
    return h;
  int left = argc - optind;
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  cleanup_container berth_container *c = berth_cli_container(cli, s, argv[optind], &status);
  if (c == NULL)
    return status;
  (void)berth_container_refresh(s, c, NULL);
  cleanup_json json_t *ns = berth_container_network_settings(s, c);
  const json_t *ports = json_object_get(ns, "Ports");
  if (left == 2) {
    /* Docker's client: PORT[/PROTO], tcp when none is said */
    const char *want = argv[optind + 1];
    cleanup_free char *key = strchr(want, '/') != NULL && strchr(want, '/')[1] != '\0'
                                 ? xstrdup(want)
                                 : xasprintf("%.*s/tcp", (int)strcspn(want, "/"), want);
    cleanup_strv char **lines = berth_ports_port_lines(ports, key);
    if (lines[0] == NULL) {
      fprintf(stderr, "Error: No public port '%s' published for %s\n", key, argv[optind]);
      return 1;
    }
    for (char **l = lines; *l != NULL; l++)
      puts(*l);
    return 0;
  }
  cleanup_strv char **lines = berth_ports_port_lines(ports, NULL);
  for (char **l = lines; *l != NULL; l++)
    puts(*l);
  return 0;
}

struct attach_ctx {
  size_t skip; /* entries already in the log when attaching */
  size_t seen;
};

static void
count_entry(void *ctx, const char *stream, const char *text)
{
  (void)stream;
  (void)text;
  ((struct attach_ctx *)ctx)->seen++;
}

static void
attach_entry(void *ctx, const char *stream, const char *text)
{
  struct attach_ctx *a = ctx;
  if (a->seen++ < a->skip)
    return;
  FILE *out = strcmp(stream, "stderr") == 0 ? stderr : stdout;
  fputs(text, out);
  fflush(out);
}

/* attach: the output the running container writes from now on (its log,
 * which the supervisor keeps), until it ends; then its exit code, as
 * Docker's attach returns it.  Our stdin goes to the container's when it
 * was made with -i (its keeper relays it) unless --no-stdin. */
int
berth_cmd_attach(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_NO_STDIN = BERTH_FLAG_LONG, OPT_SIG_PROXY };
  static const berth_flag flags[] = {
    { "no-stdin", OPT_NO_STDIN, NULL, "Do not attach STDIN" },
    { "sig-proxy", OPT_SIG_PROXY, berth_flag_bool,
      "Proxy all received signals to the process (default true)" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth attach [OPTIONS] CONTAINER",
          "Attach local standard input, output, and error streams to a running container", flags,
          .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  int c;
  bool no_stdin = false;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    no_stdin |= c == OPT_NO_STDIN; /* --sig-proxy changes nothing */
  }
  berth_store *s = NULL;
  int status = 0;
  cleanup_container berth_container *ct = berth_cli_only_container(cli, argv, &s, &status);
  if (ct == NULL)
    return status;
  cleanup_error berth_error *err = NULL;
  if (berth_container_refresh(s, ct, &err) < 0)
    return berth_cli_fail(cli, err);
  if (strcmp(ct->status, "running") != 0) {
    fprintf(stderr, "You cannot attach to a stopped container, start it first\n");
    return 1;
  }
  if (ct->paused) {
    fprintf(stderr, "You cannot attach to a paused container, unpause it first\n");
    return 1;
  }
  struct attach_ctx a = { 0 };
  if (berth_log_read(s, ct, false, count_entry, &a, &err) < 0)
    return berth_cli_fail(cli, err);
  a.skip = a.seen;
  a.seen = 0;
  berth_attach_input *in = NULL;
  if (!no_stdin && json_is_true(json_object_get(ct->config, "OpenStdin"))) {
    in = berth_cli_attach_stdin(s, ct, json_is_true(json_object_get(ct->config, "Tty")), &err);
    if (in == NULL)
      return berth_cli_fail(cli, err);
  }
  int followed = berth_log_read(s, ct, true, attach_entry, &a, &err);
  berth_cli_attach_stdin_end(in);
  if (followed < 0)
    return berth_cli_fail(cli, err);
  int r = berth_container_wait_exit(s, &ct, -1, &err);
  if (r < 0)
    return berth_cli_fail(cli, err);
  return ct->exit_code;
}
