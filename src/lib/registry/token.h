/* Bearer tokens (Docker's token authentication): a GET to the challenge's
 * realm with service and scope, anonymous or with basic credentials; the
 * answer's "token" or "access_token" authorises the registry requests. */
#pragma once

#include <curl/curl.h>
#include <stddef.h>

#include "common/error.h"
#include "registry/challenge.h"
#include "registry/http.h"

typedef struct berth_token_request {
  const berth_challenge *challenge; /* a "bearer" challenge (realm, service, scope) */
  const char *scope; /* "repository:<repo>:<actions>" (several space-separated), or NULL */
  const char *user;  /* NULL = anonymous */
  const char *password;
  const berth_http_tls *tls;
  const char *noproxy;
} berth_token_request;

/* Parses an untrusted token response body; *expires_in defaults to 60. */
int berth_token_parse(const char *body, size_t len, char **token, long *expires_in,
                      berth_error **err);

/* Builds the token URL from the challenge (realm must be http or https). */
char *berth_token_url(CURL *curl, const berth_token_request *req, berth_error **err);

/* The scope to ask: ours (may be NULL) and, after it, each repository
 * scope of a challenge's scope parameter (space-separated, may be NULL)
 * that ours lacks.  A cross-repository mount's 401 names the source
 * repository's pull beside ours (RFC 6750 §3): asked with ours, as Docker
 * asks it up front.  NULL when both are. */
char *berth_token_scope(const char *ours, const char *challenge_scope);

/* Fetches a token.  A refusal is an EACCES error worded from the server's
 * answer ("unauthorized: incorrect username or password"). */
int berth_token_fetch(CURL *curl, const berth_token_request *req, char **token, long *expires_in,
                      berth_error **err);
