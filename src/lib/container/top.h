/* `top`: a container's processes as the host's ps shows them, filtered by
 * the pids the runtime lists for the container (its cgroup), the way
 * Docker's daemon does it (daemon/top_unix.go). */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

typedef struct berth_top {
  char **titles; /* NULL-terminated */
  size_t ntitles;
  char ***rows; /* each NULL-terminated, ntitles cells */
  size_t nrows;
} berth_top;

/* Runs `ps ps_args...` (NULL: "-ef"); ps_args are the user's, passed to ps
 * as arguments (never through a shell).  A container not running is
 * Docker's "Container <id> is not running". */
int berth_container_top(berth_store *s, berth_container *c, char **ps_args, berth_top *out,
                        berth_error **err);
void berth_top_clear(berth_top *t);
