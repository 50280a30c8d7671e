/* Serialized progress reporting for a pull: worker threads report through
 * one mutex so the caller's callback never runs twice at once, and byte
 * progress is thinned out so a fast download does not flood the terminal. */
#pragma once

#include <pthread.h>

#include "pull/pull.h"

typedef struct berth_pull_events {
  berth_pull_event_fn fn;
  void *ctx;
  pthread_mutex_t lock;
} berth_pull_events;

void berth_pull_events_init(berth_pull_events *ev, berth_pull_event_fn fn, void *ctx);
void berth_pull_events_destroy(berth_pull_events *ev);

/* A status change: always delivered. */
void berth_pull_events_status(berth_pull_events *ev, const char *id, const char *status);

/* Byte progress of one layer; *last is the caller's record of what was last
 * delivered, so only steps of at least 1% (or the end) get through. */
void berth_pull_events_progress(berth_pull_events *ev, const char *id, const char *status,
                                long long current, long long total, long long *last);
