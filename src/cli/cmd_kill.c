#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/ops.h"
#include "container_cli.h"
#include "flags.h"

static const struct {
  const char *name;
  int num;
} signals[] = {
  { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT },   { "KILL", SIGKILL },
  { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM },   { "STOP", SIGSTOP },
  { "CONT", SIGCONT }, { "ALRM", SIGALRM }, { "WINCH", SIGWINCH },
};

/* "KILL", "SIGKILL" or "9"; -1 when unknown. */
static int
parse_signal(const char *s)
{
  char *end;
  long n = strtol(s, &end, 10);
  if (*s != '\0' && *end == '\0')
    return n > 0 && n < 65 ? (int)n : -1;
  if (strncasecmp(s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
    if (strcasecmp(s, signals[i].name) == 0)
      return signals[i].num;
  return -1;
}

static int
kill_one(berth_store *s, berth_container **c, void *ctx, berth_error **err)
{
  return berth_container_kill(s, *c, *(int *)ctx, err);
}

int
berth_cmd_kill(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "signal", 's', "string", "Signal to send to the container (default \"KILL\")" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth kill [OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers",
          flags, .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  int sig = SIGKILL, c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 's':
      sig = parse_signal(optarg);
      if (sig < 0)
        return berth_cli_usage_error(cli, argv[0], "invalid signal: %s", optarg);
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  return berth_cli_each_container(cli, argv + optind, argc - optind, kill_one, &sig);
}
