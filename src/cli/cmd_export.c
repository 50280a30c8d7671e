#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/export.h"
#include "container_cli.h"

int
berth_cmd_export(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  const char *output = NULL;
  int c;
  while ((c = getopt_long(argc, argv, "+:o:h", options, NULL)) != -1) {
    switch (c) {
    case 'o':
      output = optarg;
      break;
    case 'h':
      puts("Usage:  berth export [OPTIONS] CONTAINER\n\n"
           "Export a container's filesystem as a tar archive\n\n"
           "Options:\n"
           "  -o, --output string   Write to a file, instead of STDOUT");
      return 0;
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  if (argc - optind != 1)
    return berth_cli_usage_error(cli, argv[0], "\"export\" requires exactly 1 argument.");
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
