#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/ops.h"
#include "container_cli.h"
#include "flags.h"

static int
stop_one(berth_store *s, berth_container **c, void *ctx, berth_error **err)
{
  return berth_container_stop(s, c, *(int *)ctx, err);
}

int
berth_cmd_stop(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "time", 't', "int", "Seconds to wait for stop before killing it (default 10)" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth stop [OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers",
          flags, .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  int timeout = 10, c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 't':
      if (berth_cli_parse_int(cli, argv[0], "-t, --time", optarg, &timeout) != 0)
        return 125;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  return berth_cli_each_container(cli, argv + optind, argc - optind, stop_one, &timeout);
}
