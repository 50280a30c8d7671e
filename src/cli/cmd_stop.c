#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/ops.h"
#include "container_cli.h"

static int
stop_one(berth_store *s, berth_container **c, void *ctx, berth_error **err)
{
  return berth_container_stop(s, c, *(int *)ctx, err);
}

int
berth_cmd_stop(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "time", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  int timeout = 10, c;
  while ((c = getopt_long(argc, argv, "+:t:h", options, NULL)) != -1) {
    switch (c) {
    case 't':
      if (berth_cli_parse_int(cli, argv[0], "-t, --time", optarg, &timeout) != 0)
        return 125;
      break;
    case 'h':
      puts("Usage:  berth stop [OPTIONS] CONTAINER [CONTAINER...]\n\n"
           "Stop one or more running containers\n\n"
           "Options:\n"
           "  -t, --time int   Seconds to wait for stop before killing it (default 10)");
      return 0;
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  if (optind >= argc)
    return berth_cli_usage_error(cli, argv[0], "\"stop\" requires at least 1 argument.");
  return berth_cli_each_container(cli, argv + optind, argc - optind, stop_one, &timeout);
}
