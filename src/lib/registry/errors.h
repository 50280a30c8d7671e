/* Registry errors: an HTTP status and the registry's JSON error body become
 * one berth_error, worded as Docker words them ("manifest unknown: manifest
 * unknown"), with an errnum callers can test (ENOENT for 404, EACCES for
 * 401/403, EPROTO for a bad response). */
#pragma once

#include <stddef.h>

#include "common/error.h"

/* berth_error_set_as: the message says errnum in words ("unauthorized: …"). */
#define berth_registry_error_set berth_error_set_as

/* The errno that stands for an HTTP status (0 for 2xx). */
int berth_registry_status_errno(long status);

/* The one-line message for an error response: from the body's "errors" list
 * ("code: message; …"), a token server's "details"/"error" field, or a
 * default for the status.  Always returns a new string. */
char *berth_registry_error_message(long status, const char *body, size_t len);

/* Sets *err from an error response.  Always returns -1. */
int berth_registry_error_from_response(long status, const char *body, size_t len,
                                       berth_error **err);

/* The same, a bearer challenge's error="insufficient_scope" or
 * "invalid_token" in www_authenticate (the response's WWW-Authenticate, may
 * be NULL) first, as Docker's client reads them: "denied: requested access
 * to the resource is denied" for a token without the action asked (a push
 * with a pull-only token), whatever the body says.  Always returns -1. */
int berth_registry_error_from_auth_response(long status, const char *www_authenticate,
                                            const char *body, size_t len, berth_error **err);
