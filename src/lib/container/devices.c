#include "container/devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/utf8.h"
#include "common/xalloc.h"

/* r, w and m, each at most once, at least one (Docker's validDeviceMode). */
static bool
valid_mode(const char *m)
{
  if (m[0] == '\0')
    return false;
  bool seen[3] = { false, false, false };
  for (; *m != '\0'; m++) {
    const char *at = strchr("rwm", *m);
    if (at == NULL || seen[at - "rwm"])
      return false;
    seen[at - "rwm"] = true;
  }
  return true;
}

static json_t *
mapping(const char *host, const char *ctr, const char *perms, berth_error **err)
{
  json_t *h = berth_json_string_checked(host, "\"--device\" flag", err);
  json_t *c = h ? berth_json_string_checked(ctr, "\"--device\" flag", err) : NULL;
  if (c == NULL) {
    json_decref(h);
    return NULL;
  }
  return json_pack("{s:o, s:o, s:s}", "PathOnHost", h, "PathInContainer", c, "CgroupPermissions",
                   perms);
}

static json_t *
not_absolute(const char *p, berth_error **err)
{
  cleanup_free char *shown = berth_bytes_escape(p);
  berth_error_set(err, 0, "%s is not an absolute path", shown);
  return NULL;
}

/* Docker's validateLinuxPath then parseLinuxDevice, folded: which part is
 * cleaned depends on the form, as there. */
json_t *
berth_device_parse(const char *spec, berth_error **err)
{
  cleanup_free char *copy = xstrdup(spec);
  char *part[3] = { copy, NULL, NULL };
  size_t n = 1;
  for (char *p = copy; *p != '\0'; p++)
    if (*p == ':') {
      if (n == 3) {
        cleanup_free char *shown = berth_bytes_escape(spec);
        berth_error_set(err, 0, "bad format for path: %s", shown);
        return NULL;
      }
      *p = '\0';
      part[n++] = p + 1;
    }
  if (part[0][0] == '\0') {
    cleanup_free char *shown = berth_bytes_escape(spec);
    berth_error_set(err, 0, "bad format for path: %s", shown);
    return NULL;
  }
  const char *ctr_raw = n == 2 && valid_mode(part[1]) ? part[0] : n == 1 ? part[0] : part[1];
  if (n == 3 && !valid_mode(part[2])) {
    cleanup_free char *shown = berth_bytes_escape(part[2]);
    berth_error_set(err, 0, "bad mode specified: %s", shown);
    return NULL;
  }
  if (ctr_raw[0] != '/')
    return not_absolute(ctr_raw, err);
  if (part[0][0] != '/')
    return not_absolute(part[0], err);
  if (n == 1) {
    cleanup_free char *clean = berth_path_clean_abs(part[0]);
    return mapping(clean, clean, "rwm", err);
  }
  if (n == 2 && valid_mode(part[1])) {
    cleanup_free char *clean = berth_path_clean_abs(part[0]);
    return mapping(clean, clean, part[1], err);
  }
  if (n == 2) {
    cleanup_free char *clean = berth_path_clean_abs(part[1]);
    return mapping(part[0], clean, "rwm", err);
  }
  return mapping(part[0], part[1], part[2], err);
}

/* A device node at path (not followed) into devs and its rule into rules
 * (NULL: none); 1 when it was one, 0 when it is not a device. */
static int
add_node(const char *path, const char *ctr, const char *perms, json_t *devs, json_t *rules)
{
  struct stat st;
  if (lstat(path, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
    return 0;
  const char *type = S_ISCHR(st.st_mode) ? "c" : "b";
  json_int_t maj = major(st.st_rdev), min = minor(st.st_rdev);
  json_t *d = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "path", ctr, "type", type, "major",
                        maj, "minor", min, "fileMode", (json_int_t)(st.st_mode & 07777), "uid",
                        (json_int_t)st.st_uid, "gid", (json_int_t)st.st_gid);
  if (d == NULL) /* a name that is not UTF-8 (a directory walk): left out */
    return 0;
  json_array_append_new(devs, d);
  if (rules != NULL)
    json_array_append_new(rules, json_pack("{s:b, s:s, s:I, s:I, s:s}", "allow", 1, "type", type,
                                           "major", maj, "minor", min, "access", perms));
  return 1;
}

/* Entries one --device directory walk looks at, at most: Docker walks
 * whatever directory it is given (`--device /` is the whole host). */
#define WALK_BUDGET 65536

/* Every device node under dir (symlinks not followed, as filepath.Walk),
 * named under ctr; skip lists what the host's /dev holds that is not for
 * a container (runc's HostDevices).  Depth and entries are bounded. */
static void
walk(const char *dir, const char *ctr, const char *perms, const char *const *skip, int depth,
     size_t *budget, json_t *devs, json_t *rules)
{
  cleanup_dir DIR *d = depth < 16 ? opendir(dir) : NULL;
  struct dirent *e;
  while (d != NULL && *budget > 0 && (e = readdir(d)) != NULL) {
    --*budget;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    bool skipped = false;
    for (const char *const *s = skip; s != NULL && *s != NULL; s++)
      skipped |= strcmp(*s, e->d_name) == 0;
    if (skipped)
      continue;
    cleanup_free char *path = xasprintf("%s/%s", dir, e->d_name);
    cleanup_free char *in = xasprintf("%s/%s", ctr, e->d_name);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
      walk(path, in, perms, NULL, depth + 1, budget, devs, rules);
    else
      add_node(path, in, perms, devs, rules);
  }
}

/* One HostConfig.Devices entry (Docker's DevicesFromPath): the host path
 * is the user's (berth runs as root for a root user: nothing is opened,
 * only looked at); a symlink is followed once to what it names. */
static int
add_mapping(const char *host, const char *ctr, const char *perms, json_t *devs, json_t *rules,
            berth_error **err)
{
  cleanup_free char *resolved = NULL;
  struct stat st;
  if (lstat(host, &st) == 0 && S_ISLNK(st.st_mode))
    resolved = realpath(host, NULL);
  const char *path = resolved ? resolved : host;
  if (add_node(path, ctr, perms, devs, rules))
    return 0;
  int errnum = stat(path, &st) < 0 ? errno : 0;
  size_t before = json_array_size(devs);
  size_t budget = WALK_BUDGET;
  if (errnum == 0 && S_ISDIR(st.st_mode))
    walk(path, ctr, perms, NULL, 0, &budget, devs, rules);
  if (json_array_size(devs) > before)
    return 0;
  cleanup_free char *shown = berth_bytes_escape(host);
  berth_error_set(err, 0,
                  "error gathering device information while adding custom device \"%s\": %s", shown,
                  errnum == ENOENT ? "no such file or directory" : "not a device node");
  return berth_error_set_kind(err, BERTH_ERR_ENGINE);
}

int
berth_devices_resolve(const json_t *hc_devices, bool privileged, json_t **devices, json_t **rules,
                      berth_error **err)
{
  static const char *const host_skip[]
      = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev", "console", NULL };
  cleanup_json json_t *devs = json_array();
  cleanup_json json_t *r = json_array();
  if (privileged) {
    size_t budget = WALK_BUDGET;
    walk("/dev", "/dev", "rwm", host_skip, 0, &budget, devs, NULL);
    json_array_append_new(r, json_pack("{s:b, s:s}", "allow", 1, "access", "rwm"));
  } else {
    json_array_append_new(r, json_pack("{s:b, s:s}", "allow", 0, "access", "rwm"));
  }
  size_t i;
  json_t *e;
  json_array_foreach(hc_devices, i, e)
  {
    const char *host = json_string_value(json_object_get(e, "PathOnHost"));
    const char *ctr = json_string_value(json_object_get(e, "PathInContainer"));
    const char *perms = json_string_value(json_object_get(e, "CgroupPermissions"));
    if (host == NULL || ctr == NULL || ctr[0] != '/' || perms == NULL || !valid_mode(perms))
      return berth_error_set(err, 0, "invalid device %zu in the container's record", i);
    /* privileged: the host's own path is there already; the rest in rwm */
    if (privileged && strcmp(host, ctr) == 0)
      continue;
    cleanup_free char *clean = berth_path_clean_abs(ctr);
    if (add_mapping(host, clean, privileged ? "rwm" : perms, devs, privileged ? NULL : r, err) < 0)
      return -1;
  }
  *devices = steal_pointer(&devs);
  *rules = steal_pointer(&r);
  return 0;
}
