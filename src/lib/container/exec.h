/* `exec`: another process in a running container, through the runtime's
 * exec with a process.json built from the container's config. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "container/runtime.h"
#include "store/store.h"

typedef struct berth_exec_options {
  char *const *cmd;    /* the process, NULL-terminated, at least one */
  char *const *env;    /* -e entries "K=V" or "K", NULL-terminated, may be NULL */
  const char *workdir; /* -w; NULL: the container's WorkingDir */
  const char *user;    /* -u; NULL: the container's User */
  bool interactive;    /* -i: our stdin goes to the process */
  bool tty;            /* -t: the runtime drives our terminal */
} berth_exec_options;

/* Runs the process and returns its exit code.  Errors: a container that
 * is not running or a relative -w (exit code 1), a user not in its
 * /etc/passwd (126), a command that is missing (127) or not executable (126). */
int berth_container_exec(berth_store *s, const berth_runtime *rt, berth_container *c,
                         const berth_exec_options *o, berth_error **err);
