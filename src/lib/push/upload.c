/* Blob uploads of push that make the blob while they send it: see upload.h.
 *
 * The chunk is 4 MiB.  Below it, a blob is whole in memory when it ends, so
 * its digest is known before any request: a HEAD can skip it and one PUT
 * sends it (two requests, not POST + PATCH + PUT); a config and most small
 * layers are such.  Above it, each PATCH costs a round trip and a write on
 * the registry's side, which at 4 MiB is small beside the bytes (a few ms
 * on loopback), and a failed chunk is at most 4 MiB sent again; the memory
 * is one chunk per upload running (two at once, see push.c), well inside
 * push's 32 MB. */
#include "push/upload.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "push/blob.h"
#include "registry/errors.h"

struct up {
  berth_registry *r;
  const push_upload_opts *o;
  /* The upload on the registry: kept across passes. */
  char *location; /* where the next request goes (path or URL); NULL before the POST */
  int64_t have;   /* bytes the registry holds of it */
  int failures;   /* requests that failed in passing, for this blob */
  int passes;     /* times the blob was made */
  /* This pass. */
  berth_sha256 *hash;
  int64_t total;      /* bytes made so far */
  unsigned char *buf; /* bytes [buf_start, buf_start + buf_len) of the blob, not yet sent */
  size_t buf_len;
  int64_t buf_start;
  bool again;                    /* the pass stopped: the registry needs bytes no longer in hand */
  char digest[BERTH_DIGEST_LEN]; /* "" until the end of the pass */
};

static void
response_cleanup(berth_http_response *r)
{
  berth_http_response_clear(r);
}
#define cleanup_response __attribute__((cleanup(response_cleanup)))

static int
name_it(struct up *u, berth_error **err)
{
  if (u->digest[0] != '\0')
    return berth_error_prefix(err, "blob %s", u->digest);
  return berth_error_prefix(err, "%s", u->o->name);
}

/* A failure another try may not meet: the connection broke in passing, or
 * the registry said to come back (as pull judges a GET). */
static bool
transient(int rc, const berth_http_response *resp)
{
  if (rc < 0)
    return resp->retryable;
  return resp->status == 408 || resp->status == 429 || resp->status == 500 || resp->status == 502
         || resp->status == 503 || resp->status == 504;
}

static void
wait_to_retry(struct up *u)
{
  unsigned first = u->o->first_delay_ms ? u->o->first_delay_ms : 1000;
  long long ms = (long long)first << (u->failures - 1);
  for (long long left = ms; left > 0; left -= 1000) {
    if (u->o->on_retry != NULL)
      u->o->on_retry(u->o->retry_ctx, (int)((left + 999) / 1000));
    long long step = left < 1000 ? left : 1000;
    struct timespec ts = { step / 1000, (step % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
  }
}

/* After a request that did not do what it should (rc and resp as
 * berth_registry_send left them, e its transport error): 0 when another
 * try is due, after the wait; -1 with *err naming the blob when not. */
static int
failed(struct up *u, int rc, const berth_http_response *resp, berth_error **e, berth_error **err)
{
  if (rc == 0)
    berth_registry_error_from_auth_response(resp->status, resp->www_authenticate, resp->body,
                                            resp->len, e);
  if (!transient(rc, resp)) {
    berth_error_propagate(err, e);
    return name_it(u, err);
  }
  if (++u->failures >= PUSH_UPLOAD_ATTEMPTS) {
    berth_error_propagate(err, e);
    berth_error_prefix(err, "tried %d times", u->failures);
    return name_it(u, err);
  }
  berth_error_clear(e);
  wait_to_retry(u);
  return 0;
}

/* "0-N" (or "bytes=0-N"): the registry holds N + 1 bytes.  The registry's
 * words, checked; "0-0" is read as nothing held (distribution says it for
 * an empty upload). */
static bool
parse_range(const char *range, int64_t *have)
{
  if (range == NULL)
    return false;
  if (strncmp(range, "bytes=", 6) == 0)
    range += 6;
  if (strncmp(range, "0-", 2) != 0 || range[2] < '0' || range[2] > '9')
    return false;
  char *end;
  errno = 0;
  long long last = strtoll(range + 2, &end, 10);
  if (errno != 0 || *end != '\0' || last < 0 || last == INT64_MAX)
    return false;
  *have = last == 0 ? 0 : last + 1;
  return true;
}

static void
set_location(struct up *u, const char *location)
{
  if (location == NULL || location[0] == '\0')
    return;
  free(u->location);
  u->location = xstrdup(location);
}

/* Asks the registry where the upload stands (GET of its Location).  An
 * upload it no longer knows, or will not say, starts over (a new POST). */
static void
query(struct up *u)
{
  if (u->location == NULL)
    return;
  berth_http_request hr = { .method = "GET" };
  cleanup_response berth_http_response resp;
  cleanup_error berth_error *e = NULL;
  int64_t have = 0;
  if (berth_registry_send(u->r, u->location, &hr, &resp, &e) == 0
      && (resp.status == 204 || resp.status == 200) && parse_range(resp.range, &have)) {
    u->have = have;
    set_location(u, resp.location);
    return;
  }
  free(u->location);
  u->location = NULL;
  u->have = 0;
}

/* POST …/blobs/uploads/: a new upload. */
static int
start(struct up *u, berth_error **err)
{
  cleanup_free char *path = xasprintf("/v2/%s/blobs/uploads/", berth_registry_repository(u->r));
  for (;;) {
    berth_http_request hr = { .method = "POST" };
    cleanup_response berth_http_response resp;
    cleanup_error berth_error *e = NULL;
    int rc = berth_registry_send(u->r, path, &hr, &resp, &e);
    if (rc == 0 && resp.status == 202) {
      if (resp.location == NULL || resp.location[0] == '\0') {
        berth_error_set(err, EPROTO, "the registry gave no upload location");
        return name_it(u, err);
      }
      set_location(u, resp.location);
      u->have = 0;
      return 0;
    }
    if (failed(u, rc, &resp, &e, err) < 0)
      return -1;
  }
}

/* Sees that the registry holds every byte up to the end of the buffer
 * (PATCHes from where it stands), then empties the buffer.  Bytes it needs
 * from before the buffer: u->again, and -1. */
static int
send_buffer(struct up *u, berth_error **err)
{
  for (;;) {
    if (u->location == NULL && start(u, err) < 0)
      return -1;
    int64_t end = u->buf_start + (int64_t)u->buf_len;
    if (u->have >= end) {
      u->buf_start = end;
      u->buf_len = 0;
      return 0;
    }
    if (u->have < u->buf_start) {
      if (++u->passes >= PUSH_UPLOAD_ATTEMPTS) {
        berth_error_set(err, EPROTO, "the registry keeps losing what it was sent");
        return name_it(u, err);
      }
      u->again = true;
      return berth_error_set(err, 0, "made again");
    }
    size_t from = (size_t)(u->have - u->buf_start);
    char range[48];
    snprintf(range, sizeof range, "%" PRId64 "-%" PRId64, u->have, end - 1);
    berth_http_request hr = {
      .method = "PATCH",
      .content_type = "application/octet-stream",
      .content_range = range,
      .upload_data = u->buf + from,
      .upload_len = (int64_t)(u->buf_len - from),
    };
    cleanup_response berth_http_response resp;
    cleanup_error berth_error *e = NULL;
    int rc = berth_registry_send(u->r, u->location, &hr, &resp, &e);
    if (rc == 0 && resp.status == 202) {
      set_location(u, resp.location);
      int64_t have;
      u->have = parse_range(resp.range, &have) ? have : end;
      continue;
    }
    if (rc == 0 && resp.status == 416) {
      /* It holds another length than asked from: ask it which, then go on. */
      if (++u->failures >= PUSH_UPLOAD_ATTEMPTS) {
        berth_error_set(err, EPROTO, "the registry refuses every chunk's range");
        return name_it(u, err);
      }
      query(u);
      continue;
    }
    if (failed(u, rc, &resp, &e, err) < 0)
      return -1;
    query(u);
  }
}

static int
sink(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct up *u = ctx;
  const unsigned char *p = data;
  berth_sha256_update(u->hash, p, len);
  int64_t before = u->total;
  u->total += (int64_t)len;
  if (u->buf_len == 0 && before < u->have) {
    /* Made again: what the registry holds is only hashed. */
    if (u->total <= u->have) {
      u->buf_start = u->total;
      return 0;
    }
    size_t skip = (size_t)(u->have - before);
    p += skip;
    len -= skip;
    u->buf_start = u->have;
  }
  while (len > 0) {
    size_t n = PUSH_UPLOAD_CHUNK - u->buf_len;
    if (n > len)
      n = len;
    memcpy(u->buf + u->buf_len, p, n);
    u->buf_len += n;
    p += n;
    len -= n;
    if (u->buf_len == PUSH_UPLOAD_CHUNK && send_buffer(u, err) < 0)
      return -1;
  }
  return 0;
}

static char *
with_digest(const char *location, const char *digest)
{
  return xasprintf("%s%cdigest=%s", location, strchr(location, '?') ? '&' : '?', digest);
}

/* One PUT ?digest= of the whole blob, on a new upload each try (a PUT is
 * all or nothing). */
static int
monolithic(struct up *u, const void *data, int64_t len, berth_error **err)
{
  for (;;) {
    if (u->location == NULL && start(u, err) < 0)
      return -1;
    cleanup_free char *url = with_digest(u->location, u->digest);
    berth_http_request hr = {
      .method = "PUT",
      .content_type = "application/octet-stream",
      .upload_data = data,
      .upload_len = len,
    };
    cleanup_response berth_http_response resp;
    cleanup_error berth_error *e = NULL;
    int rc = berth_registry_send(u->r, url, &hr, &resp, &e);
    if (rc == 0 && resp.status == 201)
      return 0;
    if (failed(u, rc, &resp, &e, err) < 0)
      return -1;
    free(u->location);
    u->location = NULL;
  }
}

/* The end of a pass: the last chunk and the PUT ?digest= that closes the
 * upload, or the whole blob in one PUT. */
static int
finish(struct up *u, bool *existed, berth_error **err)
{
  berth_sha256_final(u->hash, u->digest);
  if (u->location == NULL && u->buf_start == 0) {
    int has = push_blob_exists(u->r, u->digest, err);
    if (has != 0) {
      *existed = has == 1;
      return has < 0 ? -1 : 0;
    }
    return monolithic(u, u->buf, (int64_t)u->buf_len, err);
  }
  for (;;) {
    if (send_buffer(u, err) < 0)
      return -1;
    if (u->have != u->total) {
      berth_error_set(err, EPROTO, "the registry holds %" PRId64 " bytes of %" PRId64, u->have,
                      u->total);
      return name_it(u, err);
    }
    cleanup_free char *url = with_digest(u->location, u->digest);
    berth_http_request hr = { .method = "PUT", .content_type = "application/octet-stream" };
    cleanup_response berth_http_response resp;
    cleanup_error berth_error *e = NULL;
    int rc = berth_registry_send(u->r, url, &hr, &resp, &e);
    if (rc == 0 && resp.status == 201)
      return 0;
    if (failed(u, rc, &resp, &e, err) < 0)
      return -1;
    query(u);
  }
}

/* The producer's bytes are made here (trusted as the caller's); the
 * registry's answers (Location, Range) are checked before use. */
int
push_upload_stream(berth_registry *r, const push_upload_opts *o, push_produce_fn produce,
                   void *pctx, char digest[BERTH_DIGEST_LEN], int64_t *len, bool *existed,
                   berth_error **err)
{
  struct up u = { .r = r, .o = o, .buf = xmalloc(PUSH_UPLOAD_CHUNK) };
  *existed = false;
  int rc;
  for (;;) {
    u.hash = berth_sha256_new();
    u.total = 0;
    u.buf_len = 0;
    u.buf_start = 0;
    u.again = false;
    u.digest[0] = '\0';
    berth_error *e = NULL;
    rc = produce(pctx, sink, &u, &e);
    if (rc == 0)
      rc = finish(&u, existed, &e);
    berth_sha256_free(u.hash);
    u.hash = NULL;
    if (rc == 0 || !u.again) {
      if (rc < 0)
        berth_error_propagate(err, &e);
      break;
    }
    berth_error_free(e);
  }
  if (rc == 0) {
    memcpy(digest, u.digest, BERTH_DIGEST_LEN);
    *len = u.total;
  }
  free(u.buf);
  free(u.location);
  return rc;
}

int
push_upload_bytes(berth_registry *r, const push_upload_opts *o, const char *digest,
                  const void *data, int64_t len, berth_error **err)
{
  struct up u = { .r = r, .o = o };
  snprintf(u.digest, sizeof u.digest, "%s", digest);
  int rc = monolithic(&u, data, len, err);
  free(u.location);
  return rc;
}
