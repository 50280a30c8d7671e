#include "container/initlayer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

static const char *const dirs[] = { "dev", "dev/pts", "dev/shm", "etc", "proc", "sys" };
static const char *const files[]
    = { ".dockerenv", "dev/console", "etc/hosts", "etc/hostname", "etc/resolv.conf" };

int
berth_container_init_layer_fill(int dirfd, berth_error **err)
{
  for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
    if (mkdirat(dirfd, dirs[i], 0755) < 0 && errno != EEXIST)
      return berth_error_set(err, errno, "init layer: mkdir /%s", dirs[i]);
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    cleanup_close int fd
        = openat(dirfd, files[i], O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0755);
    if (fd < 0)
      return berth_error_set(err, errno, "init layer: create /%s", files[i]);
  }
  if (symlinkat("/proc/mounts", dirfd, "etc/mtab") < 0 && errno != EEXIST)
    return berth_error_set(err, errno, "init layer: symlink /etc/mtab");
  return 0;
}
