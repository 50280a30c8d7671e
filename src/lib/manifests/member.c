/* `manifest create`: one member, from the registry. */
#include "manifests/member.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "image/manifest.h"
#include "image/media_type.h"
#include "registry/client.h"

#define CONFIG_MAX (4 * 1024 * 1024)

static void
registry_cleanup(berth_registry **r)
{
  berth_registry_free(*r);
}
#define cleanup_registry __attribute__((cleanup(registry_cleanup)))

struct buf {
  char *data;
  size_t len;
};

static int
buf_put(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct buf *b = ctx;
  if (b->len + len > CONFIG_MAX)
    return berth_error_set_as(err, EFBIG, "image config over %d bytes", CONFIG_MAX);
  b->data = xrealloc(b->data, b->len + len + 1);
  memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

/* The platform of an image config (untrusted, from the registry; checked
 * against its digest by the client): the fields Docker's client reads into
 * an OCI platform, when they are strings (os.features an array of them). */
static json_t *
platform_of(const char *config, size_t len, berth_error **err)
{
  json_error_t jerr;
  cleanup_json json_t *doc = json_loadb(config, len, 0, &jerr);
  if (!json_is_object(doc))
    return berth_error_set_as(err, EINVAL, "image config is not a JSON object"), NULL;
  json_t *p = json_object();
  static const char *const keys[] = { "architecture", "os", "os.version", "variant" };
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    json_t *v = json_object_get(doc, keys[i]);
    if (json_is_string(v))
      json_object_set(p, keys[i], v);
  }
  json_t *f = json_object_get(doc, "os.features");
  bool strings = json_is_array(f);
  size_t i;
  json_t *v;
  json_array_foreach(f, i, v) strings = strings && json_is_string(v);
  if (strings && json_array_size(f) > 0)
    json_object_set(p, "os.features", f);
  return p;
}

/* ref is the user's, normalized by the caller; what the registry sends is
 * parsed as untrusted (berth_manifest_parse) and hashed by the client. */
json_t *
berth_manifest_member_fetch(const berth_reference *ref, const berth_registry_options *opts,
                            berth_error **err)
{
  cleanup_free char *name = berth_reference_string(ref);
  berth_registry_options ropts = opts != NULL ? *opts : (berth_registry_options){ 0 };
  ropts.actions = "pull";
  cleanup_registry berth_registry *r = berth_registry_new(ref->domain, ref->path, &ropts, err);
  if (r == NULL)
    return NULL;
  berth_fetched_manifest fm __attribute__((cleanup(berth_fetched_manifest_clear))) = { 0 };
  if (berth_registry_get_manifest(r, ref->digest ? ref->digest : ref->tag, &fm, err) < 0) {
    if (berth_error_errno(*err) == ENOENT) {
      berth_error_clear(err); /* Docker's words replace the registry's */
      berth_error_set_as(err, ENOENT, "no such manifest: %s", name);
    }
    return NULL;
  }
  cleanup_error berth_error *perr = NULL;
  cleanup_manifest berth_manifest *m
      = berth_manifest_parse(fm.data, fm.len, fm.content_type, &perr);
  if (m != NULL && m->is_index)
    return berth_error_set_as(err, EINVAL, "%s is a manifest list", name), NULL;
  if (m == NULL || m->media_type == NULL
      || (strcmp(m->media_type, BERTH_MT_DOCKER_MANIFEST) != 0
          && strcmp(m->media_type, BERTH_MT_OCI_MANIFEST) != 0))
    return berth_error_set_as(err, EINVAL, "%s is not a manifest", name), NULL;
  json_t *raw = json_stringn(fm.data, fm.len);
  if (raw == NULL)
    return berth_error_set_as(err, EINVAL, "%s: the manifest is not UTF-8", name), NULL;

  struct buf cfg = { 0 };
  int rc = berth_registry_get_blob(r, m->config.digest, m->config.size, buf_put, &cfg, err);
  json_t *platform = rc == 0 ? platform_of(cfg.data ? cfg.data : "", cfg.len, err) : NULL;
  free(cfg.data);
  if (platform == NULL) {
    json_decref(raw);
    return berth_error_prefix(err, "%s: config %s", name, m->config.digest), NULL;
  }
  return json_pack("{s:s, s:{s:s, s:s, s:I, s:o}, s:o}", "Ref", name, "Descriptor", "mediaType",
                   m->media_type, "digest", fm.digest, "size", (json_int_t)fm.len, "platform",
                   platform, "Raw", raw);
}
