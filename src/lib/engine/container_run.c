#include "engine/container_run.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "container/mount.h"
#include "container/passwd.h"
#include "container/spec.h"
#include "engine/container_ops.h"

/* Opens path inside rootfd, every symlink resolved inside the rootfs. */
static int
open_in_root(int rootfd, const char *path)
{
  struct open_how how
      = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

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
  cleanup_close int fd = open_in_root(rootfd, path);
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
  const char *net = json_string_value(json_object_get(c->hostconfig, "NetworkMode"));
  berth_spec_options o = {
    .rootfs = merged,
    .args = argv,
    .env = env,
    .cwd = json_string_value(json_object_get(c->config, "WorkingDir")),
    .uid = uid,
    .gid = gid,
    .terminal = json_is_true(json_object_get(c->config, "Tty")),
    .hostname = json_string_value(json_object_get(c->config, "Hostname")),
    .own_network = net != NULL && strcmp(net, "none") == 0,
    .container_dir = dir,
    .binds = binds,
    .nofile = rl.rlim_max < rl.rlim_cur ? rl.rlim_max : rl.rlim_cur,
  };
  cleanup_json json_t *spec = berth_container_spec(&o, err);
  if (spec == NULL)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  cleanup_free char *text = json_dumps(spec, JSON_INDENT(1));
  cleanup_free char *rel = xasprintf("containers/%s/config.json", c->id);
  return berth_write_file_atomic_at(berth_store_root_fd(s), rel, text, strlen(text), 0600, err);
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
  else if (check_command(rootfd, c, err) < 0)
    ret = -1;
  else if (write_spec(s, c, merged, uid, gid, err) < 0)
    ret = -1;
  if (ret < 0)
    berth_container_unmount(s, c, NULL);
  return ret;
}

struct stream {
  int fd;
  int echo_fd;
  const char *name;
  char buf[16384];
  size_t len;
};

static void
log_line(int log_fd, const char *name, const char *data, size_t len)
{
  cleanup_free char *now = berth_container_now();
  cleanup_json json_t *j
      = json_pack("{s:s%, s:s, s:s}", "log", data, len, "stream", name, "time", now);
  cleanup_free char *text = json_dumps(j, JSON_COMPACT);
  cleanup_free char *line = xasprintf("%s\n", text);
  if (write(log_fd, line, strlen(line)) < 0) {
    /* a full disk loses log lines, never the container */
  }
}

/* Reads what is there; logs whole lines; returns false at EOF. */
static bool
pump(struct stream *st, int log_fd)
{
  ssize_t n = read(st->fd, st->buf + st->len, sizeof(st->buf) - st->len);
  if (n < 0 && errno == EINTR)
    return true;
  if (n > 0 && st->echo_fd >= 0 && write(st->echo_fd, st->buf + st->len, n) < 0)
    st->echo_fd = -1;
  if (n > 0)
    st->len += (size_t)n;
  size_t start = 0;
  for (size_t i = 0; i < st->len; i++)
    if (st->buf[i] == '\n') {
      log_line(log_fd, st->name, st->buf + start, i + 1 - start);
      start = i + 1;
    }
  if (start == 0 && st->len == sizeof(st->buf))
    start = st->len, log_line(log_fd, st->name, st->buf, st->len);
  if (n <= 0 && start < st->len) {
    log_line(log_fd, st->name, st->buf + start, st->len - start);
    start = st->len;
  }
  memmove(st->buf, st->buf + start, st->len - start);
  st->len -= start;
  return n > 0;
}

static int
open_log(berth_store *s, const berth_container *c)
{
  cleanup_free char *rel = xasprintf("containers/%s/%s-json.log", c->id, c->id);
  return openat(berth_store_root_fd(s), rel, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

/* Waits for the runtime's pid file (or the runtime's end) and records
 * the container as running. */
static void
mark_running(berth_store *s, berth_container *c, const char *pid_file, pid_t runtime_pid)
{
  for (int i = 0; i < 3000; i++) {
    cleanup_free char *line = berth_read_line_at(AT_FDCWD, pid_file, NULL);
    if (line != NULL && atoi(line) > 0) {
      c->pid = atoi(line);
      break;
    }
    if (waitpid(runtime_pid, NULL, WNOHANG | WNOWAIT) != 0)
      break;
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, NULL);
  }
  free(c->status);
  c->status = xstrdup("running");
  c->monitor_pid = getpid();
  free(c->started_at);
  c->started_at = berth_container_now();
  berth_container_save(s, c, NULL);
}

static int
wait_status(pid_t pid)
{
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return 255;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
mark_exited(berth_store *s, berth_container *c, int code)
{
  free(c->status);
  c->status = xstrdup("exited");
  c->pid = 0;
  c->monitor_pid = 0;
  c->exit_code = code;
  free(c->finished_at);
  c->finished_at = berth_container_now();
  berth_container_save(s, c, NULL);
  berth_container_unmount(s, c, NULL);
}

/* Signals a foreground run passes on to the container, as Docker's
 * --sig-proxy does (SIGCHLD is always caught, to reap the runtime). */
static const int proxied[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static int
signal_fd(bool forward)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (size_t i = 0; forward && i < sizeof(proxied) / sizeof(proxied[0]); i++)
    sigaddset(&set, proxied[i]);
  sigprocmask(SIG_BLOCK, &set, NULL);
  return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* A pty for a detached -t container: the runtime gets the terminal side
 * as its stdio (it copies between that and the container's console), the
 * monitor keeps the master and logs what comes out. */
static int
open_pty(int *slave)
{
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return -1;
  struct winsize ws = { .ws_row = 24, .ws_col = 80 };
  if (grantpt(master) < 0 || unlockpt(master) < 0
      || (*slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
    close(master);
    return -1;
  }
  ioctl(*slave, TIOCSWINSZ, &ws);
  return master;
}

struct session {
  int fds[3];     /* the runtime's stdio */
  int readers[2]; /* what we read and log: pipes, or the pty master */
  int close_after_spawn[2];
};

/* Sets up the runtime's stdio for the three ways a container runs:
 * foreground with -t (the runtime drives our terminal), detached with -t
 * (a pty of ours), and without -t (pipes). */
static int
open_session(const berth_container *c, int stdin_fd, bool echo, struct session *ss,
             berth_error **err)
{
  bool tty = json_is_true(json_object_get(c->config, "Tty"));
  *ss = (struct session){ { stdin_fd, -1, -1 }, { -1, -1 }, { -1, -1 } };
  if (tty && echo) {
    ss->fds[1] = STDOUT_FILENO;
    ss->fds[2] = STDERR_FILENO;
    return 0;
  }
  if (tty) {
    int slave;
    int master = open_pty(&slave);
    if (master < 0)
      return berth_error_set(err, errno, "open a pty");
    ss->fds[0] = ss->fds[1] = ss->fds[2] = slave;
    ss->readers[0] = master;
    ss->close_after_spawn[0] = slave;
    return 0;
  }
  int out[2], errp[2];
  if (pipe2(out, O_CLOEXEC) < 0)
    return berth_error_set(err, errno, "pipe");
  if (pipe2(errp, O_CLOEXEC) < 0) {
    close(out[0]);
    close(out[1]);
    return berth_error_set(err, errno, "pipe");
  }
  ss->fds[1] = out[1];
  ss->fds[2] = errp[1];
  ss->readers[0] = out[0];
  ss->readers[1] = errp[0];
  ss->close_after_spawn[0] = out[1];
  ss->close_after_spawn[1] = errp[1];
  return 0;
}

/* Reaps the runtime when it is done; forwards the other signals. */
static void
handle_signals(int sfd, const berth_runtime *rt, const berth_container *c, pid_t pid, int *code)
{
  struct signalfd_siginfo si;
  while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
    if (si.ssi_signo != SIGCHLD) {
      berth_runtime_kill(rt, c->id, (int)si.ssi_signo, NULL);
      continue;
    }
    int status;
    if (*code < 0 && waitpid(pid, &status, WNOHANG) == pid)
      *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
}

int
berth_container_supervise(berth_store *s, const berth_runtime *rt, berth_container *c, int stdin_fd,
                          bool echo, bool forward_signals, berth_error **err)
{
  struct session ss;
  if (open_session(c, stdin_fd, echo, &ss, err) < 0)
    return -1;
  cleanup_close int log_fd = open_log(s, c);
  cleanup_close int sfd = signal_fd(forward_signals);
  cleanup_free char *bundle = berth_container_dir(s, c);
  cleanup_free char *pid_file = xasprintf("%s/init.pid", bundle);
  unlink(pid_file);
  pid_t pid = berth_runtime_spawn_run(rt, c->id, bundle, pid_file, ss.fds, err);
  for (int i = 0; i < 2; i++)
    if (ss.close_after_spawn[i] >= 0)
      close(ss.close_after_spawn[i]);
  if (pid < 0) {
    for (int i = 0; i < 2; i++)
      if (ss.readers[i] >= 0)
        close(ss.readers[i]);
    mark_exited(s, c, 125);
    return -1;
  }
  mark_running(s, c, pid_file, pid);
  struct stream streams[2]
      = { { .fd = ss.readers[0], .echo_fd = echo ? 1 : -1, .name = "stdout" },
          { .fd = ss.readers[1], .echo_fd = echo ? 2 : -1, .name = "stderr" } };
  int code = -1;
  while (code < 0 || streams[0].fd >= 0 || streams[1].fd >= 0) {
    struct pollfd p[3] = { { streams[0].fd, POLLIN, 0 },
                           { streams[1].fd, POLLIN, 0 },
                           { code < 0 ? sfd : -1, POLLIN, 0 } };
    if (poll(p, 3, sfd < 0 && code < 0 ? 100 : -1) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; i++)
      if (streams[i].fd >= 0 && p[i].revents != 0 && !pump(&streams[i], log_fd)) {
        close(streams[i].fd);
        streams[i].fd = -1;
      }
    if (sfd >= 0)
      handle_signals(sfd, rt, c, pid, &code);
    else if (code < 0 && waitpid(pid, NULL, WNOHANG | WNOWAIT) == pid)
      code = wait_status(pid);
  }
  if (code < 0)
    code = wait_status(pid);
  mark_exited(s, c, code);
  if (json_is_true(json_object_get(c->hostconfig, "AutoRemove")))
    berth_container_remove(s, rt, c, true, NULL);
  return code;
}

/* Monitor side of the double fork: a session of its own, stdio on
 * /dev/null, supervises and exits. */
static void __attribute__((noreturn))
monitor_main(berth_store *s, const berth_runtime *rt, berth_container *c)
{
  setsid();
  int null = open("/dev/null", O_RDWR);
  for (int i = 0; i < 3 && null >= 0; i++)
    dup2(null, i);
  if (fork() != 0)
    _exit(0);
  berth_container_supervise(s, rt, c, -1, false, false, NULL);
  _exit(0);
}

int
berth_container_start_detached(berth_store *s, const berth_runtime *rt, berth_container *c,
                               berth_error **err)
{
  if (berth_container_prepare(s, c, err) < 0)
    return -1;
  fflush(stdout);
  fflush(stderr);
  pid_t child = fork();
  if (child < 0)
    return berth_error_set(err, errno, "fork");
  if (child == 0)
    monitor_main(s, rt, c);
  wait_status(child);
  for (int i = 0; i < 1000; i++) {
    cleanup_container berth_container *now = NULL;
    if (berth_container_load(s, c->id, &now, NULL) <= 0)
      return 0; /* removed already (--rm) */
    if (strcmp(now->status, "created") != 0)
      return 0;
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, NULL);
  }
  return berth_error_set(err, 0, "container %.12s did not start", c->id);
}
