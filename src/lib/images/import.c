#include "images/import.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "archive/stream.h"
#include "archive/unpack.h"
#include "archive/unpack_from.h"
#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "image/change.h"
#include "image/container_config.h"
#include "image/platform.h"
#include "image/time.h"
#include "images/tag.h"
#include "reference/reference.h"
#include "registry/curl_api.h"
#include "registry/http.h"

/* The platform an import writes: --platform's, else the host's. */
struct platform {
  char *os, *arch, *variant;
};

static void
platform_clear(struct platform *p)
{
  free(p->os);
  free(p->arch);
  free(p->variant);
}

static int
platform_get(const char *want, struct platform *p, berth_error **err)
{
  cleanup_free char *host = berth_platform_host();
  if (berth_platform_parse(want != NULL ? want : host, &p->os, &p->arch, &p->variant, err) < 0)
    return -1;
  if (strcmp(p->os, "linux") != 0) /* Docker's words: only its own OS is imported */
    return berth_error_set(err, 0, "operating system is not supported");
  return 0;
}

static int
cmp_key(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The object member key of o with its members in byte order, as Go
 * encodes a map. */
static void
sort_members(json_t *o, const char *key)
{
  json_t *m = json_object_get(o, key);
  size_t n = json_object_size(m), i = 0;
  if (n < 2)
    return;
  cleanup_free const char **keys = xcalloc(n, sizeof *keys);
  const char *k;
  json_t *v;
  json_object_foreach(m, k, v) keys[i++] = k;
  qsort(keys, n, sizeof *keys, cmp_key);
  json_t *sorted = json_object();
  for (i = 0; i < n; i++)
    json_object_set(sorted, keys[i], json_object_get(m, keys[i]));
  json_object_set_new(o, key, sorted);
}

/* The Config of the -c changes (untrusted user input), as Docker's
 * dockerfile.BuildFromConfig of an empty one; NULL with err on a change
 * Docker's import refuses. */
static json_t *
changes_config(char *const *changes, berth_error **err)
{
  cleanup_json json_t *config = json_object();
  for (char *const *ch = changes; ch != NULL && *ch != NULL; ch++) {
    const char *p = *ch + strspn(*ch, " \t");
    /* commit's list less STOPSIGNAL, which Docker's import refuses */
    if (strncasecmp(p, "STOPSIGNAL", 10) == 0 && (p[10] == '\0' || strchr(" \t", p[10])))
      return berth_error_set(err, 0, "stopsignal is not a valid change command"), NULL;
    if (berth_config_apply_change(config, *ch, err) < 0)
      return NULL;
  }
  json_t *out = berth_container_config_json(config);
  static const char *const maps[] = { "ExposedPorts", "Volumes", "Labels" };
  for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
    sort_members(out, maps[i]);
  return out;
}

static char *
import_config(const char *diff_id, const char *created, const char *comment, json_t *config,
              const struct platform *p)
{
  cleanup_json json_t *c = json_object();
  json_object_set_new(c, "architecture", json_string(p->arch));
  json_object_set_new(c, "comment", json_string(comment));
  json_object_set_new(c, "config",
                      config != NULL ? json_incref(config) : berth_container_config_json(NULL));
  json_object_set_new(c, "container_config", berth_container_config_json(NULL));
  json_object_set_new(c, "created", json_string(created));
  json_t *h = json_object();
  json_object_set_new(h, "created", json_string(created));
  json_object_set_new(h, "comment", json_string(comment));
  json_object_set_new(c, "history", json_pack("[o]", h));
  json_object_set_new(c, "os", json_string(p->os));
  json_object_set_new(c, "rootfs",
                      json_pack("{s:s, s:[s]}", "type", "layers", "diff_ids", diff_id));
  if (p->variant != NULL)
    json_object_set_new(c, "variant", json_string(p->variant));
  return json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

char *
berth_import_config(const char *diff_id, const char *created, const char *comment)
{
  struct platform p = { 0 };
  berth_error *ignored = NULL;
  if (platform_get(NULL, &p, &ignored) < 0) { /* the host's always parses */
    berth_error_free(ignored);
    abort();
  }
  char *out = import_config(diff_id, created, comment, NULL, &p);
  platform_clear(&p);
  return out;
}

/* Where the tarball comes from: an fd, or a URL fetched while it unpacks. */
struct source {
  int fd;
  const char *url;
  const berth_import_options *opts;
};

struct url_sink {
  berth_write_fn write;
  void *wctx;
  const struct source *src;
  bool announced;
};

static void
announce(struct url_sink *k)
{
  if (!k->announced && k->src->opts->on_download != NULL)
    k->src->opts->on_download(k->src->opts->ctx, k->src->url);
  k->announced = true;
}

static int
url_data(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct url_sink *k = ctx;
  announce(k);
  return k->write(k->wctx, data, len, err);
}

static void
curl_cleanup(CURL **c)
{
  if (*c != NULL)
    berth_curl()->easy_cleanup(*c);
}

/* The body of the URL into the unpack (a berth_tar_producer, in its own
 * thread): the server is untrusted, its bytes go to the confined unpack. */
static int
produce_url(void *ctx, berth_write_fn write, void *wctx, berth_error **err)
{
  const struct source *src = ctx;
  __attribute__((cleanup(curl_cleanup))) CURL *curl = berth_http_handle_new();
  if (curl == NULL)
    return berth_error_set(err, ENOMEM, "curl");
  cleanup_free char *noproxy = berth_http_noproxy();
  struct url_sink k = { .write = write, .wctx = wctx, .src = src };
  berth_http_request req = {
    .url = src->url,
    .noproxy = noproxy,
    .follow_redirects = true,
    .on_data = url_data,
    .ctx = &k,
  };
  berth_http_response resp __attribute__((cleanup(berth_http_response_clear))) = { 0 };
  if (berth_http_get(curl, &req, &resp, err) < 0)
    return -1;
  if (resp.status >= 400)
    return berth_http_status_error(src->url, &resp, err);
  announce(&k); /* an empty body: the unpack says it is no tar */
  return 0;
}

/* Stages, unpacks and publishes the tarball as a bottom layer; *lock is the
 * writer lock taken for the publish, held until the image names the layer so
 * that a concurrent rmi cannot collect it. */
static int
import_layer(berth_store *s, const struct source *src, berth_layer *out, berth_store_lock **lock,
             berth_error **err)
{
  cleanup_layer_stage berth_layer_stage *st = berth_layer_stage_new(s, err);
  if (st == NULL)
    return -1;
  berth_unpack_result res;
  int fd = src->fd;
  int r = src->url != NULL
              ? berth_layer_unpack_from(produce_url, (void *)src, berth_layer_stage_diff_fd(st),
                                        berth_layer_stage_tarsplit_fd(st), &res, err)
              : berth_layer_unpack(berth_fd_read, &fd, berth_layer_stage_diff_fd(st),
                                   berth_layer_stage_tarsplit_fd(st), &res, err);
  if (r < 0)
    return berth_error_prefix(err, "import");
  *lock = berth_store_lock_acquire(s, err);
  if (*lock == NULL)
    return -1;
  return berth_layer_stage_publish(s, st, NULL, res.diff_id, res.size, out, err);
}

static int
import(berth_store *s, const struct source *src, char id_out[BERTH_DIGEST_LEN], berth_error **err)
{
  const berth_import_options *opts = src->opts;
  /* The message becomes a JSON string in the config: refuse bytes that are
   * not UTF-8 before reading anything, rather than drop the comment; the
   * name, changes and platform too. */
  if (berth_utf8_check(opts->message, "\"-m, --message\" flag", err) < 0)
    return -1;
  if (opts->ref != NULL) {
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(opts->ref, err);
    if (ref == NULL)
      return -1;
  }
  cleanup_json json_t *config = NULL;
  if (opts->changes != NULL && (config = changes_config(opts->changes, err)) == NULL)
    return -1;
  struct platform p __attribute__((cleanup(platform_clear))) = { 0 };
  if (platform_get(opts->platform, &p, err) < 0)
    return -1;
  if (src->url != NULL && berth_curl_load(err) == NULL)
    return -1;
  berth_layer layer;
  cleanup_store_lock berth_store_lock *lock = NULL;
  if (import_layer(s, src, &layer, &lock, err) < 0)
    return -1;
  cleanup_free char *created = berth_time_now_rfc3339();
  /* a source name that is not UTF-8 is shown escaped, as an error would */
  const char *from = src->url != NULL ? src->url : opts->source ? opts->source : "-";
  cleanup_free char *source
      = berth_utf8_valid(from, strlen(from)) ? xstrdup(from) : berth_bytes_escape(from);
  cleanup_free char *comment
      = opts->message != NULL ? xstrdup(opts->message) : xasprintf("Imported from %s", source);
  cleanup_free char *doc = import_config(layer.diff_id, created, comment, config, &p);
  if (berth_store_image_put(s, doc, strlen(doc), NULL, id_out, err) < 0)
    return -1;
  if (opts->ref != NULL && berth_image_tag_id(s, id_out, opts->ref, err) < 0)
    return -1;
  return 0;
}

int
berth_image_import(berth_store *s, int fd, const berth_import_options *opts,
                   char id_out[BERTH_DIGEST_LEN], berth_error **err)
{
  struct source src = { .fd = fd, .opts = opts };
  int ret = import(s, &src, id_out, err);
  berth_store_publish_done(s, ret < 0); /* a layer no image uses is collected */
  return ret;
}

int
berth_image_import_url(berth_store *s, const char *url, const berth_import_options *opts,
                       char id_out[BERTH_DIGEST_LEN], berth_error **err)
{
  struct source src = { .fd = -1, .url = url, .opts = opts };
  int ret = import(s, &src, id_out, err);
  berth_store_publish_done(s, ret < 0);
  return ret;
}
