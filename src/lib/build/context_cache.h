/* Opening a build's context with its stat cache from the store, and keeping
 * the cache for the next build. */
#pragma once

#include "common/error.h"
#include "context/context.h"
#include "store/store.h"

/* context: the directory (user input, opened as given); dockerfile: the
 * Dockerfile's path, beside which NAME.dockerignore wins over the context's
 * .dockerignore.  A missing or damaged cache counts as empty. */
berth_context *berth_build_context_open(berth_store *s, const char *context, const char *dockerfile,
                                        berth_error **err);

/* Writes the stat cache back (atomically, under the writer lock). */
int berth_build_context_save(berth_store *s, berth_context *ctx, berth_error **err);
