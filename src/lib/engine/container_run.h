/* Starting a container and supervising it until it exits: the process that
 * runs the runtime keeps containers/<id>/<id>-json.log (Docker's JSON lines)
 * and records the state (running, pid, exit code and times) in the record. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "container/runtime.h"
#include "store/store.h"

/* The container's own PATH lookup of cmd inside rootfd (path_var NULL:
 * the default PATH), so a missing command is 127 and one that is not
 * executable 126, with Docker's wording after prefix. */
int berth_container_check_command(int rootfd, const char *cmd, const char *path_var,
                                  const char *prefix, berth_error **err);

/* Checks the process can start (126/127 errors as Docker words them),
 * mounts the rootfs and writes the runtime's config.json. */
int berth_container_prepare(berth_store *s, berth_container *c, berth_error **err);

/* Runs the container in this process: stdin from stdin_fd (-1: /dev/null),
 * output copied to our stdout/stderr when echo, and always to the log.
 * With Config.Tty and echo the runtime drives our terminal itself (raw
 * mode, window size) and nothing is logged; with Tty and no echo the
 * output goes through a pty this process holds, into the log.
 * forward_signals passes SIGINT/TERM/HUP/QUIT/USR1/USR2/WINCH on to the
 * container (they stay blocked in this process afterwards).
 * Returns the container's exit code (and records it), removing the
 * container afterwards when its HostConfig says AutoRemove. */
int berth_container_supervise(berth_store *s, const berth_runtime *rt, berth_container *c,
                              int stdin_fd, bool echo, bool forward_signals, berth_error **err);

/* Prepares, then starts a detached monitor (double fork) and returns once
 * the record says running (or exited already). */
int berth_container_start_detached(berth_store *s, const berth_runtime *rt, berth_container *c,
                                   berth_error **err);
