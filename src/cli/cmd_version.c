/* `version [--format]`: berth's version, or Docker's versionInfo through a
 * template. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "sysformat.h"

/* argc 0: the global -v/--version, which takes no options. */
int
berth_cmd_version(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  const char *format = NULL;
  int c;
  while (argc > 0 && (c = getopt_long(argc, argv, "+:f:h", options, NULL)) != -1) {
    if (c == 'h') {
      puts("Usage:  berth version [OPTIONS]\n\n"
           "Show the berth version information\n\n"
           "Options:\n"
           "  -f, --format string   Format the output using the given Go template");
      return 0;
    }
    if (c == 'f') {
      format = optarg;
      continue;
    }
    return berth_cli_bad_option(cli, argv[0], argv, c);
  }
  if (argc > 0 && argc - optind != 0)
    return berth_cli_usage_error(cli, argv[0], "\"%s\" accepts no arguments.", argv[0]);
  if (format != NULL && format[0] != '\0') {
    cleanup_json json_t *data = berth_cli_version_json();
    return berth_cli_struct_format("version", "system.versionInfo", format, data);
  }
  printf("berth version %s\n", BERTH_VERSION);
  return 0;
}
