#include "image/container_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

/* STRUCT: a Go pointer to a struct, omitted only when absent. */
enum kind { STR, BOOL, LIST, MAP, STRUCT, INT };

/* The fields of Docker 20.10's container.Config, in order. */
static const struct field {
  const char *key;
  enum kind kind;
  bool omitempty;
} fields[] = {
  { "Hostname", STR, false },
  { "Domainname", STR, false },
  { "User", STR, false },
  { "AttachStdin", BOOL, false },
  { "AttachStdout", BOOL, false },
  { "AttachStderr", BOOL, false },
  { "ExposedPorts", MAP, true },
  { "Tty", BOOL, false },
  { "OpenStdin", BOOL, false },
  { "StdinOnce", BOOL, false },
  { "Env", LIST, false },
  { "Cmd", LIST, false },
  { "Healthcheck", STRUCT, true },
  { "ArgsEscaped", BOOL, true },
  { "Image", STR, false },
  { "Volumes", MAP, false },
  { "WorkingDir", STR, false },
  { "Entrypoint", LIST, false },
  { "NetworkDisabled", BOOL, true },
  { "MacAddress", STR, true },
  { "OnBuild", LIST, false },
  { "Labels", MAP, false },
  { "StopSignal", STR, true },
  { "StopTimeout", INT, true },
  { "Shell", LIST, true },
};

static bool
has_kind(const json_t *v, enum kind kind)
{
  switch (kind) {
  case STR:
    return json_is_string(v);
  case BOOL:
    return json_is_boolean(v);
  case LIST:
    return json_is_array(v);
  case MAP:
  case STRUCT:
    return json_is_object(v);
  case INT:
    return json_is_integer(v);
  }
  return false;
}

static json_t *
default_value(enum kind kind)
{
  switch (kind) {
  case STR:
    return json_string("");
  case BOOL:
    return json_false();
  case INT:
    return json_integer(0);
  default:
    return json_null();
  }
}

/* Go's omitempty: false, 0, "", and empty slices and maps. */
static bool
is_empty(const json_t *v)
{
  return v == NULL || json_is_false(v) || (json_is_integer(v) && json_integer_value(v) == 0)
         || (json_is_string(v) && json_string_length(v) == 0)
         || (json_is_array(v) && json_array_size(v) == 0);
}

static int
compare_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of map with its keys in byte order, as Go's encoding/json
 * writes a map (the daemon's JSON is Go's marshalling of its structs). */
static json_t *
sorted_map(const json_t *map)
{
  size_t n = json_object_size(map), i = 0;
  const char **keys = xcalloc(n + 1, sizeof(*keys));
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)map, key, v) keys[i++] = key;
  qsort(keys, n, sizeof(*keys), compare_keys);
  json_t *out = json_object();
  for (i = 0; i < n; i++)
    json_object_set_new(out, keys[i], json_deep_copy(json_object_get(map, keys[i])));
  free(keys);
  return out;
}

json_t *
berth_container_config_json(const json_t *src)
{
  json_t *out = json_object();
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
    const struct field *f = &fields[i];
    json_t *v = json_is_object(src) ? json_object_get(src, f->key) : NULL;
    if (!has_kind(v, f->kind))
      v = NULL;
    bool empty_map = f->kind == MAP && (v == NULL || json_object_size(v) == 0);
    if (f->omitempty && (is_empty(v) || empty_map))
      continue;
    json_t *copy = v == NULL        ? default_value(f->kind)
                   : f->kind == MAP ? sorted_map(v)
                                    : json_deep_copy(v);
    json_object_set_new(out, f->key, copy);
  }
  return out;
}
