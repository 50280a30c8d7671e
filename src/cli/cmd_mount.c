#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/mount.h"
#include "container_cli.h"
#include "flags.h"

/* `mount CONTAINER`: mounts the rootfs (counted) and prints the path of its
 * nosuid,nodev view for the host. */
int
berth_cmd_mount(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec
      = { "berth mount CONTAINER", "Mount a container's root filesystem and print its path", NULL,
          .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  berth_store *s = NULL;
  int status = 0;
  cleanup_container berth_container *c = berth_cli_only_container(cli, argv, &s, &status);
  if (c == NULL)
    return status;
  cleanup_error berth_error *err = NULL;
  cleanup_free char *merged = berth_container_mount_host(s, c, &err);
  if (merged == NULL)
    return berth_cli_fail(cli, err);
  puts(merged);
  return 0;
}
