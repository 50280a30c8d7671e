#include "ctx_fixture.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

void
put_file(int dirfd, const char *path, const char *data, mode_t mode)
{
  cleanup_free char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  if (slash != NULL) {
    *slash = '\0';
    berth_mkdir_p_at(dirfd, dir, 0755, NULL);
  }
  int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    perror(path);
    abort();
  }
  if (write(fd, data, strlen(data)) != (ssize_t)strlen(data))
    abort();
  fchmod(fd, mode);
  close(fd);
}

int
new_dir(const char *root, const char *name)
{
  char p[2 * PATH_MAX];
  snprintf(p, sizeof p, "%s/%s", root, name);
  mkdir(p, 0755);
  int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    abort();
  return fd;
}

berth_context *
open_ctx(int fd, const char *ignore)
{
  berth_ignore *ign = NULL;
  if (ignore != NULL)
    ign = berth_ignore_parse(ignore, strlen(ignore), ".dockerignore", NULL);
  return berth_context_open_with(fd, ign, NULL);
}
