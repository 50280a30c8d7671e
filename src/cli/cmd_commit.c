#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commit/commit.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/container.h"

static const char commit_usage[]
    = "Usage:  berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\n"
      "Create a new image from a container's changes\n\n"
      "Options:\n"
      "  -a, --author string    Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")\n"
      "  -c, --change list      Apply Dockerfile instruction to the created image\n"
      "  -m, --message string   Commit message\n"
      "  -p, --pause            Pause container during commit (default true)";

int
berth_cmd_commit(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[]
      = { { "author", required_argument, NULL, 'a' },  { "change", required_argument, NULL, 'c' },
          { "message", required_argument, NULL, 'm' }, { "pause", optional_argument, NULL, 'p' },
          { "help", no_argument, NULL, 'h' },          { 0 } };
  berth_commit_options o = { 0 };
  size_t n_changes = 0;
  cleanup_free char **changes = xcalloc((size_t)argc + 1, sizeof *changes);
  int c;
  while ((c = getopt_long(argc, argv, "+:a:c:m:ph", options, NULL)) != -1) {
    switch (c) {
    case 'a': /* -a, -m and -c go into the image's JSON config: UTF-8 only */
      if (berth_cli_check_utf8(cli, argv[0], "\"-a, --author\" flag", optarg) != 0)
        return 125;
      o.author = optarg;
      break;
    case 'c':
      if (berth_cli_check_utf8(cli, argv[0], "\"-c, --change\" flag", optarg) != 0)
        return 125;
      changes[n_changes++] = optarg;
      break;
    case 'm':
      if (berth_cli_check_utf8(cli, argv[0], "\"-m, --message\" flag", optarg) != 0)
        return 125;
      o.comment = optarg;
      break;
    case 'p':
      break; /* nothing to pause: the upperdir is read as it is */
    case 'h':
      puts(commit_usage);
      return 0;
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  int left = argc - optind;
  if (left < 1 || left > 2)
    return berth_cli_usage_error(cli, argv[0],
                                 "\"%s\" requires at least 1 and at most 2 arguments.", argv[0]);
  o.changes = changes;
  o.ref = left == 2 ? argv[optind + 1] : NULL;
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL)
    return berth_cli_fail(cli, err);
  cleanup_container berth_container *ctr = NULL;
  if (berth_container_find(store, argv[optind], &ctr, &err) < 0)
    return berth_cli_fail(cli, err);
  char id[BERTH_DIGEST_LEN];
  if (berth_commit(store, ctr, &o, id, &err) < 0)
    return berth_cli_fail(cli, err);
  puts(id);
  return 0;
}
