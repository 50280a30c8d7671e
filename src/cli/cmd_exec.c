#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/exec.h"
#include "container/ops.h"
#include "container_cli.h"
#include "flags.h"

static int
exec_parsed(berth_cli *cli, const char *name, berth_exec_options *o)
{
  if (o->tty && o->interactive && !isatty(STDIN_FILENO)) {
    fprintf(stderr, "the input device is not a TTY\n");
    return 1;
  }
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  cleanup_container berth_container *c = berth_cli_container(cli, s, name, &status);
  if (c == NULL)
    return status;
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  fflush(stdout);
  int code = berth_container_exec(s, rt, c, o, &err);
  return code < 0 ? berth_cli_fail(cli, err) : code;
}

int
berth_cmd_exec(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "env", 'e', "list", "Set environment variables" },
    { "interactive", 'i', NULL, "Keep STDIN open even if not attached" },
    { "tty", 't', NULL, "Allocate a pseudo-TTY" },
    { "user", 'u', "string", "Username or UID (format: <name|uid>[:<group|gid>])" },
    { "workdir", 'w', "string", "Working directory inside the container" },
    { 0 },
  };
  static const berth_cmd_spec spec = { "berth exec [OPTIONS] CONTAINER COMMAND [ARG...]",
                                       "Execute a command in a running container",
                                       flags,
                                       .min_args = 2,
                                       .max_args = BERTH_ARGS_ANY,
                                       .own_args = true /* the command's */ };
  berth_flag_iter it = { 0 };
  berth_exec_options o = { 0 };
  cleanup_free char **env = xcalloc((size_t)argc + 1, sizeof(char *));
  size_t nenv = 0;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'e': /* -e, -u, -w and the command go into runc's JSON process */
      if (berth_cli_check_utf8(cli, argv[0], "\"-e, --env\" flag", optarg) != 0)
        return 125;
      env[nenv++] = optarg;
      break;
    case 'i':
      o.interactive = true;
      break;
    case 't':
      o.tty = true;
      break;
    case 'u':
      if (berth_cli_check_utf8(cli, argv[0], "\"-u, --user\" flag", optarg) != 0)
        return 125;
      o.user = optarg;
      break;
    case 'w':
      if (berth_cli_check_utf8(cli, argv[0], "\"-w, --workdir\" flag", optarg) != 0)
        return 125;
      o.workdir = optarg;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  for (int i = optind + 1; i < argc; i++)
    if (berth_cli_check_utf8(cli, argv[0], "the command", argv[i]) != 0)
      return 125;
  o.env = env;
  o.cmd = argv + optind + 1;
  return exec_parsed(cli, argv[optind], &o);
}
