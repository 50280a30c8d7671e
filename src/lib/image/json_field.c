#include "image/json_field.h"

#include "common/xalloc.h"

/* data is untrusted: jansson bounds nesting depth and rejects bad UTF-8. */
json_t *
berth_json_parse_object(const char *data, size_t len, berth_error **err)
{
  json_error_t jerr;
  json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    berth_error_set(err, 0, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
                    jerr.text);
    return NULL;
  }
  if (!json_is_object(root)) {
    json_decref(root);
    berth_error_set(err, 0, "invalid JSON: not an object");
    return NULL;
  }
  return root;
}

static json_t *
get_field(json_t *obj, const char *key, bool required, berth_error **err)
{
  json_t *v = json_object_get(obj, key);
  if (json_is_null(v))
    v = NULL; /* as Go's encoding/json reads it: null is absent */
  if (v == NULL && required)
    berth_error_set(err, 0, "missing field \"%s\"", key);
  return v;
}

static int
wrong_type(const char *key, const char *want, berth_error **err)
{
  return berth_error_set(err, 0, "field \"%s\" is not %s", key, want);
}

int
berth_json_get_string(json_t *obj, const char *key, bool required, const char **out,
                      berth_error **err)
{
  json_t *v = get_field(obj, key, required, err);
  *out = NULL;
  if (v == NULL)
    return required ? -1 : 0;
  if (!json_is_string(v))
    return wrong_type(key, "a string", err);
  *out = json_string_value(v);
  return 0;
}

int
berth_json_dup_string(json_t *obj, const char *key, bool required, char **out, berth_error **err)
{
  const char *s;
  *out = NULL;
  if (berth_json_get_string(obj, key, required, &s, err) < 0)
    return -1;
  if (s != NULL)
    *out = xstrdup(s);
  return 0;
}

int
berth_json_get_int(json_t *obj, const char *key, bool required, int64_t dflt, int64_t *out,
                   berth_error **err)
{
  json_t *v = get_field(obj, key, required, err);
  *out = dflt;
  if (v == NULL)
    return required ? -1 : 0;
  if (!json_is_integer(v))
    return wrong_type(key, "an integer", err);
  *out = json_integer_value(v);
  return 0;
}

int
berth_json_get_object(json_t *obj, const char *key, bool required, json_t **out, berth_error **err)
{
  json_t *v = get_field(obj, key, required, err);
  *out = NULL;
  if (v == NULL)
    return required ? -1 : 0;
  if (!json_is_object(v))
    return wrong_type(key, "an object", err);
  *out = v;
  return 0;
}

int
berth_json_get_array(json_t *obj, const char *key, bool required, json_t **out, berth_error **err)
{
  json_t *v = get_field(obj, key, required, err);
  *out = NULL;
  if (v == NULL)
    return required ? -1 : 0;
  if (!json_is_array(v))
    return wrong_type(key, "an array", err);
  *out = v;
  return 0;
}

int
berth_json_get_bool(json_t *obj, const char *key, bool *out, berth_error **err)
{
  json_t *v = json_object_get(obj, key);
  *out = false;
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_boolean(v))
    return wrong_type(key, "a boolean", err);
  *out = json_is_true(v);
  return 0;
}
