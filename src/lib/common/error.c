#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

int
berth_error_set(berth_error **err, int errnum, const char *fmt, ...)
{
  if (err == NULL)
    return -1;
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  char *msg = xvasprintf(fmt, ap);
  va_end(ap);
  if (errnum != 0) {
    char *with = xasprintf("%s: %s", msg, strerror(errnum));
    free(msg);
    msg = with;
  }
  berth_error_free(*err);
  berth_error *e = xcalloc(1, sizeof(*e));
  e->msg = msg;
  e->errnum = errnum;
  e->exit_code = 1;
  *err = e;
  errno = saved;
  return -1;
}

int
berth_error_prefix(berth_error **err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  va_list ap;
  va_start(ap, fmt);
  char *ctx = xvasprintf(fmt, ap);
  va_end(ap);
  char *msg = xasprintf("%s: %s", ctx, (*err)->msg);
  free(ctx);
  free((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

int
berth_error_exit_code(berth_error **err, int code)
{
  if (err != NULL && *err != NULL)
    (*err)->exit_code = code;
  return -1;
}

void
berth_error_free(berth_error *err)
{
  if (err == NULL)
    return;
  free(err->msg);
  free(err);
}

void
berth_error_cleanup(berth_error **err)
{
  berth_error_free(*err);
  *err = NULL;
}
