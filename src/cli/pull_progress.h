/* Renders pull progress as docker does: on a terminal one line per layer,
 * redrawn in place with a progress bar; otherwise one line per status
 * change (byte progress is not printed).  Push shows its layers the same way. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

typedef struct berth_progress berth_progress;

berth_progress *berth_progress_new(FILE *out, bool terminal);
void berth_progress_free(berth_progress *p);

/* Matches berth_pull_event_fn. */
void berth_progress_event(void *ctx, const char *id, const char *status, long long current,
                          long long total);
