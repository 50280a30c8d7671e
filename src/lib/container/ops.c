#include "container/ops.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "container/mount.h"

berth_runtime *
berth_container_runtime(berth_store *s, const berth_container *c)
{
  const char *name = json_string_value(json_object_get(c->hostconfig, "Runtime"));
  return berth_runtime_new(berth_store_root(s), name ? name : "runc", NULL);
}

static bool
alive(int pid)
{
  return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int
berth_container_refresh(berth_store *s, berth_container *c, berth_error **err)
{
  if (strcmp(c->status, "running") != 0 || alive(c->monitor_pid))
    return 0;
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  pid_t pid = 0;
  if (berth_runtime_is_running(rt, c->id, &pid))
    return 0; /* its supervisor died, the container did not */
  berth_runtime_delete(rt, c->id, NULL);
  free(c->status);
  c->status = xstrdup("exited");
  c->pid = 0;
  c->monitor_pid = 0;
  c->exit_code = 255;
  free(c->error);
  c->error = xstrdup("container supervisor died");
  free(c->finished_at);
  c->finished_at = berth_container_now();
  if (berth_container_unmount_all(s, c, err) < 0)
    return -1;
  return berth_container_save(s, c, err);
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

int
berth_container_kill(berth_store *s, berth_container *c, int sig, berth_error **err)
{
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
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, *c);
  berth_runtime_kill(rt, (*c)->id, SIGTERM, NULL);
  int r = berth_container_wait_exit(s, c, timeout_s * 1000, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  berth_runtime_kill(rt, (*c)->id, SIGKILL, NULL);
  r = berth_container_wait_exit(s, c, 10000, err);
  if (r == 0)
    return berth_error_set(err, 0, "container %.12s did not stop", (*c)->id);
  return r < 0 ? -1 : 0;
}

static int
kill_for_remove(berth_store *s, const berth_runtime *rt, berth_container *c, berth_error **err)
{
  berth_runtime_kill(rt, c->id, SIGKILL, NULL);
  for (int i = 0; i < 200; i++) {
    pid_t pid;
    bool sup = alive(c->monitor_pid) && c->monitor_pid != getpid();
    if (!sup && !berth_runtime_is_running(rt, c->id, &pid))
      return 0;
    cleanup_container berth_container *now = NULL;
    if (sup && berth_container_load(s, c->id, &now, NULL) == 1
        && strcmp(now->status, "running") != 0)
      return 0;
    sleep_ms(50);
  }
  return berth_error_set(err, 0, "could not kill container %.12s", c->id);
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
    if (kill_for_remove(s, rt, c, err) < 0)
      return -1;
  }
  berth_runtime_delete(rt, c->id, NULL);
  if (berth_container_unmount_all(s, c, err) < 0 || berth_store_rwlayer_delete(s, c->id, err) < 0)
    return berth_error_prefix(err, "remove container %.12s", c->id);
  cleanup_free char *dir = xasprintf("containers/%s", c->id);
  return berth_rm_rf_at(berth_store_root_fd(s), dir, err);
}
