#include <stdio.h>

#include "cli.h"
#include "commit/commit.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/container.h"
#include "flags.h"

int
berth_cmd_commit(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "author", 'a', "string", "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")" },
    { "change", 'c', "list", "Apply Dockerfile instruction to the created image" },
    { "message", 'm', "string", "Commit message" },
    { "pause", 'p', berth_flag_bool, "Pause container during commit (default true)" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
          "Create a new image from a container's changes", flags, .min_args = 1, .max_args = 2 };
  berth_flag_iter it = { 0 };
  berth_commit_options o = { 0 };
  size_t n_changes = 0;
  cleanup_free char **changes = xcalloc((size_t)argc + 1, sizeof *changes);
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    if (c == 'p')
      continue; /* nothing to pause: the upperdir is read as it is */
    /* -a, -m and -c go into the image's JSON config: UTF-8 only */
    cleanup_free char *what = berth_flag_what(it.flag);
    if (berth_cli_check_utf8(cli, argv[0], what, optarg) != 0)
      return 125;
    if (c == 'a')
      o.author = optarg;
    else if (c == 'c')
      changes[n_changes++] = optarg;
    else
      o.comment = optarg; /* -m */
  }
  int left = argc - optind;
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
