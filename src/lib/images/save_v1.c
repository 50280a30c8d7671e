/* The legacy v1 layer JSON of `docker save` and the id derived from it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "image/config.h"
#include "image/container_config.h"
#include "image/time.h"
#include "images/save.h"

char *
berth_save_go_escape(const char *json)
{
  size_t len = strlen(json), o = 0;
  char *out = xmalloc(len * 6 + 1);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)json[i];
    if (c == '\\') {
      char e = json[i + 1];
      if (e == 'b' || e == 'f') {
        o += (size_t)sprintf(out + o, "\\u00%s", e == 'b' ? "08" : "0c");
        i++;
      } else if (e == 'u') {
        /* jansson writes \u001B, Go \u001b */
        out[o++] = '\\';
        for (int k = 1; k <= 5 && json[i + k] != '\0'; k++) {
          char h = json[i + k];
          out[o++] = (h >= 'A' && h <= 'F') ? (char)(h - 'A' + 'a') : h;
        }
        i += 5;
      } else {
        out[o++] = '\\';
        out[o++] = e;
        i++;
      }
    } else if (c == '<' || c == '>' || c == '&') {
      o += (size_t)sprintf(out + o, "\\u00%02x", c);
    } else if (c == 0xe2 && (unsigned char)json[i + 1] == 0x80
               && ((unsigned char)json[i + 2] == 0xa8 || (unsigned char)json[i + 2] == 0xa9)) {
      o += (size_t)sprintf(out + o, "\\u202%c", json[i + 2] == (char)0xa8 ? '8' : '9');
      i += 2;
    } else {
      out[o++] = (char)c;
    }
  }
  out[o] = '\0';
  return out;
}

/* Go's time.Time round trip of an RFC 3339 string: the local date and time
 * as written, the fraction without trailing zeros (at most 9 digits), "Z" for
 * a zero offset, else the offset as written.  NULL when not RFC 3339. */
static char *
go_time(const char *s)
{
  int64_t sec;
  if (berth_time_parse(s, &sec) < 0 || strlen(s) < 20)
    return NULL;
  const char *p = s + 19, *frac = NULL;
  size_t nfrac = 0;
  if (*p == '.') {
    frac = ++p;
    while (*p >= '0' && *p <= '9')
      p++;
    nfrac = (size_t)(p - frac);
    if (nfrac > 9)
      nfrac = 9;
    while (nfrac > 0 && frac[nfrac - 1] == '0')
      nfrac--;
  }
  const char *zone = p;
  if (strcmp(zone, "+00:00") == 0 || strcmp(zone, "-00:00") == 0 || strcmp(zone, "z") == 0)
    zone = "Z";
  return xasprintf("%.19s%s%.*s%s", s, nfrac > 0 ? "." : "", (int)nfrac, frac ? frac : "", zone);
}

/* A string field of an untrusted object, or NULL when absent, empty
 * (omitempty) or of another type. */
static const char *
nonempty(const json_t *obj, const char *key)
{
  const json_t *v = json_object_get(obj, key);
  return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

static void
set_str(json_t *obj, const char *key, const char *v)
{
  if (v != NULL)
    json_object_set_new(obj, key, json_string(v));
}

/* Go marshals maps with their keys sorted. */
static void
sort_map(json_t *obj, const char *key)
{
  json_t *m = json_object_get(obj, key);
  if (!json_is_object(m) || json_object_size(m) < 2)
    return;
  size_t n = 0;
  cleanup_free const char **keys = xcalloc(json_object_size(m), sizeof *keys);
  const char *k;
  json_t *v;
  json_object_foreach(m, k, v) keys[n++] = k;
  qsort(keys, n, sizeof *keys, berth_strcmp_qsort);
  json_t *sorted = json_object();
  for (size_t i = 0; i < n; i++)
    json_object_set(sorted, keys[i], json_object_get(m, keys[i]));
  json_object_set_new(obj, key, sorted);
}

/* Docker's container.Config of src as Go re-encodes it. */
static json_t *
container_config(const json_t *src)
{
  json_t *c = berth_container_config_json(src);
  sort_map(c, "ExposedPorts");
  sort_map(c, "Volumes");
  sort_map(c, "Labels");
  return c;
}

/* image.V1Image in its Go field order, without id and parent. */
static json_t *
v1_image(const json_t *config, bool top, berth_error **err)
{
  json_t *v = json_object();
  if (!top) {
    json_object_set_new(v, "created", json_string("1970-01-01T00:00:00Z"));
    json_object_set_new(v, "container_config", container_config(NULL));
    return v;
  }
  set_str(v, "comment", nonempty(config, "comment"));
  const char *created = nonempty(config, "created");
  cleanup_free char *t = created != NULL ? go_time(created) : xstrdup("0001-01-01T00:00:00Z");
  if (t == NULL) {
    json_decref(v);
    berth_error_set(err, EINVAL, "invalid created time \"%s\"", created);
    return NULL;
  }
  json_object_set_new(v, "created", json_string(t));
  set_str(v, "container", nonempty(config, "container"));
  json_object_set_new(v, "container_config",
                      container_config(json_object_get(config, "container_config")));
  set_str(v, "docker_version", nonempty(config, "docker_version"));
  set_str(v, "author", nonempty(config, "author"));
  const json_t *cfg = json_object_get(config, "config");
  if (json_is_object(cfg))
    json_object_set_new(v, "config", container_config(cfg));
  set_str(v, "architecture", nonempty(config, "architecture"));
  set_str(v, "variant", nonempty(config, "variant"));
  set_str(v, "os", nonempty(config, "os"));
  const json_t *size = json_object_get(config, "Size");
  if (json_is_integer(size) && json_integer_value(size) != 0)
    json_object_set_new(v, "Size", json_integer(json_integer_value(size)));
  return v;
}

/* A copy of obj with key set to value, placed where Go's struct order puts
 * it: "id" first, "parent" right after it. */
static json_t *
with_ids(const json_t *obj, const char *id, const char *parent)
{
  json_t *out = json_object();
  set_str(out, "id", id);
  set_str(out, "parent", parent);
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)obj, k, v) json_object_set(out, k, v);
  return out;
}

int
berth_save_v1_layer(const json_t *config, const char *chain_id, const char *parent_hex, bool top,
                    char id_hex[65], char **json_out, berth_error **err)
{
  cleanup_json json_t *v = v1_image(config, top, err);
  if (v == NULL)
    return -1;
  /* A parent the config itself names stays when there is no layer below. */
  const char *own_parent = top ? nonempty(config, "parent") : NULL;
  cleanup_free char *parent_digest = parent_hex != NULL
                                         ? xasprintf("sha256:%s", parent_hex)
                                         : (own_parent != NULL ? xstrdup(own_parent) : NULL);
  /* CreateID: the JSON without id, as a map (so sorted at the top level,
   * nested objects as Go wrote them), plus layer_id and parent. */
  cleanup_json json_t *for_id = with_ids(v, NULL, NULL);
  json_object_set_new(for_id, "layer_id", json_string(chain_id));
  if (parent_digest != NULL)
    json_object_set_new(for_id, "parent", json_string(parent_digest));
  cleanup_free char *id_text = berth_image_config_dumps(for_id);
  cleanup_free char *id_go = berth_save_go_escape(id_text);
  char digest[BERTH_DIGEST_LEN];
  berth_sha256_digest(id_go, strlen(id_go), digest);
  memcpy(id_hex, berth_digest_hex(digest), 65);

  /* The file: below the top, saveImage sets os after CreateID. */
  if (!top)
    set_str(v, "os", nonempty(config, "os"));
  cleanup_json json_t *file = with_ids(v, id_hex, parent_hex != NULL ? parent_hex : own_parent);
  cleanup_free char *text = json_dumps(file, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (text == NULL)
    return berth_error_set(err, ENOMEM, "encode the v1 json of layer %s", chain_id);
  *json_out = berth_save_go_escape(text);
  return 0;
}
