#include "system/config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

static int
string_list(json_t *root, const char *key, char ***out, berth_error **err)
{
  json_t *v = json_object_get(root, key);
  size_t n = json_is_array(v) ? json_array_size(v) : 0;
  if (v != NULL && !json_is_array(v))
    return berth_error_set(err, 0, "\"%s\" must be a list of strings", key);
  char **list = xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++) {
    json_t *s = json_array_get(v, i);
    if (!json_is_string(s)) {
      berth_cleanup_strvp(&list);
      return berth_error_set(err, 0, "\"%s\" must be a list of strings", key);
    }
    list[i] = xstrdup(json_string_value(s));
  }
  *out = list;
  return 0;
}

static int
optional_string(json_t *root, const char *key, char **out, berth_error **err)
{
  json_t *v = json_object_get(root, key);
  if (v == NULL)
    return 0;
  if (!json_is_string(v))
    return berth_error_set(err, 0, "\"%s\" must be a string", key);
  *out = xstrdup(json_string_value(v));
  return 0;
}

static int
runtimes(json_t *root, berth_config *c, berth_error **err)
{
  json_t *v = json_object_get(root, "runtimes");
  if (v != NULL && !json_is_object(v))
    return berth_error_set(err, 0, "\"runtimes\" must be an object");
  size_t n = v ? json_object_size(v) : 0, i = 0;
  c->runtime_names = xcalloc(n + 1, sizeof(char *));
  c->runtime_paths = xcalloc(n + 1, sizeof(char *));
  const char *name;
  json_t *rt;
  json_object_foreach(v, name, rt)
  {
    json_t *path = json_object_get(rt, "path");
    if (!json_is_string(path))
      return berth_error_set(err, 0, "runtime \"%s\" needs a \"path\" string", name);
    c->runtime_names[i] = xstrdup(name);
    c->runtime_paths[i] = xstrdup(json_string_value(path));
    i++;
  }
  return 0;
}

berth_config *
berth_config_load(const char *path, berth_error **err)
{
  berth_config *c = xcalloc(1, sizeof(*c));
  cleanup_free char *data = NULL;
  size_t len = 0;
  berth_error *read_err = NULL;
  cleanup_json json_t *root = NULL;
  if (berth_read_file_at(AT_FDCWD, path, &data, &len, &read_err) < 0) {
    if (berth_error_errno(read_err) != ENOENT) {
      berth_error_propagate(err, &read_err);
      berth_config_free(c);
      return NULL;
    }
    berth_error_free(read_err);
    root = json_object();
  } else {
    json_error_t jerr;
    root = json_loadb(data, len, 0, &jerr);
    if (!json_is_object(root)) {
      berth_error_set(err, 0, "%s: not a JSON object (line %d: %s)", path, jerr.line, jerr.text);
      berth_config_free(c);
      return NULL;
    }
  }
  if (optional_string(root, "data-root", &c->data_root, err) < 0
      || optional_string(root, "default-runtime", &c->default_runtime, err) < 0
      || optional_string(root, "seccomp-profile", &c->seccomp_profile, err) < 0
      || string_list(root, "insecure-registries", &c->insecure_registries, err) < 0
      || string_list(root, "registry-mirrors", &c->registry_mirrors, err) < 0
      || runtimes(root, c, err) < 0) {
    berth_error_prefix(err, "%s", path);
    berth_config_free(c);
    return NULL;
  }
  return c;
}

void
berth_config_free(berth_config *c)
{
  if (c == NULL)
    return;
  free(c->data_root);
  free(c->default_runtime);
  free(c->seccomp_profile);
  berth_cleanup_strvp(&c->insecure_registries);
  berth_cleanup_strvp(&c->registry_mirrors);
  berth_cleanup_strvp(&c->runtime_names);
  berth_cleanup_strvp(&c->runtime_paths);
  free(c);
}
