/* Byte streams as the archive part sees them: a pull-style source and a
 * push-style sink, both fallible in berth's usual way. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Pull-style source of bytes: returns bytes read, 0 at end, -1 with *err set. */
typedef ssize_t (*berth_read_fn)(void *ctx, void *buf, size_t len, berth_error **err);

/* Push-style sink: consumes all len bytes, returns 0, or -1 with *err set. */
typedef int (*berth_write_fn)(void *ctx, const void *buf, size_t len, berth_error **err);

/* A berth_read_fn over a file descriptor: ctx points at the int fd.  Retries
 * EINTR. */
ssize_t berth_fd_read(void *ctx, void *buf, size_t len, berth_error **err);

/* A berth_write_fn over a file descriptor: ctx points at the int fd.  Writes
 * everything, retrying EINTR and short writes. */
int berth_fd_write(void *ctx, const void *buf, size_t len, berth_error **err);
