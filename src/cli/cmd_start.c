#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/network.h"
#include "container/ops.h"
#include "container/prepare.h"
#include "container_cli.h"
#include "flags.h"
#include "supervisor/supervise.h"

static int
start_one(berth_cli *cli, berth_store *s, const char *name, bool attach, bool interactive)
{
  int status = 0;
  cleanup_container berth_container *c = berth_cli_container(cli, s, name, &status);
  if (c == NULL)
    return status;
  cleanup_error berth_error *err = NULL;
  if (berth_container_refresh(s, c, &err) < 0)
    return berth_cli_fail(cli, err);
  if (strcmp(c->status, "running") == 0) {
    if (!attach)
      puts(name);
    return 0;
  }
  /* the ports and addresses a killed berth left are free again first */
  (void)berth_container_network_sweep(s, NULL);
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  if (!attach) {
    if (berth_supervisor_start_detached(s, rt, c, &err) < 0)
      return berth_cli_fail(cli, err);
    puts(name);
    return 0;
  }
  if (berth_container_prepare(s, c, &err) < 0)
    return berth_cli_fail(cli, err);
  fflush(stdout);
  int code = berth_supervisor_run(s, rt, c, interactive ? STDIN_FILENO : -1, true, true, &err);
  return code < 0 ? berth_cli_fail(cli, err) : code;
}

int
berth_cmd_start(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "attach", 'a', NULL, "Attach STDOUT/STDERR" },
    { "interactive", 'i', NULL, "Attach container's STDIN" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth start [OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers",
          flags, .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  bool attach = false, interactive = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'a':
      attach = true;
      break;
    case 'i':
      interactive = true;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  for (int i = optind; i < argc; i++) {
    int r = start_one(cli, s, argv[i], attach, interactive);
    if (r != 0)
      status = r;
  }
  return status;
}
