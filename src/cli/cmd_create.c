#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container_cli.h"

int
berth_cmd_create(berth_cli *cli, int argc, char **argv)
{
  berth_run_flags f;
  int status = berth_cli_parse_run(cli, argc, argv, false, &f);
  if (status != 0) {
    berth_run_flags_clear(&f);
    return status == -2 ? 0 : status;
  }
  cleanup_error berth_error *err = NULL;
  cleanup_container berth_container *c = NULL;
  if (berth_cli_create_container(cli, &f.create, &c, &err) < 0) {
    berth_run_flags_clear(&f);
    return berth_cli_fail(cli, err);
  }
  berth_run_flags_clear(&f);
  puts(c->id);
  return 0;
}
