#include "container/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/xalloc.h"
#include "container/confine.h"
#include "container/env.h"
#include "container/limits.h"
#include "container/mount.h"
#include "container/ops.h"
#include "container/passwd.h"
#include "container/prepare.h"
#include "container/spec.h"

static const char exec_prefix[]
    = "OCI runtime exec failed: exec failed: unable to start container process";

static const char *
host_env(const char *name)
{
  return getenv(name);
}

static const char *
path_of(char *const *env)
{
  for (; env != NULL && *env != NULL; env++)
    if (strncmp(*env, "PATH=", 5) == 0)
      return *env + 5;
  return NULL;
}

/* Resolves user and command inside the container's rootfs and writes the
 * process document to process_file.  o comes from the user. */
static int
write_process(berth_store *s, berth_container *c, const berth_exec_options *o,
              const char *process_file, berth_error **err)
{
  cleanup_free char *merged = berth_container_mount(s, c, err);
  if (merged == NULL)
    return -1;
  cleanup_close int rootfd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const char *user = o->user ? o->user : json_string_value(json_object_get(c->config, "User"));
  const char *cwd
      = o->workdir ? o->workdir : json_string_value(json_object_get(c->config, "WorkingDir"));
  cleanup_strv char **env = berth_env_merge(json_object_get(c->config, "Env"), o->env, host_env);
  uid_t uid = 0;
  gid_t gid = 0;
  int ret = 0;
  if (rootfd < 0)
    ret = berth_error_set(err, errno, "open %s", merged);
  else if (berth_passwd_resolve_in(rootfd, user ? user : "", &uid, &gid, err) < 0)
    ret = berth_error_set_kind(err, BERTH_ERR_CMD_CANNOT_INVOKE);
  else if (cwd != NULL && cwd[0] != '\0' && cwd[0] != '/')
    ret = berth_error_set(
        err, 0, "the working directory '%s' is invalid, it needs to be an absolute path", cwd);
  else if (berth_container_check_command(rootfd, o->cmd[0], path_of(env), exec_prefix, err) < 0)
    ret = -1;
  berth_container_unmount(s, c, NULL);
  if (ret < 0)
    return -1;
  struct rlimit rl = { 1024, 1024 };
  getrlimit(RLIMIT_NOFILE, &rl);
  berth_spec_options so = {
    .args = o->cmd,
    .env = env,
    .cwd = cwd,
    .uid = uid,
    .gid = gid,
    .terminal = o->tty,
    .nofile = rl.rlim_max < rl.rlim_cur ? rl.rlim_max : rl.rlim_cur,
  };
  if (so.terminal)
    berth_spec_console_size(&so.console_rows, &so.console_cols);
  /* the container's capabilities and no-new-privileges; its seccomp
   * filter the runtime puts on every process it execs into it */
  cleanup_strv char **caps = NULL;
  if (berth_confine_process(c->hostconfig, &caps, &so.no_new_privileges, err) < 0)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  so.caps = caps;
  cleanup_json json_t *proc = berth_container_process_spec(&so, err);
  if (proc == NULL || berth_limits_apply_rlimits(proc, c->hostconfig, err) < 0)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  cleanup_free char *text = json_dumps(proc, JSON_INDENT(1));
  return berth_write_file_atomic_at(AT_FDCWD, process_file, text, strlen(text), 0600, err);
}

int
berth_container_exec(berth_store *s, const berth_runtime *rt, berth_container *c,
                     const berth_exec_options *o, berth_error **err)
{
  if (berth_container_refresh(s, c, err) < 0)
    return -1;
  if (strcmp(c->status, "running") != 0)
    return berth_error_set(err, 0, "Container %s is not running", c->id);
  if (o->cmd == NULL || o->cmd[0] == NULL || o->cmd[0][0] == '\0')
    return berth_error_set(err, 0, "No exec command specified");
  cleanup_free char *dir = berth_container_dir(s, c);
  char rnd[17];
  berth_random_hex(rnd, 16);
  cleanup_free char *process_file = xasprintf("%s/exec-%s.json", dir, rnd);
  if (write_process(s, c, o, process_file, err) < 0)
    return -1;
  int fds[3] = { o->interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO };
  pid_t pid = berth_runtime_spawn_exec(rt, c->id, process_file, fds, err);
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  unlink(process_file);
  if (pid < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
