/* attach's standard input (attach_stdin.c). */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

typedef struct berth_attach_input berth_attach_input;

/* Connects to the keeper of c (made with -i, running) and copies our
 * stdin to it from a thread; tty: our terminal goes raw (when it is one)
 * and ctrl-p ctrl-q detach. */
berth_attach_input *berth_cli_attach_stdin(berth_store *s, const berth_container *c, bool tty,
                                           berth_error **err);

/* The terminal as it was; the copying thread ends with the process. */
void berth_cli_attach_stdin_end(berth_attach_input *in);
