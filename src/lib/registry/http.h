/* A thin libcurl wrapper for the registry client: one GET on a caller-owned
 * easy handle (handles are pooled by the caller so connections are kept
 * alive), large receive buffers, TLS from the system store plus certs.d,
 * proxies from the environment except for loopback, and transport errors
 * worded as Docker words them (`Get "URL": connect: Connection refused`). */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* TLS material of one registry, loaded once from its certs.d directory. */
typedef struct berth_http_tls {
  bool verify;  /* verify the peer (false for insecure registries) */
  char *ca_pem; /* every *.crt of the certs.d dir, concatenated, or NULL */
  size_t ca_len;
  char *client_cert; /* path of a *.cert, or NULL */
  char *client_key;  /* path of the matching *.key */
} berth_http_tls;

/* Loads *.crt, *.cert and *.key from dir (a missing dir is fine). */
int berth_http_tls_load(berth_http_tls *tls, const char *dir, berth_error **err);
void berth_http_tls_clear(berth_http_tls *tls);

/* Receives the body of a 2xx response as it arrives; -1 (with err set)
 * aborts the transfer. */
typedef int (*berth_http_data_fn)(void *ctx, const void *data, size_t len, berth_error **err);

typedef struct berth_http_request {
  const char *url;
  const char *authorization; /* whole Authorization header value, or NULL */
  const char *accept;        /* Accept header value, or NULL */
  const berth_http_tls *tls; /* NULL = verify with the system store */
  const char *noproxy;       /* CURLOPT_NOPROXY value */
  bool follow_redirects;
  size_t max_body;            /* cap for buffered bodies (0 = 64 KiB) */
  berth_http_data_fn on_data; /* streams 2xx bodies when set; else they are buffered */
  void *ctx;
  const int64_t *resume_at; /* when set and > 0: ask for the body from there (Range) */
  /* Other requests than GET (push): method "HEAD", "POST", "PUT"; a POST or
   * PUT sends upload_len bytes, from upload_data, or from upload_fd (read
   * from its current offset) when upload_data is NULL. */
  const char *method; /* NULL = GET */
  const char *content_type;
  const char *content_range; /* a PATCH chunk's "FROM-TO" (inclusive), or NULL */
  const void *upload_data;
  int upload_fd;
  int64_t upload_len;
} berth_http_request;

typedef struct berth_http_response {
  long status;
  char *content_type;
  char *www_authenticate; /* every WWW-Authenticate header joined with ", " */
  char *docker_content_digest;
  char *reason;              /* the status line's reason phrase ("Not Found"), or NULL */
  char *last_modified;       /* Last-Modified, or NULL (ADD of a URL) */
  char *content_disposition; /* Content-Disposition, or NULL (ADD of a URL) */
  char *location;            /* Location, or NULL (blob uploads) */
  char *range;               /* Range, or NULL (an upload's "0-N": bytes it holds) */
  int64_t content_length;    /* Content-Length, or -1 (a blob's size, for a HEAD) */
  char *body;                /* buffered body (NUL-terminated), or NULL */
  size_t len;
  bool transport_error; /* set when perform failed before an HTTP status arrived */
  int64_t range_from;   /* the Range start asked for (0: none) */
  int64_t body_bytes;   /* bytes of a 2xx body handed to on_data so far */
  bool retryable;       /* the connection failed in a way another try may not (reset,
                           timeout, cut short), and not because of what was received */
} berth_http_response;

void berth_http_response_clear(berth_http_response *resp);

/* A new easy handle; libcurl must be loaded (berth_curl_load). */
CURL *berth_http_handle_new(void);

/* The NOPROXY list: $NO_PROXY/$no_proxy plus loopback. */
char *berth_http_noproxy(void);

/* Performs a GET (or req->method).  Returns 0 once any HTTP status arrived (the caller judges
 * it), -1 on a transport error, an aborting on_data, or a 2xx body over
 * max_body when buffering.  resp is filled either way. */
int berth_http_get(CURL *curl, const berth_http_request *req, berth_http_response *resp,
                   berth_error **err);

/* Docker's error for a GET of a URL (ADD, import) answered with status >=
 * 400: "failed to GET URL with status 404 Not Found: BODY", the body
 * (untrusted) as one line: control bytes become spaces, at most 512 bytes,
 * trimmed.  Returns -1. */
int berth_http_status_error(const char *url, const berth_http_response *resp, berth_error **err);
