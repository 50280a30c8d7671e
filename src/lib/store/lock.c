#include "store/lock.h"

#include <errno.h>
#include <pthread.h>
#include <sys/file.h>

#include "common/xalloc.h"
#include "store/internal.h"

struct berth_store_lock {
  berth_store *store;
};

berth_store_lock *
berth_store_lock_acquire(berth_store *s, berth_error **err)
{
  pthread_mutex_lock(&s->mutex);
  if (s->lock_depth == 0) {
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
  return l;
}

void
berth_store_lock_release(berth_store_lock *l)
{
  if (l == NULL)
    return;
  berth_store *s = l->store;
  if (--s->lock_depth == 0)
    flock(s->lock_fd, LOCK_UN);
  pthread_mutex_unlock(&s->mutex);
  free(l);
}

void
berth_store_lock_cleanup(berth_store_lock **l)
{
  int saved = errno;
  berth_store_lock_release(*l);
  errno = saved;
}
