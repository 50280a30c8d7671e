#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef int (*command_fn)(berth_cli *cli, int argc, char **argv);

static const struct subcommand {
  const char *name;
  command_fn fn;
  const char *summary;
} subcommands[] = {
  { "history", berth_cmd_history, "Show the history of an image" },
  { "import", berth_cmd_import, "Import the contents from a tarball to create a filesystem image" },
  { "inspect", berth_cmd_inspect, "Display detailed information on one or more images" },
  { "layers", berth_cmd_layers, "Show every layer of an image with all its IDs" },
  { "list", berth_cmd_images, NULL },
  { "ls", berth_cmd_images, "List images" },
  { "pull", berth_cmd_pull, "Pull an image from a registry" },
  { "remove", berth_cmd_rmi, NULL },
  { "rm", berth_cmd_rmi, "Remove one or more images" },
  { "tag", berth_cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
};

static void
usage(FILE *out)
{
  fputs("Usage:  berth image COMMAND\n\nManage images\n\nCommands:\n", out);
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
    if (subcommands[i].summary != NULL)
      fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
  fputs("\nRun 'berth image COMMAND --help' for more information on a command.\n", out);
}

/* `berth image SUB …` runs the same code as the top-level command, with
 * argv[0] = SUB. */
int
berth_cmd_image(berth_cli *cli, int argc, char **argv)
{
  if (argc < 2) {
    usage(stderr);
    return 125;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
    if (strcmp(subcommands[i].name, argv[1]) == 0)
      return subcommands[i].fn(cli, argc - 1, argv + 1);
  fprintf(stderr, "berth: 'image %s' is not a berth command.\nSee 'berth image --help'\n", argv[1]);
  return 125;
}
