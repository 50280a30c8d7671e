#include "container/prepare.h"

#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/safe_open.h"
#include "common/xalloc.h"
#include "container/cgroup.h"
#include "container/confine.h"
#include "container/limits.h"
#include "container/mount.h"
#include "container/network.h"
#include "container/ops.h"
#include "container/passwd.h"
#include "container/spec.h"

static int
exec_error(const char *prefix, const char *path, const char *why, berth_error_kind kind,
           berth_error **err)
{
  berth_error_set(err, 0, "%s: exec: \"%s\": %s: unknown", prefix, path, why);
  return berth_error_set_kind(err, kind);
}

/* 1 when rootfd/path is a regular file with an x bit, 0 when absent,
 * -1 when present but not executable. */
static int
check_exe(int rootfd, const char *path)
{
  cleanup_close int fd = berth_safe_open_at(rootfd, path, O_PATH, NULL, NULL);
  if (fd < 0)
    return 0;
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
    return -1;
  return 1;
}

static const char *
env_path(const json_t *env)
{
  size_t i;
  json_t *e;
  json_array_foreach(env, i, e)
  {
    const char *s = json_string_value(e);
    if (s != NULL && strncmp(s, "PATH=", 5) == 0)
      return s + 5;
  }
  return NULL;
}

/* cmd and path_var are user input; every lookup stays inside rootfd. */
int
berth_container_check_command(int rootfd, const char *cmd, const char *path_var, const char *prefix,
                              berth_error **err)
{
  if (strchr(cmd, '/') != NULL) {
    int r = check_exe(rootfd, cmd);
    if (r == 0) {
      cleanup_free char *why = xasprintf("stat %s: no such file or directory", cmd);
      return exec_error(prefix, cmd, why, BERTH_ERR_CMD_NOT_FOUND, err);
    }
    return r < 0 ? exec_error(prefix, cmd, "permission denied", BERTH_ERR_CMD_CANNOT_INVOKE, err)
                 : 0;
  }
  cleanup_free char *dirs = xstrdup(
      path_var ? path_var : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  char *save = NULL;
  bool denied = false;
  for (char *d = strtok_r(dirs, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
    cleanup_free char *p = xasprintf("%s/%s", d, cmd);
    int r = check_exe(rootfd, p);
    if (r > 0)
      return 0;
    denied |= r < 0;
  }
  if (denied)
    return exec_error(prefix, cmd, "permission denied", BERTH_ERR_CMD_CANNOT_INVOKE, err);
  return exec_error(prefix, cmd, "executable file not found in $PATH", BERTH_ERR_CMD_NOT_FOUND,
                    err);
}

static int
check_command(int rootfd, const berth_container *c, berth_error **err)
{
  return berth_container_check_command(
      rootfd, c->path, env_path(json_object_get(c->config, "Env")),
      "failed to create task: OCI runtime create failed: runc create failed: unable to start "
      "container process",
      err);
}

static char **
env_vector(const json_t *env)
{
  size_t n = json_array_size(env), i;
  char **v = xcalloc(n + 1, sizeof(char *));
  json_t *e;
  size_t k = 0;
  json_array_foreach(env, i, e) if (json_is_string(e)) v[k++] = xstrdup(json_string_value(e));
  return v;
}

static char **
argv_vector(const berth_container *c)
{
  size_t n = 0;
  while (c->args[n] != NULL)
    n++;
  char **v = xcalloc(n + 2, sizeof(char *));
  v[0] = xstrdup(c->path);
  for (size_t i = 0; i < n; i++)
    v[i + 1] = xstrdup(c->args[i]);
  return v;
}

static char **
binds_vector(const json_t *binds)
{
  return json_is_array(binds) ? env_vector(binds) : xcalloc(1, sizeof(char *));
}

static int
write_spec(berth_store *s, berth_container *c, const char *merged, uid_t uid, gid_t gid,
           berth_error **err)
{
  struct rlimit rl = { 1024, 1024 };
  getrlimit(RLIMIT_NOFILE, &rl);
  cleanup_strv char **argv = argv_vector(c);
  cleanup_strv char **env = env_vector(json_object_get(c->config, "Env"));
  cleanup_strv char **binds = binds_vector(json_object_get(c->hostconfig, "Binds"));
  cleanup_free char *dir = berth_container_dir(s, c);
  cleanup_free char *netns = NULL;
  bool own_network = false;
  if (berth_container_network_namespace(s, c, &netns, &own_network, err) < 0)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  berth_spec_options o = {
    .rootfs = merged,
    .args = argv,
    .env = env,
    .cwd = json_string_value(json_object_get(c->config, "WorkingDir")),
    .uid = uid,
    .gid = gid,
    .terminal = json_is_true(json_object_get(c->config, "Tty")),
    .hostname = json_string_value(json_object_get(c->config, "Hostname")),
    .own_network = own_network,
    .netns_path = netns,
    .container_dir = dir,
    .binds = binds,
    .mounts = json_object_get(c->hostconfig, "Mounts"),
    .nofile = rl.rlim_max < rl.rlim_cur ? rl.rlim_max : rl.rlim_cur,
  };
  if (o.terminal)
    berth_spec_console_size(&o.console_rows, &o.console_cols);
  berth_confine cf;
  if (berth_confine_load(s, c, &cf, err) < 0)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  berth_confine_apply(&cf, &o);
  cleanup_json json_t *spec = berth_container_spec(&o, err);
  berth_confine_clear(&cf);
  if (spec == NULL)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  cleanup_free char *cgroups = berth_cgroup_path_of(c->id);
  cleanup_free char *init = NULL;
  if (berth_limits_wants_init(c->hostconfig) && (init = berth_limits_init_path(err)) == NULL)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  if (berth_limits_apply_spec(spec, c->hostconfig, cgroups, init, err) < 0)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  cleanup_free char *text = json_dumps(spec, JSON_INDENT(1));
  cleanup_free char *rel = xasprintf("containers/%s/config.json", c->id);
  /* No record: the runtime's input, made again at every start and read
   * by the runtime right after, so no temp name and no fsync (two fsyncs
   * of a run's 21 on a journaled disk). */
  return berth_write_file_at(berth_store_root_fd(s), rel, text, strlen(text), 0600, err);
}

int
berth_container_prepare(berth_store *s, berth_container *c, berth_error **err)
{
  cleanup_free char *merged = berth_container_mount(s, c, err);
  if (merged == NULL)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  cleanup_close int rootfd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  uid_t uid = 0;
  gid_t gid = 0;
  const char *user = json_string_value(json_object_get(c->config, "User"));
  int ret = 0;
  if (rootfd < 0)
    ret = berth_error_set(err, errno, "open %s", merged);
  else if (berth_passwd_resolve_in(rootfd, user ? user : "", &uid, &gid, err) < 0)
    ret = berth_error_set_kind(err, BERTH_ERR_ENGINE);
  /* With --init the init runs the command and says why it cannot, as
   * Docker's tini does ("exec nosuchcmd failed: No such file or directory",
   * 127). */
  else if (!berth_limits_wants_init(c->hostconfig) && check_command(rootfd, c, err) < 0)
    ret = -1;
  else if (write_spec(s, c, merged, uid, gid, err) < 0)
    ret = -1;
  if (ret < 0)
    berth_container_unmount(s, c, NULL);
  else
    berth_store_trace(s, "prepare: rootfs mounted, config.json written");
  return ret;
}
