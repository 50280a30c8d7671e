#include "registry/client.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "registry/challenge.h"
#include "registry/credentials.h"
#include "registry/curl_api.h"
#include "registry/endpoint.h"
#include "registry/errors.h"
#include "registry/http.h"
#include "registry/token.h"

#define MANIFEST_MAX (4 * 1024 * 1024)
#define POOL_MAX 16
#define MAX_ATTEMPTS 5
#define DEFAULT_RETRY_DELAY_MS 1000

const char berth_registry_manifest_accept[]
    = "application/vnd.oci.image.index.v1+json, "
      "application/vnd.oci.image.manifest.v1+json, "
      "application/vnd.docker.distribution.manifest.list.v2+json, "
      "application/vnd.docker.distribution.manifest.v2+json, "
      "application/vnd.docker.distribution.manifest.v1+prettyjws, "
      "application/vnd.docker.distribution.manifest.v1+json";

struct berth_registry {
  berth_endpoint ep;
  char *repository; /* NULL for login */
  char *scope;      /* "repository:<repo>:<actions>", NULL for login */
  char **insecure;  /* copy of the options' list */
  char *config_dir;
  char *noproxy;
  char *user; /* credentials, loaded on first use unless given */
  char *password;
  bool creds_given;

  pthread_mutex_t lock; /* guards everything below and the pool */
  bool ready;           /* pinged: base_url and tls fixed from then on */
  char *base_url;       /* "https://host" or "http://host" */
  berth_http_tls tls;
  char *authorization; /* "Bearer …" / "Basic …" / NULL */
  unsigned auth_gen;
  CURL *pool[POOL_MAX];
  size_t pool_n;

  berth_registry_retry_fn retry_notify; /* set once, before any request */
  void *retry_ctx;
  unsigned retry_delay_ms;
};

static bool
repository_is_valid(const char *repo)
{
  size_t n = strlen(repo);
  if (n == 0 || n > 255 || repo[0] == '/' || repo[n - 1] == '/' || strstr(repo, "//") != NULL)
    return false;
  for (const char *c = repo; *c; c++)
    if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && strchr("._-/", *c) == NULL)
      return false;
  return strstr(repo, "..") == NULL;
}

static bool
tag_is_valid(const char *tag)
{
  size_t n = strlen(tag);
  if (n == 0 || n > 128 || !(isalnum((unsigned char)tag[0]) || tag[0] == '_'))
    return false;
  for (const char *c = tag; *c; c++)
    if (!isalnum((unsigned char)*c) && strchr("_.-", *c) == NULL)
      return false;
  return true;
}

static char **
strv_dup(char *const *v)
{
  size_t n = 0;
  while (v != NULL && v[n] != NULL)
    n++;
  char **r = xcalloc(n + 1, sizeof(*r));
  for (size_t i = 0; i < n; i++)
    r[i] = xstrdup(v[i]);
  return r;
}

/* domain and repository are outside input (references given by the user);
 * both are checked against the characters their grammars allow. */
static berth_registry *
registry_create(const char *domain, const char *repository, const berth_registry_options *opts,
                berth_error **err)
{
  if (berth_curl_load(err) == NULL)
    return NULL;
  if (repository != NULL && !repository_is_valid(repository)) {
    berth_registry_error_set(err, EINVAL, "invalid repository name \"%s\"", repository);
    return NULL;
  }
  berth_registry *r = xcalloc(1, sizeof(*r));
  if (berth_endpoint_init(&r->ep, domain, opts, err) < 0) {
    free(r);
    return NULL;
  }
  if (repository != NULL) {
    const char *actions = opts != NULL && opts->actions != NULL ? opts->actions : "pull";
    r->repository = xstrdup(repository);
    r->scope = xasprintf("repository:%s:%s", repository, actions);
  }
  r->insecure = strv_dup(opts != NULL ? opts->insecure : NULL);
  r->config_dir = berth_credentials_config_dir(opts);
  r->noproxy = berth_http_noproxy();
  r->retry_delay_ms = DEFAULT_RETRY_DELAY_MS;
  pthread_mutex_init(&r->lock, NULL);
  return r;
}

void
berth_registry_set_retry(berth_registry *r, berth_registry_retry_fn notify, void *ctx,
                         unsigned first_delay_ms)
{
  r->retry_notify = notify;
  r->retry_ctx = ctx;
  r->retry_delay_ms = first_delay_ms ? first_delay_ms : DEFAULT_RETRY_DELAY_MS;
}

berth_registry *
berth_registry_new(const char *domain, const char *repository, const berth_registry_options *opts,
                   berth_error **err)
{
  if (repository == NULL) {
    berth_registry_error_set(err, EINVAL, "no repository given");
    return NULL;
  }
  return registry_create(domain, repository, opts, err);
}

void
berth_registry_free(berth_registry *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->pool_n; i++)
    berth_curl()->easy_cleanup(r->pool[i]);
  berth_endpoint_clear(&r->ep);
  berth_http_tls_clear(&r->tls);
  free(r->repository);
  free(r->scope);
  berth_cleanup_strvp(&r->insecure);
  free(r->config_dir);
  free(r->noproxy);
  free(r->user);
  free(r->password);
  free(r->base_url);
  free(r->authorization);
  pthread_mutex_destroy(&r->lock);
  free(r);
}

static CURL *
pool_get(berth_registry *r)
{
  CURL *c = NULL;
  pthread_mutex_lock(&r->lock);
  if (r->pool_n > 0)
    c = r->pool[--r->pool_n];
  pthread_mutex_unlock(&r->lock);
  return c != NULL ? c : berth_http_handle_new();
}

static void
pool_put(berth_registry *r, CURL *c)
{
  pthread_mutex_lock(&r->lock);
  if (r->pool_n < POOL_MAX) {
    r->pool[r->pool_n++] = c;
    c = NULL;
  }
  pthread_mutex_unlock(&r->lock);
  if (c != NULL)
    berth_curl()->easy_cleanup(c);
}

static void
cleanup_curlp(CURL **c)
{
  if (*c != NULL)
    berth_curl()->easy_cleanup(*c);
}

/* Sets r->authorization from a 401's challenges (lock held). */
static int
authenticate(berth_registry *r, CURL *curl, const char *www_authenticate, berth_error **err)
{
  berth_challenges cs;
  if (berth_challenge_parse(www_authenticate, &cs, err) < 0)
    return -1;
  const berth_challenge *bearer = berth_challenges_find(&cs, "bearer");
  const berth_challenge *basic = berth_challenges_find(&cs, "basic");
  char *auth = NULL;
  int ret = 0;
  if (bearer != NULL) {
    /* what this request needs beyond our repository (a mount's source) */
    cleanup_free char *scope = berth_token_scope(r->scope, berth_challenge_param(bearer, "scope"));
    berth_token_request tr = { .challenge = bearer,
                               .scope = scope,
                               .user = r->user,
                               .password = r->password,
                               .tls = &r->tls,
                               .noproxy = r->noproxy };
    char *token = NULL;
    long expires_in = 0;
    ret = berth_token_fetch(curl, &tr, &token, &expires_in, err);
    if (ret == 0)
      auth = xasprintf("Bearer %s", token);
    free(token);
  } else if (basic != NULL) {
    if (r->user != NULL) {
      cleanup_free char *b64 = berth_credentials_encode(r->user, r->password);
      auth = xasprintf("Basic %s", b64);
    }
  } else {
    ret = berth_registry_error_set(err, EPROTO, "unsupported authentication challenge \"%s\"",
                                   cs.n > 0 ? cs.items[0].scheme : "");
  }
  berth_challenges_clear(&cs);
  if (ret == 0) {
    free(r->authorization);
    r->authorization = auth;
    r->auth_gen++;
  }
  return ret;
}

static int
load_credentials(berth_registry *r, berth_error **err)
{
  if (r->creds_given)
    return 0;
  berth_registry_options o = { .docker_config_dir = r->config_dir };
  int found = berth_credentials_get(&o, r->ep.domain, &r->user, &r->password, err);
  return found < 0 ? -1 : 0;
}

/* GET /v2/ on one scheme. */
static int
ping_url(berth_registry *r, CURL *curl, const char *scheme, berth_http_response *resp,
         berth_error **err)
{
  cleanup_free char *url = xasprintf("%s://%s/v2/", scheme, r->ep.host);
  berth_http_request hr = { .url = url, .tls = &r->tls, .noproxy = r->noproxy };
  return berth_http_get(curl, &hr, resp, err);
}

/* Pings the registry (HTTPS, then plain HTTP for an insecure registry whose
 * HTTPS attempt failed) and authenticates when it asks to (lock held). */
static int
connect_locked(berth_registry *r, berth_error **err)
{
  bool insecure = berth_endpoint_is_insecure(r->ep.host, r->insecure);
  berth_http_tls_clear(&r->tls);
  if (berth_http_tls_load(&r->tls, r->ep.certs_dir, err) < 0)
    return -1;
  r->tls.verify = !insecure;
  if (load_credentials(r, err) < 0)
    return -1;
  __attribute__((cleanup(cleanup_curlp))) CURL *curl = berth_http_handle_new();
  berth_http_response resp;
  const char *scheme = "https";
  int rc = ping_url(r, curl, scheme, &resp, err);
  if (rc < 0 && insecure && resp.transport_error) {
    berth_http_response_clear(&resp);
    berth_error_cleanup(err);
    scheme = "http";
    rc = ping_url(r, curl, scheme, &resp, err);
  }
  if (rc == 0 && resp.status == 401 && resp.www_authenticate != NULL)
    rc = authenticate(r, curl, resp.www_authenticate, err);
  else if (rc == 0 && resp.status != 200 && resp.status != 401)
    rc = berth_registry_error_from_response(resp.status, resp.body, resp.len, err);
  berth_http_response_clear(&resp);
  if (rc < 0)
    return -1;
  free(r->base_url);
  r->base_url = xasprintf("%s://%s", scheme, r->ep.host);
  r->ready = true;
  return 0;
}

static int
ensure_ready(berth_registry *r, berth_error **err)
{
  pthread_mutex_lock(&r->lock);
  int rc = r->ready ? 0 : connect_locked(r, err);
  pthread_mutex_unlock(&r->lock);
  return rc;
}

/* One GET with the current credentials, tried once more with fresh ones
 * when the registry answers 401 mid-way. */
static int
get_authenticated(berth_registry *r, CURL *curl, berth_http_request *hr, berth_http_response *resp,
                  berth_error **err)
{
  int rc = -1;
  bool from_fd = hr->method != NULL && hr->upload_len > 0 && hr->upload_data == NULL;
  off_t start = from_fd ? lseek(hr->upload_fd, 0, SEEK_CUR) : 0;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0 && from_fd && lseek(hr->upload_fd, start, SEEK_SET) < 0)
      return berth_error_set(err, errno, "rewind the upload");
    pthread_mutex_lock(&r->lock);
    cleanup_free char *auth = r->authorization ? xstrdup(r->authorization) : NULL;
    unsigned gen = r->auth_gen;
    pthread_mutex_unlock(&r->lock);
    hr->authorization = auth;
    rc = berth_http_get(curl, hr, resp, err);
    hr->authorization = NULL;
    if (rc < 0 || resp->status != 401 || resp->www_authenticate == NULL || attempt > 0)
      break;
    pthread_mutex_lock(&r->lock);
    int arc = r->auth_gen == gen ? authenticate(r, curl, resp->www_authenticate, err) : 0;
    pthread_mutex_unlock(&r->lock);
    if (arc < 0)
      return -1;
    berth_http_response_clear(resp);
  }
  return rc;
}

/* A failure that another try may not meet (see berth_registry_set_retry). */
static bool
transient(int rc, const berth_http_response *resp)
{
  if (rc < 0)
    return resp->retryable;
  switch (resp->status) {
  case 408:
  case 429:
  case 500:
  case 502:
  case 503:
  case 504:
    return true;
  default:
    return false;
  }
}

/* Waits before try number attempt + 1, counting the seconds down to the
 * notifier; false when it gave up. */
static bool
wait_to_retry(berth_registry *r, const char *what, int attempt)
{
  long long ms = (long long)r->retry_delay_ms << (attempt - 1);
  for (long long left = ms; left > 0; left -= 1000) {
    int seconds = (int)((left + 999) / 1000);
    if (r->retry_notify != NULL && !r->retry_notify(r->retry_ctx, what, seconds))
      return false;
    long long step = left < 1000 ? left : 1000;
    struct timespec ts = { step / 1000, (step % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
  }
  return true;
}

/* One GET on path below the registry's base URL, authenticated, tried again
 * after failures in passing (what names it to the retry notifier). */
static int
registry_get(berth_registry *r, const char *path, const char *what, berth_http_request *hr,
             berth_http_response *resp, berth_error **err)
{
  memset(resp, 0, sizeof(*resp));
  if (ensure_ready(r, err) < 0)
    return -1;
  cleanup_free char *url = xasprintf("%s%s", r->base_url, path);
  hr->url = url;
  hr->tls = &r->tls;
  hr->noproxy = r->noproxy;
  CURL *curl = pool_get(r);
  int rc = -1;
  for (int attempt = 1;; attempt++) {
    berth_error *e = NULL;
    rc = get_authenticated(r, curl, hr, resp, &e);
    if (attempt == MAX_ATTEMPTS || !transient(rc, resp) || !wait_to_retry(r, what, attempt)) {
      if (e != NULL)
        berth_error_propagate(err, &e);
      break;
    }
    berth_error_free(e);
    berth_http_response_clear(resp);
  }
  hr->url = NULL;
  pool_put(r, curl);
  return rc;
}

int
berth_registry_send(berth_registry *r, const char *path_or_url, berth_http_request *hr,
                    berth_http_response *resp, berth_error **err)
{
  memset(resp, 0, sizeof(*resp));
  if (ensure_ready(r, err) < 0)
    return -1;
  bool absolute
      = strncmp(path_or_url, "http://", 7) == 0 || strncmp(path_or_url, "https://", 8) == 0;
  cleanup_free char *url
      = absolute ? xstrdup(path_or_url) : xasprintf("%s%s", r->base_url, path_or_url);
  hr->url = url;
  hr->tls = &r->tls;
  hr->noproxy = r->noproxy;
  CURL *curl = pool_get(r);
  int rc = get_authenticated(r, curl, hr, resp, err);
  hr->url = NULL;
  pool_put(r, curl);
  return rc;
}

const char *
berth_registry_repository(const berth_registry *r)
{
  return r->repository;
}

void
berth_fetched_manifest_clear(berth_fetched_manifest *m)
{
  free(m->data);
  free(m->content_type);
  memset(m, 0, sizeof(*m));
}

static int
check_manifest_digest(const char *ref, const berth_http_response *resp, const char *got,
                      berth_error **err)
{
  if (strncmp(ref, "sha256:", 7) == 0 && strcmp(ref, got) != 0)
    return berth_registry_error_set(err, EPROTO, "manifest %s: digest mismatch: got %s", ref, got);
  const char *dcd = resp->docker_content_digest;
  if (dcd != NULL && strncmp(dcd, "sha256:", 7) == 0 && strcmp(dcd, got) != 0)
    return berth_registry_error_set(
        err, EPROTO, "manifest %s: digest mismatch: got %s, registry says %s", ref, got, dcd);
  return 0;
}

int
berth_registry_get_manifest(berth_registry *r, const char *tag_or_digest,
                            berth_fetched_manifest *out, berth_error **err)
{
  memset(out, 0, sizeof(*out));
  const char *ref = tag_or_digest;
  if (ref == NULL || (!tag_is_valid(ref) && !berth_digest_is_valid(ref)))
    return berth_registry_error_set(err, EINVAL, "invalid tag or digest \"%s\"", ref ? ref : "");
  cleanup_free char *path = xasprintf("/v2/%s/manifests/%s", r->repository, ref);
  berth_http_request hr = { .accept = berth_registry_manifest_accept, .max_body = MANIFEST_MAX };
  berth_http_response resp;
  if (registry_get(r, path, ref, &hr, &resp, err) < 0) {
    berth_http_response_clear(&resp);
    return -1;
  }
  if (resp.status < 200 || resp.status >= 300) {
    berth_registry_error_from_response(resp.status, resp.body, resp.len, err);
    berth_http_response_clear(&resp);
    return -1;
  }
  berth_sha256_digest(resp.body ? resp.body : "", resp.len, out->digest);
  if (check_manifest_digest(ref, &resp, out->digest, err) < 0) {
    berth_http_response_clear(&resp);
    memset(out, 0, sizeof(*out));
    return -1;
  }
  out->data = resp.body ? steal_pointer(&resp.body) : xstrdup("");
  out->len = resp.len;
  out->content_type = resp.content_type ? steal_pointer(&resp.content_type) : xstrdup("");
  berth_http_response_clear(&resp);
  return 0;
}

struct blob_stream {
  berth_sha256 *hash;
  int64_t got;  /* bytes handed on so far: where a retry asks to go on */
  int64_t size; /* what the descriptor promised, or -1 */
  int64_t skip; /* bytes at the start of this response the sink already has */
  const berth_http_response *resp;
  berth_blob_sink sink;
  void *ctx;
};

/* Bytes of the blob from the registry: counted and hashed, then handed on. */
static int
blob_data(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct blob_stream *s = ctx;
  if (s->resp->body_bytes == 0) /* a response begins: did it honour the Range? */
    s->skip = s->resp->status == 206 ? 0 : s->resp->range_from;
  if (s->skip > 0) { /* a retry sent from the start again: drop what we have */
    size_t drop = (int64_t)len < s->skip ? len : (size_t)s->skip;
    s->skip -= (int64_t)drop;
    data = (const char *)data + drop;
    len -= drop;
    if (len == 0)
      return 0;
  }
  s->got += (int64_t)len;
  if (s->size >= 0 && s->got > s->size)
    return berth_registry_error_set(err, EPROTO, "more bytes than the expected %lld",
                                    (long long)s->size);
  berth_sha256_update(s->hash, data, len);
  return s->sink(s->ctx, data, len, err);
}

static int
finish_blob(struct blob_stream *s, const char *digest, berth_error **err)
{
  if (s->size >= 0 && s->got != s->size)
    return berth_registry_error_set(err, EPROTO, "truncated: got %lld of %lld bytes",
                                    (long long)s->got, (long long)s->size);
  char got[BERTH_DIGEST_LEN];
  berth_sha256_final(s->hash, got);
  if (strcmp(got, digest) != 0)
    return berth_registry_error_set(err, EPROTO, "digest mismatch: got %s", got);
  return 0;
}

int
berth_registry_get_blob(berth_registry *r, const char *digest, int64_t size, berth_blob_sink sink,
                        void *ctx, berth_error **err)
{
  if (digest == NULL || !berth_digest_is_valid(digest))
    return berth_registry_error_set(err, EINVAL, "invalid blob digest \"%s\"",
                                    digest ? digest : "");
  cleanup_sha256 berth_sha256 *hash = berth_sha256_new();
  berth_http_response resp;
  struct blob_stream s = { .hash = hash, .size = size, .sink = sink, .ctx = ctx, .resp = &resp };
  cleanup_free char *path = xasprintf("/v2/%s/blobs/%s", r->repository, digest);
  berth_http_request hr
      = { .follow_redirects = true, .on_data = blob_data, .ctx = &s, .resume_at = &s.got };
  int rc = registry_get(r, path, digest, &hr, &resp, err);
  if (rc == 0 && (resp.status < 200 || resp.status >= 300))
    rc = berth_registry_error_from_response(resp.status, resp.body, resp.len, err);
  else if (rc == 0)
    rc = finish_blob(&s, digest, err);
  berth_http_response_clear(&resp);
  return rc < 0 ? berth_error_prefix(err, "blob %s", digest) : 0;
}

int
berth_registry_login(const char *domain, const char *user, const char *password,
                     const berth_registry_options *opts, berth_error **err)
{
  berth_registry *r = registry_create(domain, NULL, opts, err);
  if (r == NULL)
    return -1;
  r->user = xstrdup(user);
  r->password = xstrdup(password);
  r->creds_given = true;
  berth_http_request hr = { 0 };
  berth_http_response resp;
  int rc = registry_get(r, "/v2/", domain, &hr, &resp, err);
  if (rc == 0 && resp.status != 200)
    rc = berth_registry_error_from_response(resp.status, resp.body, resp.len, err);
  berth_http_response_clear(&resp);
  berth_registry_free(r);
  return rc;
}
