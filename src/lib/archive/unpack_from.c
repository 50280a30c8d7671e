#include "archive/unpack_from.h"

#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"

/* Large socket buffers let the producer run ahead of the unpacker. */
enum { SOCKET_BUFFER = 4 << 20 };

static int
sock_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  int fd = *(int *)ctx;
  const char *p = buf;
  while (len > 0) {
    ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return berth_error_set(err, errno, "write layer stream");
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

struct producer_job {
  berth_tar_producer produce;
  void *ctx;
  int sock, rc;
  berth_error *err;
};

static void *
producer_thread(void *arg)
{
  struct producer_job *j = arg;
  j->rc = j->produce(j->ctx, sock_write, &j->sock, &j->err);
  shutdown(j->sock, SHUT_WR); /* end of stream for the unpacker */
  return NULL;
}

int
berth_layer_unpack_from(berth_tar_producer produce, void *ctx, int diff_dirfd, int tarsplit_fd,
                        berth_unpack_result *out, berth_error **err)
{
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return berth_error_set(err, errno, "socketpair");
  cleanup_close int rd = sv[0];
  cleanup_close int wr = sv[1];
  int sz = SOCKET_BUFFER;
  /* Only a hint: smaller buffers are slower, never wrong. */
  (void)setsockopt(wr, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  (void)setsockopt(rd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
  struct producer_job job = { .produce = produce, .ctx = ctx, .sock = wr };
  pthread_t t;
  int e = pthread_create(&t, NULL, producer_thread, &job);
  if (e != 0)
    return berth_error_set(err, e, "start layer producer thread");
  berth_error *uerr = NULL;
  int r = berth_layer_unpack(berth_fd_read, &rd, diff_dirfd, tarsplit_fd, out, &uerr);
  shutdown(rd, SHUT_RDWR); /* unblocks the producer when unpack stopped early */
  pthread_join(t, NULL);
  if (job.rc < 0) { /* the producer's error is the cause */
    berth_error_free(uerr);
    return berth_error_propagate(err, &job.err);
  }
  if (r < 0)
    return berth_error_propagate(err, &uerr);
  return 0;
}
