#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/ops.h"
#include "container_cli.h"
#include "flags.h"

static int
remove_one(berth_store *s, berth_container **c, void *ctx, berth_error **err)
{
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, *c);
  return berth_container_remove(s, rt, *c, *(bool *)ctx, err);
}

int
berth_cmd_rm(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "force", 'f', NULL, "Force the removal of a running container (uses SIGKILL)" },
    { "volumes", 'v', NULL, "Remove anonymous volumes associated with the container" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers", flags,
          .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  bool force = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'f':
      force = true;
      break;
    case 'v':
      break; /* berth has no anonymous volumes to remove */
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  return berth_cli_each_container(cli, argv + optind, argc - optind, remove_one, &force);
}
