/* Relay of a blob from its source registry to the push target: a reader
 * thread GETs it from the source into one end of a socket pair, the upload
 * PUTs what comes out of the other end.  A socket pair rather than a pipe so
 * that the writer gets EPIPE (MSG_NOSIGNAL), not SIGPIPE, when the upload
 * stops early. */
#include "push/relay.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "push/blob.h"
#include "reference/reference.h"
#include "registry/errors.h"
#include "store/distribution.h"

static void
registry_cleanup(berth_registry **r)
{
  berth_registry_free(*r);
}
#define cleanup_registry __attribute__((cleanup(registry_cleanup)))

struct reader {
  berth_registry *src;
  const berth_descriptor *blob;
  int fd;
  berth_error *err;
};

static int
to_socket(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct reader *rd = ctx;
  for (size_t off = 0; off < len;) {
    ssize_t n = send(rd->fd, (const char *)data + off, len - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return berth_error_set(err, errno, "relay the blob");
    off += (size_t)n;
  }
  return 0;
}

static void *
read_source(void *arg)
{
  struct reader *rd = arg;
  berth_registry_get_blob(rd->src, rd->blob->digest, rd->blob->size, to_socket, rd, &rd->err);
  /* The end of the stream, or its cut: the upload sees EOF either way, and
   * a short body never completes (the target checks length and digest). */
  shutdown(rd->fd, SHUT_WR);
  return NULL;
}

/* The upload side: POST, then one PUT ?digest= streamed from fd. */
static int
upload_from(berth_registry *r, const berth_descriptor *blob, int fd, berth_error **err)
{
  cleanup_free char *path = xasprintf("/v2/%s/blobs/uploads/", berth_registry_repository(r));
  berth_http_request post = { .method = "POST" };
  berth_http_response started;
  if (berth_registry_send(r, path, &post, &started, err) < 0)
    return -1;
  int rc = 0;
  if (started.status != 202 || started.location == NULL || started.location[0] == '\0')
    rc = berth_registry_error_from_response(started.status, started.body, started.len, err);
  cleanup_free char *url = rc < 0
                               ? NULL
                               : xasprintf("%s%cdigest=%s", started.location,
                                           strchr(started.location, '?') ? '&' : '?', blob->digest);
  berth_http_response_clear(&started);
  if (rc < 0)
    return -1;
  berth_http_request put = {
    .method = "PUT",
    .content_type = "application/octet-stream",
    .upload_fd = fd,
    .upload_len = blob->size,
  };
  berth_http_response done;
  rc = berth_registry_send(r, url, &put, &done, err);
  if (rc == 0 && done.status != 201)
    rc = berth_registry_error_from_response(done.status, done.body, done.len, err);
  berth_http_response_clear(&done);
  return rc;
}

/* One source: 1 relayed, 0 it had not the blob or failed to give it, -1
 * the target refused. */
static int
relay_from(berth_registry *src, berth_registry *target, const berth_descriptor *blob,
           berth_error **err)
{
  cleanup_error berth_error *probe = NULL;
  if (push_blob_exists(src, blob->digest, &probe) != 1)
    return 0;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return berth_error_set(err, errno, "socketpair");
  struct reader rd = { .src = src, .blob = blob, .fd = sv[1] };
  pthread_t t;
  int terr = pthread_create(&t, NULL, read_source, &rd);
  if (terr != 0) {
    close(sv[0]);
    close(sv[1]);
    return berth_error_set(err, terr, "start the relay");
  }
  cleanup_error berth_error *up = NULL;
  int rc = upload_from(target, blob, sv[0], &up);
  /* Stops a reader the upload left behind (EPIPE on its next send). */
  shutdown(sv[0], SHUT_RDWR);
  pthread_join(t, NULL);
  close(sv[0]);
  close(sv[1]);
  if (rd.err != NULL) { /* the source failed: another source, or compress */
    berth_error_free(rd.err);
    return 0;
  }
  if (rc < 0) {
    berth_error_propagate(err, &up);
    return berth_error_prefix(err, "blob %s", blob->digest);
  }
  return 1;
}

/* The store's v2metadata is berth's own record, but its repository names
 * are checked against the reference grammar before any request. */
int
push_relay_blob(berth_store *s, berth_registry *target, const char *diff_id,
                const berth_descriptor *blob, const char *target_domain,
                const berth_registry_options *opts, berth_error **err)
{
  cleanup_json json_t *list = berth_store_v2metadata(s, diff_id, err);
  if (list == NULL)
    return err != NULL && *err != NULL ? -1 : 0;
  berth_registry_options ropts = opts != NULL ? *opts : (berth_registry_options){ 0 };
  ropts.actions = "pull";
  for (size_t i = json_array_size(list); i-- > 0;) {
    json_t *e = json_array_get(list, i);
    const char *d = json_string_value(json_object_get(e, "Digest"));
    const char *repo = json_string_value(json_object_get(e, "SourceRepository"));
    if (d == NULL || repo == NULL || strcmp(d, blob->digest) != 0)
      continue;
    cleanup_error berth_error *perr = NULL;
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(repo, &perr);
    if (ref == NULL || ref->tag != NULL || ref->digest != NULL
        || strcmp(ref->domain, target_domain) == 0)
      continue; /* the same registry: mounted, or not there (reuse_layer) */
    cleanup_registry berth_registry *src
        = berth_registry_new(ref->domain, ref->path, &ropts, &perr);
    if (src == NULL)
      continue;
    int rc = relay_from(src, target, blob, err);
    if (rc != 0)
      return rc;
  }
  return 0;
}
