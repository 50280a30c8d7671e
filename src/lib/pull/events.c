#include "pull/events.h"

void
berth_pull_events_init(berth_pull_events *ev, berth_pull_event_fn fn, void *ctx)
{
  ev->fn = fn;
  ev->ctx = ctx;
  pthread_mutex_init(&ev->lock, NULL);
}

void
berth_pull_events_destroy(berth_pull_events *ev)
{
  pthread_mutex_destroy(&ev->lock);
}

static void
deliver(berth_pull_events *ev, const char *id, const char *status, long long current,
        long long total)
{
  if (ev->fn == NULL)
    return;
  pthread_mutex_lock(&ev->lock);
  ev->fn(ev->ctx, id, status, current, total);
  pthread_mutex_unlock(&ev->lock);
}

void
berth_pull_events_status(berth_pull_events *ev, const char *id, const char *status)
{
  deliver(ev, id, status, 0, 0);
}

void
berth_pull_events_progress(berth_pull_events *ev, const char *id, const char *status,
                           long long current, long long total, long long *last)
{
  long long step = total > 100 ? total / 100 : 1;
  if (current < total && current - *last < step)
    return;
  *last = current;
  deliver(ev, id, status, current, total);
}
