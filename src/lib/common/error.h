/* One error type for all of berth.
 *
 * A fallible function takes `berth_error **err` as its last argument, returns
 * a negative value (or NULL) on failure and fills *err; on success it leaves
 * *err alone.  err may be NULL: the caller does not want the error, so every
 * function here accepts it, and code that must look at an error to decide
 * what to do (is it ENOENT?) collects it in a local berth_error first and
 * then hands it up with berth_error_propagate().
 *
 * An error holds a chain of context messages, outermost first, and the errno
 * of its cause apart from them.  Callers add context on the way up with
 * berth_error_prefix(); strerror()'s text is added once, when
 * berth_error_message() renders the chain for printing:
 * "pull 'nginx': fetch blob sha256:…: connect: Connection refused".
 *
 * The error also carries a kind: what went wrong, in words the CLI turns into
 * an exit code (Docker's 125/126/127).  The library never picks exit codes.
 *
 * Pending errors: setting an error (berth_error_set, _set_as, _propagate)
 * while *err already holds one never loses the old one: the new error becomes
 * the outer one and the pending error is kept as its cause, rendered after it
 * ("new: old").  The new error's errno and kind are the ones the accessors
 * report.  Code that means to replace a pending error says so with
 * berth_error_replace() or berth_error_clear().
 */
#pragma once

#include <stdarg.h>

typedef enum berth_error_kind {
  BERTH_ERR_FAILED = 0,        /* the operation failed */
  BERTH_ERR_ENGINE,            /* berth could not set the container's command up */
  BERTH_ERR_CMD_CANNOT_INVOKE, /* the container's command exists but cannot be run */
  BERTH_ERR_CMD_NOT_FOUND,     /* the container's command does not exist */
} berth_error_kind;

typedef struct berth_error berth_error;

/* Sets *err (if err is not NULL) from a printf-style message and the errno of
 * its cause (0 for none); the cause's text is added when printing.  Always
 * returns -1 and leaves errno as it was. */
int berth_error_set(berth_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like berth_error_set, but errnum only classifies the error for callers
 * (berth_error_errno): the message already says it in words ("No such image:
 * x", "unauthorized: …"), so strerror's text is never added.  Returns -1. */
int berth_error_set_as(berth_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the pending error; errno and kind stay.  Returns -1
 * (a no-op when nothing is pending). */
int berth_error_prefix(berth_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Moves *src (when set) into *dst following the pending-error rule above, or
 * frees it when dst is NULL; *src becomes NULL.  Returns -1. */
int berth_error_propagate(berth_error **dst, berth_error **src);

/* Like berth_error_propagate, but *src explains the failure better than the
 * error pending in *dst, which is dropped.  Returns -1. */
int berth_error_replace(berth_error **dst, berth_error **src);

/* Records what kind of failure the pending error is.  Returns -1. */
int berth_error_set_kind(berth_error **err, berth_error_kind kind);

/* NULL-safe accessors: 0 / BERTH_ERR_FAILED for NULL. */
int berth_error_errno(const berth_error *err);
berth_error_kind berth_error_get_kind(const berth_error *err);

/* The whole chain as one line, strerror's text added once where a cause has
 * an errno.  Owned by err, valid until err changes; NULL when err is NULL. */
const char *berth_error_message(const berth_error *err);

/* For a --debug report: every link of the chain on its own line, outermost
 * first (each prefixed context apart, then the pending errors it kept),
 * each line indented, each error followed by "    (kind: …, errno: N text)".  A new string. */
char *berth_error_describe(const berth_error *err);
/* Frees *err (if any) and sets it to NULL; err may be NULL. */
void berth_error_clear(berth_error **err);

void berth_error_free(berth_error *err);
void berth_error_cleanup(berth_error **err);
#define cleanup_error __attribute__((cleanup(berth_error_cleanup)))
