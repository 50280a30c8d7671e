/* `berth cp`: Docker's argument forms, then container/cp.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/cp.h"
#include "container_cli.h"
#include "flags.h"

/* Docker's splitCpArg: an absolute path, a name without ':' or one starting
 * with '.' is local; otherwise CONTAINER:PATH.  *path points into arg. */
static char *
split_arg(const char *arg, const char **path)
{
  const char *colon = strchr(arg, ':');
  if (arg[0] == '/' || colon == NULL || arg[0] == '.') {
    *path = arg;
    return NULL;
  }
  *path = colon + 1;
  return xstrndup(arg, (size_t)(colon - arg));
}

/* The words Docker's client prints itself (not "Error response from
 * daemon"): bare, as it prints them. */
static int
cp_fail(berth_cli *cli, berth_error *err)
{
  static const char *const client[] = { "no such directory", "cannot copy directory",
                                        "invalid output path: ", "lstat ", "destination \"" };
  const char *msg = berth_error_message(err);
  for (size_t i = 0; i < sizeof client / sizeof *client; i++)
    if (strncmp(msg, client[i], strlen(client[i])) == 0) {
      fprintf(stderr, "%s\n", msg);
      return 1;
    }
  return berth_cli_fail(cli, err);
}

int
berth_cmd_cp(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "archive", 'a', NULL, "Archive mode (copy all uid/gid information)" },
    { "follow-link", 'L', NULL, "Always follow symbol link in SRC_PATH" },
    { "quiet", 'q', NULL,
      "Suppress progress output during copy. Progress output is automatically suppressed if no "
      "terminal is attached" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
          "\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
          "Copy files/folders between a container and the local filesystem\n\n"
          "Use '-' as the source to read a tar archive from stdin\n"
          "and extract it to a directory destination in a container.\n"
          "Use '-' as the destination to stream a tar archive of a\n"
          "container source to stdout.",
          flags, .min_args = 2, .max_args = 2 };
  berth_flag_iter it = { 0 };
  berth_cp_options o = { 0 };
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'a':
      o.archive = true;
      break;
    case 'L':
      o.follow = true;
      break;
    case 'q':
      break; /* berth prints no progress */
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  const char *src, *dst;
  cleanup_free char *src_ct = split_arg(argv[optind], &src);
  cleanup_free char *dst_ct = split_arg(argv[optind + 1], &dst);
  if (src_ct != NULL && dst_ct != NULL) {
    fprintf(stderr, "copying between containers is not supported\n");
    return 1;
  }
  if (src_ct == NULL && dst_ct == NULL) {
    fprintf(stderr, "must specify at least one container source\n");
    return 1;
  }
  if (dst_ct == NULL && strcmp(dst, "-") == 0 && isatty(STDOUT_FILENO)) {
    fprintf(stderr, "Error: cowardly refusing to save to a terminal. Use the -o flag or "
                    "redirect\n");
    return 1;
  }
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  const char *name = src_ct != NULL ? src_ct : dst_ct;
  int status = 0;
  cleanup_container berth_container *ct = berth_cli_container(cli, s, name, &status);
  if (ct == NULL)
    return status;
  int r = src_ct != NULL ? berth_cp_from_container(s, ct, name, src, dst, &o, &err)
                         : berth_cp_to_container(s, ct, name, src, dst, &o, &err);
  return r < 0 ? cp_fail(cli, err) : 0;
}
