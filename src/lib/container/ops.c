#include "container/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "container/cgroup.h"
#include "container/mount.h"

berth_runtime *
berth_container_runtime(berth_store *s, const berth_container *c)
{
  const char *name = json_string_value(json_object_get(c->hostconfig, "Runtime"));
  return berth_runtime_new(berth_store_root(s), name ? name : "runc", NULL);
}

struct stale {
  berth_store *store;
  bool changed;
};

/* Under the record lock, so that a monitor recording the real end and this
 * refresh cannot both win: only a record still "running" whose monitor is
 * still gone becomes "exited".  Docker reports an end it did not see (its
 * daemon restarted and the task is gone) as exit code 255. */
static int
mark_stale(berth_container *c, void *ctx, berth_error **err)
{
  (void)err;
  struct stale *st = ctx;
  if (strcmp(c->status, "running") != 0 || berth_container_monitor_alive(st->store, c->id))
    return 0;
  free(c->status);
  c->status = xstrdup("exited");
  c->pid = 0;
  c->monitor_pid = 0;
  c->exit_code = 255;
  free(c->error);
  c->error = xstrdup("container monitor died");
  free(c->finished_at);
  c->finished_at = berth_container_now();
  st->changed = true;
  return 1;
}

int
berth_container_refresh(berth_store *s, berth_container *c, berth_error **err)
{
  if (strcmp(c->status, "running") != 0 || berth_container_monitor_alive(s, c->id))
    return 0;
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  pid_t pid = 0;
  if (berth_runtime_is_running(rt, c->id, &pid))
    return 0; /* its monitor died, the container did not: it still runs */
  struct stale st = { s, false };
  if (berth_container_update(s, c, mark_stale, &st, err) < 0)
    return -1;
  if (!st.changed)
    return 0;
  if (berth_runtime_delete(rt, c->id, err) < 0 || berth_container_unmount_all(s, c, err) < 0)
    return berth_error_prefix(err, "clean up container %.12s", c->id);
  /* A runtime killed before it wrote its state leaves cgroups it made that
   * its delete does not know of.  Best effort: one that still holds
   * processes stays for rm to retry, and must not make ps fail. */
  cleanup_free char *dir = xasprintf("containers/%s", c->id);
  cleanup_close int dirfd = openat(berth_store_root_fd(s), dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd >= 0)
    (void)berth_cgroup_remove_at(dirfd, c->id, NULL);
  return 0;
}

static void
sleep_ms(int ms)
{
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

int
berth_container_wait_exit(berth_store *s, berth_container **c, int timeout_ms, berth_error **err)
{
  for (int waited = 0; timeout_ms < 0 || waited <= timeout_ms; waited += 50) {
    berth_container *now = NULL;
    int found = berth_container_load(s, (*c)->id, &now, err);
    if (found < 0)
      return -1;
    if (found == 0)
      return 1; /* removed (--rm): keep the last record we had */
    if (berth_container_refresh(s, now, err) < 0) {
      berth_container_free(now);
      return -1;
    }
    berth_container_free(*c);
    *c = now;
    if (strcmp(now->status, "running") != 0)
      return 1;
    sleep_ms(50);
  }
  return 0;
}

/* A frozen container takes no signal: kill and stop thaw it first, as
 * Docker does (container/pause.c). */
int
berth_container_kill(berth_store *s, berth_container *c, int sig, berth_error **err)
{
  if (berth_container_thaw(s, c, err) < 0)
    return -1;
  if (berth_container_refresh(s, c, err) < 0)
    return -1;
  if (strcmp(c->status, "running") != 0)
    return berth_error_set(err, 0, "Cannot kill container: %s: Container %s is not running",
                           c->name, c->id);
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  if (berth_runtime_kill(rt, c->id, sig, err) < 0)
    return -1;
  return 0;
}

int
berth_container_stop(berth_store *s, berth_container **c, int timeout_s, berth_error **err)
{
  if (berth_container_refresh(s, *c, err) < 0)
    return -1;
  if (strcmp((*c)->status, "running") != 0)
    return 0;
  if (berth_container_thaw(s, *c, err) < 0)
    return -1;
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, *c);
  /* A SIGTERM that cannot be sent does not end a stop: as Docker does, we
   * go on to SIGKILL, whose failure is the error. */
  cleanup_error berth_error *term_err = NULL;
  if (berth_runtime_kill(rt, (*c)->id, SIGTERM, &term_err) == 0) {
    int r = berth_container_wait_exit(s, c, timeout_s * 1000, err);
    if (r != 0)
      return r < 0 ? -1 : 0;
  }
  if (berth_runtime_kill(rt, (*c)->id, SIGKILL, err) < 0)
    return berth_error_prefix(err, "stop container %.12s", (*c)->id);
  int r = berth_container_wait_exit(s, c, 10000, err);
  if (r == 0)
    return berth_error_set(err, 0, "container %.12s did not stop", (*c)->id);
  return r < 0 ? -1 : 0;
}

/* Kills the container and waits until neither its monitor nor the runtime
 * runs it: the monitor records the end before it lets go of its lock.  The
 * kill is repeated while the runtime runs it (a monitor that was still
 * starting it when the first one went out). */
static int
kill_for_remove(berth_store *s, const berth_runtime *rt, berth_container *c, berth_error **err)
{
  for (int i = 0; i < 200; i++) {
    pid_t pid;
    bool monitor = berth_container_monitor_alive(s, c->id);
    bool running = berth_runtime_is_running(rt, c->id, &pid);
    if (!monitor && !running)
      return 0;
    if (running && i % 20 == 0 && berth_runtime_kill(rt, c->id, SIGKILL, err) < 0)
      return -1;
    sleep_ms(50);
  }
  return berth_error_set(err, 0, "could not kill container %.12s", c->id);
}

/* A monitor that has recorded the end still unmounts before it lets go of
 * its lock: give it the time to. */
static int
wait_monitor_gone(berth_store *s, const berth_container *c, berth_error **err)
{
  for (int i = 0; i < 200; i++) {
    if (!berth_container_monitor_alive(s, c->id))
      return 0;
    sleep_ms(50);
  }
  return berth_error_set(err, 0, "the monitor of container %.12s does not end", c->id);
}

int
berth_container_remove(berth_store *s, const berth_runtime *rt, berth_container *c, bool force,
                       berth_error **err)
{
  if (berth_container_refresh(s, c, err) < 0)
    return -1;
  if (strcmp(c->status, "running") == 0) {
    if (!force)
      return berth_error_set(err, 0,
                             "You cannot remove a running container %s. Stop the container "
                             "before attempting removal or force remove",
                             c->id);
    if (berth_container_thaw(s, c, err) < 0 || kill_for_remove(s, rt, c, err) < 0)
      return -1;
  }
  if (wait_monitor_gone(s, c, err) < 0)
    return -1;
  /* Under the record lock, so that two removals (rm -f and the monitor's
   * --rm) take turns and the second finds nothing left to do. */
  cleanup_error berth_error *lock_err = NULL;
  cleanup_close int lock = berth_container_lock(s, c->id, &lock_err);
  if (lock < 0 && berth_error_errno(lock_err) == ENOENT)
    return 0;
  if (lock < 0) {
    return berth_error_propagate(err, &lock_err);
  }
  cleanup_free char *dir = xasprintf("containers/%s", c->id);
  cleanup_free char *record = xasprintf("%s/config.v2.json", dir);
  if (!berth_exists_at(berth_store_root_fd(s), record))
    return 0;
  if (berth_runtime_delete(rt, c->id, err) < 0 || berth_cgroup_remove_at(lock, c->id, err) < 0
      || berth_container_unmount_all(s, c, err) < 0
      || berth_store_rwlayer_delete(s, c->id, err) < 0)
    return berth_error_prefix(err, "remove container %.12s", c->id);
  return berth_rm_rf_at(berth_store_root_fd(s), dir, err);
}
