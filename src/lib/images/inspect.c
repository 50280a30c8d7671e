#include "images/inspect.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "image/container_config.h"
#include "images/refs.h"
#include "store/image_load.h"

#define GO_ZERO_TIME "0001-01-01T00:00:00Z"

static json_t *
strv_json(char **v)
{
  json_t *a = json_array();
  for (; *v != NULL; v++)
    json_array_append_new(a, json_string(*v));
  return a;
}

/* A string member of the untrusted config, "" when absent or not a string. */
static json_t *
config_string(const json_t *config, const char *key)
{
  const char *v = json_string_value(json_object_get(config, key));
  return json_string(v != NULL ? v : "");
}

static json_t *
overlay_dir(berth_store *s, const berth_layer *l, const char *leaf)
{
  return json_sprintf("%s/overlay2/%s/%s", berth_store_root(s), l->cache_id, leaf);
}

/* Docker's GraphDriver: LowerDir lists the lower layers' diff dirs, topmost
 * first, and appears only when there is more than one layer. */
static json_t *
graph_driver(berth_store *s, const berth_layer *layers, size_t n)
{
  json_t *data = json_object();
  if (n > 1) {
    size_t cap = 1;
    for (size_t i = 0; i + 1 < n; i++)
      cap += strlen(berth_store_root(s)) + sizeof("/overlay2//diff:") + 64;
    cleanup_free char *lower = xcalloc(1, cap);
    size_t off = 0;
    for (size_t i = n - 1; i-- > 0;)
      off += (size_t)snprintf(lower + off, cap - off, "%s%s/overlay2/%s/diff", off ? ":" : "",
                              berth_store_root(s), layers[i].cache_id);
    json_object_set_new(data, "LowerDir", json_string(lower));
  }
  if (n > 0) {
    const berth_layer *top = &layers[n - 1];
    json_object_set_new(data, "MergedDir", overlay_dir(s, top, "merged"));
    json_object_set_new(data, "UpperDir", overlay_dir(s, top, "diff"));
    json_object_set_new(data, "WorkDir", overlay_dir(s, top, "work"));
  }
  json_t *gd = json_object();
  json_object_set_new(gd, "Data", n > 0 ? data : (json_decref(data), json_null()));
  json_object_set_new(gd, "Name", json_string("overlay2"));
  return gd;
}

/* Metadata.LastTagTime: Go's zero time for images never named locally. */
static json_t *
last_tag_time(berth_store *s, const char *id)
{
  cleanup_free char *v = berth_store_image_last_updated(s, id);
  json_t *meta = json_object();
  json_object_set_new(meta, "LastTagTime", json_string(v != NULL && *v ? v : GO_ZERO_TIME));
  return meta;
}

static json_t *
rootfs(const berth_image_config *c)
{
  json_t *r = json_object(), *layers = json_array();
  json_object_set_new(r, "Type", json_string("layers"));
  for (size_t i = 0; i < c->n_diff_ids; i++)
    json_array_append_new(layers, json_string(c->diff_ids[i]));
  if (c->n_diff_ids > 0)
    json_object_set_new(r, "Layers", layers);
  else
    json_decref(layers);
  return r;
}

static void
set_refs(berth_store *s, json_t *o, const char *id, berth_error **err, int *failed)
{
  berth_ref *refs = NULL;
  size_t n = 0;
  if (berth_store_refs_list(s, &refs, &n, err) < 0) {
    *failed = 1;
    return;
  }
  cleanup_strv char **tags = NULL;
  cleanup_strv char **digests = NULL;
  berth_image_refs_of(refs, n, id, &tags, &digests);
  berth_refs_free(refs, n);
  json_object_set_new(o, "RepoTags", strv_json(tags));
  json_object_set_new(o, "RepoDigests", strv_json(digests));
}

/* The config JSON was stored by berth but is treated as untrusted: every
 * value is type-checked before it is copied. */
json_t *
berth_image_inspect(berth_store *s, const char *id, berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return NULL;
  cleanup_free berth_layer *layers = NULL;
  size_t n = 0;
  if (berth_image_layers(s, c, &layers, &n, err) < 0)
    return NULL;
  const json_t *j = c->json;
  cleanup_json json_t *o = json_object();
  json_object_set_new(o, "Id", json_string(id));
  int failed = 0;
  set_refs(s, o, id, err, &failed);
  if (failed)
    return NULL;
  cleanup_free char *parent = berth_store_image_parent(s, id);
  json_object_set_new(o, "Parent", json_string(parent != NULL ? parent : ""));
  json_object_set_new(o, "Comment", config_string(j, "comment"));
  json_object_set_new(o, "Created", json_string(c->created != NULL ? c->created : GO_ZERO_TIME));
  json_object_set_new(o, "Container", config_string(j, "container"));
  json_object_set_new(o, "ContainerConfig",
                      berth_container_config_json(json_object_get(j, "container_config")));
  json_object_set_new(o, "DockerVersion", config_string(j, "docker_version"));
  json_object_set_new(o, "Author", config_string(j, "author"));
  const json_t *config = json_object_get(j, "config");
  json_object_set_new(o, "Config",
                      json_is_object(config) ? berth_container_config_json(config) : json_null());
  json_object_set_new(o, "Architecture", json_string(c->architecture));
  if (c->variant != NULL && *c->variant)
    json_object_set_new(o, "Variant", json_string(c->variant));
  json_object_set_new(o, "Os", json_string(c->os));
  const char *os_version = json_string_value(json_object_get(j, "os.version"));
  if (os_version != NULL && *os_version)
    json_object_set_new(o, "OsVersion", json_string(os_version));
  long long size = berth_image_layers_size(layers, n);
  json_object_set_new(o, "Size", json_integer(size));
  json_object_set_new(o, "VirtualSize", json_integer(size));
  json_object_set_new(o, "GraphDriver", graph_driver(s, layers, n));
  json_object_set_new(o, "RootFS", rootfs(c));
  json_object_set_new(o, "Metadata", last_tag_time(s, id));
  return steal_pointer(&o);
}

char *
berth_inspect_dump(const json_t *values)
{
  cleanup_free char *text = json_dumps(values, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
  if (text == NULL)
    text = xstrdup("[]");
  size_t len = strlen(text), cap = len * 6 + 2, off = 0;
  char *out = xmalloc(cap);
  for (const char *p = text; *p; p++) {
    if (*p == '<' || *p == '>' || *p == '&')
      off += (size_t)snprintf(out + off, cap - off, "\\u%04x", (unsigned)*p);
    else
      out[off++] = *p;
  }
  out[off++] = '\n';
  out[off] = '\0';
  return out;
}
