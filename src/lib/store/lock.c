#include "store/lock.h"

#include <errno.h>
#include <sys/file.h>

#include "common/xalloc.h"
#include "store/internal.h"

struct berth_store_lock {
  berth_store *store;
};

/* The lock file is made when the store is opened; on a store opened
 * read-only it may be missing, and only a writer needs it. */
static int
open_lock_file(berth_store *s, berth_error **err)
{
  if (s->lock_fd >= 0)
    return 0;
  s->lock_fd = openat(s->tmp_fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd < 0)
    return berth_error_set(err, errno, "open %s/tmp/.lock", s->root);
  return 0;
}

berth_store_lock *
berth_store_lock_acquire(berth_store *s, berth_error **err)
{
  pthread_mutex_lock(&s->mutex);
  if (s->lock_depth == 0) {
    if (open_lock_file(s, err) < 0) {
      berth_error_prefix(err, "lock store %s", s->root);
      pthread_mutex_unlock(&s->mutex);
      return NULL;
    }
    while (flock(s->lock_fd, LOCK_EX) < 0) {
      if (errno == EINTR)
        continue;
      berth_error_set(err, errno, "lock store %s", s->root);
      pthread_mutex_unlock(&s->mutex);
      return NULL;
    }
  }
  s->lock_depth++;
  berth_store_lock *l = xmalloc(sizeof(*l));
  l->store = s;
  /* The first writer of a handle cleans up after dead ones: under the lock,
   * where no other writer is halfway through anything. */
  if (!s->swept) {
    s->swept = true;
    s->sweep_tmp = true;
    berth_store_sweep_locked(s);
  }
  return l;
}

void
berth_store_lock_release(berth_store_lock *l)
{
  if (l == NULL)
    return;
  berth_store *s = l->store;
  /* What was trashed is removed after the flock and the mutex are dropped:
   * neither other processes nor this one's threads wait for an rm -rf. */
  int trash_fd = -1;
  char *trash_name = NULL;
  bool sweep_tmp = false;
  if (--s->lock_depth == 0) {
    flock(s->lock_fd, LOCK_UN);
    trash_fd = s->trash_fd;
    trash_name = s->trash_name;
    sweep_tmp = s->sweep_tmp;
    s->trash_fd = -1;
    s->trash_name = NULL;
    s->trash_n = 0;
    s->sweep_tmp = false;
  }
  pthread_mutex_unlock(&s->mutex);
  free(l);
  berth_store_after_unlock(s, trash_fd, trash_name, sweep_tmp);
}

void
berth_store_lock_cleanup(berth_store_lock **l)
{
  int saved = errno;
  berth_store_lock_release(*l);
  errno = saved;
}

int
berth_store_gc(berth_store *s, berth_gc_stats *stats, berth_error **err)
{
  berth_gc_stats local = { 0 };
  if (stats == NULL)
    stats = &local;
  else
    *stats = (berth_gc_stats){ 0 };
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  if (berth_store_gc_locked(s, stats, err) < 0)
    return berth_error_prefix(err, "collect unused layers");
  return 0;
}

void
berth_store_publish_done(berth_store *s, bool failed)
{
  if (berth_store_pins_release(s) && failed)
    berth_store_gc(s, NULL, NULL);
}
