#include "container/spec.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/caps.h"

static const char *const masked[] = { "/proc/asound",
                                      "/proc/acpi",
                                      "/proc/kcore",
                                      "/proc/keys",
                                      "/proc/latency_stats",
                                      "/proc/timer_list",
                                      "/proc/timer_stats",
                                      "/proc/sched_debug",
                                      "/proc/scsi",
                                      "/sys/firmware",
                                      NULL };

static const char *const readonly[]
    = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };

const char *const *const berth_spec_masked_paths = masked;
const char *const *const berth_spec_readonly_paths = readonly;

static json_t *
str_array(const char *const *v)
{
  json_t *a = json_array();
  for (; v != NULL && *v != NULL; v++)
    json_array_append_new(a, json_string(*v));
  return a;
}

json_t *
berth_container_process_spec(const berth_spec_options *o, berth_error **err)
{
  /* cleaned, as Docker's SetupWorkingDirectory does: the runtime makes a
   * missing cwd, and "/a/b/../c" must make /a/c, not /a/b too */
  cleanup_free char *cwd_clean = o->cwd && o->cwd[0] == '/' ? berth_path_clean_abs(o->cwd) : NULL;
  const char *cwd = cwd_clean ? cwd_clean : o->cwd && o->cwd[0] ? o->cwd : "/";
  if (berth_utf8_check(cwd, "the working directory", err) < 0)
    return NULL;
  json_t *args = berth_json_strv_checked(o->args, "the command", err);
  json_t *env = args != NULL ? berth_json_strv_checked(o->env, "the environment", err) : NULL;
  if (env == NULL) {
    json_decref(args);
    return NULL;
  }
  json_t *c = str_array(o->caps != NULL ? (const char *const *)o->caps : berth_caps_default);
  json_t *capabilities = json_pack("{s:O, s:O, s:O, s:o}", "bounding", c, "effective", c,
                                   "permitted", c, "inheritable", json_array());
  json_decref(c);
  json_t *rlimits = json_pack("[{s:s, s:I, s:I}]", "type", "RLIMIT_NOFILE", "hard",
                              (json_int_t)o->nofile, "soft", (json_int_t)o->nofile);
  json_t *p
      = json_pack("{s:b, s:{s:I, s:I}, s:o, s:o, s:s, s:o, s:o, s:b, s:i}", "terminal", o->terminal,
                  "user", "uid", (json_int_t)o->uid, "gid", (json_int_t)o->gid, "args", args, "env",
                  env, "cwd", cwd, "capabilities", capabilities, "rlimits", rlimits,
                  "noNewPrivileges", o->no_new_privileges, "oomScoreAdj", 0);
  /* The runtime sizes the console before the process starts; without it
   * the size is 0x0 until the runtime's first resize, which races the
   * process (`stty size` fails). */
  if (p != NULL && o->terminal && o->console_rows > 0 && o->console_cols > 0)
    json_object_set_new(p, "consoleSize",
                        json_pack("{s:I, s:I}", "height", (json_int_t)o->console_rows, "width",
                                  (json_int_t)o->console_cols));
  return p;
}

void
berth_spec_console_size(unsigned short *rows, unsigned short *cols)
{
  struct winsize ws = { 0 };
  if ((ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
      && ws.ws_row > 0 && ws.ws_col > 0) {
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return;
  }
  *rows = 24;
  *cols = 80;
}

static void
add_mount(json_t *mounts, const char *dest, const char *type, const char *src,
          const char *const *opts)
{
  json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type,
                                          "source", src, "options", str_array(opts)));
}

/* privileged: /sys and its cgroup read-write, as Docker mounts them */
static void
default_mounts(json_t *m, bool privileged)
{
  const char *ro = privileged ? "rw" : "ro";
  add_mount(m, "/proc", "proc", "proc", (const char *[]){ "nosuid", "noexec", "nodev", NULL });
  add_mount(m, "/dev", "tmpfs", "tmpfs",
            (const char *[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL });
  add_mount(m, "/dev/pts", "devpts", "devpts",
            (const char *[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                              "gid=5", NULL });
  add_mount(m, "/sys", "sysfs", "sysfs", (const char *[]){ "nosuid", "noexec", "nodev", ro, NULL });
  add_mount(m, "/sys/fs/cgroup", "cgroup", "cgroup",
            (const char *[]){ ro, "nosuid", "noexec", "nodev", NULL });
  add_mount(m, "/dev/mqueue", "mqueue", "mqueue",
            (const char *[]){ "nosuid", "noexec", "nodev", NULL });
  add_mount(m, "/dev/shm", "tmpfs", "shm",
            (const char *[]){ "nosuid", "noexec", "nodev", "mode=1777", "size=67108864", NULL });
}

/* "HOST:CTR[:ro|rw]" into a bind mount; both sides absolute. */
static int
add_bind(json_t *m, const char *spec, berth_error **err)
{
  cleanup_free char *copy = xstrdup(spec);
  char *ctr = strchr(copy, ':');
  if (ctr == NULL)
    return berth_error_set(err, 0, "invalid volume specification: '%s'", spec);
  *ctr++ = '\0';
  char *mode = strchr(ctr, ':');
  if (mode != NULL)
    *mode++ = '\0';
  if (copy[0] != '/' || ctr[0] != '/' || strstr(ctr, "/../") != NULL
      || (mode != NULL && strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0))
    return berth_error_set(err, 0, "invalid volume specification: '%s'", spec);
  bool ro = mode != NULL && strcmp(mode, "ro") == 0;
  add_mount(m, ctr, "bind", copy, (const char *[]){ "rbind", "rprivate", ro ? "ro" : "rw", NULL });
  return 0;
}

/* HostConfig.Mounts as create wrote them (berth-made: binds of absolute
 * host paths the builder prepared, tmpfs with a size). */
static int
add_mounts(json_t *m, const json_t *mounts, berth_error **err)
{
  size_t i;
  json_t *e;
  json_array_foreach(mounts, i, e)
  {
    const char *type = json_string_value(json_object_get(e, "Type"));
    const char *src = json_string_value(json_object_get(e, "Source"));
    const char *dst = json_string_value(json_object_get(e, "Target"));
    if (type == NULL || dst == NULL || dst[0] != '/')
      return berth_error_set(err, 0, "invalid mount %zu in the container's record", i);
    if (strcmp(type, "tmpfs") == 0) {
      json_int_t size
          = json_integer_value(json_object_get(json_object_get(e, "TmpfsOptions"), "SizeBytes"));
      cleanup_free char *sz = size > 0 ? xasprintf("size=%lld", (long long)size) : NULL;
      add_mount(m, dst, "tmpfs", "tmpfs",
                (const char *[]){ "nosuid", "nodev", "mode=1777", sz, NULL });
    } else if (strcmp(type, "bind") == 0 && src != NULL && src[0] == '/') {
      bool ro = json_is_true(json_object_get(e, "ReadOnly"));
      add_mount(m, dst, "bind", src,
                (const char *[]){ "rbind", "rprivate", ro ? "ro" : "rw", NULL });
    } else {
      return berth_error_set(err, 0, "invalid mount %zu in the container's record", i);
    }
  }
  return 0;
}

static void
add_file_binds(json_t *m, const char *dir)
{
  static const char *const files[][2] = { { "resolv.conf", "/etc/resolv.conf" },
                                          { "hostname", "/etc/hostname" },
                                          { "hosts", "/etc/hosts" } };
  for (size_t i = 0; i < 3; i++) {
    cleanup_free char *src = xasprintf("%s/%s", dir, files[i][0]);
    add_mount(m, files[i][1], "bind", src, (const char *[]){ "rbind", "rprivate", NULL });
  }
}

static json_t *
linux_json(const berth_spec_options *o)
{
  json_t *ns = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}]", "type", "mount", "type", "pid", "type",
                         "ipc", "type", "uts");
  if (o->own_network)
    json_array_append_new(ns, json_pack("{s:s}", "type", "network"));
  json_t *rules = o->device_rules ? json_incref((json_t *)o->device_rules)
                                  : json_pack("[{s:b, s:s}]", "allow", 0, "access", "rwm");
  json_t *l = json_pack("{s:o, s:o, s:o, s:{s:o}}", "namespaces", ns, "maskedPaths",
                        str_array(o->privileged ? NULL : masked), "readonlyPaths",
                        str_array(o->privileged ? NULL : readonly), "resources", "devices", rules);
  if (o->devices != NULL && json_array_size(o->devices) > 0)
    json_object_set(l, "devices", (json_t *)o->devices);
  if (o->seccomp != NULL)
    json_object_set(l, "seccomp", (json_t *)o->seccomp);
  return l;
}

json_t *
berth_container_spec(const berth_spec_options *o, berth_error **err)
{
  json_t *mounts = json_array();
  default_mounts(mounts, o->privileged);
  if (o->container_dir != NULL)
    add_file_binds(mounts, o->container_dir);
  for (char *const *b = o->binds; b != NULL && *b != NULL; b++)
    if (berth_utf8_check(*b, "\"-v, --volume\" flag", err) < 0 || add_bind(mounts, *b, err) < 0) {
      json_decref(mounts);
      return NULL;
    }
  if (o->mounts != NULL && add_mounts(mounts, o->mounts, err) < 0) {
    json_decref(mounts);
    return NULL;
  }
  if (o->tmpfs_mounts != NULL)
    json_array_extend(mounts, (json_t *)o->tmpfs_mounts);
  /* The store's own paths and the hostname come from the root the user chose
   * and the record; json_pack would refuse them silently. */
  if (berth_utf8_check(o->rootfs, "the rootfs path", err) < 0
      || berth_utf8_check(o->container_dir, "the container directory", err) < 0
      || berth_utf8_check(o->hostname, "the hostname", err) < 0) {
    json_decref(mounts);
    return NULL;
  }
  json_t *process = berth_container_process_spec(o, err);
  if (process == NULL) {
    json_decref(mounts);
    return NULL;
  }
  return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.0.2-dev", "process",
                   process, "root", "path", o->rootfs, "readonly", o->readonly_rootfs, "hostname",
                   o->hostname ? o->hostname : "", "mounts", mounts, "linux", linux_json(o));
}
