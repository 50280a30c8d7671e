#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_prune.h"
#include "common/cleanup.h"
#include "flags.h"
#include "images/mount.h"
#include "manage.h"

static int
cmd_image_mount(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_RW = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "rw", OPT_RW, NULL, "Mount over a fresh, throw-away upper layer" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth image mount [OPTIONS] IMAGE[@layer:N]|CHAIN-ID [DIR]",
          "Mount an image's layers (read-only; --rw: over a fresh, throw-away upper layer)\n"
          "and print the mount point",
          flags, .min_args = 1, .max_args = 2 };
  berth_flag_iter it = { 0 };
  bool rw = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c != OPT_RW)
      return it.status; /* BERTH_FLAG_DONE */
    rw = true;
  }
  int left = argc - optind;
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  cleanup_free char *path = NULL;
  if (store == NULL
      || berth_image_mount(store, argv[optind], left == 2 ? argv[optind + 1] : NULL, rw, &path,
                           &err)
             < 0)
    return berth_cli_fail(cli, err);
  puts(path);
  return 0;
}

static int
cmd_image_umount(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec
      = { "berth image umount DIR|IMAGE",
          "Unmount what `berth image mount` mounted at DIR, or every mount of IMAGE", NULL,
          .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  int n = 0;
  if (store == NULL || berth_image_umount(store, argv[optind], &n, &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}

static const berth_subcommand subcommands[] = {
  { "build", berth_cmd_build, "Build an image from a Dockerfile" },
  { "history", berth_cmd_history, "Show the history of an image" },
  { "import", berth_cmd_import, "Import the contents from a tarball to create a filesystem image" },
  { "inspect", berth_cmd_inspect, "Display detailed information on one or more images" },
  { "layers", berth_cmd_layers, "Show every layer of an image with all its IDs" },
  { "load", berth_cmd_load, "Load an image from a tar archive or STDIN" },
  { "list", berth_cmd_images, NULL },
  { "ls", berth_cmd_images, "List images" },
  { "mount", cmd_image_mount, "Mount an image's layers and print the path" },
  { "prune", berth_cmd_image_prune, "Remove unused images" },
  { "pull", berth_cmd_pull, "Pull an image from a registry" },
  { "push", berth_cmd_push, "Push an image or a repository to a registry" },
  { "rm", berth_cmd_rmi, "Remove one or more images" },
  { "rmi", berth_cmd_rmi, NULL }, /* Docker's: rm, rmi, remove */
  { "remove", berth_cmd_rmi, NULL },
  { "save", berth_cmd_save,
    "Save one or more images to a tar archive (streamed to STDOUT by default)" },
  { "tag", berth_cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
  { "umount", cmd_image_umount, "Unmount what image mount mounted" },
  { NULL, NULL, NULL },
};

/* `berth image SUB …` runs the same code as the top-level command, with
 * argv[0] = SUB. */
int
berth_cmd_image(berth_cli *cli, int argc, char **argv)
{
  return berth_cli_manage(cli, argc, argv, "Manage images", subcommands);
}
