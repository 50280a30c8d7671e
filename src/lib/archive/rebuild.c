#include "archive/rebuild.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/confine.h"
#include "archive/crc64.h"
#include "archive/tarsplit.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#define BUF_SIZE (256 * 1024)

struct rebuild {
  int rootfd;
  berth_confine_mode mode;
  berth_write_fn write;
  void *ctx;
  unsigned char *buf;
  /* The directory of the last file, still open: a tar lists a directory's
   * files together, so most files need no confined open of their parent
   * (an openat2 and a close a file). */
  char *dir;
  int dirfd;
};

/* The confined directory of the file at clean (a cleaned name), the one of
 * the file before when it is the same; *base gets the last component. */
static int
member_dir(struct rebuild *rb, const char *clean, const char **base, berth_error **err)
{
  const char *slash = strrchr(clean, '/');
  size_t len = slash != NULL ? (size_t)(slash - clean) : 0;
  *base = slash != NULL ? slash + 1 : clean;
  if (rb->dirfd >= 0 && strlen(rb->dir) == len && memcmp(rb->dir, clean, len) == 0)
    return rb->dirfd;
  cleanup_free char *dir = xstrndup(clean, len);
  int fd = berth_confine_open_dir(rb->rootfd, dir, false, &rb->mode, err);
  if (fd < 0)
    return -1;
  if (rb->dirfd >= 0)
    close(rb->dirfd);
  free(rb->dir);
  rb->dir = steal_pointer(&dir);
  rb->dirfd = fd;
  return fd;
}

static int
open_member(struct rebuild *rb, const char *name, berth_error **err)
{
  cleanup_free char *clean = berth_confine_clean(name, err);
  if (clean == NULL)
    return -1;
  if (*clean == '\0')
    return berth_error_set(err, 0, "names the layer root");
  const char *base;
  int dfd = member_dir(rb, clean, &base, err);
  if (dfd < 0)
    return -1;
  struct stat st;
  if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_error_set(err, errno == ENOENT ? 0 : errno, errno == ENOENT ? "missing" : "stat");
  if (!S_ISREG(st.st_mode))
    return berth_error_set(err, 0, "not a regular file");
  int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return berth_error_set(err, errno, "open");
  return fd;
}

/* Streams one file's contents, checking size and crc64 against the entry. */
static int
emit_file(struct rebuild *rb, const berth_tarsplit_entry *e, berth_error **err)
{
  cleanup_close int fd = open_member(rb, e->name, err);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) < 0)
    return berth_error_set(err, errno, "stat");
  if (!S_ISREG(st.st_mode))
    return berth_error_set(err, 0, "not a regular file");
  if (st.st_size != e->size)
    return berth_error_set(err, 0, "size changed (%lld bytes, expected %lld)",
                           (long long)st.st_size, e->size);
  uint64_t crc = 0;
  long long left = e->size;
  while (left > 0) {
    size_t want = left < BUF_SIZE ? (size_t)left : BUF_SIZE;
    ssize_t n = read(fd, rb->buf, want);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return berth_error_set(err, errno, "read");
    if (n == 0)
      return berth_error_set(err, 0, "size changed (shorter than %lld bytes)", e->size);
    crc = berth_crc64_update(crc, rb->buf, (size_t)n);
    if (rb->write(rb->ctx, rb->buf, (size_t)n, err) < 0)
      return -1;
    left -= n;
  }
  unsigned char sum[8];
  berth_crc64_bytes(crc, sum);
  if (memcmp(sum, e->payload, 8) != 0)
    return berth_error_set(err, 0, "contents changed (crc64 mismatch)");
  return 0;
}

int
berth_layer_tar_rebuild(int diff_dirfd, int tarsplit_fd, berth_write_fn write, void *ctx,
                        berth_error **err)
{
  cleanup_free unsigned char *buf = xmalloc(BUF_SIZE);
  struct rebuild rb = { diff_dirfd, BERTH_CONFINE_AUTO, write, ctx, buf, NULL, -1 };
  cleanup_tarsplit_reader berth_tarsplit_reader *r = berth_tarsplit_reader_new(tarsplit_fd);
  berth_tarsplit_entry e = { 0 };
  int got, rc = 0;
  while (rc == 0 && (got = berth_tarsplit_reader_next(r, &e, err)) > 0) {
    if (e.type == BERTH_TARSPLIT_SEGMENT) {
      if (e.payload_len > 0)
        rc = write(ctx, e.payload, e.payload_len, err);
    } else if (e.size > 0 && emit_file(&rb, &e, err) < 0) {
      rc = berth_error_prefix(err, "rebuild layer tar: file '%.256s'", e.name);
    }
  }
  berth_tarsplit_entry_clear(&e);
  if (rb.dirfd >= 0)
    close(rb.dirfd);
  free(rb.dir);
  if (rc < 0)
    return -1;
  return got < 0 ? berth_error_prefix(err, "rebuild layer tar") : 0;
}
