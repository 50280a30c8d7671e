#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/mount.h"
#include "container_cli.h"

/* `umount CONTAINER`: releases one `mount`; the rootfs stays mounted while
 * the container runs or other mounts hold it. */
int
berth_cmd_umount(berth_cli *cli, int argc, char **argv)
{
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    puts("Usage:  berth umount CONTAINER\n\nRelease a mount made by 'berth mount'");
    return 0;
  }
  if (argc != 2)
    return berth_cli_usage_error(cli, argv[0], "\"umount\" requires exactly 1 argument.");
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  cleanup_container berth_container *c = berth_cli_container(cli, s, argv[1], &status);
  if (c == NULL)
    return status;
  if (berth_container_unmount(s, c, &err) < 0)
    return berth_cli_fail(cli, err);
  puts(c->id);
  return 0;
}
