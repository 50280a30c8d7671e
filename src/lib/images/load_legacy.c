/* `load` of the legacy layout `docker save` wrote before 1.10: no
 * manifest.json; `repositories` names the tagged images, and each
 * top-level directory is one v1 layer (`json`, `VERSION`, `layer.tar`)
 * chained to the one below by its json's `parent`.  As Docker's
 * tarexport.legacyLoad, every v1 layer becomes an image (its parent's
 * image as parent): the config is the layer's v1 json without the v1
 * ids, with rootfs.diff_ids computed from the layer tars of the chain and
 * one history entry per layer, so that the image IDs are Docker's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "archive/decompress.h"
#include "archive/stream.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/container_config.h"
#include "image/json_field.h"
#include "image/time.h"
#include "images/load_internal.h"
#include "reference/reference.h"

enum { HASH_BUFFER = 256 << 10 };

/* One v1 layer directory of the archive. */
struct v1_layer {
  char *dir;
  json_t *json;
  struct v1_layer *parent;
  const struct entry *tar;
  char diff_id[BERTH_DIGEST_LEN];
  size_t depth; /* layers from the bottom, this one included; 0 = not yet known */
  struct load_image *im;
};

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Docker's versions.LessThan: dot-separated parts compared as numbers, a
 * part that is not one counting as 0 (so "" is before everything). */
bool
load_version_less(const char *v, const char *than)
{
  while (*v != '\0' || *than != '\0') {
    long a = strtol(v, NULL, 10), b = strtol(than, NULL, 10);
    if (a != b)
      return a < b;
    v += strcspn(v, ".");
    v += *v == '.';
    than += strcspn(than, ".");
    than += *than == '.';
  }
  return false;
}

/* A time as Go's time.Time re-encodes it: the fraction without trailing
 * zeros, a zero offset as "Z".  NULL when s (untrusted) is not RFC 3339;
 * an absent time is Go's zero time. */
char *
load_go_time(const char *s)
{
  if (s == NULL)
    return xstrdup("0001-01-01T00:00:00Z");
  int64_t ignored;
  if (berth_time_parse(s, &ignored) < 0)
    return NULL;
  char *out = xstrdup(s);
  char *zone = out + 19; /* after "YYYY-MM-DDTHH:MM:SS" */
  if (*zone == '.') {
    char *end = zone + 1 + strspn(zone + 1, "0123456789");
    char *cut = end;
    while (cut > zone + 1 && cut[-1] == '0')
      cut--;
    if (cut == zone + 1)
      cut = zone;
    memmove(cut, end, strlen(end) + 1);
    zone = cut;
  }
  if (strcmp(zone, "+00:00") == 0 || strcmp(zone, "-00:00") == 0)
    strcpy(zone, "Z");
  return out;
}

/* What Docker's encoding/json writes for doc: compact, the top-level keys
 * sorted (a Go map), nested objects in the order they came (raw messages),
 * <, > and & escaped in strings. */
char *
load_go_json(json_t *doc)
{
  size_t n = json_object_size(doc), i = 0;
  cleanup_free const char **keys = xcalloc(n ? n : 1, sizeof *keys);
  const char *k;
  json_t *v;
  json_object_foreach(doc, k, v) keys[i++] = k;
  qsort(keys, n, sizeof *keys, cmp_str);
  cleanup_json json_t *sorted = json_object();
  for (i = 0; i < n; i++)
    json_object_set(sorted, keys[i], json_object_get(doc, keys[i]));
  cleanup_free char *text = json_dumps(sorted, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (text == NULL)
    abort();
  size_t extra = 0;
  for (const char *p = text; *p != '\0'; p++)
    extra += (*p == '<' || *p == '>' || *p == '&') ? 5 : 0;
  char *out = xmalloc(strlen(text) + extra + 1), *o = out;
  for (const char *p = text; *p != '\0'; p++) {
    if (*p == '<' || *p == '>' || *p == '&')
      o += sprintf(o, "\\u00%02x", (unsigned char)*p);
    else
      *o++ = *p;
  }
  *o = '\0';
  return out;
}

/* Docker's image.V1Image as encoding/json re-encodes it, for the json of
 * a layer saved by a Docker before 1.8.3: unknown keys dropped, empty
 * omitempty ones too, the configs re-encoded as Go structs. */
static json_t *
v1_image_normalized(json_t *j, const char *created)
{
  json_t *out = json_object();
  static const char *const omitempty[]
      = { "comment", "container", "docker_version", "author", "architecture", "variant", "os" };
  for (size_t i = 0; i < sizeof omitempty / sizeof *omitempty; i++) {
    const char *s = json_string_value(json_object_get(j, omitempty[i]));
    if (s != NULL && *s != '\0')
      json_object_set_new(out, omitempty[i], json_string(s));
  }
  json_object_set_new(out, "created", json_string(created));
  json_object_set_new(out, "container_config",
                      berth_container_config_json(json_object_get(j, "container_config")));
  json_t *config = json_object_get(j, "config");
  if (json_is_object(config))
    json_object_set_new(out, "config", berth_container_config_json(config));
  return out;
}

/* Docker's v1.HistoryFromConfig: who, when and the command of the layer. */
static json_t *
history_entry(json_t *j, const char *created)
{
  json_t *h = json_pack("{s:s}", "created", created);
  const char *author = json_string_value(json_object_get(j, "author"));
  if (author != NULL && *author != '\0')
    json_object_set_new(h, "author", json_string(author));
  json_t *cmd = json_object_get(json_object_get(j, "container_config"), "Cmd");
  cleanup_free char *by = NULL;
  if (json_is_string(cmd)) {
    by = xstrdup(json_string_value(cmd)); /* a StrSlice may be one string */
  } else {
    size_t i;
    json_t *arg;
    json_array_foreach(cmd, i, arg)
    {
      char *joined = xasprintf("%s%s%s", by ? by : "", by ? " " : "",
                               json_is_string(arg) ? json_string_value(arg) : "");
      free(by);
      by = joined;
    }
  }
  if (by != NULL && *by != '\0')
    json_object_set_new(h, "created_by", json_string(by));
  const char *comment = json_string_value(json_object_get(j, "comment"));
  if (comment != NULL && *comment != '\0')
    json_object_set_new(h, "comment", json_string(comment));
  return h;
}

/* The diffID of a layer tar (plain or compressed, as Docker's loadLayer
 * decompresses it), read from its copy. */
static int
layer_diff_id(const struct archive_copy *c, struct v1_layer *l, berth_error **err)
{
  load_reader r;
  if (load_reader_open(c, l->tar, &r, err) < 0)
    return -1;
  cleanup_decompress berth_decompress *d = berth_decompress_new(load_reader_read, &r);
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  cleanup_free char *buf = xmalloc(HASH_BUFFER);
  int ret = 0;
  for (;;) {
    ssize_t n = berth_decompress_read(d, buf, HASH_BUFFER, err);
    if (n < 0) {
      ret = berth_error_prefix(err, "layer %s/layer.tar", l->dir);
      break;
    }
    if (n == 0)
      break;
    berth_sha256_update(h, buf, (size_t)n);
  }
  load_reader_close(&r);
  berth_sha256_final(h, l->diff_id);
  return ret;
}

/* Reads l's json (untrusted) and finds its layer tar. */
static int
read_layer(const struct archive_copy *c, struct v1_layer *l, berth_error **err)
{
  cleanup_free char *path = xasprintf("%s/json", l->dir);
  const struct entry *e = load_lookup(c, "the legacy archive", "file", path, err);
  if (e == NULL)
    return -1;
  size_t len;
  cleanup_free char *text = load_read_small(c, e, &len, err);
  if (text == NULL)
    return -1;
  l->json = berth_json_parse_object(text, len, err);
  if (l->json == NULL)
    return berth_error_prefix(err, "%s", path);
  const char *os = NULL, *parent = NULL, *version = NULL;
  if (berth_json_get_string(l->json, "os", false, &os, err) < 0
      || berth_json_get_string(l->json, "parent", false, &parent, err) < 0
      || berth_json_get_string(l->json, "docker_version", false, &version, err) < 0)
    return berth_error_prefix(err, "%s", path);
  if (os != NULL && *os != '\0' && strcmp(os, "linux") != 0)
    return berth_error_set(err, 0, "%s: cannot load %s image on linux", path, os);
  cleanup_free char *tar = xasprintf("%s/layer.tar", l->dir);
  l->tar = load_lookup(c, "the legacy archive", "layer", tar, err);
  return l->tar != NULL ? 0 : -1;
}

/* The depth of l, its parents' first; a chain that comes back to a layer
 * is refused (Docker's recursion would never end). */
static int
chain_depth(struct v1_layer *l, size_t n, berth_error **err)
{
  size_t depth = 0;
  for (struct v1_layer *p = l; p != NULL; p = p->parent) {
    if (++depth > n)
      return berth_error_set(err, 0, "legacy layer %s: its chain of parents loops back on itself",
                             l->dir);
    if (depth > BERTH_MAX_LAYERS)
      return berth_error_set(err, 0, "max depth exceeded: legacy layer %s has more than %d parents",
                             l->dir, BERTH_MAX_LAYERS);
  }
  l->depth = depth;
  return 0;
}

/* The config of l's image and the image planned from it: every layer of
 * the chain, bottom first. */
static int
plan_layer(struct v1_layer *l, struct load_image *im, berth_error **err)
{
  const char *created_raw = NULL;
  if (berth_json_get_string(l->json, "created", false, &created_raw, err) < 0)
    return berth_error_prefix(err, "%s/json", l->dir);
  cleanup_free char *created = load_go_time(created_raw);
  if (created == NULL)
    return berth_error_set(err, 0, "%s/json: created %s is not an RFC 3339 time", l->dir,
                           created_raw);
  const char *version = json_string_value(json_object_get(l->json, "docker_version"));
  cleanup_json json_t *doc = load_version_less(version ? version : "", "1.8.3")
                                 ? v1_image_normalized(l->json, created)
                                 : json_deep_copy(l->json);
  static const char *const v1_only[]
      = { "id", "parent", "Size", "parent_id", "layer_id", "throwaway" };
  for (size_t i = 0; i < sizeof v1_only / sizeof *v1_only; i++)
    json_object_del(doc, v1_only[i]);
  struct v1_layer **chain = xcalloc(l->depth, sizeof *chain);
  size_t i = l->depth;
  for (struct v1_layer *p = l; p != NULL; p = p->parent)
    chain[--i] = p;
  json_t *diff_ids = json_array(), *history = json_array();
  for (i = 0; i < l->depth; i++) {
    json_array_append_new(diff_ids, json_string(chain[i]->diff_id));
    const char *c_raw = json_string_value(json_object_get(chain[i]->json, "created"));
    cleanup_free char *c = load_go_time(c_raw);
    json_array_append_new(history, history_entry(chain[i]->json, c ? c : created));
  }
  json_object_set_new(doc, "rootfs",
                      json_pack("{s:s, s:o}", "type", "layers", "diff_ids", diff_ids));
  json_object_set_new(doc, "history", history);
  im->config = load_go_json(doc);
  im->config_len = strlen(im->config);
  cleanup_free char *name = xasprintf("%s/json", l->dir);
  int r = load_image_config(im, name, "its chain of parents", l->depth, err);
  for (i = 0; r == 0 && i < l->depth; i++) {
    im->layers[i] = chain[i]->tar;
    im->layer_names[i] = xasprintf("%s/layer.tar", chain[i]->dir);
  }
  if (r == 0)
    im->chain_ids = berth_chain_ids(im->image->diff_ids, l->depth);
  im->parent = l->parent != NULL ? l->parent->im : NULL;
  free(chain);
  return r;
}

static struct v1_layer *
find_layer(struct v1_layer *ls, size_t n, const char *dir)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(ls[i].dir, dir) == 0)
      return &ls[i];
  return NULL;
}

/* `repositories` (untrusted JSON: {name: {tag: v1 id}}) as tags of the
 * images planned. */
static int
read_repositories(const struct archive_copy *c, struct v1_layer *ls, size_t n, berth_error **err)
{
  const struct entry *e = load_lookup(c, "the legacy archive", "file", "repositories", err);
  if (e == NULL)
    return -1;
  size_t len;
  cleanup_free char *text = load_read_small(c, e, &len, err);
  if (text == NULL)
    return -1;
  cleanup_json json_t *repos = berth_json_parse_object(text, len, err);
  if (repos == NULL)
    return berth_error_prefix(err, "repositories");
  const char *name;
  json_t *tags;
  json_object_foreach(repos, name, tags)
  {
    if (!json_is_object(tags))
      return berth_error_set(err, 0, "repositories: %s is not an object of tags", name);
    const char *tag;
    json_t *id;
    json_object_foreach(tags, tag, id)
    {
      const char *v1 = json_string_value(id);
      struct v1_layer *l = v1 != NULL ? find_layer(ls, n, v1) : NULL;
      if (l == NULL)
        return berth_error_set(err, 0, "repositories: invalid target ID: %s",
                               v1 != NULL ? v1 : "(not a string)");
      cleanup_free char *full = xasprintf("%s:%s", name, tag);
      cleanup_reference berth_reference *ref = berth_reference_parse_normalized(full, err);
      if (ref == NULL)
        return berth_error_prefix(err, "repositories");
      if (ref->digest != NULL || strchr(tag, '@') != NULL)
        return berth_error_set(err, 0, "repositories: %s is not a tag", full);
      load_image_add_tag(l->im, berth_reference_familiar_string(ref));
      l->im->intermediate = false;
    }
  }
  return 0;
}

bool
load_legacy_is(const struct archive_copy *c)
{
  for (size_t i = 0; i < c->n; i++) {
    const char *name = c->entries[i].name, *slash = strchr(name, '/');
    if (strcmp(name, "repositories") == 0
        || (slash != NULL && strcmp(slash, "/json") == 0 && slash != name))
      return true;
  }
  return false;
}

int
load_legacy_plan(const struct archive_copy *c, struct load_image **ims, size_t *n_out,
                 berth_error **err)
{
  /* every top-level directory is a v1 layer, in the order of their names
   * (Docker's ReadDir) */
  cleanup_free char **dirs = xcalloc(c->n + 1, sizeof *dirs);
  size_t n = 0;
  for (size_t i = 0; i < c->n; i++) {
    const char *slash = strchr(c->entries[i].name, '/');
    if (slash != NULL)
      dirs[n++] = xstrndup(c->entries[i].name, (size_t)(slash - c->entries[i].name));
  }
  qsort(dirs, n, sizeof *dirs, cmp_str);
  size_t u = 0;
  for (size_t i = 0; i < n; i++) {
    if (u > 0 && strcmp(dirs[u - 1], dirs[i]) == 0)
      free(dirs[i]);
    else
      dirs[u++] = dirs[i];
  }
  n = u;
  struct v1_layer *ls = xcalloc(n ? n : 1, sizeof *ls);
  int ret = -1;
  for (size_t i = 0; i < n; i++) {
    ls[i].dir = dirs[i];
    dirs[i] = NULL;
  }
  for (size_t i = 0; i < n; i++)
    if (read_layer(c, &ls[i], err) < 0)
      goto out;
  for (size_t i = 0; i < n; i++) {
    const char *parent = json_string_value(json_object_get(ls[i].json, "parent"));
    if (parent == NULL || *parent == '\0')
      continue;
    ls[i].parent = find_layer(ls, n, parent);
    if (ls[i].parent == NULL) {
      berth_error_set(err, 0,
                      "legacy layer %s names the parent %s, which the archive does not contain",
                      ls[i].dir, parent);
      goto out;
    }
  }
  for (size_t i = 0; i < n; i++)
    if (chain_depth(&ls[i], n, err) < 0)
      goto out;
  for (size_t i = 0; i < n; i++)
    if (layer_diff_id(c, &ls[i], err) < 0)
      goto out;
  /* parents' images first: a child's config holds their history, and its
   * imagedb entry their id */
  *ims = xcalloc(n ? n : 1, sizeof **ims);
  *n_out = 0;
  for (size_t depth = 1; *n_out < n; depth++)
    for (size_t i = 0; i < n; i++) {
      if (ls[i].depth != depth)
        continue;
      ls[i].im = &(*ims)[(*n_out)++];
      if (plan_layer(&ls[i], ls[i].im, err) < 0)
        goto out;
    }
  /* an image some other one is made from is not reported, unless tagged */
  for (size_t i = 0; i < n; i++)
    if (ls[i].parent != NULL)
      ls[i].parent->im->intermediate = true;
  ret = read_repositories(c, ls, n, err);
out:
  for (size_t i = 0; i < n; i++) {
    free(ls[i].dir);
    json_decref(ls[i].json);
  }
  free(ls);
  return ret;
}
