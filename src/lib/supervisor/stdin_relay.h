/* `attach`'s standard input.  A detached container made with -i
 * (Config.OpenStdin) keeps its stdin open as Docker's does: the keeper
 * holds the writing end (a pipe, or the pty master with -t) and listens on
 * containers/<id>/attach.sock; each `attach` connects there and what it
 * sends is written to the container's stdin.  A client that goes away
 * leaves the stdin open for the next (Docker's detached containers have
 * StdinOnce false). */
#pragma once

#include <poll.h>
#include <stddef.h>

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

#define BERTH_STDIN_CLIENTS 4

typedef struct berth_stdin_relay {
  int listen_fd; /* -1: no relay */
  int clients[BERTH_STDIN_CLIENTS];
  int writer;      /* the container's stdin (not owned: the session's) */
  char buf[16384]; /* read from a client, not yet written */
  size_t off, len;
  int from; /* the client buf came from */
} berth_stdin_relay;

/* Binds the container's attach.sock (replacing a dead keeper's) and
 * listens; writer is where the input goes. */
int berth_stdin_relay_open(berth_stdin_relay *r, berth_store *s, const berth_container *c,
                           int writer, berth_error **err);

/* Fills p (room for 2 + BERTH_STDIN_CLIENTS entries) with what the relay
 * waits for; returns how many.  Nothing when there is no relay. */
size_t berth_stdin_relay_poll(const berth_stdin_relay *r, struct pollfd *p);

/* After poll: accepts, reads and writes what is ready (p, n as filled). */
void berth_stdin_relay_handle(berth_stdin_relay *r, const struct pollfd *p, size_t n);

/* Closes every socket and removes attach.sock. */
void berth_stdin_relay_close(berth_stdin_relay *r, berth_store *s, const berth_container *c);

/* attach's side: a connection to the keeper of c, to write the input to;
 * -1 with err when c keeps no stdin open (not made with -i, or stopped). */
int berth_stdin_relay_connect(berth_store *s, const berth_container *c, berth_error **err);
