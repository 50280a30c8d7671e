/* An in-memory byte stream for the pack/unpack tests: berth_write_fn and
 * berth_read_fn over one growing buffer. */
#pragma once

#include <string.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/xalloc.h"

struct buf {
  unsigned char *d;
  size_t len, pos;
};

static inline int
buf_write(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct buf *b = ctx;
  b->d = xrealloc(b->d, b->len + len);
  memcpy(b->d + b->len, data, len);
  b->len += len;
  return 0;
}

static inline ssize_t
buf_read(void *ctx, void *out, size_t len, berth_error **err)
{
  struct buf *b = ctx;
  size_t n = b->len - b->pos < len ? b->len - b->pos : len;
  memcpy(out, b->d + b->pos, n);
  b->pos += n;
  return (ssize_t)n;
}
