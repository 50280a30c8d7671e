#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/ops.h"
#include "container_cli.h"

static int
remove_one(berth_store *s, berth_container **c, void *ctx, berth_error **err)
{
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, *c);
  return berth_container_remove(s, rt, *c, *(bool *)ctx, err);
}

int
berth_cmd_rm(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "force", no_argument, NULL, 'f' },
    { "volumes", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  bool force = false;
  int c;
  while ((c = getopt_long(argc, argv, "+:fvh", options, NULL)) != -1) {
    switch (c) {
    case 'f':
      force = true;
      break;
    case 'v':
      break; /* berth has no anonymous volumes to remove */
    case 'h':
      puts("Usage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\n"
           "Remove one or more containers\n\n"
           "Options:\n"
           "  -f, --force     Force the removal of a running container (uses SIGKILL)\n"
           "  -v, --volumes   Remove anonymous volumes associated with the container");
      return 0;
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  if (optind >= argc)
    return berth_cli_usage_error(cli, argv[0], "\"rm\" requires at least 1 argument.");
  return berth_cli_each_container(cli, argv + optind, argc - optind, remove_one, &force);
}
