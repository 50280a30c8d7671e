/* Supervising a container until it exits: the process that runs the
 * runtime copies the container's output into containers/<id>/<id>-json.log
 * (Docker's JSON lines, supervisor/log.h) and records the state (running,
 * pid, exit code and times) in the container's record. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "container/runtime.h"
#include "store/store.h"

/* Runs the container in this process: stdin from stdin_fd (-1: /dev/null),
 * output copied to our stdout/stderr when echo, and always to the log.
 * With Config.Tty and echo the runtime drives our terminal itself (raw
 * mode, window size) and nothing is logged; with Tty and no echo the
 * output goes through a pty this process holds, into the log.
 * forward_signals passes SIGINT/TERM/HUP/QUIT/USR1/USR2/WINCH on to the
 * container (they stay blocked in this process afterwards).
 * Returns the container's exit code (and records it), removing the
 * container afterwards when its HostConfig says AutoRemove. */
int berth_supervisor_run(berth_store *s, const berth_runtime *rt, berth_container *c, int stdin_fd,
                         bool echo, bool forward_signals, berth_error **err);

/* Prepares, then starts a detached monitor (double fork) and returns once
 * the record says running (or exited already). */
int berth_supervisor_start_detached(berth_store *s, const berth_runtime *rt, berth_container *c,
                                    berth_error **err);
