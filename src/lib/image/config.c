#include "image/config.h"

#include <stdlib.h>

#include <string.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "image/json_field.h"
#include "image/time.h"

static void
history_clear(berth_history *h)
{
  free(h->created);
  free(h->created_by);
  free(h->author);
  free(h->comment);
}

void
berth_image_config_free(berth_image_config *c)
{
  if (c == NULL)
    return;
  json_decref(c->json);
  free(c->architecture);
  free(c->os);
  free(c->variant);
  free(c->created);
  free(c->author);
  for (size_t i = 0; i < c->n_diff_ids; i++)
    free(c->diff_ids[i]);
  free(c->diff_ids);
  for (size_t i = 0; i < c->n_history; i++)
    history_clear(&c->history[i]);
  free(c->history);
  free(c);
}

void
berth_image_config_cleanup(berth_image_config **c)
{
  berth_image_config_free(*c);
}

/* A copy of an optional timestamp field, checked to be RFC 3339. */
static int
dup_time(json_t *obj, const char *key, char **out, berth_error **err)
{
  int64_t t;
  if (berth_json_dup_string(obj, key, false, out, err) < 0)
    return -1;
  if (*out != NULL && berth_time_parse(*out, &t) < 0)
    return berth_error_set(err, 0, "field \"%s\": invalid timestamp \"%.64s\"", key, *out);
  return 0;
}

/* rootfs is untrusted: its type must be "layers", each diffID a digest. */
static int
parse_rootfs(json_t *root, berth_image_config *c, berth_error **err)
{
  json_t *rootfs, *ids;
  const char *type;
  if (berth_json_get_object(root, "rootfs", true, &rootfs, err) < 0
      || berth_json_get_string(rootfs, "type", true, &type, err) < 0)
    return -1;
  if (strcmp(type, "layers") != 0)
    return berth_error_set(err, 0, "rootfs: unsupported type \"%.40s\"", type);
  if (berth_json_get_array(rootfs, "diff_ids", false, &ids, err) < 0)
    return berth_error_prefix(err, "rootfs");
  size_t n = json_array_size(ids);
  c->diff_ids = xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++) {
    json_t *v = json_array_get(ids, i);
    if (!json_is_string(v))
      return berth_error_set(err, 0, "rootfs: diff_ids %zu is not a string", i);
    if (berth_digest_check(json_string_value(v), err) < 0)
      return berth_error_prefix(err, "rootfs: diff_ids %zu", i);
    c->diff_ids[i] = xstrdup(json_string_value(v));
    c->n_diff_ids = i + 1;
  }
  return 0;
}

static int
parse_history_entry(json_t *obj, berth_history *h, berth_error **err)
{
  if (!json_is_object(obj))
    return berth_error_set(err, 0, "not an object");
  if (dup_time(obj, "created", &h->created, err) < 0
      || berth_json_dup_string(obj, "created_by", false, &h->created_by, err) < 0
      || berth_json_dup_string(obj, "author", false, &h->author, err) < 0
      || berth_json_dup_string(obj, "comment", false, &h->comment, err) < 0
      || berth_json_get_bool(obj, "empty_layer", &h->empty_layer, err) < 0)
    return -1;
  return 0;
}

static int
parse_history(json_t *root, berth_image_config *c, berth_error **err)
{
  json_t *arr;
  if (berth_json_get_array(root, "history", false, &arr, err) < 0)
    return -1;
  size_t n = json_array_size(arr);
  c->history = xcalloc(n ? n : 1, sizeof(berth_history));
  for (size_t i = 0; i < n; i++) {
    c->n_history = i + 1; /* counted first: a half-filled entry is freed too */
    if (parse_history_entry(json_array_get(arr, i), &c->history[i], err) < 0)
      return berth_error_prefix(err, "history %zu", i);
  }
  return 0;
}

/* data is untrusted (a blob from a registry or an archive). */
berth_image_config *
berth_image_config_parse(const char *data, size_t len, berth_error **err)
{
  cleanup_image_config berth_image_config *c = xcalloc(1, sizeof(*c));
  c->json = berth_json_parse_object(data, len, err);
  if (c->json == NULL
      || berth_json_dup_string(c->json, "architecture", true, &c->architecture, err) < 0
      || berth_json_dup_string(c->json, "os", true, &c->os, err) < 0
      || berth_json_dup_string(c->json, "variant", false, &c->variant, err) < 0
      || dup_time(c->json, "created", &c->created, err) < 0
      || berth_json_dup_string(c->json, "author", false, &c->author, err) < 0
      || parse_rootfs(c->json, c, err) < 0 || parse_history(c->json, c, err) < 0) {
    berth_error_prefix(err, "image config");
    return NULL;
  }
  return steal_pointer(&c);
}

char *
berth_image_config_dumps(json_t *doc)
{
  size_t n = json_object_size(doc), k = 0;
  cleanup_free const char **keys = xcalloc(n + 1, sizeof *keys);
  const char *key;
  json_t *v;
  json_object_foreach(doc, key, v) keys[k++] = key;
  qsort(keys, k, sizeof *keys, berth_strcmp_qsort);
  cleanup_json json_t *out = json_object();
  for (size_t i = 0; i < k; i++)
    json_object_set(out, keys[i], json_object_get(doc, keys[i]));
  return json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
}
