/* -D, --debug: what went wrong in full and where the time went, on stderr.
 * The switch lives in the command's berth_cli, never in the library. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "common/cleanup.h"

void
berth_cli_debug_start(berth_cli *cli)
{
  clock_gettime(CLOCK_MONOTONIC, &cli->debug_mark);
}

void
berth_cli_debug_phase(berth_cli *cli, const char *phase)
{
  if (!cli->debug)
    return;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double ms = (double)(now.tv_sec - cli->debug_mark.tv_sec) * 1e3
              + (double)(now.tv_nsec - cli->debug_mark.tv_nsec) / 1e6;
  fprintf(stderr, "DEBU phase %s: %.3f ms\n", phase, ms);
  cli->debug_mark = now;
}

static void
trace(void *ctx, const char *phase)
{
  berth_cli_debug_phase(ctx, phase);
}

void
berth_cli_debug_trace(berth_cli *cli, berth_store *store)
{
  if (cli->debug && store != NULL)
    berth_store_set_trace(store, trace, cli);
}

void
berth_cli_debug_error(berth_cli *cli, const berth_error *err)
{
  if (!cli->debug || err == NULL)
    return;
  cleanup_free char *chain = berth_error_describe(err);
  fprintf(stderr, "DEBU error chain, outermost first:\n%s", chain);
}
