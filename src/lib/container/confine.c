#include "container/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/caps.h"
#include "container/devices.h"
#include "container/seccomp.h"
#include "container/tmpfs.h"

/* opts are the user's, any bytes (UTF-8 is checked where they enter the
 * record). */
int
berth_confine_read_security_opts(char **opts, berth_error **err)
{
  for (char **o = opts; o != NULL && *o != NULL; o++) {
    size_t k = strcspn(*o, "=");
    if ((*o)[k] == '\0' && strcmp(*o, "no-new-privileges") != 0) {
      k = strcspn(*o, ":");
      if ((*o)[k] == '\0') {
        cleanup_free char *shown = berth_bytes_escape(*o);
        return berth_error_set(err, 0, "Invalid --security-opt: \"%s\"", shown);
      }
    }
    if (k != 7 || strncmp(*o, "seccomp", 7) != 0 || strcmp(*o + 8, "unconfined") == 0)
      continue;
    char *opt = berth_seccomp_opt_from_file(*o + 8, err);
    if (opt == NULL)
      return -1;
    free(*o);
    *o = opt;
  }
  return 0;
}

/* Go's strconv.ParseBool */
static int
parse_bool(const char *s)
{
  static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
  for (int i = 0; t[i] != NULL; i++) {
    if (strcmp(s, t[i]) == 0)
      return 1;
    if (strcmp(s, f[i]) == 0)
      return 0;
  }
  return -1;
}

/* Docker's daemon (parseSecurityOpt): *seccomp NULL (the default
 * profile), "unconfined" or a profile's JSON, pointing into list. */
static int
security_opts(const json_t *list, const char **seccomp, bool *nnp, berth_error **err)
{
  *seccomp = NULL;
  *nnp = false;
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e)
  {
    const char *opt = json_string_value(e);
    if (opt == NULL)
      return berth_error_set(err, 0, "invalid --security-opt in the container's record");
    if (strcmp(opt, "no-new-privileges") == 0) {
      *nnp = true;
      continue;
    }
    if (strcmp(opt, "disable") == 0)
      continue;
    size_t k = strchr(opt, '=') != NULL ? strcspn(opt, "=") : strcspn(opt, ":");
    cleanup_free char *shown = berth_bytes_escape(opt);
    if (opt[k] == '\0')
      return berth_error_set(err, 0, "invalid --security-opt 1: \"%s\"", shown);
    const char *value = opt + k + 1;
    int b;
    /* label and apparmor: there is no SELinux or AppArmor for berth to
     * use, and Docker on such a host takes them and does nothing too */
    if ((k == 5 && strncmp(opt, "label", 5) == 0) || (k == 8 && strncmp(opt, "apparmor", 8) == 0))
      continue;
    if (k == 7 && strncmp(opt, "seccomp", 7) == 0)
      *seccomp = value;
    else if (k == 17 && strncmp(opt, "no-new-privileges", 17) == 0 && (b = parse_bool(value)) >= 0)
      *nnp = b;
    else
      return berth_error_set(err, 0, "invalid --security-opt 2: \"%s\"", shown);
  }
  return 0;
}

/* The filter for caps from the SecurityOpt's seccomp value (see
 * security_opts) or the default profile at default_path. */
static int
seccomp_for(const char *value, bool privileged, char *const *caps, const char *default_path,
            json_t **out, berth_error **err)
{
  *out = NULL;
  if (privileged || (value != NULL && strcmp(value, "unconfined") == 0))
    return 0;
  /* a configured profile is the one wanted: missing, it is an error */
  cleanup_json json_t *profile
      = value != NULL ? berth_seccomp_profile_parse(value, strlen(value), err)
        : default_path != NULL
            ? berth_seccomp_profile_load(default_path, err)
            : berth_seccomp_default_load(BERTH_SECCOMP_DEFAULT_PROFILE,
                                         BERTH_SECCOMP_FALLBACK_PROFILE, NULL, err);
  if (profile == NULL)
    return -1;
  berth_seccomp_host h;
  berth_seccomp_host_detect(&h);
  return berth_seccomp_convert(profile, caps, &h, out, err);
}

int
berth_confine_process(const json_t *hostconfig, char ***caps, bool *no_new_privileges,
                      berth_error **err)
{
  const char *seccomp;
  if (security_opts(json_object_get(hostconfig, "SecurityOpt"), &seccomp, no_new_privileges, err)
      < 0)
    return -1;
  *caps = berth_caps_for(hostconfig, err);
  return *caps == NULL ? -1 : 0;
}

static json_t *
strv_or_null(char *const *v, const char *what, berth_error **err)
{
  return v == NULL || v[0] == NULL ? json_null() : berth_json_strv_checked(v, what, err);
}

static json_t *
device_list(char *const *specs, berth_error **err)
{
  cleanup_json json_t *a = json_array();
  for (char *const *s = specs; s != NULL && *s != NULL; s++) {
    json_t *m = berth_device_parse(*s, err);
    if (m == NULL)
      return NULL;
    json_array_append_new(a, m);
  }
  return steal_pointer(&a);
}

static void
set_paths(json_t *hc, const char *key, bool privileged, const char *const *paths)
{
  json_t *a = privileged ? json_null() : json_array();
  for (; !privileged && *paths != NULL; paths++)
    json_array_append_new(a, json_string(*paths));
  json_object_set_new(hc, key, a);
}

int
berth_confine_hostconfig(json_t *hc, const berth_confine_options *o, json_t **seccomp,
                         berth_error **err)
{
  *seccomp = NULL;
  json_t *add = strv_or_null(o->cap_add, "\"--cap-add\" flag", err);
  json_t *drop = add ? strv_or_null(o->cap_drop, "\"--cap-drop\" flag", err) : NULL;
  json_t *opts = drop ? strv_or_null(o->security_opt, "\"--security-opt\" flag", err) : NULL;
  json_t *devices = opts ? device_list(o->devices, err) : NULL;
  json_t *tmpfs = NULL;
  if (devices == NULL || berth_tmpfs_hostconfig(o->tmpfs, &tmpfs, err) < 0) {
    json_decref(add), json_decref(drop), json_decref(opts), json_decref(devices);
    return -1;
  }
  /* Docker's daemon turns SELinux labels off for a privileged container */
  if (o->privileged) {
    if (json_is_null(opts))
      json_decref(opts), opts = json_array();
    json_array_append_new(opts, json_string("label=disable"));
  }
  json_object_set_new(hc, "CapAdd", add);
  json_object_set_new(hc, "CapDrop", drop);
  json_object_set_new(hc, "Privileged", json_boolean(o->privileged));
  json_object_set_new(hc, "ReadonlyRootfs", json_boolean(o->read_only));
  json_object_set_new(hc, "SecurityOpt", opts);
  if (tmpfs != NULL)
    json_object_set_new(hc, "Tmpfs", tmpfs);
  json_object_set_new(hc, "Devices", devices);
  set_paths(hc, "MaskedPaths", o->privileged, berth_spec_masked_paths);
  set_paths(hc, "ReadonlyPaths", o->privileged, berth_spec_readonly_paths);
  if (berth_caps_check(add, "CapAdd", err) < 0 || berth_caps_check(drop, "CapDrop", err) < 0)
    return -1;
  const char *value;
  bool nnp;
  if (security_opts(opts, &value, &nnp, err) < 0)
    return -1;
  cleanup_json json_t *devs = NULL, *rules = NULL;
  if (berth_devices_resolve(devices, false, &devs, &rules, err) < 0)
    return -1;
  cleanup_strv char **caps = berth_caps_for(hc, err);
  if (caps == NULL)
    return -1;
  return seccomp_for(value, o->privileged, caps, o->seccomp_profile, seccomp, err);
}

int
berth_confine_save_seccomp(int dirfd, const json_t *seccomp, berth_error **err)
{
  cleanup_free char *text = seccomp ? json_dumps(seccomp, JSON_COMPACT) : xstrdup("null");
  return berth_write_file_atomic_at(dirfd, "seccomp.json", text, strlen(text), 0600, err);
}

/* containers/<id>/seccomp.json: 1 with *out (NULL for JSON null), 0 when
 * there is no such file, -1 on error.  The file is berth's own. */
static int
read_seccomp(berth_store *s, const berth_container *c, json_t **out, berth_error **err)
{
  cleanup_free char *rel = xasprintf("containers/%s/seccomp.json", c->id);
  cleanup_free char *text = NULL;
  size_t len;
  cleanup_error berth_error *local = NULL;
  if (berth_read_file_at(berth_store_root_fd(s), rel, &text, &len, &local) < 0) {
    if (berth_error_errno(local) == ENOENT)
      return 0;
    return berth_error_propagate(err, &local);
  }
  json_error_t je;
  json_t *j = json_loadb(text, len, JSON_DECODE_ANY, &je);
  if (j == NULL || !(json_is_null(j) || json_is_object(j))) {
    json_decref(j);
    return berth_error_set(err, 0, "%s: not a seccomp filter", rel);
  }
  *out = json_is_null(j) ? NULL : j;
  if (*out == NULL)
    json_decref(j);
  return 1;
}

int
berth_confine_load(berth_store *s, const berth_container *c, berth_confine *cf, berth_error **err)
{
  memset(cf, 0, sizeof(*cf));
  const json_t *hc = c->hostconfig;
  const char *value;
  cf->privileged = json_is_true(json_object_get(hc, "Privileged"));
  cf->readonly_rootfs = json_is_true(json_object_get(hc, "ReadonlyRootfs"));
  if (security_opts(json_object_get(hc, "SecurityOpt"), &value, &cf->no_new_privileges, err) < 0
      || (cf->caps = berth_caps_for(hc, err)) == NULL)
    return -1;
  int r = read_seccomp(s, c, &cf->seccomp, err);
  if (r == 0 && seccomp_for(value, cf->privileged, cf->caps, NULL, &cf->seccomp, err) < 0)
    r = -1;
  const json_t *tmpfs = json_object_get(hc, "Tmpfs");
  if (r >= 0 && json_is_object(tmpfs) && (cf->mounts = berth_tmpfs_mounts(tmpfs, err)) == NULL)
    r = -1;
  if (r >= 0
      && berth_devices_resolve(json_object_get(hc, "Devices"), cf->privileged, &cf->devices,
                               &cf->device_rules, err)
             < 0)
    r = -1;
  if (r < 0) {
    berth_confine_clear(cf);
    return -1;
  }
  return 0;
}

void
berth_confine_apply(const berth_confine *cf, berth_spec_options *o)
{
  o->caps = cf->caps;
  o->no_new_privileges = cf->no_new_privileges;
  o->privileged = cf->privileged;
  o->readonly_rootfs = cf->readonly_rootfs;
  o->seccomp = cf->seccomp;
  o->tmpfs_mounts = cf->mounts;
  o->devices = cf->devices;
  o->device_rules = cf->device_rules;
}

void
berth_confine_clear(berth_confine *cf)
{
  berth_cleanup_strvp(&cf->caps);
  json_decref(cf->seccomp);
  json_decref(cf->mounts);
  json_decref(cf->devices);
  json_decref(cf->device_rules);
  memset(cf, 0, sizeof(*cf));
}
