#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container_cli.h"
#include "engine/container_ops.h"

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
  while ((c = getopt_long(argc, argv, "+fvh", options, NULL)) != -1) {
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
      return berth_cli_usage_error(cli, argv[0], "invalid option");
    }
  }
  if (optind >= argc)
    return berth_cli_usage_error(cli, argv[0], "\"rm\" requires at least 1 argument.");
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  for (int i = optind; i < argc; i++) {
    int r = 0;
    cleanup_container berth_container *ct = berth_cli_container(cli, s, argv[i], &r);
    berth_error *e = NULL;
    if (ct != NULL) {
      cleanup_runtime berth_runtime *rt = berth_container_runtime(s, ct);
      if (berth_container_remove(s, rt, ct, force, &e) < 0)
        r = berth_cli_fail(cli, e);
      else
        puts(argv[i]);
    }
    berth_error_free(e);
    if (r != 0)
      status = r;
  }
  return status;
}
