/* Container life-cycle operations the commands share: stop, kill, wait,
 * remove, and the recovery of a container whose supervisor died. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "container/runtime.h"
#include "store/store.h"

/* The runtime the container was made with (HostConfig.Runtime). */
berth_runtime *berth_container_runtime(berth_store *s, const berth_container *c);

/* Makes the record truthful: a "running" container whose monitor holds no
 * liveness lock (it died, or the machine rebooted: a pid in the record
 * proves nothing) and that the runtime no longer runs becomes "exited" with
 * Docker's 255 for an end nobody saw, its runtime state deleted and its
 * rootfs unmounted.  A container whose monitor died but that the runtime
 * still runs stays "running".  The change is made under the record lock. */
int berth_container_refresh(berth_store *s, berth_container *c, berth_error **err);

/* Polls the record until it is not running or timeout_ms passes (-1:
 * forever); reloads *c.  1 when exited, 0 on timeout, -1 error. */
int berth_container_wait_exit(berth_store *s, berth_container **c, int timeout_ms,
                              berth_error **err);

/* pause / unpause: the runtime's freezer, State.Paused in the record.
 * Docker's words: "Container <id> is not running", "... is already paused",
 * "... is not paused". */
int berth_container_pause(berth_store *s, berth_container *c, berth_error **err);
int berth_container_unpause(berth_store *s, berth_container *c, berth_error **err);
/* Resumes a paused container (nothing when it is not paused). */
int berth_container_thaw(berth_store *s, berth_container *c, berth_error **err);
/* `rename`: under the store lock (as create takes names), Docker's rules
 * and words for a same, taken or invalid name. */
int berth_container_rename(berth_store *s, berth_container *c, const char *name, berth_error **err);
int berth_container_kill(berth_store *s, berth_container *c, int sig, berth_error **err);
/* SIGTERM, then SIGKILL after timeout_s seconds. */
int berth_container_stop(berth_store *s, berth_container **c, int timeout_s, berth_error **err);

/* Refuses a running container unless force (then kills it and waits for
 * its monitor to record the end); then, under the record lock, runtime
 * delete, unmount, RW layer delete, record delete.  A container another
 * process removed meanwhile is fine. */
int berth_container_remove(berth_store *s, const berth_runtime *rt, berth_container *c, bool force,
                           berth_error **err);
