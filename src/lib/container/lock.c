/* The two locks of a container (container.h): the record lock, taken for
 * each load-modify-save of the record, and the monitor's liveness lock,
 * held by the process that supervises the container for its whole life. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/container.h"

#define MONITOR_LOCK "monitor.lock"

/* The record lock is an flock on the containers/<id> directory itself: no
 * file to create (so a removal never races one being made inside the dir
 * it deletes, and a read-only store can still be locked). */
static int
open_locked(berth_store *s, const char *id, berth_error **err)
{
  cleanup_free char *rel = xasprintf("containers/%s", id);
  cleanup_close int fd
      = openat(berth_store_root_fd(s), rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", rel);
  while (flock(fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return berth_error_set(err, errno, "lock %s", rel);
  return steal_fd(&fd);
}

/* id is checked to be 64 hex digits before it names a file. */
int
berth_container_lock(berth_store *s, const char *id, berth_error **err)
{
  if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
    return berth_error_set(err, EINVAL, "lock container: bad id");
  return open_locked(s, id, err);
}

/* Swaps the contents of two records, so that *c (which callers hold on
 * to) becomes the fresh one and fresh the one to free. */
static void
swap_records(berth_container *c, berth_container *fresh)
{
  berth_container tmp = *c;
  *c = *fresh;
  *fresh = tmp;
}

int
berth_container_update(berth_store *s, berth_container *c, berth_container_change_fn change,
                       void *ctx, berth_error **err)
{
  cleanup_error berth_error *lock_err = NULL;
  cleanup_close int dirfd = berth_container_lock(s, c->id, &lock_err);
  if (dirfd < 0 && berth_error_errno(lock_err) == ENOENT)
    return 0;
  if (dirfd < 0) {
    berth_error_propagate(err, &lock_err);
    return berth_error_prefix(err, "update container %.12s", c->id);
  }
  cleanup_container berth_container *fresh = NULL;
  int found = berth_container_load_at(dirfd, c->id, &fresh, err);
  if (found <= 0)
    return found;
  int changed = change != NULL ? change(fresh, ctx, err) : 0;
  if (changed < 0)
    return berth_error_prefix(err, "update container %.12s", c->id);
  if (changed > 0 && berth_container_save_state_at(dirfd, fresh, err) < 0)
    return -1;
  swap_records(c, fresh);
  return 1;
}

static char *
monitor_lock_path(const char *id)
{
  return xasprintf("containers/%s/" MONITOR_LOCK, id);
}

/* An open file description lock (F_OFD_SETLK), not flock: the liveness
 * check below can then ask with F_OFD_GETLK whether someone holds it
 * without taking it, so a `ps` never makes a starting monitor fail, and
 * like flock it stays with the monitor across fork (the fd is O_CLOEXEC,
 * so the runtime and the container never hold it). */
int
berth_container_monitor_lock(berth_store *s, const char *id, berth_error **err)
{
  cleanup_free char *rel = monitor_lock_path(id);
  cleanup_close int fd
      = openat(berth_store_root_fd(s), rel, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", rel);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  while (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EACCES)
      return berth_error_set(err, 0, "container %.12s is already running", id);
    return berth_error_set(err, errno, "lock %s", rel);
  }
  return steal_fd(&fd);
}

bool
berth_container_monitor_alive(berth_store *s, const char *id)
{
  cleanup_free char *rel = monitor_lock_path(id);
  cleanup_close int fd = openat(berth_store_root_fd(s), rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false; /* never started (or started by a berth without the lock) */
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  while (fcntl(fd, F_OFD_GETLK, &fl) < 0)
    if (errno != EINTR)
      return false; /* no OFD locks: no monitor could have taken one either */
  return fl.l_type != F_UNLCK;
}
