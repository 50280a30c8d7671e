#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container_cli.h"
#include "flags.h"
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
  static const berth_flag flags[] = {
    { "follow", 'f', NULL, "Follow log output" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth logs [OPTIONS] CONTAINER", "Fetch the logs of a container", flags, .min_args = 1,
          .max_args = 1 };
  berth_flag_iter it = { 0 };
  bool follow = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'f':
      follow = true;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  berth_store *s = NULL;
  int status = 0;
  cleanup_container berth_container *ct = berth_cli_only_container(cli, argv, &s, &status);
  if (ct == NULL)
    return status;
  cleanup_error berth_error *err = NULL;
  if (berth_log_read(s, ct, follow, print_entry, NULL, &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
