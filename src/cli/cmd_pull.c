#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "flags.h"
#include "pull/pull.h"
#include "pull_progress.h"

int
berth_cli_pull(berth_cli *cli, const berth_reference *ref, const char *platform, FILE *out,
               berth_error **err)
{
  berth_store *store = berth_cli_store(cli, err);
  if (store == NULL)
    return -1;
  berth_progress *progress = out ? berth_progress_new(out, isatty(fileno(out))) : NULL;
  berth_pull_options opts = {
    .platform = platform,
    .registry = &cli->registry,
    .on_event = out ? berth_progress_event : NULL,
    .event_ctx = progress,
  };
  berth_pull_result result;
  int r = berth_pull(store, ref, &opts, &result, err);
  berth_progress_free(progress);
  if (r < 0 || out == NULL)
    return r;
  cleanup_free char *familiar = berth_reference_familiar_string(ref);
  fprintf(out, "Digest: %s\n", result.digest);
  fprintf(out, "Status: %s for %s\n",
          result.updated ? "Downloaded newer image" : "Image is up to date", familiar);
  return 0;
}

int
berth_cmd_pull(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_PLATFORM = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "platform", OPT_PLATFORM, "string", "Set platform if server is multi-platform capable" },
    { "quiet", 'q', NULL, "Suppress verbose output" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth pull [OPTIONS] NAME[:TAG|@DIGEST]", "Pull an image from a registry", flags,
          .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  const char *platform = NULL;
  bool quiet = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case OPT_PLATFORM:
      platform = optarg;
      break;
    case 'q':
      quiet = true;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }

  cleanup_error berth_error *err = NULL;
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(argv[optind], &err);
  if (ref == NULL) {
    fprintf(stderr, "%s\n", berth_error_message(err));
    return 1;
  }
  berth_reference_default_tag(ref);
  if (berth_cli_pull(cli, ref, platform, quiet ? NULL : stdout, &err) < 0)
    return berth_cli_fail(cli, err);
  cleanup_free char *full = berth_reference_string(ref);
  printf("%s\n", full);
  return 0;
}
