#include "image/change.h"

#include <stdbool.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"

/* Splits shell-ish words: whitespace separates, "…" and '…' quote, a
 * backslash escapes the next character. */
static char **
split_words(const char *s)
{
  size_t n = 0, cap = 4;
  char **v = xcalloc(cap, sizeof *v);
  const char *p = s;
  for (;;) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '\0')
      break;
    cleanup_free char *w = xmalloc(strlen(p) + 1);
    size_t k = 0;
    char quote = 0;
    for (; *p != '\0' && (quote || (*p != ' ' && *p != '\t')); p++) {
      if (quote && *p == quote)
        quote = 0;
      else if (!quote && (*p == '"' || *p == '\''))
        quote = *p;
      else if (*p == '\\' && p[1] != '\0' && quote != '\'')
        w[k++] = *++p;
      else
        w[k++] = *p;
    }
    w[k] = '\0';
    if (n + 2 > cap)
      v = xrealloc(v, (cap *= 2) * sizeof *v);
    v[n++] = steal_pointer(&w);
    v[n] = NULL;
  }
  return v;
}

/* JSON form (an array of strings) or NULL when s is not one. */
static json_t *
json_form(const char *s)
{
  if (*s != '[')
    return NULL;
  json_t *a = json_loads(s, JSON_DECODE_ANY, NULL);
  if (!json_is_array(a)) {
    json_decref(a);
    return NULL;
  }
  size_t i;
  json_t *x;
  json_array_foreach(a, i, x) if (!json_is_string(x))
  {
    json_decref(a);
    return NULL;
  }
  return a;
}

static json_t *
cmd_form(const char *rest)
{
  json_t *a = json_form(rest);
  return a != NULL ? a : json_pack("[s, s, s]", "/bin/sh", "-c", rest);
}

json_t *
berth_config_object_member(json_t *config, const char *key)
{
  json_t *o = json_object_get(config, key);
  if (!json_is_object(o)) {
    o = json_object();
    json_object_set_new(config, key, o);
  }
  return o;
}

void
berth_config_env_set(json_t *config, const char *key, const char *value)
{
  json_t *env = json_object_get(config, "Env");
  if (!json_is_array(env)) {
    env = json_array();
    json_object_set_new(config, "Env", env);
  }
  cleanup_free char *entry = xasprintf("%s=%s", key, value);
  size_t kl = strlen(key), i;
  json_t *x;
  json_array_foreach(env, i, x)
  {
    const char *e = json_string_value(x);
    if (e != NULL && strncmp(e, key, kl) == 0 && (e[kl] == '=' || e[kl] == '\0')) {
      json_array_set_new(env, i, json_string(entry));
      return;
    }
  }
  json_array_append_new(env, json_string(entry));
}

/* KEY=VALUE pairs (ENV, LABEL), or the old "KEY VALUE" form. */
static int
pairs(json_t *config, const char *what, const char *rest, bool env, berth_error **err)
{
  cleanup_strv char **w = split_words(rest);
  if (w[0] == NULL)
    return berth_error_set(err, 0, "%s requires at least one argument", what);
  if (strchr(w[0], '=') == NULL) {
    const char *v = rest + strspn(rest, " \t") + strlen(w[0]);
    v += strspn(v, " \t");
    if (env)
      berth_config_env_set(config, w[0], v);
    else
      json_object_set_new(berth_config_object_member(config, "Labels"), w[0], json_string(v));
    return 0;
  }
  for (char **p = w; *p != NULL; p++) {
    char *eq = strchr(*p, '=');
    if (eq == NULL || eq == *p)
      return berth_error_set(err, 0, "%s names must be followed by '=': %s", what, *p);
    *eq = '\0';
    if (env)
      berth_config_env_set(config, *p, eq + 1);
    else
      json_object_set_new(berth_config_object_member(config, "Labels"), *p, json_string(eq + 1));
  }
  return 0;
}

static int
set_workdir(json_t *config, const char *rest, berth_error **err)
{
  if (*rest == '\0')
    return berth_error_set(err, 0, "WORKDIR requires exactly one argument");
  const char *cur = json_string_value(json_object_get(config, "WorkingDir"));
  cleanup_free char *dir
      = rest[0] == '/' ? xstrdup(rest) : xasprintf("%s/%s", cur != NULL && *cur ? cur : "", rest);
  json_object_set_new(config, "WorkingDir", json_string(dir));
  return 0;
}

static int
set_list_object(json_t *config, const char *key, const char *rest, bool ports, berth_error **err)
{
  json_t *arr = json_form(rest);
  cleanup_strv char **w = arr == NULL ? split_words(rest) : NULL;
  json_t *o = berth_config_object_member(config, key);
  size_t n = arr != NULL ? json_array_size(arr) : 0;
  for (size_t i = 0; arr != NULL ? i < n : w[i] != NULL; i++) {
    const char *item = arr != NULL ? json_string_value(json_array_get(arr, i)) : w[i];
    cleanup_free char *k
        = ports && strchr(item, '/') == NULL ? xasprintf("%s/tcp", item) : xstrdup(item);
    json_object_set_new(o, k, json_object());
  }
  json_decref(arr);
  if (json_object_size(o) == 0)
    return berth_error_set(err, 0, "%s requires at least one argument",
                           ports ? "EXPOSE" : "VOLUME");
  return 0;
}

/* instr is untrusted user input; only the instructions below are taken.
 * It is checked for UTF-8 once, here: every string the instructions put
 * into config is a piece of it cut at ASCII bytes (or joined with ASCII), so
 * none can be refused by jansson and silently dropped. */
int
berth_config_apply_change(json_t *config, const char *instr, berth_error **err)
{
  if (berth_utf8_check(instr, "\"-c, --change\" flag", err) < 0)
    return -1;
  const char *p = instr + strspn(instr, " \t");
  size_t kl = strcspn(p, " \t");
  cleanup_free char *kw = xstrndup(p, kl);
  const char *rest = p + kl;
  rest += strspn(rest, " \t");
  cleanup_free char *trimmed = xstrdup(rest);
  for (size_t l = strlen(trimmed); l > 0 && (trimmed[l - 1] == ' ' || trimmed[l - 1] == '\n');)
    trimmed[--l] = '\0';
  rest = trimmed;
  if (strcasecmp(kw, "CMD") == 0 || strcasecmp(kw, "ENTRYPOINT") == 0) {
    json_object_set_new(config, strcasecmp(kw, "CMD") == 0 ? "Cmd" : "Entrypoint", cmd_form(rest));
    return 0;
  }
  if (strcasecmp(kw, "ENV") == 0)
    return pairs(config, "ENV", rest, true, err);
  if (strcasecmp(kw, "LABEL") == 0)
    return pairs(config, "LABEL", rest, false, err);
  if (strcasecmp(kw, "EXPOSE") == 0)
    return set_list_object(config, "ExposedPorts", rest, true, err);
  if (strcasecmp(kw, "VOLUME") == 0)
    return set_list_object(config, "Volumes", rest, false, err);
  if (strcasecmp(kw, "WORKDIR") == 0)
    return set_workdir(config, rest, err);
  if (strcasecmp(kw, "USER") == 0 || strcasecmp(kw, "STOPSIGNAL") == 0) {
    if (*rest == '\0')
      return berth_error_set(err, 0, "%s requires exactly one argument", kw);
    json_object_set_new(config, strcasecmp(kw, "USER") == 0 ? "User" : "StopSignal",
                        json_string(rest));
    return 0;
  }
  return berth_error_set(err, 0, "%s is not a valid change command", kw);
}
