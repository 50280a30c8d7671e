#include "container/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

/* Child side: fds onto 0/1/2 (-1 means /dev/null), then exec.  A
 * tied child (the runtime's `run`) dies with the process that forked it:
 * its supervisor is the one that records how the container ends, and a
 * runtime left running without one would start a container nobody
 * watches. */
static void
exec_child(const berth_runtime *rt, const int fds[3], char **argv, pid_t tied_to)
{
  if (tied_to > 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != tied_to))
    _exit(127);
  for (int i = 0; i < 3; i++) {
    int fd = fds != NULL ? fds[i] : -1;
    if (fd < 0)
      fd = open("/dev/null", O_RDWR);
    if (fd >= 0 && fd != i)
      dup2(fd, i);
  }
  /* The runtime and the container start with no signal blocked or
   * ignored, whatever berth did with them (the keeper ignores SIGPIPE). */
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execvp(rt->path, argv);
  _exit(127);
}

static pid_t
spawn_tied(const berth_runtime *rt, const int fds[3], char **argv, bool tied, berth_error **err)
{
  pid_t self = getpid();
  pid_t pid = fork();
  if (pid < 0)
    return berth_error_set(err, errno, "fork");
  if (pid == 0)
    exec_child(rt, fds, argv, tied ? self : 0);
  return pid;
}

static pid_t
spawn(const berth_runtime *rt, const int fds[3], char **argv, berth_error **err)
{
  return spawn_tied(rt, fds, argv, false, err);
}

static int
wait_child(const berth_runtime *rt, pid_t pid, berth_error **err)
{
  siginfo_t info = { 0 };
  while (waitid(P_PID, (id_t)pid, &info, WEXITED) < 0)
    if (errno != EINTR)
      return berth_error_set(err, errno, "wait %s", rt->name);
  return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

/* Runs the runtime with its stderr captured (the first 1 KiB, its last
 * newline dropped) into *msg; returns its exit status. */
static int
run_capture(const berth_runtime *rt, char **argv, char **msg, berth_error **err)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return berth_error_set(err, errno, "pipe");
  int fds[3] = { -1, -1, p[1] };
  pid_t pid = spawn(rt, fds, argv, err);
  close(p[1]);
  char buf[1024];
  size_t n = 0;
  ssize_t r;
  while ((r = read(p[0], buf + n, sizeof(buf) - 1 - n)) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    n += (size_t)r;
    if (n == sizeof(buf) - 1) {
      char sink[4096]; /* drain the rest so the runtime never blocks on us */
      while ((r = read(p[0], sink, sizeof(sink))) > 0 || (r < 0 && errno == EINTR))
        ;
      break;
    }
  }
  close(p[0]);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    n--;
  buf[n] = '\0';
  *msg = xstrdup(buf);
  return pid < 0 ? -1 : wait_child(rt, pid, err);
}

pid_t
berth_runtime_spawn_run(const berth_runtime *rt, const char *id, const char *bundle,
                        const char *pid_file, const int fds[3], berth_error **err)
{
  char *argv[] = { rt->path,       "--root",     rt->state_dir,    "run",      "--bundle",
                   (char *)bundle, "--pid-file", (char *)pid_file, (char *)id, NULL };
  return spawn_tied(rt, fds, argv, true, err);
}

pid_t
berth_runtime_spawn_exec(const berth_runtime *rt, const char *id, const char *process_file,
                         const int fds[3], berth_error **err)
{
  char *argv[] = { rt->path,   "--root", rt->state_dir, "exec", "--process", (char *)process_file,
                   (char *)id, NULL };
  return spawn(rt, fds, argv, err);
}

/* A kill that fails because the container is gone or has stopped (it
 * exited while we were deciding to signal it) did what was asked. */
int
berth_runtime_kill(const berth_runtime *rt, const char *id, int sig, berth_error **err)
{
  char signum[16];
  snprintf(signum, sizeof(signum), "%d", sig);
  char *argv[] = { rt->path, "--root", rt->state_dir, "kill", (char *)id, signum, NULL };
  cleanup_free char *msg = NULL;
  int code = run_capture(rt, argv, &msg, err);
  if (code <= 0)
    return code;
  if (!berth_runtime_is_running(rt, id, NULL))
    return 0;
  return berth_error_set(err, 0, "%s kill %.12s %d: exit status %d%s%s", rt->name, id, sig, code,
                         msg[0] ? ": " : "", msg);
}

/* `pause` / `resume` (the cgroup freezer); the runtime's message on failure. */
static int
runtime_verb(const berth_runtime *rt, const char *id, const char *verb, berth_error **err)
{
  char *argv[] = { rt->path, "--root", rt->state_dir, (char *)verb, (char *)id, NULL };
  cleanup_free char *msg = NULL;
  int code = run_capture(rt, argv, &msg, err);
  if (code <= 0)
    return code;
  return berth_error_set(err, 0, "%s %s %.12s: exit status %d%s%s", rt->name, verb, id, code,
                         msg[0] ? ": " : "", msg);
}

int
berth_runtime_pause(const berth_runtime *rt, const char *id, berth_error **err)
{
  return runtime_verb(rt, id, "pause", err);
}

int
berth_runtime_resume(const berth_runtime *rt, const char *id, berth_error **err)
{
  return runtime_verb(rt, id, "resume", err);
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
  cleanup_free char *msg = NULL;
  int code = run_capture(rt, argv, &msg, err);
  if (code <= 0 || !has_state(rt, id))
    return code < 0 ? -1 : 0;
  return berth_error_set(err, 0, "%s delete %.12s: exit status %d%s%s", rt->name, id, code,
                         msg[0] ? ": " : "", msg);
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
  if (child <= 0 || wait_child(rt, child, NULL) != 0)
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
