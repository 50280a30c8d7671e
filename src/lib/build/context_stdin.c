/* `build -` (context_stdin.h): standard input as a tar context or as the
 * Dockerfile alone. */
#include "build/context_stdin.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/confine.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/safe_open.h"
#include "common/xalloc.h"
#include "context/tar.h"
#include "dockerfile/ignore.h"
#include "dockerfile/parser.h"

/* Reads up to cap bytes of fd (all of a pipe's, until EOF or cap). */
static ssize_t
read_full(int fd, void *buf, size_t cap)
{
  size_t n = 0;
  while (n < cap) {
    ssize_t r = read(fd, (char *)buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    if (r == 0)
      break;
    n += (size_t)r;
  }
  return (ssize_t)n;
}

char *
berth_build_read_dockerfile_fd(int fd, size_t *len, berth_error **err)
{
  size_t cap = BERTH_DOCKERFILE_MAX_SIZE + 1;
  cleanup_free char *buf = xmalloc(cap);
  ssize_t n = read_full(fd, buf, cap);
  if (n < 0)
    return berth_error_set(err, errno, "read the Dockerfile from stdin"), NULL;
  *len = (size_t)n;
  return steal_pointer(&buf);
}

/* Docker's WriteTempDockerfile: the bytes (head first, then the rest of
 * fd) as dirfd/Dockerfile; more than the parser takes is cut at one byte
 * over, for the parser to refuse with its words. */
static int
write_dockerfile(int dirfd, const char *head, size_t n, int fd, berth_error **err)
{
  size_t cap = BERTH_DOCKERFILE_MAX_SIZE + 1;
  cleanup_free char *buf = xmalloc(cap);
  memcpy(buf, head, n);
  ssize_t more = read_full(fd, buf + n, cap - n);
  if (more < 0)
    return berth_error_set(err, errno, "read the Dockerfile from stdin");
  if (berth_write_file_at(dirfd, "Dockerfile", buf, n + (size_t)more, 0644, err) < 0)
    return berth_error_prefix(err, "write the context's Dockerfile");
  return 0;
}

berth_store_scratch *
berth_build_stdin_context(berth_store *s, int fd, bool *is_tar, berth_error **err)
{
  unsigned char head[512];
  ssize_t n = read_full(fd, head, sizeof head);
  if (n < 0)
    return berth_error_set(err, errno, "failed to peek context header from STDIN"), NULL;
  cleanup_scratch berth_store_scratch *sc = berth_store_scratch_new(s, err);
  if (sc == NULL)
    return NULL;
  *is_tar = berth_context_is_archive(head, (size_t)n);
  int rc = *is_tar ? berth_context_unpack_tar(head, (size_t)n, fd, berth_store_scratch_fd(sc), err)
                   : write_dockerfile(berth_store_scratch_fd(sc), (char *)head, (size_t)n, fd, err);
  return rc < 0 ? NULL : steal_pointer(&sc);
}

char *
berth_build_read_dockerfile_at(int dirfd, const char *name, size_t *len, berth_error **err)
{
  berth_safe_open_mode mode = BERTH_SAFE_OPEN_AUTO;
  cleanup_error berth_error *local = NULL;
  cleanup_close int fd
      = berth_safe_open_at(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY, &mode, &local);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
    return berth_error_set_as(err, ENOENT, "Cannot locate specified Dockerfile: %s", name), NULL;
  return berth_build_read_dockerfile_fd(fd, len, err);
}

/* Removes the clean path rel inside dirfd (confined), if there. */
static void
remove_in(int dirfd, const char *rel)
{
  berth_confine_mode mode = BERTH_CONFINE_AUTO;
  const char *base = NULL;
  cleanup_close int pfd = berth_confine_open_parent(dirfd, rel, false, &mode, &base, NULL);
  if (pfd >= 0)
    berth_rm_rf_at(pfd, base, NULL);
}

berth_context *
berth_build_context_open_unpacked(int dirfd, const char *dockerfile, berth_error **err)
{
  berth_safe_open_mode mode = BERTH_SAFE_OPEN_AUTO;
  cleanup_close int fd
      = berth_safe_open_at(dirfd, ".dockerignore", O_RDONLY | O_NONBLOCK | O_NOCTTY, &mode, NULL);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    size_t len = 0;
    cleanup_free char *text = berth_build_read_dockerfile_fd(fd, &len, err);
    if (text == NULL)
      return NULL;
    cleanup_ignore berth_ignore *ign = berth_ignore_parse(text, len, ".dockerignore", err);
    if (ign == NULL)
      return NULL;
    cleanup_free char *df = berth_confine_clean(dockerfile, NULL);
    const char *names[] = { ".dockerignore", df };
    for (size_t i = 0; i < 2; i++)
      if (names[i] != NULL && names[i][0] != '\0' && berth_ignore_excluded(ign, names[i]))
        remove_in(dirfd, names[i]);
  }
  return berth_context_open_with(dirfd, NULL, err);
}
