/* The keeper's stdin relay and attach's connection to it (stdin_relay.h). */
#include "supervisor/stdin_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

#define SOCK_NAME "attach.sock"

/* The socket's address through an O_PATH fd of the container's directory:
 * the store's root may be longer than sun_path allows. */
static int
sock_addr(int dirfd, struct sockaddr_un *a)
{
  memset(a, 0, sizeof(*a));
  a->sun_family = AF_UNIX;
  int n = snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/" SOCK_NAME, dirfd);
  return n > 0 && (size_t)n < sizeof(a->sun_path) ? 0 : -1;
}

static int
open_dir(berth_store *s, const berth_container *c, berth_error **err)
{
  cleanup_free char *dir = berth_container_dir(s, c);
  int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    berth_error_set(err, errno, "open %s", dir);
  return fd;
}

int
berth_stdin_relay_open(berth_stdin_relay *r, berth_store *s, const berth_container *c, int writer,
                       berth_error **err)
{
  memset(r, 0, sizeof(*r));
  r->listen_fd = -1;
  for (size_t i = 0; i < BERTH_STDIN_CLIENTS; i++)
    r->clients[i] = -1;
  r->writer = writer;
  r->from = -1;
  cleanup_close int dirfd = open_dir(s, c, err);
  if (dirfd < 0)
    return -1;
  struct sockaddr_un a;
  if (sock_addr(dirfd, &a) < 0)
    return berth_error_set(err, ENAMETOOLONG, "attach socket address");
  /* a dead keeper's socket: nobody listens on it any more */
  (void)unlink(a.sun_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return berth_error_set(err, errno, "socket");
  if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, BERTH_STDIN_CLIENTS) < 0) {
    int e = errno;
    close(fd);
    return berth_error_set(err, e, "listen on %s of container %.12s", SOCK_NAME, c->id);
  }
  r->listen_fd = fd;
  return 0;
}

size_t
berth_stdin_relay_poll(const berth_stdin_relay *r, struct pollfd *p)
{
  if (r->listen_fd < 0)
    return 0;
  bool pending = r->off < r->len;
  p[0] = (struct pollfd){ r->listen_fd, POLLIN, 0 };
  p[1] = (struct pollfd){ pending ? r->writer : -1, POLLOUT, 0 };
  /* one buffer: no client is read while its bytes wait for the container */
  for (size_t i = 0; i < BERTH_STDIN_CLIENTS; i++)
    p[2 + i] = (struct pollfd){ pending ? -1 : r->clients[i], POLLIN, 0 };
  return 2 + BERTH_STDIN_CLIENTS;
}

/* Only a client with the keeper's own uid (root, as the store is) may
 * type into the container; the socket's directory is 0700 as well. */
static bool
peer_allowed(int fd)
{
  struct ucred cred;
  socklen_t len = sizeof(cred);
  return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == geteuid();
}

static void
accept_client(berth_stdin_relay *r)
{
  int fd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0)
    return; /* EAGAIN, EINTR, a client gone already: the next poll retries */
  for (size_t i = 0; i < BERTH_STDIN_CLIENTS; i++)
    if (r->clients[i] < 0 && peer_allowed(fd)) {
      r->clients[i] = fd;
      return;
    }
  close(fd);
}

/* The writer may be the pty master the keeper also reads: O_NONBLOCK only
 * for this write, so that a container that stops reading its input never
 * stalls the keeper (and with it the copying of its output). */
static void
write_pending(berth_stdin_relay *r)
{
  int flags = fcntl(r->writer, F_GETFL);
  if (flags >= 0 && !(flags & O_NONBLOCK))
    (void)fcntl(r->writer, F_SETFL, flags | O_NONBLOCK);
  ssize_t n = write(r->writer, r->buf + r->off, r->len - r->off);
  int e = errno;
  if (flags >= 0 && !(flags & O_NONBLOCK))
    (void)fcntl(r->writer, F_SETFL, flags);
  if (n > 0)
    r->off += (size_t)n;
  else if (n < 0 && e != EAGAIN && e != EINTR)
    r->off = r->len; /* EPIPE: the container closed its stdin; what it will not read goes */
  if (r->off == r->len)
    r->off = r->len = 0;
}

static void
read_client(berth_stdin_relay *r, size_t i)
{
  ssize_t n = read(r->clients[i], r->buf, sizeof(r->buf));
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0) {
    close(r->clients[i]);
    r->clients[i] = -1;
    return;
  }
  r->off = 0;
  r->len = (size_t)n;
  write_pending(r);
}

void
berth_stdin_relay_handle(berth_stdin_relay *r, const struct pollfd *p, size_t n)
{
  if (n == 0 || r->listen_fd < 0)
    return;
  if (p[0].revents & POLLIN)
    accept_client(r);
  if (p[1].fd >= 0 && p[1].revents != 0)
    write_pending(r);
  for (size_t i = 0; i < BERTH_STDIN_CLIENTS; i++)
    if (p[2 + i].fd >= 0 && p[2 + i].revents != 0 && r->off == r->len)
      read_client(r, i);
}

void
berth_stdin_relay_close(berth_stdin_relay *r, berth_store *s, const berth_container *c)
{
  if (r->listen_fd < 0)
    return;
  for (size_t i = 0; i < BERTH_STDIN_CLIENTS; i++)
    if (r->clients[i] >= 0)
      close(r->clients[i]);
  close(r->listen_fd);
  r->listen_fd = -1;
  cleanup_close int dirfd = open_dir(s, c, NULL);
  struct sockaddr_un a;
  if (dirfd >= 0 && sock_addr(dirfd, &a) == 0)
    (void)unlink(a.sun_path);
}

int
berth_stdin_relay_connect(berth_store *s, const berth_container *c, berth_error **err)
{
  cleanup_close int dirfd = open_dir(s, c, err);
  if (dirfd < 0)
    return -1;
  struct sockaddr_un a;
  if (sock_addr(dirfd, &a) < 0)
    return berth_error_set(err, ENAMETOOLONG, "attach socket address");
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return berth_error_set(err, errno, "socket");
  if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
    int e = errno;
    close(fd);
    return berth_error_set(
        err, e, "container %.12s keeps no standard input open (made without -i?)", c->id);
  }
  return fd;
}
