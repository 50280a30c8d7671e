#include "common/error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

struct berth_error {
  char *msg;           /* the context chain, outermost first, no errno text */
  int errnum;          /* errno of the cause, or 0 */
  bool errno_in_words; /* msg already says errnum: never add strerror */
  berth_error_kind kind;
  berth_error *cause; /* the error that was pending when this one was set */
  char *rendered;     /* berth_error_message()'s cache */
  size_t *ctx_ends;   /* where each prefixed context ends in msg, outermost first */
  size_t n_ctx;
};

/* Puts e on top of *err: a pending error becomes the innermost cause of e, so
 * nothing is lost.  err is not NULL. */
static void
push(berth_error **err, berth_error *e)
{
  if (*err != NULL) {
    berth_error **tail = &e->cause;
    while (*tail != NULL)
      tail = &(*tail)->cause;
    *tail = *err;
  }
  *err = e;
}

static int
vset(berth_error **err, int errnum, bool in_words, const char *fmt, va_list ap)
{
  if (err == NULL)
    return -1;
  int saved = errno;
  berth_error *e = xcalloc(1, sizeof(*e));
  e->msg = xvasprintf(fmt, ap);
  e->errnum = errnum;
  e->errno_in_words = in_words;
  push(err, e);
  errno = saved;
  return -1;
}

int
berth_error_set(berth_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vset(err, errnum, false, fmt, ap);
  va_end(ap);
  return -1;
}

int
berth_error_set_as(berth_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vset(err, errnum, true, fmt, ap);
  va_end(ap);
  return -1;
}

int
berth_error_prefix(berth_error **err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  char *ctx = xvasprintf(fmt, ap);
  va_end(ap);
  char *msg = xasprintf("%s: %s", ctx, (*err)->msg);
  berth_error *e = *err;
  e->ctx_ends = xrealloc(e->ctx_ends, (e->n_ctx + 1) * sizeof *e->ctx_ends);
  for (size_t i = e->n_ctx; i > 0; i--)
    e->ctx_ends[i] = e->ctx_ends[i - 1] + strlen(ctx) + 2;
  e->ctx_ends[0] = strlen(ctx);
  e->n_ctx++;
  free(ctx);
  free((*err)->msg);
  (*err)->msg = msg;
  errno = saved;
  return -1;
}

int
berth_error_propagate(berth_error **dst, berth_error **src)
{
  if (src == NULL || *src == NULL)
    return -1;
  berth_error *e = *src;
  *src = NULL;
  if (dst == NULL)
    berth_error_free(e);
  else
    push(dst, e);
  return -1;
}

int
berth_error_replace(berth_error **dst, berth_error **src)
{
  if (src != NULL && *src != NULL)
    berth_error_clear(dst);
  return berth_error_propagate(dst, src);
}

int
berth_error_set_kind(berth_error **err, berth_error_kind kind)
{
  if (err != NULL && *err != NULL)
    (*err)->kind = kind;
  return -1;
}

int
berth_error_errno(const berth_error *err)
{
  return err != NULL ? err->errnum : 0;
}

berth_error_kind
berth_error_get_kind(const berth_error *err)
{
  return err != NULL ? err->kind : BERTH_ERR_FAILED;
}

const char *
berth_error_message(const berth_error *err)
{
  if (err == NULL)
    return NULL;
  int saved = errno;
  char *s = xstrdup("");
  for (const berth_error *e = err; e != NULL; e = e->cause) {
    bool with_errno = e->errnum != 0 && !e->errno_in_words;
    char *next = xasprintf("%s%s%s%s%s", s, e == err ? "" : ": ", e->msg, with_errno ? ": " : "",
                           with_errno ? strerror(e->errnum) : "");
    free(s);
    s = next;
  }
  /* The rendering is a cache, not part of the error's value. */
  berth_error *cache = (berth_error *)err;
  free(cache->rendered);
  cache->rendered = s;
  errno = saved;
  return s;
}

char *
berth_error_describe(const berth_error *err)
{
  static const char *const kinds[] = { "failed", "engine", "cannot invoke", "not found" };
  int saved = errno;
  char *s = xstrdup("");
  for (const berth_error *e = err; e != NULL; e = e->cause) {
    size_t start = 0;
    for (size_t i = 0; i <= e->n_ctx; i++) {
      size_t end = i < e->n_ctx ? e->ctx_ends[i] : strlen(e->msg);
      char *next = xasprintf("%s  %.*s\n", s, (int)(end - start), e->msg + start);
      free(s);
      s = next;
      start = end + 2; /* past ": " */
    }
    char *next = xasprintf("%s    (kind: %s, errno: %d%s%s)\n", s,
                           kinds[(size_t)e->kind < sizeof kinds / sizeof kinds[0] ? e->kind : 0],
                           e->errnum, e->errnum ? " " : "", e->errnum ? strerror(e->errnum) : "");
    free(s);
    s = next;
  }
  errno = saved;
  return s;
}

void
berth_error_clear(berth_error **err)
{
  if (err == NULL)
    return;
  berth_error_free(*err);
  *err = NULL;
}

void
berth_error_free(berth_error *err)
{
  while (err != NULL) {
    berth_error *cause = err->cause;
    free(err->msg);
    free(err->rendered);
    free(err->ctx_ends);
    free(err);
    err = cause;
  }
}

void
berth_error_cleanup(berth_error **err)
{
  berth_error_clear(err);
}
