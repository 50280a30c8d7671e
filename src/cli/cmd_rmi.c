#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "flags.h"
#include "images/rmi.h"

/* Removes each image in turn, printing what went; the errors follow, one
 * line each, and make the exit status 1 (Docker's client does the same). */
int
berth_cmd_rmi(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_NO_PRUNE = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "force", 'f', NULL, "Force removal of the image" },
    { "no-prune", OPT_NO_PRUNE, NULL, "Do not delete untagged parents" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth rmi [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images", flags, .min_args = 1,
          .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  berth_rmi_options o = { 0 };
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'f':
      o.force = true;
      break;
    case OPT_NO_PRUNE:
      o.no_prune = true;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
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
