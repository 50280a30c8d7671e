/* A container's log, containers/<id>/<id>-json.log, in Docker's json-file
 * format: one JSON object a line, {"log": TEXT, "stream": "stdout" or
 * "stderr", "time": RFC 3339 with nanoseconds}.  The supervisor writes it;
 * `logs` reads it back through the same module. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

/* Opens the log for appending (created 0600); -1 with errno on failure. */
int berth_log_open_append(berth_store *s, const berth_container *c);

/* Appends one entry.  A failed write (a full disk) loses the line, never
 * the container, so nothing is reported. */
void berth_log_write_line(int log_fd, const char *stream, const char *data, size_t len);

/* Receives each entry read back: stream is "stdout" or "stderr". */
typedef void (*berth_log_sink)(void *ctx, const char *stream, const char *text);

/* Reads the log to its end, handing each entry to sink; with follow, goes
 * on reading while the container runs.  No log yet is no entries. */
int berth_log_read(berth_store *s, const berth_container *c, bool follow, berth_log_sink sink,
                   void *ctx, berth_error **err);
