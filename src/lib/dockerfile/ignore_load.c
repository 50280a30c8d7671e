/* Which ignore file a build reads, and reading it from the context. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/safe_open.h"
#include "common/xalloc.h"
#include "dockerfile/ignore.h"

/* Far beyond any real .dockerignore; the file is the context's, untrusted. */
#define MAX_FILE (16 * 1024 * 1024)

char *
berth_ignore_dockerfile_specific(const char *dockerfile_name)
{
  return xasprintf("%s.dockerignore", dockerfile_name ? dockerfile_name : "Dockerfile");
}

/* Reads dirfd/name (inside dirfd) into a NUL-terminated buffer; 1 when it
 * does not exist, 0 when read, -1 on error. */
static int
read_ignore_file(int dirfd, const char *name, char **data, size_t *len, berth_error **err)
{
  cleanup_error berth_error *e = NULL;
  /* O_NONBLOCK: a FIFO named .dockerignore must not hang the build */
  cleanup_close int fd
      = berth_safe_open_at(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY, NULL, &e);
  if (fd < 0) {
    if (berth_error_errno(e) == ENOENT)
      return 1;
    return berth_error_propagate(err, &e);
  }
  struct stat st;
  if (fstat(fd, &st) < 0)
    return berth_error_set(err, errno, "stat %s", name);
  if (!S_ISREG(st.st_mode))
    return berth_error_set(err, 0, "%s: not a regular file", name);
  if (st.st_size > MAX_FILE)
    return berth_error_set(err, 0, "%s: larger than %d bytes", name, MAX_FILE);
  cleanup_free char *buf = xmalloc((size_t)st.st_size + 1);
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return berth_error_set(err, errno, "read %s", name);
    if (r == 0)
      break;
    got += (size_t)r;
  }
  buf[got] = '\0';
  *len = got;
  *data = steal_pointer(&buf);
  return 0;
}

berth_ignore *
berth_ignore_load(int context_dirfd, int dockerfile_dirfd, const char *dockerfile_name, char **used,
                  berth_error **err)
{
  cleanup_free char *specific = berth_ignore_dockerfile_specific(dockerfile_name);
  cleanup_free char *data = NULL;
  size_t len = 0;
  const char *name = specific;
  int r = read_ignore_file(dockerfile_dirfd >= 0 ? dockerfile_dirfd : context_dirfd, specific,
                           &data, &len, err);
  if (r == 1) {
    name = ".dockerignore";
    r = read_ignore_file(context_dirfd, name, &data, &len, err);
  }
  if (r < 0)
    return NULL;
  if (used != NULL)
    *used = r == 0 ? xstrdup(name) : NULL;
  if (r == 1)
    return berth_ignore_new(NULL, 0, err);
  return berth_ignore_parse(data, len, name, err);
}
