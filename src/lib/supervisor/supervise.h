/* Supervising a container until it exits: a keeper process, holding the
 * container's liveness lock (container.h) for its whole life, runs the
 * runtime, copies the container's output into containers/<id>/<id>-json.log
 * (Docker's JSON lines, supervisor/log.h) and records the state (running
 * with the init's pid, exit code and times) in the container's record.  It
 * outlives the command that started it, even a SIGKILLed one, so the
 * record tells the real end and --rm is done. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "container/runtime.h"
#include "store/store.h"

/* Runs the container in the foreground: a keeper child supervises it
 * while this process forwards signals and waits.  Stdin from stdin_fd
 * (-1: /dev/null), output copied to our stdout/stderr when echo, and
 * always to the log.
 * With Config.Tty and echo the runtime drives our terminal itself (raw
 * mode, window size) and nothing is logged; with Tty and no echo the
 * output goes through a pty this process holds, into the log.
 * forward_signals passes SIGINT/TERM/HUP/QUIT/USR1/USR2/WINCH on to the
 * container (they stay blocked in this process afterwards).
 * Returns the container's exit code (recorded), the container removed
 * afterwards when its HostConfig says AutoRemove.  Fails when another
 * monitor runs the container already.  The caller has run prepare. */
int berth_supervisor_run(berth_store *s, const berth_runtime *rt, berth_container *c, int stdin_fd,
                         bool echo, bool forward_signals, berth_error **err);

/* berth_supervisor_run with no input and no signals forwarded, for a
 * container that must not outlive the caller (a build's RUN): when the
 * caller dies first (a build killed with SIGKILL), the keeper kills the
 * container, records its end and removes it, as Docker's builder does with
 * the container of a cancelled build. */
int berth_supervisor_run_tied(berth_store *s, const berth_runtime *rt, berth_container *c,
                              bool echo, berth_error **err);

/* Prepares, then starts a detached keeper (double fork) and returns once
 * it has recorded the container running: the runtime has created and
 * started it, State.Pid is its init.  A runtime that ends before that is
 * an error (its words are in the container's log). */
int berth_supervisor_start_detached(berth_store *s, const berth_runtime *rt, berth_container *c,
                                    berth_error **err);
