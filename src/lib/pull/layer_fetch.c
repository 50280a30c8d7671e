#include "pull/layer_fetch.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "archive/rebuild.h"
#include "archive/unpack.h"
#include "archive/unpack_from.h"
#include "common/cleanup.h"

/* The download runs in its own thread and hands bytes to the unpacker over a
 * socket pair: libcurl pushes data, libarchive pulls it, and the kernel
 * buffer between them keeps memory bounded without a temp file.  A socket
 * rather than a pipe so that MSG_NOSIGNAL spares us SIGPIPE when the
 * unpacker stops early. */
enum { SOCKET_BUFFER = 1 << 20 };

struct download {
  berth_layer_fetch *fetch;
  int fd; /* write end */
  long long received;
  long long last_reported;
  berth_error *error;
};

static int
download_sink(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct download *d = ctx;
  if (atomic_load(d->fetch->cancel))
    return berth_error_set(err, ECANCELED, "cancelled");
  const char *p = data;
  while (len > 0) {
    ssize_t n = send(d->fd, p, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return berth_error_set(err, errno, "hand blob to the unpacker");
    }
    p += n;
    len -= (size_t)n;
    d->received += n;
  }
  berth_pull_events_progress(d->fetch->events, d->fetch->short_id, "Downloading", d->received,
                             d->fetch->blob->size, &d->last_reported);
  return 0;
}

static void *
download_thread(void *arg)
{
  struct download *d = arg;
  berth_layer_fetch *f = d->fetch;
  if (berth_registry_get_blob(f->registry, f->blob->digest, f->blob->size, download_sink, d,
                              &d->error)
      == 0) {
    berth_pull_events_status(f->events, f->short_id, "Verifying Checksum");
    berth_pull_events_status(f->events, f->short_id, "Download complete");
  }
  /* EOF for the unpacker: a short stream then fails there as truncated,
   * but it is this thread's error that gets reported. */
  shutdown(d->fd, SHUT_WR);
  return NULL;
}

struct unpack_source {
  int fd;
  atomic_bool *cancel;
};

static ssize_t
unpack_read(void *ctx, void *buf, size_t len, berth_error **err)
{
  struct unpack_source *src = ctx;
  for (;;) {
    if (atomic_load(src->cancel))
      return berth_error_set(err, ECANCELED, "cancelled");
    ssize_t n = recv(src->fd, buf, len, 0);
    if (n >= 0)
      return n;
    if (errno != EINTR)
      return berth_error_set(err, errno, "read blob stream");
  }
}

static int
check_diff_id(berth_layer_fetch *f, const char *got, berth_error **err)
{
  if (strcmp(got, f->diff_id) == 0)
    return 0;
  return berth_error_set(err, 0, "layer %s: content has diffID %s, the image config says %s",
                         f->blob->digest, got, f->diff_id);
}

static int
fetch_into_stage(berth_layer_fetch *f, berth_error **err)
{
  f->stage = berth_layer_stage_new(f->store, err);
  if (f->stage == NULL)
    return -1;

  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    return berth_error_set(err, errno, "socketpair");
  cleanup_close int rd = pair[0];
  cleanup_close int wr = pair[1];
  int bufsize = SOCKET_BUFFER;
  setsockopt(wr, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
  setsockopt(rd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));

  struct download d = { .fetch = f, .fd = wr, .last_reported = -1 };
  pthread_t thread;
  int r = pthread_create(&thread, NULL, download_thread, &d);
  if (r != 0)
    return berth_error_set(err, r, "start download thread");

  struct unpack_source src = { .fd = rd, .cancel = f->cancel };
  berth_unpack_result result;
  berth_error *unpack_error = NULL;
  int ret = berth_layer_unpack(unpack_read, &src, berth_layer_stage_diff_fd(f->stage),
                               berth_layer_stage_tarsplit_fd(f->stage), &result, &unpack_error);
  if (ret < 0)
    atomic_store(f->cancel, true);
  /* Unblock the downloader should it still be sending: the unpacker reads
   * to the end of the stream, so anything left over is an error anyway. */
  shutdown(rd, SHUT_RDWR);
  pthread_join(thread, NULL);

  /* The download's verdict comes first: a digest mismatch explains a
   * broken tar stream, not the other way round. */
  if (d.error != NULL && berth_error_errno(d.error) != ECANCELED) {
    berth_error_free(unpack_error);
    return berth_error_propagate(err, &d.error);
  }
  berth_error_free(d.error);
  if (ret < 0) {
    berth_error_propagate(err, &unpack_error);
    return berth_error_prefix(err, "layer %s", f->blob->digest);
  }
  f->size = result.size;
  return check_diff_id(f, result.diff_id, err);
}

void
berth_layer_fetch_run(berth_layer_fetch *f)
{
  if (fetch_into_stage(f, &f->error) < 0) {
    atomic_store(f->cancel, true);
    berth_layer_stage_free(f->stage);
    f->stage = NULL;
  }
}

struct rebuild_source {
  int diff_fd, tarsplit_fd;
};

static int
rebuild_layer(void *ctx, berth_write_fn write, void *wctx, berth_error **err)
{
  struct rebuild_source *src = ctx;
  return berth_layer_tar_rebuild(src->diff_fd, src->tarsplit_fd, write, wctx, err);
}

int
berth_layer_fetch_copy(berth_layer_fetch *f, berth_error **err)
{
  berth_layer_stage *from = f->same_blob->stage;
  cleanup_close int tarsplit = berth_layer_stage_tarsplit_reopen(from, err);
  if (tarsplit < 0)
    return -1;
  f->stage = berth_layer_stage_new(f->store, err);
  if (f->stage == NULL)
    return -1;
  struct rebuild_source src = { berth_layer_stage_diff_fd(from), tarsplit };
  berth_unpack_result result;
  if (berth_layer_unpack_from(rebuild_layer, &src, berth_layer_stage_diff_fd(f->stage),
                              berth_layer_stage_tarsplit_fd(f->stage), &result, err)
      < 0)
    return berth_error_prefix(err, "layer %s", f->blob->digest);
  f->size = result.size;
  return check_diff_id(f, result.diff_id, err);
}
