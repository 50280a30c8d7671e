/* attach's standard input: what we read goes to the keeper's relay
 * (supervisor/stdin_relay.h) on a thread of its own while the main
 * thread follows the container's output.  With -t on both ends our
 * terminal is raw, and Docker's detach keys (ctrl-p ctrl-q) leave. */
#include "attach_stdin.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "supervisor/stdin_relay.h"

#define CTRL_P 0x10
#define CTRL_Q 0x11

struct berth_attach_input {
  int sock;
  bool raw;
  struct termios saved;
  pthread_t thread;
  atomic_bool done; /* feed returned: the thread can be joined */
};
typedef berth_attach_input feeder_t;

static void
restore(feeder_t *f)
{
  if (f->raw)
    tcsetattr(STDIN_FILENO, TCSADRAIN, &f->saved);
}

static bool
send_all(int fd, const char *p, size_t n)
{
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

/* Copies stdin to the relay until end of file (then only our half of the
 * connection closes: the container's stdin stays open, as Docker's).  The
 * detach keys end the whole command, as Docker's attach ends. */
static void *
feed(void *arg)
{
  feeder_t *f = arg;
  char buf[4096];
  bool after_p = false;
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    for (ssize_t i = 0; f->raw && i < n; i++) {
      if (after_p && buf[i] == CTRL_Q) {
        restore(f);
        fputs("read escape sequence\n", stderr);
        exit(1);
      }
      after_p = buf[i] == CTRL_P;
    }
    if (!send_all(f->sock, buf, (size_t)n))
      break;
  }
  shutdown(f->sock, SHUT_WR);
  atomic_store(&f->done, true);
  return NULL;
}

berth_attach_input *
berth_cli_attach_stdin(berth_store *s, const berth_container *c, bool tty, berth_error **err)
{
  int sock = berth_stdin_relay_connect(s, c, err);
  if (sock < 0)
    return NULL;
  feeder_t *f = calloc(1, sizeof(*f));
  if (f == NULL) {
    close(sock);
    berth_error_set(err, ENOMEM, "attach");
    return NULL;
  }
  f->sock = sock;
  if (tty && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &f->saved) == 0) {
    struct termios raw = f->saved;
    cfmakeraw(&raw);
    f->raw = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
  }
  if (pthread_create(&f->thread, NULL, feed, f) != 0) {
    restore(f);
    close(sock);
    free(f);
    berth_error_set(err, EAGAIN, "attach: start the input thread");
    return NULL;
  }
  return f;
}

void
berth_cli_attach_stdin_end(berth_attach_input *in)
{
  if (in == NULL)
    return;
  restore(in);
  if (!atomic_load(&in->done)) {
    /* still in read(): it ends with the process, and keeps in till then */
    pthread_detach(in->thread);
    return;
  }
  pthread_join(in->thread, NULL);
  close(in->sock);
  free(in);
}
