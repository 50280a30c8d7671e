#include "archive/stream.h"

#include <errno.h>
#include <unistd.h>

ssize_t
berth_fd_read(void *ctx, void *buf, size_t len, berth_error **err)
{
  int fd = *(int *)ctx;
  for (;;) {
    ssize_t r = read(fd, buf, len);
    if (r >= 0)
      return r;
    if (errno != EINTR)
      return berth_error_set(err, errno, "read");
  }
}

int
berth_fd_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  int fd = *(int *)ctx;
  const char *p = buf;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return berth_error_set(err, errno, "write");
    }
    p += w;
    len -= (size_t)w;
  }
  return 0;
}
