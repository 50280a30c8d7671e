#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container_cli.h"
#include "engine/container_ops.h"

int
berth_cmd_stop(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "time", required_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  int timeout = 10, c;
  while ((c = getopt_long(argc, argv, "+t:h", options, NULL)) != -1) {
    switch (c) {
    case 't':
      timeout = atoi(optarg);
      break;
    case 'h':
      puts("Usage:  berth stop [OPTIONS] CONTAINER [CONTAINER...]\n\n"
           "Stop one or more running containers\n\n"
           "Options:\n"
           "  -t, --time int   Seconds to wait for stop before killing it (default 10)");
      return 0;
    default:
      return berth_cli_usage_error(cli, argv[0], "invalid option");
    }
  }
  if (optind >= argc)
    return berth_cli_usage_error(cli, argv[0], "\"stop\" requires at least 1 argument.");
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  for (int i = optind; i < argc; i++) {
    int r = 0;
    berth_container *ct = berth_cli_container(cli, s, argv[i], &r);
    berth_error *e = NULL;
    if (ct != NULL && berth_container_stop(s, &ct, timeout, &e) < 0)
      r = berth_cli_fail(cli, e);
    else if (ct != NULL)
      puts(argv[i]);
    berth_error_free(e);
    berth_container_free(ct);
    if (r != 0)
      status = r;
  }
  return status;
}
