#include "container/env.h"

#include <string.h>

#include "common/xalloc.h"

struct envv {
  char **v;
  size_t n;
};

static size_t
key_len(const char *kv)
{
  const char *eq = strchr(kv, '=');
  return eq != NULL ? (size_t)(eq - kv) : strlen(kv);
}

/* Replaces the entry with the same key, or appends; takes kv. */
static void
env_set(struct envv *e, char *kv)
{
  size_t k = key_len(kv);
  for (size_t i = 0; i < e->n; i++)
    if (key_len(e->v[i]) == k && strncmp(e->v[i], kv, k) == 0) {
      free(e->v[i]);
      e->v[i] = kv;
      return;
    }
  e->v = xrealloc(e->v, (e->n + 2) * sizeof(char *));
  e->v[e->n++] = kv;
  e->v[e->n] = NULL;
}

/* Trusts nothing in base or overrides; empty keys are dropped. */
char **
berth_env_merge(const json_t *base, char *const *overrides, const char *(*lookup)(const char *name))
{
  struct envv e = { xcalloc(1, sizeof(char *)), 0 };
  size_t i;
  json_t *item;
  json_array_foreach(base, i, item)
  {
    const char *s = json_string_value(item);
    if (s != NULL && strchr(s, '=') != NULL && s[0] != '=')
      env_set(&e, xstrdup(s));
  }
  for (char *const *o = overrides; o != NULL && *o != NULL; o++) {
    if ((*o)[0] == '\0' || (*o)[0] == '=')
      continue;
    if (strchr(*o, '=') != NULL) {
      env_set(&e, xstrdup(*o));
      continue;
    }
    const char *v = lookup != NULL ? lookup(*o) : NULL;
    if (v != NULL)
      env_set(&e, xasprintf("%s=%s", *o, v));
  }
  return e.v;
}
