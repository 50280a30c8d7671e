#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/ops.h"
#include "container_cli.h"
#include "flags.h"

int
berth_cmd_wait(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec
      = { "berth wait CONTAINER [CONTAINER...]",
          "Block until one or more containers stop, then print their exit codes", NULL,
          .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  for (int i = optind; i < argc; i++) {
    int r = 0;
    berth_container *ct = berth_cli_container(cli, s, argv[i], &r);
    berth_error *e = NULL;
    if (ct != NULL && berth_container_wait_exit(s, &ct, -1, &e) < 0)
      r = berth_cli_fail(cli, e);
    else if (ct != NULL)
      printf("%d\n", ct->exit_code);
    berth_error_free(e);
    berth_container_free(ct);
    if (r != 0)
      status = r;
  }
  return status;
}
