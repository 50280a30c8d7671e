#include "registry/errors.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "registry/challenge.h"

int
berth_registry_status_errno(long status)
{
  if (status >= 200 && status < 300)
    return 0;
  switch (status) {
  case 401:
  case 403:
    return EACCES;
  case 404:
    return ENOENT;
  case 429:
    return EAGAIN;
  default:
    return status >= 500 ? EIO : EPROTO;
  }
}

static const char *
status_text(long status)
{
  switch (status) {
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "";
  }
}

static char *
default_message(long status)
{
  switch (status) {
  case 401:
    return xstrdup("unauthorized: authentication required");
  case 403:
    return xstrdup("denied: requested access to the resource is denied");
  case 404:
    return xstrdup("not found");
  case 429:
    return xstrdup("toomanyrequests: too many requests");
  default:
    return xasprintf("received unexpected HTTP status: %ld %s", status, status_text(status));
  }
}

/* Keeps a message to one printable line (bodies are outside input). */
static void
sanitize(char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      *s = ' ';
}

/* "MANIFEST_UNKNOWN" → "manifest unknown", as Docker's errcode prints it. */
static char *
code_words(const char *code)
{
  char *r = xstrdup(code);
  for (char *c = r; *c; c++)
    *c = *c == '_' ? ' ' : (char)tolower((unsigned char)*c);
  return r;
}

static char *
one_error(json_t *e)
{
  const char *code = json_string_value(json_object_get(e, "code"));
  const char *msg = json_string_value(json_object_get(e, "message"));
  if (code == NULL && msg == NULL)
    return NULL;
  if (code == NULL)
    return xstrdup(msg);
  cleanup_free char *words = code_words(code);
  if (msg == NULL || *msg == '\0')
    return steal_pointer(&words);
  return xasprintf("%s: %s", words, msg);
}

static char *
errors_list(json_t *errors)
{
  char *acc = NULL;
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e)
  {
    cleanup_free char *one = one_error(e);
    if (one == NULL)
      continue;
    char *next = acc ? xasprintf("%s; %s", acc, one) : xstrdup(one);
    free(acc);
    acc = next;
  }
  return acc;
}

/* Token servers answer {"details": "..."} (Docker Hub) or OAuth2's
 * {"error": "...", "error_description": "..."}. */
static char *
token_server_error(json_t *root, long status)
{
  const char *prefix = status == 401 ? "unauthorized: " : "";
  const char *d = json_string_value(json_object_get(root, "details"));
  if (d == NULL)
    d = json_string_value(json_object_get(root, "error_description"));
  if (d == NULL)
    d = json_string_value(json_object_get(root, "error"));
  if (d == NULL)
    d = json_string_value(json_object_get(root, "message"));
  return d ? xasprintf("%s%s", prefix, d) : NULL;
}

/* Trusts nothing in body: it may be absent, not JSON, or any JSON. */
char *
berth_registry_error_message(long status, const char *body, size_t len)
{
  char *msg = NULL;
  if (body != NULL && len > 0) {
    cleanup_json json_t *root = json_loadb(body, len, JSON_DISABLE_EOF_CHECK, NULL);
    json_t *errors = json_object_get(root, "errors");
    if (json_is_array(errors))
      msg = errors_list(errors);
    else if (json_is_object(root))
      msg = token_server_error(root, status);
  }
  if (msg == NULL)
    msg = default_message(status);
  sanitize(msg);
  return msg;
}

int
berth_registry_error_from_response(long status, const char *body, size_t len, berth_error **err)
{
  cleanup_free char *msg = berth_registry_error_message(status, body, len);
  int e = berth_registry_status_errno(status);
  return berth_registry_error_set(err, e ? e : EPROTO, "%s", msg);
}

/* RFC 6750 §3.1: the error a bearer challenge gives, worded as Docker's
 * client words it (distribution's registry/client HandleErrorResponse):
 * insufficient_scope, a token without the action asked (push), is Docker's
 * "denied", invalid_token "unauthorized".  Trusts nothing in the header;
 * NULL when it says no such error. */
static char *
challenge_message(long status, const char *www_authenticate)
{
  if (status < 400 || status >= 500 || www_authenticate == NULL)
    return NULL;
  berth_challenges cs;
  cleanup_error berth_error *perr = NULL;
  if (berth_challenge_parse(www_authenticate, &cs, &perr) < 0)
    return NULL;
  const berth_challenge *c = berth_challenges_find(&cs, "bearer");
  const char *e = c != NULL ? berth_challenge_param(c, "error") : NULL;
  const char *d = c != NULL ? berth_challenge_param(c, "error_description") : NULL;
  if (d != NULL && *d == '\0')
    d = NULL;
  char *msg = NULL;
  if (e != NULL && strcmp(e, "insufficient_scope") == 0)
    msg = xasprintf("denied: %s", d ? d : "requested access to the resource is denied");
  else if (e != NULL && strcmp(e, "invalid_token") == 0)
    msg = xasprintf("unauthorized: %s", d ? d : "authentication required");
  berth_challenges_clear(&cs);
  if (msg != NULL)
    sanitize(msg);
  return msg;
}

int
berth_registry_error_from_auth_response(long status, const char *www_authenticate, const char *body,
                                        size_t len, berth_error **err)
{
  cleanup_free char *msg = challenge_message(status, www_authenticate);
  if (msg == NULL)
    return berth_registry_error_from_response(status, body, len, err);
  return berth_registry_error_set(err, EACCES, "%s", msg);
}
