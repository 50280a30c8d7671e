#include "container/tmpfs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/strset.h"
#include "common/utf8.h"
#include "common/xalloc.h"

/* Docker's mount flag names (pkg/mount), less bind, rbind and remount:
 * none of them can make a tmpfs, Docker fails on them when it starts. */
static const char *const flags[] = {
  "defaults",   "ro",          "rw",       "suid",       "nosuid",      "dev",
  "nodev",      "exec",        "noexec",   "sync",       "async",       "dirsync",
  "mand",       "nomand",      "atime",    "noatime",    "diratime",    "nodiratime",
  "unbindable", "runbindable", "private",  "rprivate",   "shared",      "rshared",
  "slave",      "rslave",      "relatime", "norelatime", "strictatime", "nostrictatime",
  NULL,
};

static bool
listed(const char *s, size_t n, const char *const *names)
{
  for (; *names != NULL; names++)
    if (strlen(*names) == n && strncmp(*names, s, n) == 0)
      return true;
  return false;
}

/* digits, then for a size one of k, m, g (or %), as the kernel's memparse */
static bool
number(const char *v, bool octal, bool size)
{
  size_t n = strspn(v, octal ? "01234567" : "0123456789");
  if (n == 0 || n > 20)
    return false;
  if (v[n] == '\0')
    return true;
  return size && v[n + 1] == '\0' && strchr("kKmMgG%", v[n]) != NULL;
}

static bool
valid_data(const char *key, size_t klen, const char *value)
{
  static const char *const sizes[] = { "size", "nr_inodes", "nr_blocks", NULL };
  static const char *const ids[] = { "uid", "gid", NULL };
  if (listed(key, klen, sizes))
    return number(value, false, true);
  if (listed(key, klen, ids))
    return number(value, false, false);
  if (klen == 4 && strncmp(key, "mode", 4) == 0)
    return number(value, true, false);
  return klen == 4 && strncmp(key, "mpol", 4) == 0 && value[0] != '\0';
}

/* Go's %q of the option split at its first "=" (["size" "abc"]). */
static int
bad_option(const char *opt, size_t n, berth_error **err)
{
  cleanup_free char *o = xstrndup(opt, n);
  char *eq = strchr(o, '=');
  if (eq != NULL)
    *eq = '\0';
  cleanup_free char *k = berth_bytes_escape(o);
  cleanup_free char *v = eq ? berth_bytes_escape(eq + 1) : NULL;
  if (v != NULL)
    return berth_error_set(err, 0, "invalid tmpfs option [\"%s\" \"%s\"]", k, v);
  return berth_error_set(err, 0, "invalid tmpfs option [\"%s\"]", k);
}

static int
check_options(const char *opts, berth_error **err)
{
  if (opts[0] == '\0')
    return 0;
  for (const char *p = opts;; p++) {
    size_t n = strcspn(p, ",");
    const char *eq = memchr(p, '=', n);
    bool ok;
    if (eq == NULL) {
      ok = listed(p, n, flags);
    } else {
      cleanup_free char *value = xstrndup(eq + 1, n - (size_t)(eq - p) - 1);
      ok = valid_data(p, (size_t)(eq - p), value);
    }
    if (!ok)
      return bad_option(p, n, err);
    p += n;
    if (*p == '\0')
      return 0;
  }
}

/* specs are the user's: each "PATH[:OPTS]" split at its first ':'. */
int
berth_tmpfs_hostconfig(char *const *specs, json_t **out, berth_error **err)
{
  *out = NULL;
  if (specs == NULL || specs[0] == NULL)
    return 0;
  cleanup_json json_t *m = json_object();
  for (char *const *s = specs; *s != NULL; s++) {
    size_t plen = strcspn(*s, ":");
    cleanup_free char *path = xstrndup(*s, plen);
    const char *opts = (*s)[plen] == ':' ? *s + plen + 1 : "";
    cleanup_free char *shown = berth_bytes_escape(path);
    if (path[0] != '/')
      return berth_error_set(err, 0, "invalid mount path: '%s' mount path must be absolute", shown);
    cleanup_free char *clean = berth_path_clean_abs(path);
    if (strcmp(clean, "/") == 0)
      return berth_error_set(err, 0, "invalid specification: destination can't be '/'");
    if (check_options(opts, err) < 0)
      return -1;
    json_t *v = berth_json_string_checked(opts, "\"--tmpfs\" flag", err);
    if (v == NULL || berth_utf8_check(path, "\"--tmpfs\" flag", err) < 0) {
      json_decref(v);
      return -1;
    }
    json_object_set_new(m, path, v);
  }
  /* Go writes a map's keys sorted */
  size_t n = json_object_size(m), i = 0;
  cleanup_free const char **keys = xcalloc(n, sizeof(char *));
  const char *k;
  json_t *v;
  json_object_foreach(m, k, v) keys[i++] = k;
  qsort(keys, n, sizeof(char *), berth_strcmp_qsort);
  json_t *sorted = json_object();
  for (i = 0; i < n; i++)
    json_object_set(sorted, keys[i], json_object_get(m, keys[i]));
  *out = sorted;
  return 0;
}

json_t *
berth_tmpfs_mounts(const json_t *tmpfs, berth_error **err)
{
  cleanup_json json_t *mounts = json_array();
  const char *path;
  json_t *v;
  json_object_foreach((json_t *)tmpfs, path, v)
  {
    const char *opts = json_string_value(v);
    if (opts == NULL || path[0] != '/' || check_options(opts, NULL) < 0) {
      cleanup_free char *shown = berth_bytes_escape(path);
      berth_error_set(err, 0, "invalid tmpfs mount %s in the container's record", shown);
      return NULL;
    }
    cleanup_free char *dest = berth_path_clean_abs(path);
    json_t *o = json_pack("[s, s, s, s]", "noexec", "nosuid", "nodev", "rprivate");
    cleanup_free char *copy = xstrdup(opts);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
      json_array_append_new(o, json_string(t));
    json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type",
                                            "tmpfs", "source", "tmpfs", "options", o));
  }
  return steal_pointer(&mounts);
}
