#include "registry/token.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "registry/credentials.h"
#include "registry/curl_api.h"
#include "registry/errors.h"

#define TOKEN_MAX_BODY (1024 * 1024)

int
berth_token_parse(const char *body, size_t len, char **token, long *expires_in, berth_error **err)
{
  json_error_t jerr;
  cleanup_json json_t *root = json_loadb(body, len, 0, &jerr);
  if (!json_is_object(root))
    return berth_registry_error_set(err, EPROTO, "token response is not a JSON object");
  const char *t = json_string_value(json_object_get(root, "token"));
  if (t == NULL || *t == '\0')
    t = json_string_value(json_object_get(root, "access_token"));
  if (t == NULL || *t == '\0')
    return berth_registry_error_set(err, EPROTO, "token response holds no token");
  for (const char *c = t; *c; c++)
    if ((unsigned char)*c <= ' ' || *c == 0x7f)
      return berth_registry_error_set(err, EPROTO, "token response holds an invalid token");
  json_t *exp = json_object_get(root, "expires_in");
  long e = json_is_integer(exp) ? (long)json_integer_value(exp) : 0;
  *expires_in = e >= 60 ? e : 60; /* the spec's minimum */
  *token = xstrdup(t);
  return 0;
}

static char *
escape(CURL *curl, const char *s)
{
  char *e = berth_curl()->easy_escape(curl, s, 0);
  if (e == NULL)
    abort();
  char *r = xstrdup(e);
  berth_curl()->free(e);
  return r;
}

static char *
append_param(CURL *curl, char *url, const char *name, const char *value)
{
  if (value == NULL)
    return url;
  cleanup_free char *v = escape(curl, value);
  char *next = xasprintf("%s%c%s=%s", url, strchr(url, '?') ? '&' : '?', name, v);
  free(url);
  return next;
}

/* The realm is outside input from the registry: only http(s) URLs without
 * control characters are followed. */
char *
berth_token_url(CURL *curl, const berth_token_request *req, berth_error **err)
{
  const char *realm = berth_challenge_param(req->challenge, "realm");
  if (realm == NULL
      || (strncasecmp(realm, "https://", 8) != 0 && strncasecmp(realm, "http://", 7) != 0)) {
    berth_registry_error_set(err, EPROTO, "bearer challenge without a valid http(s) realm");
    return NULL;
  }
  for (const char *c = realm; *c; c++)
    if ((unsigned char)*c <= ' ' || *c == 0x7f) {
      berth_registry_error_set(err, EPROTO, "bearer challenge realm holds invalid characters");
      return NULL;
    }
  char *url = xstrdup(realm);
  url = append_param(curl, url, "service", berth_challenge_param(req->challenge, "service"));
  /* one scope= a scope, as Docker's client sends several */
  if (req->scope != NULL) {
    cleanup_free char *scopes = xstrdup(req->scope);
    char *save = NULL;
    for (char *sc = strtok_r(scopes, " ", &save); sc != NULL; sc = strtok_r(NULL, " ", &save))
      url = append_param(curl, url, "scope", sc);
  }
  url = append_param(curl, url, "account", req->user);
  return url;
}

/* scope is a whole item of the space-separated list */
static bool
has_scope(const char *list, const char *scope, size_t len)
{
  for (const char *p = list; (p = strstr(p, scope)) != NULL; p += len)
    if ((p == list || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
      return true;
  return false;
}

/* challenge_scope is the registry's (outside input): only repository
 * scopes of printable characters are taken, at most 8, each at most 256
 * bytes; they only widen the token asked from the realm the registry
 * already names. */
char *
berth_token_scope(const char *ours, const char *challenge_scope)
{
  char *acc = ours != NULL ? xstrdup(ours) : NULL;
  if (challenge_scope == NULL)
    return acc;
  cleanup_free char *copy = xstrdup(challenge_scope);
  char *save = NULL;
  int taken = 0;
  for (char *sc = strtok_r(copy, " ", &save); sc != NULL && taken < 8;
       sc = strtok_r(NULL, " ", &save)) {
    size_t len = strlen(sc);
    bool ok = len <= 256 && strncmp(sc, "repository:", 11) == 0 && strchr(sc + 11, ':') != NULL;
    for (const char *c = sc; ok && *c; c++)
      ok = (unsigned char)*c > ' ' && *c != 0x7f;
    if (!ok || (acc != NULL && has_scope(acc, sc, len)))
      continue;
    char *next = acc != NULL ? xasprintf("%s %s", acc, sc) : xstrdup(sc);
    free(acc);
    acc = next;
    taken++;
  }
  return acc;
}

int
berth_token_fetch(CURL *curl, const berth_token_request *req, char **token, long *expires_in,
                  berth_error **err)
{
  cleanup_free char *url = berth_token_url(curl, req, err);
  if (url == NULL)
    return -1;
  cleanup_free char *auth = NULL;
  if (req->user != NULL) {
    cleanup_free char *b64 = berth_credentials_encode(req->user, req->password);
    auth = xasprintf("Basic %s", b64);
  }
  berth_http_request hr = { .url = url,
                            .authorization = auth,
                            .tls = req->tls,
                            .noproxy = req->noproxy,
                            .follow_redirects = true,
                            .max_body = TOKEN_MAX_BODY };
  berth_http_response resp;
  int r = berth_http_get(curl, &hr, &resp, err);
  if (r == 0 && (resp.status < 200 || resp.status >= 300)) {
    /* the server's own words, as Docker shows them */
    berth_registry_error_from_response(resp.status, resp.body, resp.len, err);
    berth_http_response_clear(&resp);
    return -1;
  }
  if (r == 0)
    r = berth_token_parse(resp.body ? resp.body : "", resp.len, token, expires_in, err);
  berth_http_response_clear(&resp);
  return r < 0 ? berth_error_prefix(err, "get token") : 0;
}
