#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container_cli.h"
#include "supervisor/log.h"

/* Each entry to the stream it came from, as `docker logs` does. */
static void
print_entry(void *ctx, const char *stream, const char *text)
{
  FILE *out = strcmp(stream, "stderr") == 0 ? stderr : stdout;
  fputs(text, out);
  fflush(out);
}

int
berth_cmd_logs(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "follow", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  bool follow = false;
  int c;
  while ((c = getopt_long(argc, argv, "+:fh", options, NULL)) != -1) {
    switch (c) {
    case 'f':
      follow = true;
      break;
    case 'h':
      puts("Usage:  berth logs [OPTIONS] CONTAINER\n\n"
           "Fetch the logs of a container\n\n"
           "Options:\n"
           "  -f, --follow   Follow log output");
      return 0;
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  if (argc - optind != 1)
    return berth_cli_usage_error(cli, argv[0], "\"logs\" requires exactly 1 argument.");
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  cleanup_container berth_container *ct = berth_cli_container(cli, s, argv[optind], &status);
  if (ct == NULL)
    return status;
  if (berth_log_read(s, ct, follow, print_entry, NULL, &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
