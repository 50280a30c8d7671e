/* A container's record: containers/<id>/config.v2.json and hostconfig.json,
 * shaped like Docker's.  The record is the truth `ps`, `inspect` and the
 * monitor share; every change is a load-modify-save under the record lock
 * (an flock on the containers/<id> dir, berth_container_update), so two
 * processes changing one container never lose an update.  Whether a
 * container runs is not the record's word alone: its monitor holds
 * containers/<id>/monitor.lock for its whole life, and a "running" record
 * nobody holds that lock for is stale (berth_container_refresh, ops.h). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct berth_container {
  char id[65];
  char *name;                      /* without Docker's leading "/" */
  char image_id[BERTH_DIGEST_LEN]; /* "sha256:…" */
  char *image_name;                /* as the user gave it */
  json_t *config;                  /* Docker Config (Env, Cmd, WorkingDir, …) */
  json_t *hostconfig;              /* Docker HostConfig */
  char *path;                      /* the process */
  char **args;                     /* NULL-terminated */
  berth_rwlayer layer;
  char *created;   /* RFC 3339 */
  char *status;    /* "created" | "running" | "exited" */
  int pid;         /* container init on the host, 0 when not running */
  int monitor_pid; /* berth process supervising it, 0 when none */
  int exit_code;
  bool paused;     /* frozen by `pause` (meaningful while running; State.Paused) */
  bool oom_killed; /* its memory cgroup OOM-killed a process (State.OOMKilled) */
  char *error;
  char *started_at, *finished_at; /* "0001-01-01T00:00:00Z" when never */
} berth_container;

/* A fresh record (not yet saved) with a random id and status "created". */
berth_container *berth_container_new(void);
void berth_container_free(berth_container *c);
void berth_container_cleanup(berth_container **c);
#define cleanup_container __attribute__((cleanup(berth_container_cleanup)))

/* "<root>/containers/<id>" */
char *berth_container_dir(berth_store *s, const berth_container *c);

/* Writes config.v2.json and hostconfig.json atomically (a new record;
 * changes to an existing one go through berth_container_update). */
int berth_container_save(berth_store *s, const berth_container *c, berth_error **err);
/* The same into the open containers/<id> dir. */
int berth_container_save_at(int dirfd, const berth_container *c, berth_error **err);
/* Only config.v2.json (the state: running, pid, exit code, times), which
 * is all berth_container_update changes: the HostConfig is written once,
 * at create. */
int berth_container_save_state_at(int dirfd, const berth_container *c, berth_error **err);
/* Reads the record of the container whose full id is id (1/0/-1). */
int berth_container_load(berth_store *s, const char *id, berth_container **out, berth_error **err);
/* The same from the open containers/<id> dir (0: no config.v2.json). */
int berth_container_load_at(int dirfd, const char *id, berth_container **out, berth_error **err);

/* Takes the record lock of container id (an flock on the containers/<id>
 * dir); returns that dir's fd (O_CLOEXEC), closing it releases the lock.
 * Hold it for short load-modify-save sections only.  A container that does
 * not exist: -1 with errnum ENOENT. */
int berth_container_lock(berth_store *s, const char *id, berth_error **err);

/* Changes the fresh record c in place (its state, never its HostConfig);
 * 1 to save it, 0 when nothing changed, -1 on error. */
typedef int (*berth_container_change_fn)(berth_container *c, void *ctx, berth_error **err);
/* Under the record lock: reloads c's record, applies change (may be NULL:
 * just a reload), saves when it says so, and leaves the fresh record in *c.
 * 1 done; 0 when the container no longer exists (c untouched); -1 error. */
int berth_container_update(berth_store *s, berth_container *c, berth_container_change_fn change,
                           void *ctx, berth_error **err);

/* The monitor's liveness lock: an OFD write lock on
 * containers/<id>/monitor.lock, returned as an O_CLOEXEC fd the monitor
 * keeps open (across fork) until it has recorded the end.  Fails with
 * "container … is already running" when another monitor holds it. */
int berth_container_monitor_lock(berth_store *s, const char *id, berth_error **err);
/* True while some process holds the liveness lock.  Never takes it. */
bool berth_container_monitor_alive(berth_store *s, const char *id);

/* Docker's lookup: full id, then exact name, then a unique id prefix.
 * Not found: "No such container: <name>" with errnum ENOENT. */
int berth_container_find(berth_store *s, const char *name_or_id, berth_container **out,
                         berth_error **err);
/* Every container's full id, NULL-terminated. */
char **berth_container_list_ids(berth_store *s, berth_error **err);

/* The record as Docker's config.v2.json document (new reference). */
json_t *berth_container_to_json(const berth_container *c);
/* Trusts nothing in doc: types are checked; a bad record is an error. */
berth_container *berth_container_from_json(const json_t *doc, const json_t *hostconfig,
                                           berth_error **err);

/* Current time in Docker's RFC 3339 form with nanoseconds. */
char *berth_container_now(void);
