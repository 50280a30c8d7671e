#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "flags.h"
#include "images/tag.h"

int
berth_cmd_tag(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec = { "berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                                       "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
                                       NULL, .min_args = 2, .max_args = 2 };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL || berth_image_tag(store, argv[optind], argv[optind + 1], &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
