/* Blob uploads of push: HEAD to skip what the repository has, then POST
 * and one monolithic PUT ?digest=. */
#include "push/blob.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "registry/errors.h"

static void
response_cleanup(berth_http_response *r)
{
  berth_http_response_clear(r);
}
#define cleanup_response __attribute__((cleanup(response_cleanup)))

/* The registry's answer to a failed step, as an error naming the blob. */
static int
refused(const berth_http_response *resp, const char *digest, berth_error **err)
{
  berth_registry_error_from_auth_response(resp->status, resp->www_authenticate, resp->body,
                                          resp->len, err);
  return berth_error_prefix(err, "blob %s", digest);
}

int
push_blob_exists(berth_registry *r, const char *digest, berth_error **err)
{
  int64_t size;
  return push_blob_stat(r, digest, &size, err);
}

int
push_blob_stat(berth_registry *r, const char *digest, int64_t *size, berth_error **err)
{
  cleanup_free char *path = xasprintf("/v2/%s/blobs/%s", berth_registry_repository(r), digest);
  berth_http_request hr = { .method = "HEAD" };
  cleanup_response berth_http_response resp;
  if (berth_registry_send(r, path, &hr, &resp, err) < 0)
    return berth_error_prefix(err, "blob %s", digest);
  *size = resp.content_length;
  if (resp.status == 200)
    return 1;
  if (resp.status == 404)
    return 0;
  return refused(&resp, digest, err);
}

/* location comes from the registry: an absolute URL or a path, with or
 * without a query of its own. */
int
push_blob_upload(berth_registry *r, const char *digest, const void *data, int fd, int64_t len,
                 berth_error **err)
{
  cleanup_free char *path = xasprintf("/v2/%s/blobs/uploads/", berth_registry_repository(r));
  berth_http_request post = { .method = "POST" };
  cleanup_response berth_http_response started;
  if (berth_registry_send(r, path, &post, &started, err) < 0)
    return berth_error_prefix(err, "blob %s", digest);
  if (started.status != 202)
    return refused(&started, digest, err);
  if (started.location == NULL || started.location[0] == '\0')
    return berth_error_set(err, EPROTO, "blob %s: the registry gave no upload location", digest);
  cleanup_free char *put_url = xasprintf("%s%cdigest=%s", started.location,
                                         strchr(started.location, '?') ? '&' : '?', digest);
  berth_http_request put = {
    .method = "PUT",
    .content_type = "application/octet-stream",
    .upload_data = data,
    .upload_fd = fd,
    .upload_len = len,
  };
  cleanup_response berth_http_response done;
  if (berth_registry_send(r, put_url, &put, &done, err) < 0)
    return berth_error_prefix(err, "blob %s", digest);
  if (done.status != 201)
    return refused(&done, digest, err);
  return 0;
}

int
push_blob_mount(berth_registry *r, const char *digest, const char *from, berth_error **err)
{
  cleanup_free char *path = xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s",
                                      berth_registry_repository(r), digest, from);
  berth_http_request post = { .method = "POST" };
  cleanup_response berth_http_response resp;
  if (berth_registry_send(r, path, &post, &resp, err) < 0)
    return berth_error_prefix(err, "blob %s", digest);
  if (resp.status == 201)
    return 1;
  /* 202: the registry started an upload instead (it will purge it); any
   * other answer: no mount, and the upload that follows reports it. */
  return 0;
}

int
push_manifest_put(berth_registry *r, const char *reference, const char *type, const char *data,
                  size_t len, berth_error **err)
{
  cleanup_free char *path
      = xasprintf("/v2/%s/manifests/%s", berth_registry_repository(r), reference);
  berth_http_request hr = {
    .method = "PUT",
    .content_type = type,
    .upload_data = data,
    .upload_len = (int64_t)len,
  };
  berth_http_response resp;
  int rc = berth_registry_send(r, path, &hr, &resp, err);
  if (rc == 0 && resp.status != 201 && resp.status != 200)
    rc = berth_registry_error_from_response(resp.status, resp.body, resp.len, err);
  berth_http_response_clear(&resp);
  return rc < 0 ? berth_error_prefix(err, "manifest %s", reference) : 0;
}
