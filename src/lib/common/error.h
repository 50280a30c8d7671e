/* One error type for all of berth.
 *
 * A fallible function takes `berth_error **err` as its last argument, returns
 * a negative value (or NULL) on failure and fills *err; on success it leaves
 * *err alone.  Callers add context on the way up with berth_error_prefix(), so
 * the message reads as a chain: "pull 'nginx': fetch blob sha256:…: connect:
 * Connection refused".  Only the CLI prints errors and picks exit codes.
 */
#pragma once

#include <stdarg.h>

typedef struct berth_error {
  char *msg;     /* the whole chain, outermost context first */
  int errnum;    /* errno of the innermost cause, or 0 */
  int exit_code; /* what the CLI should exit with (default 1) */
} berth_error;

/* Sets *err (if err is not NULL) from a printf-style message; when errnum is
 * not 0, ": strerror(errnum)" is appended.  Always returns -1. */
int berth_error_set(berth_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "context: " to an error that is already set.  Returns -1. */
int berth_error_prefix(berth_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the exit code the CLI should use for this error.  Returns -1. */
int berth_error_exit_code(berth_error **err, int code);

void berth_error_free(berth_error *err);
void berth_error_cleanup(berth_error **err);
#define cleanup_error __attribute__((cleanup(berth_error_cleanup)))
