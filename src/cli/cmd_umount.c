#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/mount.h"
#include "container_cli.h"
#include "flags.h"

/* `umount CONTAINER`: releases one `mount`; the rootfs stays mounted while
 * the container runs or other mounts hold it. */
int
berth_cmd_umount(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec
      = { "berth umount CONTAINER", "Release a mount made by 'berth mount'", NULL, .min_args = 1,
          .max_args = 1 };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  berth_store *s = NULL;
  int status = 0;
  cleanup_container berth_container *c = berth_cli_only_container(cli, argv, &s, &status);
  if (c == NULL)
    return status;
  cleanup_error berth_error *err = NULL;
  if (berth_container_unmount(s, c, &err) < 0)
    return berth_cli_fail(cli, err);
  puts(c->id);
  return 0;
}
