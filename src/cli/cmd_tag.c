#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "images/tag.h"

int
berth_cmd_tag(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
  int c;
  while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
    if (c == 'h') {
      puts("Usage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
           "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
      return 0;
    }
    return berth_cli_bad_option(cli, argv[0], argv, c);
  }
  if (argc - optind != 2)
    return berth_cli_usage_error(cli, argv[0], "\"%s\" requires exactly 2 arguments.", argv[0]);
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL || berth_image_tag(store, argv[optind], argv[optind + 1], &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
