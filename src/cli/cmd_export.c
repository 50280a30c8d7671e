#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/export.h"
#include "container_cli.h"
#include "flags.h"

int
berth_cmd_export(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "output", 'o', "string", "Write to a file, instead of STDOUT" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth export [OPTIONS] CONTAINER", "Export a container's filesystem as a tar archive",
          flags, .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  const char *output = NULL;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'o':
      output = optarg;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  if (output == NULL && isatty(STDOUT_FILENO)) {
    fprintf(stderr, "Error: cowardly refusing to save to a terminal. Use the -o flag or "
                    "redirect\n");
    return 1;
  }
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  cleanup_container berth_container *ct = berth_cli_container(cli, s, argv[optind], &status);
  if (ct == NULL)
    return status;
  cleanup_close int fd = output != NULL
                             ? open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                             : dup(STDOUT_FILENO);
  if (fd < 0) {
    fprintf(stderr, "Error: open %s: %m\n", output);
    return 1;
  }
  if (berth_container_export(s, ct, fd, &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
