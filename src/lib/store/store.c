#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/internal.h"

/* Docker's modes: the root and overlay2/ are 0710 so that an unprivileged
 * container user can traverse to its layers; everything else is 0700. */
static const struct layout_dir {
  const char *path;
  mode_t mode;
} layout[] = {
  { "image", 0700 },
  { IMAGE_DIR, 0700 },
  { IMAGE_DIR "/imagedb", 0700 },
  { IMAGE_DIR "/imagedb/content", 0700 },
  { IMAGE_DIR "/" IMAGEDB_CONTENT, 0700 },
  { IMAGE_DIR "/imagedb/metadata", 0700 },
  { IMAGE_DIR "/" IMAGEDB_METADATA, 0700 },
  { IMAGE_DIR "/layerdb", 0700 },
  { IMAGE_DIR "/" LAYERDB_SHA, 0700 },
  { IMAGE_DIR "/" LAYERDB_MOUNTS, 0700 },
  { IMAGE_DIR "/" LAYERDB_TMP, 0700 },
  { IMAGE_DIR "/distribution", 0700 },
  { IMAGE_DIR "/distribution/diffid-by-digest", 0700 },
  { IMAGE_DIR "/" DIST_DIFFID, 0700 },
  { IMAGE_DIR "/distribution/v2metadata-by-diffid", 0700 },
  { IMAGE_DIR "/" DIST_V2META, 0700 },
  { IMAGE_DIR "/distribution/manifest-by-digest", 0700 },
  { IMAGE_DIR "/" DIST_MANIFEST, 0700 },
  { "overlay2", 0710 },
  { "overlay2/l", 0700 },
  { "tmp", 0700 },
  { "containers", 0710 },
};

/* Creates dirfd/path with exactly mode (umask aside) unless it exists. */
static int
make_dir(int dirfd, const char *path, mode_t mode, berth_error **err)
{
  if (mkdirat(dirfd, path, mode) == 0) {
    if (fchmodat(dirfd, path, mode, 0) < 0)
      return berth_error_set(err, errno, "chmod %s", path);
    return 0;
  }
  if (errno == EEXIST)
    return 0;
  return berth_error_set(err, errno, "mkdir %s", path);
}

static int
make_layout(berth_store *s, berth_error **err)
{
  for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
    if (make_dir(s->root_fd, layout[i].path, layout[i].mode, err) < 0)
      return -1;
  return 0;
}

static int
open_fds(berth_store *s, berth_error **err)
{
  s->image_fd = berth_open_dir_at(s->root_fd, IMAGE_DIR, false, err);
  s->overlay_fd = s->image_fd < 0 ? -1 : berth_open_dir_at(s->root_fd, "overlay2", false, err);
  s->links_fd = s->overlay_fd < 0 ? -1 : berth_open_dir_at(s->overlay_fd, "l", false, err);
  s->tmp_fd = s->links_fd < 0 ? -1 : berth_open_dir_at(s->root_fd, "tmp", false, err);
  if (s->tmp_fd < 0)
    return -1;
  /* Made now when the store is writable, so that it is there from the
   * start; a reader of a read-only store needs none (see lock.c). */
  s->lock_fd = openat(s->tmp_fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd < 0 && errno != EROFS && errno != EACCES && errno != EPERM)
    return berth_error_set(err, errno, "open %s/tmp/.lock", s->root);
  return 0;
}

static berth_store *
store_alloc(const char *root)
{
  berth_store *s = xcalloc(1, sizeof(*s));
  s->root = xstrdup(root);
  s->root_fd = s->image_fd = s->overlay_fd = s->links_fd = s->tmp_fd = s->lock_fd = -1;
  s->trash_fd = s->pins_fd = -1;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&s->mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  return s;
}

/* Trusts root to be a path the user chose for the store. */
berth_store *
berth_store_open(const char *root, berth_error **err)
{
  cleanup_store berth_store *s = store_alloc(root);
  if (berth_mkdir_p_at(AT_FDCWD, root, 0710, err) < 0)
    goto fail;
  s->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->root_fd < 0) {
    berth_error_set(err, errno, "open %s", root);
    goto fail;
  }
  if (make_layout(s, err) < 0 || open_fds(s, err) < 0)
    goto fail;
  return steal_pointer(&s);
fail:
  berth_error_prefix(err, "open store %s", root);
  return NULL;
}

void
berth_store_free(berth_store *s)
{
  if (s == NULL)
    return;
  berth_store_pins_release(s);
  int fds[] = { s->root_fd, s->image_fd, s->overlay_fd, s->links_fd, s->tmp_fd, s->lock_fd };
  for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
    if (fds[i] >= 0)
      close(fds[i]);
  pthread_mutex_destroy(&s->mutex);
  free(s->root);
  free(s);
}

void
berth_store_cleanup(berth_store **s)
{
  int saved = errno;
  berth_store_free(*s);
  errno = saved;
}

const char *
berth_store_root(const berth_store *s)
{
  return s->root;
}

int
berth_store_root_fd(const berth_store *s)
{
  return s->root_fd;
}

void
berth_store_set_trace(berth_store *s, berth_trace_fn fn, void *ctx)
{
  s->trace = fn;
  s->trace_ctx = ctx;
}

void
berth_store_trace(berth_store *s, const char *fmt, ...)
{
  if (s == NULL || s->trace == NULL)
    return;
  char phase[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(phase, sizeof phase, fmt, ap);
  va_end(ap);
  s->trace(s->trace_ctx, phase);
}
