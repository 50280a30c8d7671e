/* pause / unpause (the runtime's freezer) and rename: small changes of a
 * container's record made under its record lock. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/name.h"
#include "container/network.h"
#include "container/ops.h"
#include "store/lock.h"

static int
set_paused(berth_container *c, void *ctx, berth_error **err)
{
  (void)err;
  bool want = *(const bool *)ctx;
  if (c->paused == want)
    return 0;
  c->paused = want;
  return 1;
}

static int
running_or_fail(berth_store *s, berth_container *c, berth_error **err)
{
  if (berth_container_refresh(s, c, err) < 0)
    return -1;
  if (strcmp(c->status, "running") != 0)
    return berth_error_set(err, 0, "Container %s is not running", c->id);
  return 0;
}

int
berth_container_pause(berth_store *s, berth_container *c, berth_error **err)
{
  if (running_or_fail(s, c, err) < 0)
    return -1;
  if (c->paused)
    return berth_error_set(err, 0, "Container %s is already paused", c->id);
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  if (berth_runtime_pause(rt, c->id, err) < 0)
    return -1;
  bool yes = true;
  return berth_container_update(s, c, set_paused, &yes, err) < 0 ? -1 : 0;
}

int
berth_container_unpause(berth_store *s, berth_container *c, berth_error **err)
{
  if (running_or_fail(s, c, err) < 0)
    return -1;
  if (!c->paused)
    return berth_error_set(err, 0, "Container %s is not paused", c->id);
  return berth_container_thaw(s, c, err);
}

int
berth_container_thaw(berth_store *s, berth_container *c, berth_error **err)
{
  if (!c->paused)
    return 0;
  if (strcmp(c->status, "running") == 0) {
    cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
    if (berth_runtime_resume(rt, c->id, err) < 0)
      return -1;
  }
  bool no = false;
  return berth_container_update(s, c, set_paused, &no, err) < 0 ? -1 : 0;
}

static int
set_name(berth_container *c, void *ctx, berth_error **err)
{
  (void)err;
  free(c->name);
  c->name = xstrdup(ctx);
  return 1;
}

/* name is the user's: checked against Docker's grammar (which also keeps
 * it UTF-8 and free of "/") before it reaches the record. */
int
berth_container_rename(berth_store *s, berth_container *c, const char *name, berth_error **err)
{
  const char *bare = name[0] == '/' ? name + 1 : name;
  if (strcmp(bare, c->name) == 0)
    return berth_error_set(err, 0, "Renaming a container with the same name as its current name");
  if (!berth_container_name_valid(name)) {
    cleanup_free char *shown = berth_bytes_escape(name);
    return berth_error_set(err, 0,
                           "Error when allocating new name: Invalid container name (/%s), only "
                           "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                           shown[0] == '/' ? shown + 1 : shown);
  }
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  char other[65];
  int used = berth_container_name_in_use(s, bare, other, err);
  if (used < 0)
    return -1;
  if (used)
    return berth_error_set(err, 0,
                           "Error when allocating new name: Conflict. The container name \"/%s\" "
                           "is already in use by container \"%s\". You have to remove (or "
                           "rename) that container to be able to reuse that name.",
                           bare, other);
  int r = berth_container_update(s, c, set_name, (void *)bare, err);
  if (r == 0)
    return berth_error_set(err, 0, "No such container: %s", c->id);
  /* the new name is the one its user networks' members resolve */
  return r < 0 ? -1 : berth_container_network_rename(s, c, err);
}
