#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/container.h"
#include "container/diff.h"
#include "flags.h"
#include "images/diff.h"

int
berth_cmd_diff(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec
      = { "berth diff CONTAINER\n"
          "        berth diff IMAGE IMAGE",
          "Inspect changes to files or directories on a container's filesystem,\n"
          "or between two images (A added, C changed, D deleted)",
          NULL, .min_args = 1, .max_args = 2 };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  int left = argc - optind;
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL)
    return berth_cli_fail(cli, err);
  berth_change *changes = NULL;
  size_t n = 0;
  if (left == 2) {
    if (berth_image_diff(store, argv[optind], argv[optind + 1], &changes, &n, &err) < 0)
      return berth_cli_fail(cli, err);
  } else {
    cleanup_container berth_container *ctr = NULL;
    if (berth_container_find(store, argv[optind], &ctr, &err) < 0
        || berth_container_diff(store, ctr, &changes, &n, &err) < 0)
      return berth_cli_fail(cli, err);
  }
  cleanup_free char *out = berth_changes_format(changes, n);
  berth_changes_free(changes, n);
  fputs(out, stdout);
  return 0;
}
