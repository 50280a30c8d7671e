/* Small helpers every file of the store uses (internal.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "store/internal.h"

DIR *
berth_store_opendir(int dirfd, const char *path, berth_error **err)
{
  int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    berth_error_set(err, errno, "open %s", path);
    return NULL;
  }
  DIR *d = fdopendir(fd);
  if (d == NULL) {
    berth_error_set(err, errno, "opendir %s", path);
    close(fd);
  }
  return d;
}

bool
berth_store_is_hex64(const char *name)
{
  return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}
