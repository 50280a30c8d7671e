#include "registry/http.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "registry/curl_api.h"
#include "registry/errors.h"

#define RECV_BUFFER (512 * 1024)
#define DEFAULT_MAX_BODY (64 * 1024)
#define SYSTEM_CA_PATH "/etc/ssl/certs"

CURL *
berth_http_handle_new(void)
{
  CURL *c = berth_curl()->easy_init();
  if (c == NULL)
    abort();
  return c;
}

char *
berth_http_noproxy(void)
{
  const char *env = getenv("NO_PROXY");
  if (env == NULL || *env == '\0')
    env = getenv("no_proxy");
  const char *loop = "localhost,127.0.0.0/8,::1";
  return env != NULL && *env != '\0' ? xasprintf("%s,%s", env, loop) : xstrdup(loop);
}

void
berth_http_response_clear(berth_http_response *resp)
{
  free(resp->content_type);
  free(resp->www_authenticate);
  free(resp->docker_content_digest);
  free(resp->reason);
  free(resp->last_modified);
  free(resp->content_disposition);
  free(resp->location);
  free(resp->range);
  free(resp->body);
  memset(resp, 0, sizeof(*resp));
}

/* ---- TLS material ---- */

static bool
has_suffix(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n > m && strcmp(s + n - m, suffix) == 0;
}

static int
append_ca(berth_http_tls *tls, const char *dir, const char *name, berth_error **err)
{
  cleanup_free char *path = xasprintf("%s/%s", dir, name);
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (berth_read_file_at(AT_FDCWD, path, &data, &len, err) < 0)
    return -1;
  tls->ca_pem = xrealloc(tls->ca_pem, tls->ca_len + len + 2);
  memcpy(tls->ca_pem + tls->ca_len, data, len);
  tls->ca_len += len;
  tls->ca_pem[tls->ca_len++] = '\n';
  tls->ca_pem[tls->ca_len] = '\0';
  return 0;
}

/* A client certificate NAME.cert needs NAME.key next to it, and the other
 * way round, as Docker requires. */
static int
check_pair(const char *dir, const char *name, const char *have, const char *want, berth_error **err)
{
  size_t base = strlen(name) - strlen(have);
  cleanup_free char *other = xasprintf("%s/%.*s%s", dir, (int)base, name, want);
  if (access(other, R_OK) < 0)
    return berth_registry_error_set(err, ENOENT, "missing %s for %s %s/%s",
                                    strcmp(want, ".key") == 0 ? "key" : "client certificate",
                                    have + 1, dir, name);
  return 0;
}

/* Reads the certs.d directory of one registry; its files are trusted
 * (root-owned configuration), only their names are matched. */
int
berth_http_tls_load(berth_http_tls *tls, const char *dir, berth_error **err)
{
  cleanup_dir DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT || errno == ENOTDIR ? 0 : berth_error_set(err, errno, "open %s", dir);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    const char *n = de->d_name;
    if (has_suffix(n, ".crt") && append_ca(tls, dir, n, err) < 0)
      return -1;
    if (has_suffix(n, ".key") && check_pair(dir, n, ".key", ".cert", err) < 0)
      return -1;
    if (has_suffix(n, ".cert") && tls->client_cert == NULL) {
      if (check_pair(dir, n, ".cert", ".key", err) < 0)
        return -1;
      tls->client_cert = xasprintf("%s/%s", dir, n);
      tls->client_key = xasprintf("%s/%.*s.key", dir, (int)(strlen(n) - 5), n);
    }
  }
  return 0;
}

void
berth_http_tls_clear(berth_http_tls *tls)
{
  free(tls->ca_pem);
  free(tls->client_cert);
  free(tls->client_key);
  memset(tls, 0, sizeof(*tls));
}

/* ---- one transfer ---- */

struct xfer {
  const berth_http_request *req;
  berth_http_response *resp;
  size_t cap;
  size_t max_body;
  berth_error *sink_err;
  bool sink_failed;
  bool too_large;
  int64_t sent; /* upload bytes handed to curl */
};

static char *
trimmed_dup(const char *s, size_t n)
{
  while (n > 0 && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while (n > 0 && isspace((unsigned char)s[n - 1]))
    n--;
  return xstrndup(s, n);
}

static void
reset_headers(berth_http_response *resp)
{
  free(resp->content_type);
  free(resp->www_authenticate);
  free(resp->docker_content_digest);
  free(resp->reason);
  free(resp->last_modified);
  free(resp->content_disposition);
  free(resp->location);
  free(resp->range);
  resp->location = resp->range = NULL;
  resp->content_length = -1;
  resp->content_type = resp->www_authenticate = resp->docker_content_digest = NULL;
  resp->reason = resp->last_modified = resp->content_disposition = NULL;
}

/* Each header line of each response (redirects included) from the server:
 * untrusted, only a few names are kept. */
static size_t
on_header(char *line, size_t size, size_t nitems, void *userdata)
{
  struct xfer *x = userdata;
  size_t n = size * nitems;
  if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
    const char *sp = memchr(line, ' ', n);
    x->resp->status = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
    reset_headers(x->resp);
    const char *sp2 = sp != NULL ? memchr(sp + 1, ' ', n - (size_t)(sp + 1 - line)) : NULL;
    if (sp2 != NULL)
      x->resp->reason = trimmed_dup(sp2 + 1, n - (size_t)(sp2 + 1 - line));
    return n;
  }
  const char *colon = memchr(line, ':', n);
  if (colon == NULL)
    return n;
  size_t name_len = (size_t)(colon - line);
  cleanup_free char *value = trimmed_dup(colon + 1, n - name_len - 1);
  if (name_len == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
    free(x->resp->content_type);
    x->resp->content_type = steal_pointer(&value);
  } else if (name_len == 21 && strncasecmp(line, "Docker-Content-Digest", 21) == 0) {
    free(x->resp->docker_content_digest);
    x->resp->docker_content_digest = steal_pointer(&value);
  } else if (name_len == 13 && strncasecmp(line, "Last-Modified", 13) == 0) {
    free(x->resp->last_modified);
    x->resp->last_modified = steal_pointer(&value);
  } else if (name_len == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
    free(x->resp->content_disposition);
    x->resp->content_disposition = steal_pointer(&value);
  } else if (name_len == 8 && strncasecmp(line, "Location", 8) == 0) {
    free(x->resp->location);
    x->resp->location = steal_pointer(&value);
  } else if (name_len == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    x->resp->content_length = errno == 0 && *end == '\0' && v >= 0 && end != value ? v : -1;
  } else if (name_len == 5 && strncasecmp(line, "Range", 5) == 0) {
    free(x->resp->range);
    x->resp->range = steal_pointer(&value);
  } else if (name_len == 16 && strncasecmp(line, "WWW-Authenticate", 16) == 0) {
    char *old = x->resp->www_authenticate;
    x->resp->www_authenticate = old ? xasprintf("%s, %s", old, value) : steal_pointer(&value);
    free(old);
  }
  return n;
}

/* Buffers a body up to max_body; returns how much of data was consumed. */
static size_t
buffer_body(struct xfer *x, const char *data, size_t n, bool is_2xx)
{
  berth_http_response *r = x->resp;
  size_t keep = n, room = x->max_body - r->len;
  if (n > room) {
    if (is_2xx) {
      x->too_large = true;
      return 0;
    }
    keep = room; /* an error body: keep its start, drop the rest */
  }
  if (r->len + keep + 1 > x->cap) {
    x->cap = (r->len + keep + 1) * 2;
    if (x->cap > x->max_body + 1)
      x->cap = x->max_body + 1;
    r->body = xrealloc(r->body, x->cap);
  }
  memcpy(r->body + r->len, data, keep);
  r->len += keep;
  r->body[r->len] = '\0';
  return n;
}

/* Body bytes of the final response (curl skips the bodies of redirects it
 * follows): streamed to on_data for a 2xx, else buffered. */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
  struct xfer *x = userdata;
  size_t n = size * nmemb;
  bool is_2xx = x->resp->status >= 200 && x->resp->status < 300;
  if (is_2xx && x->req->on_data != NULL) {
    if (x->req->on_data(x->req->ctx, data, n, &x->sink_err) < 0) {
      x->sink_failed = true;
      return 0;
    }
    x->resp->body_bytes += (int64_t)n;
    return n;
  }
  return buffer_body(x, data, n, is_2xx);
}

/* A curl_easy_setopt() result: an option berth relies on (the URL, the
 * protocols allowed, TLS verification and CAs, the callbacks) that libcurl
 * refuses must fail the request, never be dropped. */
static int
setopt_result(CURLcode code, const char *option, berth_error **err)
{
  if (code == CURLE_OK)
    return 0;
  return berth_error_set(err, 0, "libcurl refused %s: %s", option,
                         berth_curl()->easy_strerror(code));
}

#define SETOPT(c, option, value, err)                                                              \
  setopt_result(berth_curl()->easy_setopt((c), (option), (value)), #option, (err))

/* Tuning only (user agent, timeouts, keepalive, buffer size): a libcurl that
 * refuses one (an older or differently built one) still makes a correct
 * request with its default, so the result is ignored on purpose. */
#define TUNE(c, option, value) ((void)berth_curl()->easy_setopt((c), (option), (value)))

static int
set_tls(CURL *c, const berth_http_tls *tls, berth_error **err)
{
  if (tls == NULL)
    return 0;
  if (SETOPT(c, CURLOPT_SSL_VERIFYPEER, tls->verify ? 1L : 0L, err) < 0
      || SETOPT(c, CURLOPT_SSL_VERIFYHOST, tls->verify ? 2L : 0L, err) < 0)
    return -1;
  if (tls->ca_pem != NULL) {
    struct curl_blob blob = { .data = tls->ca_pem, .len = tls->ca_len, .flags = CURL_BLOB_COPY };
    if (SETOPT(c, CURLOPT_CAINFO_BLOB, &blob, err) < 0
        || SETOPT(c, CURLOPT_CAPATH, SYSTEM_CA_PATH, err) < 0) /* keep the system store too */
      return -1;
  }
  if (tls->client_cert != NULL
      && (SETOPT(c, CURLOPT_SSLCERT, tls->client_cert, err) < 0
          || SETOPT(c, CURLOPT_SSLKEY, tls->client_key, err) < 0))
    return -1;
  return 0;
}

/* The body of a POST or PUT, from memory or from a file. */
static size_t
on_read(char *buf, size_t size, size_t nitems, void *userdata)
{
  struct xfer *x = userdata;
  const berth_http_request *req = x->req;
  size_t want = size * nitems;
  int64_t left = req->upload_len - x->sent;
  if (left <= 0)
    return 0;
  if ((int64_t)want > left)
    want = (size_t)left;
  if (req->upload_data != NULL) {
    memcpy(buf, (const char *)req->upload_data + x->sent, want);
  } else {
    ssize_t n;
    do
      n = read(req->upload_fd, buf, want);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
      return CURL_READFUNC_ABORT;
    want = (size_t)n;
  }
  x->sent += (int64_t)want;
  return want;
}

static int
set_method(CURL *c, const berth_http_request *req, struct xfer *x, berth_error **err)
{
  const char *m = req->method;
  if (m == NULL || strcmp(m, "GET") == 0)
    return 0;
  if (strcmp(m, "HEAD") == 0)
    return SETOPT(c, CURLOPT_NOBODY, 1L, err);
  if (SETOPT(c, CURLOPT_UPLOAD, 1L, err) < 0 || SETOPT(c, CURLOPT_READFUNCTION, on_read, err) < 0
      || SETOPT(c, CURLOPT_READDATA, x, err) < 0
      || SETOPT(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->upload_len, err) < 0)
    return -1;
  return strcmp(m, "PUT") == 0 ? 0 : SETOPT(c, CURLOPT_CUSTOMREQUEST, m, err);
}

static int
set_options(CURL *c, const berth_http_request *req, struct curl_slist *headers, struct xfer *x,
            char *errbuf, berth_error **err)
{
  /* What the request relies on; the first option libcurl refuses fails it. */
  if (SETOPT(c, CURLOPT_ERRORBUFFER, errbuf, err) < 0 || SETOPT(c, CURLOPT_URL, req->url, err) < 0
      || SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https", err) < 0
      || SETOPT(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https", err) < 0
      || SETOPT(c, CURLOPT_NOSIGNAL, 1L, err) < 0 /* berth pulls from many threads */
      || SETOPT(c, CURLOPT_HTTPHEADER, headers, err) < 0
      || SETOPT(c, CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L, err) < 0
      || SETOPT(c, CURLOPT_MAXREDIRS, 10L, err) < 0
      || (req->noproxy != NULL && SETOPT(c, CURLOPT_NOPROXY, req->noproxy, err) < 0)
      || SETOPT(c, CURLOPT_HEADERFUNCTION, on_header, err) < 0
      || SETOPT(c, CURLOPT_HEADERDATA, x, err) < 0
      || SETOPT(c, CURLOPT_WRITEFUNCTION, on_body, err) < 0
      || SETOPT(c, CURLOPT_WRITEDATA, x, err) < 0)
    return -1;
  TUNE(c, CURLOPT_USERAGENT, "berth/0.1");
  TUNE(c, CURLOPT_CONNECTTIMEOUT, 30L);
  TUNE(c, CURLOPT_LOW_SPEED_LIMIT, 1024L); /* abort a transfer stalled */
  TUNE(c, CURLOPT_LOW_SPEED_TIME, 60L);    /* under 1 KiB/s for a minute */
  TUNE(c, CURLOPT_TCP_KEEPALIVE, 1L);
  TUNE(c, CURLOPT_TCP_KEEPIDLE, 30L);
  TUNE(c, CURLOPT_TCP_KEEPINTVL, 15L);
  TUNE(c, CURLOPT_BUFFERSIZE, (long)RECV_BUFFER);
  if (set_method(c, req, x, err) < 0)
    return -1;
  return set_tls(c, req->tls, err);
}

static const char *
curl_message(CURLcode code, const char *errbuf)
{
  return errbuf[0] != '\0' ? errbuf : berth_curl()->easy_strerror(code);
}

static bool
is_tls_error(CURLcode code)
{
  switch (code) {
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CLIENTCERT:
    return true;
  default:
    return false;
  }
}

/* Failures of the connection itself that another try may not meet.  A
 * refused connection is not one: nothing listens there. */
static bool
transient(CURLcode code)
{
  switch (code) {
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_PARTIAL_FILE:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING:
    return true;
  default:
    return false;
  }
}

/* Words a failed transfer as Docker does and picks its errnum. */
static int
transport_error(CURL *c, CURLcode code, const char *errbuf, const char *url, struct xfer *x,
                berth_error **err)
{
  if (x->sink_failed)
    return berth_error_replace(err, &x->sink_err);
  /* Go's words: "Get", "Put", "Patch", … */
  const char *m = x->req->method != NULL ? x->req->method : "GET";
  char verb[8] = "";
  for (size_t i = 0; m[i] != '\0' && i + 1 < sizeof verb; i++)
    verb[i] = i == 0 ? m[i] : (char)tolower((unsigned char)m[i]);
  if (x->too_large)
    return berth_registry_error_set(err, EPROTO, "%s \"%s\": response body larger than %zu bytes",
                                    verb, url, x->max_body);
  long os_errno = 0;
  berth_curl()->easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
  const char *msg = curl_message(code, errbuf);
  switch (code) {
  case CURLE_COULDNT_CONNECT:
    return berth_error_set(err, os_errno ? (int)os_errno : ECONNREFUSED, "%s \"%s\": connect", verb,
                           url);
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return berth_registry_error_set(err, EHOSTUNREACH, "%s \"%s\": dial tcp: %s", verb, url, msg);
  case CURLE_OPERATION_TIMEDOUT:
    return berth_registry_error_set(err, ETIMEDOUT, "%s \"%s\": timeout: %s", verb, url, msg);
  case CURLE_PARTIAL_FILE:
    return berth_registry_error_set(err, EPROTO, "%s \"%s\": unexpected EOF", verb, url);
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING:
    return berth_registry_error_set(err, os_errno ? (int)os_errno : ECONNRESET, "%s \"%s\": %s",
                                    verb, url, msg);
  case CURLE_TOO_MANY_REDIRECTS:
  case CURLE_WEIRD_SERVER_REPLY:
    return berth_registry_error_set(err, EPROTO, "%s \"%s\": %s", verb, url, msg);
  default:
    if (is_tls_error(code))
      return berth_registry_error_set(err, EPROTO, "%s \"%s\": tls: %s", verb, url, msg);
    return berth_registry_error_set(err, EIO, "%s \"%s\": %s", verb, url, msg);
  }
}

static struct curl_slist *
add_header(struct curl_slist *list, const char *name, const char *value)
{
  if (value == NULL)
    return list;
  cleanup_free char *h = xasprintf("%s: %s", name, value);
  struct curl_slist *l = berth_curl()->slist_append(list, h);
  if (l == NULL)
    abort();
  return l;
}

int
berth_http_get(CURL *curl, const berth_http_request *req, berth_http_response *resp,
               berth_error **err)
{
  memset(resp, 0, sizeof(*resp));
  resp->content_length = -1;
  struct xfer x
      = { .req = req, .resp = resp, .max_body = req->max_body ? req->max_body : DEFAULT_MAX_BODY };
  struct curl_slist *headers = add_header(NULL, "Authorization", req->authorization);
  headers = add_header(headers, "Accept", req->accept);
  headers = add_header(headers, "Content-Type", req->content_type);
  headers = add_header(headers, "Content-Range", req->content_range);
  if (req->method != NULL && strcmp(req->method, "HEAD") != 0 && strcmp(req->method, "GET") != 0) {
    /* "Expect:" with no value: no 100-continue round trip before a body */
    headers = berth_curl()->slist_append(headers, "Expect:");
    if (headers == NULL)
      abort();
  }
  cleanup_free char *range = NULL;
  if (req->resume_at != NULL && *req->resume_at > 0) {
    range = xasprintf("bytes=%lld-", (long long)*req->resume_at);
    headers = add_header(headers, "Range", range);
    resp->range_from = *req->resume_at;
  }
  char errbuf[CURL_ERROR_SIZE] = "";
  berth_curl()->easy_reset(curl); /* keeps the connection cache */
  if (set_options(curl, req, headers, &x, errbuf, err) < 0) {
    berth_curl()->easy_reset(curl); /* drops the pointers to headers and errbuf */
    berth_curl()->slist_free_all(headers);
    return berth_error_prefix(err, "Get \"%s\"", req->url);
  }
  CURLcode code = berth_curl()->easy_perform(curl);
  /* Clearing pointers to data that dies here: setting NULL cannot fail for
   * these options, and easy_reset() before the next transfer drops them too. */
  (void)berth_curl()->easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
  (void)berth_curl()->easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
  berth_curl()->slist_free_all(headers);
  if (code == CURLE_OK) {
    berth_error_free(x.sink_err);
    return 0;
  }
  resp->transport_error = !x.sink_failed && !x.too_large && resp->status == 0;
  resp->retryable = !x.sink_failed && !x.too_large && transient(code);
  int r = transport_error(curl, code, errbuf, req->url, &x, err);
  berth_error_free(x.sink_err);
  return r;
}

/* The server's error body as one line: control bytes (newlines too)
 * become spaces, at most 512 bytes, trimmed, as Docker's TrimSpace. */
static char *
one_line(const char *b, size_t n)
{
  if (b == NULL)
    return xstrdup("");
  while (n > 0 && (b[0] == ' ' || (unsigned char)b[0] < 0x20)) {
    b++;
    n--;
  }
  while (n > 0 && (b[n - 1] == ' ' || (unsigned char)b[n - 1] < 0x20))
    n--;
  if (n > 512)
    n = 512;
  char *s = xstrndup(b, n);
  for (char *p = s; *p != '\0'; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = ' ';
  return s;
}

int
berth_http_status_error(const char *url, const berth_http_response *resp, berth_error **err)
{
  cleanup_free char *body = one_line(resp->body, resp->len);
  return berth_error_set(err, 0, "failed to GET %s with status %ld%s%s: %s", url, resp->status,
                         resp->reason && resp->reason[0] ? " " : "",
                         resp->reason ? resp->reason : "", body);
}
