#include "container/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

berth_runtime *
berth_runtime_new(const char *store_root, const char *name, const char *path)
{
  berth_runtime *rt = xcalloc(1, sizeof(*rt));
  rt->name = xstrdup(name ? name : "runc");
  rt->path = xstrdup(path ? path : rt->name);
  rt->state_dir = xasprintf("%s/runtime/%s", store_root, rt->name);
  return rt;
}

void
berth_runtime_free(berth_runtime *rt)
{
  if (rt == NULL)
    return;
  free(rt->name);
  free(rt->path);
  free(rt->state_dir);
  free(rt);
}

void
berth_runtime_cleanup(berth_runtime **rt)
{
  berth_runtime_free(*rt);
}

/* Child side: fds onto 0/1/2 (-1 means /dev/null), then exec. */
static void
exec_child(const berth_runtime *rt, const int fds[3], char **argv)
{
  for (int i = 0; i < 3; i++) {
    int fd = fds != NULL ? fds[i] : -1;
    if (fd < 0)
      fd = open("/dev/null", O_RDWR);
    if (fd >= 0 && fd != i)
      dup2(fd, i);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execvp(rt->path, argv);
  _exit(127);
}

static pid_t
spawn(const berth_runtime *rt, const int fds[3], char **argv, berth_error **err)
{
  pid_t pid = fork();
  if (pid < 0)
    return berth_error_set(err, errno, "fork");
  if (pid == 0)
    exec_child(rt, fds, argv);
  return pid;
}

static int
run_quiet(const berth_runtime *rt, char **argv, berth_error **err)
{
  pid_t pid = spawn(rt, NULL, argv, err);
  if (pid < 0)
    return -1;
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return berth_error_set(err, errno, "wait %s", rt->name);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t
berth_runtime_spawn_run(const berth_runtime *rt, const char *id, const char *bundle,
                        const char *pid_file, const int fds[3], berth_error **err)
{
  char *argv[] = { rt->path,       "--root",     rt->state_dir,    "run",      "--bundle",
                   (char *)bundle, "--pid-file", (char *)pid_file, (char *)id, NULL };
  return spawn(rt, fds, argv, err);
}

pid_t
berth_runtime_spawn_exec(const berth_runtime *rt, const char *id, const char *process_file,
                         const int fds[3], berth_error **err)
{
  char *argv[] = { rt->path,   "--root", rt->state_dir, "exec", "--process", (char *)process_file,
                   (char *)id, NULL };
  return spawn(rt, fds, argv, err);
}

int
berth_runtime_kill(const berth_runtime *rt, const char *id, int sig, berth_error **err)
{
  char signum[16];
  snprintf(signum, sizeof(signum), "%d", sig);
  char *argv[] = { rt->path, "--root", rt->state_dir, "kill", (char *)id, signum, NULL };
  return run_quiet(rt, argv, err) < 0 ? -1 : 0;
}

static bool
has_state(const berth_runtime *rt, const char *id)
{
  cleanup_free char *dir = xasprintf("%s/%s", rt->state_dir, id);
  return access(dir, F_OK) == 0;
}

int
berth_runtime_delete(const berth_runtime *rt, const char *id, berth_error **err)
{
  /* runc and crun keep a container's state in <root>/<id>; a foreground
   * `run` removes it itself on exit, so most deletes have nothing to do
   * and need not cost an exec. */
  if (!has_state(rt, id))
    return 0;
  char *argv[] = { rt->path, "--root", rt->state_dir, "delete", "--force", (char *)id, NULL };
  return run_quiet(rt, argv, err) < 0 ? -1 : 0;
}

/* Asks the runtime with `state` (its state files are its own business):
 * running only when it says "running". */
int
berth_runtime_is_running(const berth_runtime *rt, const char *id, pid_t *pid)
{
  if (!has_state(rt, id))
    return 0;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return 0;
  int fds[3] = { -1, pipefd[1], -1 };
  char *argv[] = { rt->path, "--root", rt->state_dir, "state", (char *)id, NULL };
  pid_t child = spawn(rt, fds, argv, NULL);
  close(pipefd[1]);
  char buf[8192];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof(buf) - 1 && (r = read(pipefd[0], buf + n, sizeof(buf) - 1 - n)) > 0)
    n += (size_t)r;
  buf[n] = '\0';
  close(pipefd[0]);
  int status = 0;
  if (child > 0)
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
      ;
  if (child <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return 0;
  const char *p = strstr(buf, "\"pid\":");
  if (pid != NULL && p != NULL)
    *pid = (pid_t)atoi(p + 6);
  return strstr(buf, "\"status\": \"running\"") != NULL
         || strstr(buf, "\"status\":\"running\"") != NULL;
}

/* Reads only the host's cgroup files. */
bool
berth_runtime_crun_usable(const char *cgroup_root)
{
  struct statfs st;
  if (statfs(cgroup_root, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return true;
  cleanup_free char *path = xasprintf("%s/unified/cgroup.controllers", cgroup_root);
  cleanup_free char *text = berth_read_line_at(AT_FDCWD, path, NULL);
  return text == NULL || text[strspn(text, " \t\n")] == '\0';
}

const char *
berth_runtime_choose(const char *requested, const char *configured, bool crun_found,
                     bool crun_usable)
{
  if (requested != NULL && requested[0] != '\0')
    return requested;
  if (configured != NULL && configured[0] != '\0')
    return configured;
  return crun_found && crun_usable ? "crun" : "runc";
}

/* name comes from berth itself ("crun", "runc"); $PATH from the caller. */
const char *
berth_runtime_default(const char *requested, const char *configured)
{
  bool crun = berth_runtime_in_path("crun");
  return berth_runtime_choose(requested, configured, crun,
                              crun && berth_runtime_crun_usable("/sys/fs/cgroup"));
}

bool
berth_runtime_in_path(const char *name)
{
  const char *path = getenv("PATH");
  cleanup_free char *copy = xstrdup(path != NULL ? path : "/usr/local/bin:/usr/bin:/bin");
  char *save = NULL;
  for (char *dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
    cleanup_free char *p = xasprintf("%s/%s", dir, name);
    if (access(p, X_OK) == 0)
      return true;
  }
  return false;
}
