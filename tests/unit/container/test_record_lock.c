/* Unit tests of the container's two locks: concurrent load-modify-save
 * updates of one record lose nothing, and liveness is the monitor lock,
 * not a pid (a "running" record nobody holds the lock for is stale). */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "container/container.h"
#include "container/ops.h"
#include "harness.h"
#include "store/store.h"

#define WRITERS 8
#define UPDATES 25

static berth_store *
scratch_store(char *tmpl)
{
  if (mkdtemp(tmpl) == NULL)
    return NULL;
  return berth_store_open(tmpl, NULL);
}

static berth_container *
saved_record(berth_store *s, const char *status)
{
  berth_container *c = berth_container_new();
  c->name = xstrdup("locked");
  c->path = xstrdup("sleep");
  snprintf(c->image_id, sizeof(c->image_id), "sha256:%064d", 1);
  free(c->status);
  c->status = xstrdup(status);
  if (berth_container_save(s, c, NULL) < 0) {
    berth_container_free(c);
    return NULL;
  }
  return c;
}

static json_int_t
counter(const berth_container *c, const char *key)
{
  return json_integer_value(json_object_get(c->config, key));
}

struct bump {
  char key[16];
};

/* Each writer counts its own updates in Config.<key> and all of them in
 * Config.Total: a lost update shows in either. */
static int
bump(berth_container *c, void *ctx, berth_error **err)
{
  (void)err;
  const struct bump *b = ctx;
  json_object_set_new(c->config, b->key, json_integer(counter(c, b->key) + 1));
  json_object_set_new(c->config, "Total", json_integer(counter(c, "Total") + 1));
  return 1;
}

TEST(concurrent_updates_lose_nothing)
{
  char tmpl[] = "/tmp/berth-lock-XXXXXX";
  cleanup_store berth_store *s = scratch_store(tmpl);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  cleanup_container berth_container *c = saved_record(s, "created");
  CHECK(c != NULL);
  if (c == NULL)
    return;
  pid_t kids[WRITERS];
  for (int i = 0; i < WRITERS; i++) {
    kids[i] = fork();
    if (kids[i] == 0) {
      struct bump b;
      snprintf(b.key, sizeof(b.key), "W%d", i);
      int bad = 0;
      for (int j = 0; j < UPDATES; j++)
        bad |= berth_container_update(s, c, bump, &b, NULL) != 1;
      _exit(bad);
    }
  }
  int failed = 0;
  for (int i = 0; i < WRITERS; i++) {
    int st = 0;
    CHECK(kids[i] > 0 && waitpid(kids[i], &st, 0) == kids[i]);
    failed += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
  }
  CHECK(failed == 0);
  CHECK(berth_container_update(s, c, NULL, NULL, NULL) == 1);
  CHECK(counter(c, "Total") == WRITERS * UPDATES);
  for (int i = 0; i < WRITERS; i++) {
    char key[16];
    snprintf(key, sizeof(key), "W%d", i);
    CHECK(counter(c, key) == UPDATES);
  }
  /* a removed container stays removed: an update does not bring it back */
  cleanup_free char *dir = xasprintf("containers/%s", c->id);
  CHECK(berth_rm_rf_at(berth_store_root_fd(s), dir, NULL) == 0);
  struct bump b = { "W0" };
  CHECK(berth_container_update(s, c, bump, &b, NULL) == 0);
  CHECK(!berth_exists_at(berth_store_root_fd(s), dir));
  berth_rm_rf_at(AT_FDCWD, tmpl, NULL);
}

/* A child that takes the monitor lock, says so on ready, and holds it
 * until killed. */
static pid_t
monitor_child(berth_store *s, const char *id)
{
  int p[2];
  if (pipe(p) < 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    int fd = berth_container_monitor_lock(s, id, NULL);
    if (fd < 0 || write(p[1], "x", 1) != 1)
      _exit(1);
    pause();
    _exit(0);
  }
  close(p[1]);
  char b;
  bool ok = read(p[0], &b, 1) == 1;
  close(p[0]);
  return ok ? pid : -1;
}

TEST(liveness_is_the_monitor_lock)
{
  char tmpl[] = "/tmp/berth-lock-XXXXXX";
  cleanup_store berth_store *s = scratch_store(tmpl);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  cleanup_container berth_container *c = saved_record(s, "running");
  if (c == NULL)
    return;
  CHECK(!berth_container_monitor_alive(s, c->id));
  pid_t mon = monitor_child(s, c->id);
  CHECK(mon > 0);
  CHECK(berth_container_monitor_alive(s, c->id));
  cleanup_error berth_error *err = NULL;
  CHECK(berth_container_monitor_lock(s, c->id, &err) < 0);
  CHECK(err != NULL && strstr(berth_error_message(err), "is already running") != NULL);
  /* asking does not take the lock: the monitor still holds it */
  CHECK(berth_container_monitor_alive(s, c->id));
  /* with a monitor the record is believed */
  CHECK(berth_container_refresh(s, c, NULL) == 0);
  CHECK_STR(c->status, "running");
  kill(mon, SIGKILL);
  waitpid(mon, NULL, 0);
  CHECK(!berth_container_monitor_alive(s, c->id));
  /* the lock stays with the monitor across fork, and only with it */
  int fd = berth_container_monitor_lock(s, c->id, NULL);
  CHECK(fd >= 0);
  pid_t kid = fork();
  if (kid == 0) {
    pause();
    _exit(0);
  }
  close(fd);
  CHECK(berth_container_monitor_alive(s, c->id));
  kill(kid, SIGKILL);
  waitpid(kid, NULL, 0);
  CHECK(!berth_container_monitor_alive(s, c->id));
  berth_rm_rf_at(AT_FDCWD, tmpl, NULL);
}

/* After a reboot or with the pid reused, the pids in the record are alive
 * (here: this very process) but nobody holds the monitor lock. */
TEST(stale_record_with_live_pids_is_exited)
{
  char tmpl[] = "/tmp/berth-lock-XXXXXX";
  cleanup_store berth_store *s = scratch_store(tmpl);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  cleanup_container berth_container *c = saved_record(s, "running");
  if (c == NULL)
    return;
  c->pid = c->monitor_pid = getpid();
  CHECK(berth_container_save(s, c, NULL) == 0);
  cleanup_error berth_error *err = NULL;
  CHECK(berth_container_refresh(s, c, &err) == 0);
  CHECK_STR(c->status, "exited");
  CHECK(c->exit_code == 255 && c->pid == 0 && c->monitor_pid == 0);
  cleanup_container berth_container *back = NULL;
  CHECK(berth_container_load(s, c->id, &back, NULL) == 1);
  CHECK(back != NULL && strcmp(back->status, "exited") == 0 && back->exit_code == 255);
  berth_rm_rf_at(AT_FDCWD, tmpl, NULL);
}

int
main(void)
{
  RUN(concurrent_updates_lose_nothing);
  RUN(liveness_is_the_monitor_lock);
  RUN(stale_record_with_live_pids_is_exited);
  DONE();
}
