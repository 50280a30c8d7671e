#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "images/rmi.h"

static int
usage(void)
{
  puts("Usage:  berth rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
       "Remove one or more images\n\n"
       "Options:\n"
       "  -f, --force      Force removal of the image\n"
       "      --no-prune   Do not delete untagged parents");
  return 0;
}

/* Removes each image in turn, printing what went; the errors follow, one
 * line each, and make the exit status 1 (Docker's client does the same). */
int
berth_cmd_rmi(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "force", no_argument, NULL, 'f' },
    { "no-prune", no_argument, NULL, 'P' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  berth_rmi_options o = { 0 };
  int c;
  while ((c = getopt_long(argc, argv, "+:fh", options, NULL)) != -1) {
    switch (c) {
    case 'f':
      o.force = true;
      break;
    case 'P':
      o.no_prune = true;
      break;
    case 'h':
      return usage();
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  if (argc - optind < 1)
    return berth_cli_usage_error(cli, argv[0], "\"%s\" requires at least 1 argument.", argv[0]);
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  for (int i = optind; i < argc; i++) {
    cleanup_strv char **records = NULL;
    berth_error *e = NULL;
    int r = berth_image_remove(store, argv[i], &o, &records, &e);
    for (char **p = records; p != NULL && *p != NULL; p++)
      puts(*p);
    if (r < 0) {
      fflush(stdout);
      status = berth_cli_fail(cli, e);
    }
    berth_error_free(e);
  }
  return status;
}
