#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/ops.h"
#include "container/prepare.h"
#include "container_cli.h"
#include "supervisor/supervise.h"

/* After a failed start, --rm still removes the container. */
static int
fail_start(berth_cli *cli, berth_store *s, berth_container *c, berth_error *err)
{
  if (json_is_true(json_object_get(c->hostconfig, "AutoRemove"))) {
    cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
    berth_container_remove(s, rt, c, true, NULL);
  }
  return berth_cli_fail(cli, err);
}

int
berth_cmd_run(berth_cli *cli, int argc, char **argv)
{
  berth_run_flags f;
  int status = berth_cli_parse_run(cli, argc, argv, true, &f);
  if (status != 0) {
    berth_run_flags_clear(&f);
    return status == -2 ? 0 : status;
  }
  cleanup_error berth_error *err = NULL;
  cleanup_container berth_container *c = NULL;
  int created = berth_cli_create_container(cli, &f.create, &c, &err);
  berth_store *s = cli->store;
  bool interactive = f.create.interactive, detach = f.detach, tty = f.create.tty;
  berth_run_flags_clear(&f);
  if (created < 0)
    return berth_cli_fail(cli, err);
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  if (detach) {
    if (berth_supervisor_start_detached(s, rt, c, &err) < 0)
      return fail_start(cli, s, c, err);
    puts(c->id);
    return 0;
  }
  if (tty && interactive && !isatty(STDIN_FILENO)) {
    berth_error_set(&err, 0, "the input device is not a TTY");
    return fail_start(cli, s, c, err);
  }
  if (berth_container_prepare(s, c, &err) < 0)
    return fail_start(cli, s, c, err);
  fflush(stdout);
  int code = berth_supervisor_run(s, rt, c, interactive ? STDIN_FILENO : -1, true, true, &err);
  if (code < 0)
    return berth_cli_fail(cli, err);
  return code;
}
