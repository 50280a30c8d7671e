/* `version [--format]`: berth's version, or Docker's versionInfo through a
 * template. */
#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "flags.h"
#include "sysformat.h"

/* argc 0: the global -v/--version, which takes no options. */
int
berth_cmd_version(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "format", 'f', "string", "Format the output using the given Go template" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth version [OPTIONS]", "Show the berth version information", flags, .max_args = 0 };
  berth_flag_iter it = { 0 };
  const char *format = NULL;
  int c;
  while (argc > 0 && (c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    format = optarg; /* -f, --format */
  }
  if (format != NULL && format[0] != '\0') {
    cleanup_json json_t *data = berth_cli_version_json();
    return berth_cli_struct_format("version", "system.versionInfo", format, data);
  }
  printf("berth version %s\n", BERTH_VERSION);
  return 0;
}
