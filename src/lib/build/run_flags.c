/* RUN's --mount and --network flags, parsed as BuildKit's Dockerfile
 * frontend parses them (run_mounts.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/run_mounts.h"
#include "common/cleanup.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "dockerfile/expand.h"

void
berth_build_run_flags_clear(berth_run_flags *f)
{
  for (size_t i = 0; i < f->n_mounts; i++) {
    berth_run_mount *m = &f->mounts[i];
    free(m->target), free(m->source), free(m->from), free(m->id), free(m->sharing);
  }
  free(f->mounts);
  free(f->network);
  *f = (berth_run_flags){ 0 };
}

/* Go's encoding/csv, one record: fields split at ',', a field that starts
 * with '"' is quoted ("" inside is a quote).  NULL-terminated, owned. */
static char **
csv_fields(const char *s, berth_error **err)
{
  size_t n = 0;
  char **v = xcalloc(strlen(s) + 2, sizeof *v);
  cleanup_strv char **out = v;
  for (;;) {
    size_t cap = strlen(s) + 1, k = 0;
    char *f = xmalloc(cap);
    if (*s == '"') {
      s++;
      for (;;) {
        if (*s == '\0') {
          free(f);
          return berth_error_set(err, 0,
                                 "failed to parse csv mounts: extraneous or missing \" in "
                                 "quoted-field"),
                 NULL;
        }
        if (*s == '"' && s[1] == '"') {
          f[k++] = '"', s += 2;
        } else if (*s == '"') {
          s++;
          break;
        } else {
          f[k++] = *s++;
        }
      }
      if (*s != ',' && *s != '\0') {
        free(f);
        return berth_error_set(err, 0,
                               "failed to parse csv mounts: extraneous or missing \" in "
                               "quoted-field"),
               NULL;
      }
    } else {
      while (*s != ',' && *s != '\0') {
        if (*s == '"') {
          free(f);
          return berth_error_set(err, 0, "failed to parse csv mounts: bare \" in non-quoted-field"),
                 NULL;
        }
        f[k++] = *s++;
      }
    }
    f[k] = '\0';
    v[n++] = f;
    if (*s == '\0')
      break;
    s++; /* the ',' */
  }
  return steal_pointer(&out);
}

/* Go's strconv.ParseBool. */
static int
parse_bool(const char *s, bool *b)
{
  static const char *const t[] = { "1", "t", "T", "true", "TRUE", "True", NULL };
  static const char *const f[] = { "0", "f", "F", "false", "FALSE", "False", NULL };
  for (size_t i = 0; t[i] != NULL; i++) {
    if (strcmp(s, t[i]) == 0)
      return *b = true, 0;
    if (strcmp(s, f[i]) == 0)
      return *b = false, 0;
  }
  return -1;
}

static int
parse_ulong(const char *s, int base, unsigned long max, unsigned long *out)
{
  if (*s == '\0' || *s == '-' || *s == '+' || isspace((unsigned char)*s))
    return -1;
  errno = 0;
  char *end = NULL;
  unsigned long long v = strtoull(s, &end, base);
  if (errno != 0 || *end != '\0' || v > max)
    return -1;
  *out = (unsigned long)v;
  return 0;
}

/* go-units' RAMInBytes: a number (decimals allowed) and an optional unit
 * b, k, m, g, t, p (with an optional "b"/"ib"), powers of 1024. */
static int
ram_in_bytes(const char *s, unsigned long long *out)
{
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || errno != 0 || v < 0 || !isdigit((unsigned char)*s))
    return -1;
  static const char units[] = "bkmgtp";
  double mul = 1;
  if (*end != '\0') {
    const char *u = strchr(units, tolower((unsigned char)*end));
    if (u == NULL)
      return -1;
    for (const char *p = units; p < u; p++)
      mul *= 1024;
    end++;
    if (strcasecmp(end, "b") != 0 && strcasecmp(end, "ib") != 0 && *end != '\0')
      return -1;
  }
  *out = (unsigned long long)(v * mul);
  return 0;
}

static const char *const type_names[] = { "bind", "cache", "tmpfs", "secret" };

/* One --mount value (untrusted: the Dockerfile's, expanded with the
 * build's variables): BuildKit's parseMount then validateMount.  Nothing
 * here is a path on the host; the target is cleaned, the rest is checked
 * where it is used (run_mounts.c). */
static int
parse_mount(const char *val, char escape, char *const *env, const char *workdir, berth_run_mount *m,
            berth_error **err)
{
  *m = (berth_run_mount){ .type = BERTH_RUN_MOUNT_BIND };
  cleanup_strv char **fields = csv_fields(val, err);
  if (fields == NULL)
    return -1;
  bool ro_auto = true;
  for (char **fp = fields; *fp != NULL; fp++) {
    char *field = *fp;
    char *eq = strchr(field, '=');
    cleanup_free char *key = xstrndup(field, eq ? (size_t)(eq - field) : strlen(field));
    for (char *p = key; *p; p++)
      *p = (char)tolower((unsigned char)*p);
    if (eq == NULL) {
      if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0) {
        m->readonly = true, ro_auto = false;
      } else if (strcmp(key, "readwrite") == 0 || strcmp(key, "rw") == 0) {
        m->readonly = false, ro_auto = false;
      } else if (strcmp(key, "required") == 0 && m->type == BERTH_RUN_MOUNT_SECRET) {
        m->required = true;
      } else if (strcmp(key, "required") == 0) {
        return berth_error_set(err, 0, "unexpected key '%s' for mount type '%s'", key,
                               type_names[m->type]);
      } else {
        return berth_error_set(err, 0, "invalid field '%s' must be a key=value pair", field);
      }
      continue;
    }
    const char *dollar = strchr(eq + 1, '$');
    if (strcmp(key, "from") == 0 && dollar != NULL && dollar[1] != '\0')
      return berth_error_set(
          err, 0, "'%s' doesn't support variable expansion, define alias stage instead", key);
    cleanup_free char *value = berth_df_expand_word(eq + 1, escape, env, err);
    if (value == NULL)
      return -1;
    unsigned long u;
    bool b;
    if (strcmp(key, "type") == 0) {
      size_t t = 0;
      while (t < 4 && strcasecmp(value, type_names[t]) != 0)
        t++;
      if (t == 4) {
        if (strcasecmp(value, "ssh") == 0)
          return berth_error_set(err, 0, "RUN --mount=type=ssh is not yet supported");
        return berth_error_set(err, 0, "unsupported mount type \"%s\"", value);
      }
      m->type = (berth_run_mount_type)t;
    } else if (strcmp(key, "from") == 0) {
      free(m->from), m->from = steal_pointer(&value);
    } else if (strcmp(key, "source") == 0 || strcmp(key, "src") == 0) {
      free(m->source), m->source = steal_pointer(&value);
    } else if (strcmp(key, "target") == 0 || strcmp(key, "dst") == 0
               || strcmp(key, "destination") == 0) {
      free(m->target), m->target = steal_pointer(&value);
    } else if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0
               || strcmp(key, "readwrite") == 0 || strcmp(key, "rw") == 0) {
      if (parse_bool(value, &b) < 0)
        return berth_error_set(err, 0, "invalid value for %s: %s", key, value);
      bool rw = strcmp(key, "rw") == 0 || strcmp(key, "readwrite") == 0;
      m->readonly = rw ? !b : b;
      ro_auto = false;
    } else if (strcmp(key, "required") == 0) {
      if (m->type != BERTH_RUN_MOUNT_SECRET)
        return berth_error_set(err, 0, "unexpected key '%s' for mount type '%s'", key,
                               type_names[m->type]);
      if (parse_bool(value, &m->required) < 0)
        return berth_error_set(err, 0, "invalid value for %s: %s", key, value);
    } else if (strcmp(key, "size") == 0) {
      if (m->type != BERTH_RUN_MOUNT_TMPFS)
        return berth_error_set(err, 0, "unexpected key '%s' for mount type '%s'", key,
                               type_names[m->type]);
      if (ram_in_bytes(value, &m->size) < 0)
        return berth_error_set(err, 0, "invalid value for %s: %s", key, value);
    } else if (strcmp(key, "id") == 0) {
      free(m->id), m->id = steal_pointer(&value);
    } else if (strcmp(key, "sharing") == 0) {
      for (char *p = value; *p; p++)
        *p = (char)tolower((unsigned char)*p);
      if (strcmp(value, "shared") != 0 && strcmp(value, "private") != 0
          && strcmp(value, "locked") != 0)
        return berth_error_set(err, 0, "unsupported sharing value \"%s\"", eq + 1);
      free(m->sharing), m->sharing = steal_pointer(&value);
    } else if (strcmp(key, "mode") == 0) {
      if (parse_ulong(value, 8, 0xffffffffUL, &u) < 0)
        return berth_error_set(err, 0, "invalid value %s for mode", value);
      m->mode = u, m->has_mode = true;
    } else if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0) {
      if (parse_ulong(value, 10, 0xffffffffUL, &u) < 0)
        return berth_error_set(err, 0, "invalid value %s for %s", value, key);
      if (key[0] == 'u')
        m->uid = u, m->has_uid = true;
      else
        m->gid = u, m->has_gid = true;
    } else {
      return berth_error_set(err, 0, "unexpected key '%s' in '%s'", key, field);
    }
  }
  const char *tn = type_names[m->type];
  bool file_info = m->type == BERTH_RUN_MOUNT_SECRET || m->type == BERTH_RUN_MOUNT_CACHE;
  if (!file_info && m->has_mode)
    return berth_error_set(err, 0, "mode not allowed for \"%s\" type mounts", tn);
  if (!file_info && m->has_uid)
    return berth_error_set(err, 0, "uid not allowed for \"%s\" type mounts", tn);
  if (!file_info && m->has_gid)
    return berth_error_set(err, 0, "gid not allowed for \"%s\" type mounts", tn);
  if (ro_auto)
    m->readonly = m->type == BERTH_RUN_MOUNT_BIND || m->type == BERTH_RUN_MOUNT_SECRET;
  if (m->sharing != NULL && m->type != BERTH_RUN_MOUNT_CACHE)
    return berth_error_set(err, 0, "invalid cache sharing set for %s mount", tn);
  if (m->from != NULL && m->type != BERTH_RUN_MOUNT_BIND)
    return berth_error_set(err, 0, "RUN --mount=type=%s,from= is not yet supported", tn);
  if (m->type == BERTH_RUN_MOUNT_SECRET) {
    if (m->source == NULL && m->target == NULL && m->id == NULL)
      return berth_error_set(err, 0, "invalid secret mount. one of source, target required");
    if (m->source != NULL && m->id != NULL)
      return berth_error_set(err, 0, "both source and id can't be set");
    /* the id: id=, else source=, else the target's base name; the target:
     * /run/secrets/<id's base name> when not given */
    if (m->id == NULL && m->source != NULL)
      m->id = steal_pointer(&m->source);
    if (m->id == NULL) {
      const char *slash = strrchr(m->target, '/');
      m->id = xstrdup(slash && slash[1] ? slash + 1 : m->target);
    }
    if (m->target == NULL) {
      const char *slash = strrchr(m->id, '/');
      m->target = xasprintf("/run/secrets/%s", slash && slash[1] ? slash + 1 : m->id);
    }
  }
  if (m->type == BERTH_RUN_MOUNT_CACHE) {
    if (m->id == NULL || m->id[0] == '\0') {
      free(m->id);
      m->id = berth_path_clean_abs(m->target ? m->target : "");
    }
    if (m->sharing == NULL)
      m->sharing = xstrdup("shared");
  }
  /* the target: relative ones from WORKDIR, then cleaned; never "/" */
  const char *t = m->target ? m->target : "";
  cleanup_free char *joined = t[0] == '/' ? xstrdup(t) : xasprintf("/%s/%s", workdir ?: "", t);
  char *clean = berth_path_clean_abs(joined);
  free(m->target);
  m->target = clean;
  if (strcmp(clean, "/") == 0)
    return berth_error_set(err, 0, "invalid mount target \"/\"");
  if (m->type == BERTH_RUN_MOUNT_BIND && m->source == NULL)
    m->source = xstrdup("");
  return 0;
}

int
berth_build_run_flags_parse(char *const *flags, size_t n_flags, char escape, char *const *env,
                            const char *workdir, berth_run_flags *out, berth_error **err)
{
  *out = (berth_run_flags){ 0 };
  for (size_t i = 0; i < n_flags; i++) {
    const char *fl = flags[i];
    const char *eq = strchr(fl, '=');
    size_t nl = eq ? (size_t)(eq - fl) : strlen(fl);
    if (nl == 7 && strncmp(fl, "--mount", 7) == 0) {
      if (eq == NULL) {
        berth_build_run_flags_clear(out);
        return berth_error_set(err, 0, "Missing a value on flag: mount");
      }
      out->mounts = xrealloc(out->mounts, (out->n_mounts + 1) * sizeof *out->mounts);
      berth_run_mount *m = &out->mounts[out->n_mounts++];
      if (parse_mount(eq + 1, escape, env, workdir, m, err) < 0) {
        berth_build_run_flags_clear(out);
        return -1;
      }
    } else if (nl == 9 && strncmp(fl, "--network", 9) == 0) {
      const char *v = eq ? eq + 1 : "";
      if (strcmp(v, "default") != 0 && strcmp(v, "none") != 0 && strcmp(v, "host") != 0) {
        berth_error_set(err, 0, "invalid network mode \"%s\"", v);
        berth_build_run_flags_clear(out);
        return -1;
      }
      free(out->network);
      out->network = xstrdup(v);
    } else {
      berth_build_run_flags_clear(out);
      return berth_error_set(err, 0, "RUN %s is not yet supported", fl);
    }
  }
  return 0;
}

char *
berth_build_run_mount_from(const char *flag)
{
  if (strncmp(flag, "--mount=", 8) != 0)
    return NULL;
  cleanup_strv char **fields = csv_fields(flag + 8, NULL);
  for (char **f = fields; f != NULL && *f != NULL; f++)
    if (strncasecmp(*f, "from=", 5) == 0)
      return xstrdup(*f + 5);
  return NULL;
}

/* A value as a CSV field: quoted when it holds ',' or '"'. */
static char *
csv_value(const char *v)
{
  if (strpbrk(v, ",\"") == NULL)
    return xstrdup(v);
  char *out = xmalloc(2 * strlen(v) + 3);
  size_t k = 0;
  out[k++] = '"';
  for (; *v; v++) {
    if (*v == '"')
      out[k++] = '"';
    out[k++] = *v;
  }
  out[k++] = '"';
  out[k] = '\0';
  return out;
}

static void
append(char **s, const char *key, const char *v)
{
  cleanup_free char *q = csv_value(v);
  char *n = xasprintf("%s,%s=%s", *s, key, q);
  free(*s);
  *s = n;
}

char *
berth_build_run_flags_words(const berth_run_flags *f)
{
  char *w = xstrdup("");
  for (size_t i = 0; i < f->n_mounts; i++) {
    const berth_run_mount *m = &f->mounts[i];
    char *s = xasprintf("--mount=type=%s", type_names[m->type]);
    if (m->type == BERTH_RUN_MOUNT_SECRET || m->type == BERTH_RUN_MOUNT_CACHE)
      append(&s, "id", m->id);
    append(&s, "target", m->target);
    if (m->from != NULL)
      append(&s, "from", m->from);
    if (m->type == BERTH_RUN_MOUNT_BIND && m->source[0] != '\0')
      append(&s, "source", m->source);
    if (m->type == BERTH_RUN_MOUNT_CACHE && strcmp(m->sharing, "shared") != 0)
      append(&s, "sharing", m->sharing);
    char num[32];
    if (m->has_mode)
      snprintf(num, sizeof num, "%lo", m->mode), append(&s, "mode", num);
    if (m->has_uid)
      snprintf(num, sizeof num, "%lu", m->uid), append(&s, "uid", num);
    if (m->has_gid)
      snprintf(num, sizeof num, "%lu", m->gid), append(&s, "gid", num);
    if (m->type == BERTH_RUN_MOUNT_TMPFS && m->size > 0)
      snprintf(num, sizeof num, "%llu", m->size), append(&s, "size", num);
    if (m->type == BERTH_RUN_MOUNT_SECRET && m->required)
      append(&s, "required", "true");
    if (m->type == BERTH_RUN_MOUNT_BIND && !m->readonly)
      append(&s, "rw", "true");
    char *n = *w ? xasprintf("%s %s", w, s) : xstrdup(s);
    free(w), free(s);
    w = n;
  }
  if (f->network != NULL && strcmp(f->network, "default") != 0) {
    char *n
        = *w ? xasprintf("%s --network=%s", w, f->network) : xasprintf("--network=%s", f->network);
    free(w);
    w = n;
  }
  return w;
}
