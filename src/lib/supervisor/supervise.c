#include "supervisor/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "container/cgroup.h"
#include "container/mount.h"
#include "container/ops.h"
#include "container/prepare.h"
#include "supervisor/log.h"
#include "supervisor/stdin_relay.h"

struct stream {
  int fd;
  int echo_fd;
  const char *name;
  char buf[16384];
  size_t len;
};

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
      berth_log_write_line(log_fd, st->name, st->buf + start, i + 1 - start);
      start = i + 1;
    }
  if (start == 0 && st->len == sizeof(st->buf))
    start = st->len, berth_log_write_line(log_fd, st->name, st->buf, st->len);
  if (n <= 0 && start < st->len) {
    berth_log_write_line(log_fd, st->name, st->buf + start, st->len - start);
    start = st->len;
  }
  memmove(st->buf, st->buf + start, st->len - start);
  st->len -= start;
  return n > 0;
}

/* The keeper is the process that runs the runtime as its child and
 * records the container's life: "running" with the init's pid once the
 * runtime has created and started it (its --pid-file appears), the exit
 * code once the runtime has been reaped.  It holds the monitor lock (the
 * container's liveness token) from before the start until the end is
 * recorded, and copies the output into the log.  A foreground `run` is
 * only the keeper's parent, forwarding signals and waiting: killing it
 * (even with SIGKILL) leaves the keeper to record the real end and do the
 * --rm, as Docker's daemon does when its client goes away.
 *
 * The keeper tells the process that forked it how the start went, on a
 * pipe: 'R' once the record says running, 'X' and the runtime's exit
 * status when the runtime ended before the process ran, 'E' and a message
 * for an error of berth's own.  End of file and none of these: the keeper
 * died. */

static void
report(int fd, char what, const char *msg)
{
  if (fd < 0)
    return;
  char buf[1024];
  int n = snprintf(buf, sizeof(buf), "%c%s", what, msg != NULL ? msg : "");
  /* A reader that went away (a foreground run killed) is no reason to
   * stop supervising: what it would have read is in the record. */
  ssize_t w = write(fd, buf, (size_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
  (void)w;
}

static void
report_error(int fd, berth_error *err)
{
  report(fd, 'E', err != NULL ? berth_error_message(err) : "unknown error");
}

struct started {
  int pid, monitor_pid;
};

static int
set_running(berth_container *c, void *ctx, berth_error **err)
{
  (void)err;
  const struct started *st = ctx;
  free(c->status);
  c->status = xstrdup("running");
  c->pid = st->pid;
  c->monitor_pid = st->monitor_pid;
  c->exit_code = 0;
  c->paused = false;
  c->oom_killed = false;
  free(c->error);
  c->error = xstrdup("");
  free(c->started_at);
  c->started_at = berth_container_now();
  return 1;
}

struct ended {
  int code;
  bool oom_killed;
};

static int
set_exited(berth_container *c, void *ctx, berth_error **err)
{
  (void)err;
  const struct ended *e = ctx;
  free(c->status);
  c->status = xstrdup("exited");
  c->pid = 0;
  c->monitor_pid = 0;
  c->exit_code = e->code;
  c->oom_killed = e->oom_killed;
  free(c->finished_at);
  c->finished_at = berth_container_now();
  return 1;
}

static int
mark_running(berth_store *s, berth_container *c, int pid, berth_error **err)
{
  struct started st = { pid, getpid() };
  int r = berth_container_update(s, c, set_running, &st, err);
  if (r == 0)
    return berth_error_set(err, 0, "container %.12s was removed while it started", c->id);
  return r < 0 ? -1 : 0;
}

/* Records the end and releases the rootfs. */
static int
mark_exited(berth_store *s, berth_container *c, int code, bool oom_killed, berth_error **err)
{
  struct ended e = { code, oom_killed };
  int r = berth_container_update(s, c, set_exited, &e, err);
  /* A failed unmount leaves the mount counted: rm's unmount_all and the
   * next start clean it up, so it does not make the end untrue. */
  berth_container_unmount(s, c, NULL);
  return r < 0 ? -1 : 0;
}

/* The runtime's pid file, once it is complete (runc and crun write it to a
 * temp name and rename it): the container's init on the host. */
static int
read_pid_file(const char *pid_file)
{
  cleanup_free char *line = berth_read_line_at(AT_FDCWD, pid_file, NULL);
  if (line == NULL)
    return 0;
  char *end;
  long pid = strtol(line, &end, 10);
  return end != line && *end == '\0' && pid > 0 && pid <= 0x3fffffff ? (int)pid : 0;
}

/* The runtime's exit status once it has ended (reaped), else -1. */
static int
reap(pid_t pid)
{
  siginfo_t info;
  for (;;) {
    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG) == 0)
      break;
    if (errno != EINTR)
      return 255; /* not our child any more: nothing left to wait for */
  }
  if (info.si_pid == 0)
    return -1;
  return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
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
  int close_after_spawn[3];
  int stdin_writer; /* a detached -i container's stdin (stdin_relay.h), or -1 */
};

/* A detached container made with -i gets a stdin that stays open, fed by
 * attach through the keeper: the pty's master with -t, else a pipe. */
static int
open_kept_stdin(struct session *ss, bool tty, berth_error **err)
{
  if (tty) {
    ss->stdin_writer = ss->readers[0];
    return 0;
  }
  int in[2];
  if (pipe2(in, O_CLOEXEC) < 0)
    return berth_error_set(err, errno, "pipe");
  ss->fds[0] = in[0];
  ss->close_after_spawn[2] = in[0];
  ss->stdin_writer = in[1];
  return 0;
}

/* Sets up the runtime's stdio for the three ways a container runs:
 * foreground with -t (the runtime drives our terminal), detached with -t
 * (a pty of ours), and without -t (pipes). */
static int
open_session(const berth_container *c, int stdin_fd, bool echo, struct session *ss,
             berth_error **err)
{
  bool tty = json_is_true(json_object_get(c->config, "Tty"));
  *ss = (struct session){ { stdin_fd, -1, -1 }, { -1, -1 }, { -1, -1, -1 }, -1 };
  bool kept_stdin = stdin_fd < 0 && !echo && json_is_true(json_object_get(c->config, "OpenStdin"));
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
    return kept_stdin ? open_kept_stdin(ss, true, err) : 0;
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
  return kept_stdin ? open_kept_stdin(ss, false, err) : 0;
}

/* Drains the signalfd: only SIGCHLD comes through it. */
static void
drain(int sfd)
{
  struct signalfd_siginfo si;
  while (sfd >= 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
    ;
}

struct keeper {
  berth_store *s;
  const berth_runtime *rt;
  berth_container *c;
  int stdin_fd;
  bool echo;
  int report_fd;
  bool report_end; /* keep the pipe after the start, for an error at the end */
  bool tied;       /* the container dies with the caller (berth_supervisor_run_tied) */
  bool orphaned;   /* tied, and the caller died first */
};

/* The caller of a tied run is gone when its end of the report pipe is
 * closed: our end then polls as an error (the kernel keeps that end open
 * for no other process: it is close-on-exec and the caller forks nothing
 * else while it waits).  The container is killed, again at every wake-up
 * until it ends (a kill before the runtime has made it is lost). */
static void
check_caller(struct keeper *k, const struct pollfd *p, int code)
{
  if (!k->tied || code >= 0)
    return;
  if (!k->orphaned && (p->revents & (POLLERR | POLLHUP)) != 0)
    k->orphaned = true;
  if (k->orphaned)
    (void)berth_runtime_kill(k->rt, k->c->id, SIGKILL, NULL);
}

/* Starts the runtime and supervises it to the end: returns the exit code,
 * recorded. */
static int
keep(struct keeper *k)
{
  /* The terminal's signals reach the whole foreground process group: the
   * keeper ignores them (the foreground run forwards them); SIGCHLD comes
   * through a signalfd. */
  sigset_t set;
  sigemptyset(&set);
  for (size_t i = 0; i < sizeof(proxied) / sizeof(proxied[0]); i++)
    sigaddset(&set, proxied[i]);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, NULL);
  /* Whoever reads our report or our echo may be gone (a foreground run
   * killed): that is an EPIPE to shrug off, not the keeper's death.  The
   * runtime gets SIGPIPE back at its default (runtime.c). */
  signal(SIGPIPE, SIG_IGN);
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  cleanup_close int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  cleanup_error berth_error *err = NULL;
  struct session ss;
  if (open_session(k->c, k->stdin_fd, k->echo, &ss, &err) < 0) {
    report_error(k->report_fd, err);
    mark_exited(k->s, k->c, 125, false, NULL);
    return 125;
  }
  cleanup_close int log_fd = berth_log_open_append(k->s, k->c);
  cleanup_free char *bundle = berth_container_dir(k->s, k->c);
  cleanup_free char *pid_file = xasprintf("%s/init.pid", bundle);
  unlink(pid_file);
  /* The cgroups the runtime is about to make, written down first: a
   * cleanup after our SIGKILL finds them from any cgroup (cgroup.h). */
  cleanup_close int dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd >= 0)
    (void)berth_cgroup_record_at(dirfd, k->c->id, NULL);
  berth_oom_watch oom = { .fd = -1, .control_fd = -1 };
  pid_t pid = berth_runtime_spawn_run(k->rt, k->c->id, bundle, pid_file, ss.fds, &err);
  for (int i = 0; i < 3; i++)
    if (ss.close_after_spawn[i] >= 0)
      close(ss.close_after_spawn[i]);
  berth_stdin_relay relay = { .listen_fd = -1 };
  if (pid >= 0 && ss.stdin_writer >= 0
      && berth_stdin_relay_open(&relay, k->s, k->c, ss.stdin_writer, &err) < 0) {
    /* attach cannot reach it, the container still runs: noted in its log */
    cleanup_free char *why = xasprintf("berth: %s\n", berth_error_message(err));
    berth_log_write_line(log_fd, "stderr", why, strlen(why));
    berth_error_clear(&err);
  }
  if (pid < 0) {
    for (int i = 0; i < 2; i++)
      if (ss.readers[i] >= 0)
        close(ss.readers[i]);
    if (ss.stdin_writer >= 0 && ss.stdin_writer != ss.readers[0])
      close(ss.stdin_writer);
    report_error(k->report_fd, err);
    mark_exited(k->s, k->c, 125, false, NULL);
    return 125;
  }
  struct stream streams[2]
      = { { .fd = ss.readers[0], .echo_fd = k->echo ? 1 : -1, .name = "stdout" },
          { .fd = ss.readers[1], .echo_fd = k->echo ? 2 : -1, .name = "stderr" } };
  int code = -1;
  bool started = false;
  while (code < 0 || streams[0].fd >= 0 || streams[1].fd >= 0) {
    struct pollfd p[5 + 2 + BERTH_STDIN_CLIENTS] = {
      { streams[0].fd, POLLIN, 0 },
      { streams[1].fd, POLLIN, 0 },
      { code < 0 ? sfd : -1, POLLIN, 0 },
      { k->tied && !k->orphaned ? k->report_fd : -1, 0, 0 },
      { oom.fd, POLLIN, 0 },
    };
    size_t n_relay = code < 0 ? berth_stdin_relay_poll(&relay, p + 5) : 0;
    /* Until the pid file is there it is looked for every 2 ms (a run -d
     * returns as soon as it is); after,
     * only output and SIGCHLD wake us (every 100 ms without a signalfd). */
    int timeout = !started ? 2 : (sfd < 0 && code < 0 ? 100 : -1);
    if (k->orphaned && code < 0)
      timeout = 20;
    if (poll(p, 5 + n_relay, timeout) < 0 && errno != EINTR)
      break;
    berth_stdin_relay_handle(&relay, p + 5, n_relay);
    check_caller(k, &p[3], code);
    if (p[4].revents != 0)
      berth_oom_watch_check(&oom);
    for (int i = 0; i < 2; i++)
      if (streams[i].fd >= 0 && p[i].revents != 0 && !pump(&streams[i], log_fd)) {
        close(streams[i].fd);
        streams[i].fd = -1;
      }
    drain(sfd);
    if (code < 0)
      code = reap(pid);
    if (started)
      continue;
    int init = read_pid_file(pid_file);
    if (init > 0) {
      started = true;
      if (mark_running(k->s, k->c, init, &err) < 0) {
        /* A container the record cannot show as running must not run. */
        report_error(k->report_fd, err);
        (void)berth_runtime_kill(k->rt, k->c->id, SIGKILL, NULL); /* its end is reaped below */
      } else {
        /* State.OOMKilled, best effort (cgroup.h) */
        if (json_integer_value(json_object_get(k->c->hostconfig, "Memory")) > 0)
          (void)berth_oom_watch_start(&oom, k->c->id, NULL);
        report(k->report_fd, 'R', NULL);
        berth_store_trace(k->s, "run: the runtime started the container");
      }
    } else if (code >= 0) {
      started = true;
      char status[16];
      snprintf(status, sizeof(status), "%d", code);
      report(k->report_fd, 'X', status);
    }
    if (started && !k->report_end) { /* a detached start returns at end of file */
      close(k->report_fd);
      k->report_fd = -1;
    }
  }
  if (code < 0) {
    siginfo_t info = { 0 };
    while (waitid(P_PID, (id_t)pid, &info, WEXITED) < 0 && errno == EINTR)
      ;
    code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
  }
  unlink(pid_file);
  berth_stdin_relay_close(&relay, k->s, k->c);
  if (ss.stdin_writer >= 0 && ss.stdin_writer != ss.readers[0])
    close(ss.stdin_writer);
  berth_store_trace(k->s, "run: the container's process ran to its end");
  bool oom_killed = berth_oom_watch_finish(&oom, code == 128 + SIGKILL);
  /* runc removed the cgroups; a runtime that died first did not */
  (void)berth_cgroup_remove_at(dirfd, k->c->id, NULL);
  berth_error *end_err = NULL;
  if (mark_exited(k->s, k->c, code, oom_killed, &end_err) < 0) {
    report_error(k->report_fd, end_err);
    berth_error_free(end_err);
  }
  return code;
}

/* The keeper's last steps: the end is recorded, so the liveness lock goes
 * (a removal waits for it), then --rm. */
static void __attribute__((noreturn)) keeper_exit(struct keeper *k, int lock_fd, int code)
{
  if (k->report_fd >= 0)
    close(k->report_fd);
  close(lock_fd);
  /* A tied container whose caller died is removed, as Docker's builder
   * removes the container of a cancelled build. */
  if (k->orphaned || json_is_true(json_object_get(k->c->hostconfig, "AutoRemove"))) {
    cleanup_runtime berth_runtime *rt = berth_container_runtime(k->s, k->c);
    /* Nobody is left to tell of a failed --rm: the container stays, exited,
     * for `rm` to retry. */
    (void)berth_container_remove(k->s, rt, k->c, true, NULL);
  }
  _exit(code);
}

/* Reads what the keeper reported until it closes the pipe (or dies). */
static char *
read_report(int fd)
{
  size_t n = 0, cap = 256;
  char *buf = xmalloc(cap);
  for (;;) {
    if (n + 1 == cap)
      buf = xrealloc(buf, cap *= 2);
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  return buf;
}

/* A keeper that died left the record as it was: reread it and let
 * refresh make it truthful.  Best effort: the error being reported is the
 * death, and the next ps or rm refreshes again. */
static void
refresh_after_death(berth_store *s, berth_container *c)
{
  if (berth_container_update(s, c, NULL, NULL, NULL) == 1)
    (void)berth_container_refresh(s, c, NULL);
}

/* The keeper's error, if it reported one: alone, or after what it said of
 * the start ('R', or 'X' and a status). */
static int
report_failed(const char *rep, const berth_container *c, berth_error **err)
{
  if (rep[0] == 'R')
    rep++;
  else if (rep[0] == 'X')
    rep += 1 + strspn(rep + 1, "0123456789");
  if (rep[0] != 'E')
    return 0;
  return berth_error_set(err, 0, "container %.12s: %s", c->id, rep + 1);
}

/* Forks the process that will report on the start over a pipe: in the
 * child (0) *report is the write end, in the parent (the child's pid) the
 * read end.  On failure the rootfs prepare mounted is unmounted again. */
static pid_t
fork_reporting(berth_store *s, berth_container *c, int *report, berth_error **err)
{
  int rep[2];
  if (pipe2(rep, O_CLOEXEC) < 0) {
    berth_container_unmount(s, c, NULL);
    return berth_error_set(err, errno, "pipe");
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(rep[0]);
    close(rep[1]);
    berth_container_unmount(s, c, NULL);
    return berth_error_set(err, e, "fork");
  }
  close(rep[pid == 0 ? 0 : 1]);
  *report = rep[pid == 0 ? 1 : 0];
  return pid;
}

static int
run_foreground(berth_store *s, const berth_runtime *rt, berth_container *c, int stdin_fd, bool echo,
               bool forward_signals, bool tied, berth_error **err)
{
  cleanup_close int lock = berth_container_monitor_lock(s, c->id, err);
  if (lock < 0) {
    berth_container_unmount(s, c, NULL); /* what prepare mounted */
    return -1;
  }
  cleanup_close int sfd = signal_fd(forward_signals);
  cleanup_close int rep_read = -1;
  pid_t keeper = fork_reporting(s, c, &rep_read, err);
  if (keeper < 0)
    return -1;
  if (keeper == 0) {
    close(sfd);
    struct keeper k = { s, rt, c, stdin_fd, echo, rep_read, true, tied, false };
    keeper_exit(&k, lock, keep(&k));
  }
  close(lock);
  lock = -1; /* the keeper holds it now */
  siginfo_t info = { 0 };
  for (;;) {
    struct pollfd p = { sfd, POLLIN, 0 };
    if (poll(&p, 1, sfd < 0 ? 100 : -1) < 0 && errno != EINTR)
      break;
    struct signalfd_siginfo si;
    while (sfd >= 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
      if (si.ssi_signo != SIGCHLD)
        /* Like docker's --sig-proxy: a signal that cannot be passed on
         * (the container is starting or ending) is dropped. */
        (void)berth_runtime_kill(rt, c->id, (int)si.ssi_signo, NULL);
    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t)keeper, &info, WEXITED | WNOHANG) < 0 && errno != EINTR)
      return berth_error_set(err, errno, "wait for the monitor of %.12s", c->id);
    if (info.si_pid == keeper)
      break;
  }
  cleanup_free char *rep_text = read_report(rep_read);
  if (info.si_pid != keeper || info.si_code != CLD_EXITED) {
    refresh_after_death(s, c);
    return berth_error_set(err, 0, "the monitor of container %.12s died (signal %d)", c->id,
                           info.si_status);
  }
  if (report_failed(rep_text, c, err) < 0)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  return info.si_status;
}

int
berth_supervisor_run(berth_store *s, const berth_runtime *rt, berth_container *c, int stdin_fd,
                     bool echo, bool forward_signals, berth_error **err)
{
  return run_foreground(s, rt, c, stdin_fd, echo, forward_signals, false, err);
}

int
berth_supervisor_run_tied(berth_store *s, const berth_runtime *rt, berth_container *c, bool echo,
                          berth_error **err)
{
  return run_foreground(s, rt, c, -1, echo, false, true, err);
}

/* Monitor side of the double fork: a session of its own, stdio on
 * /dev/null, then the keeper. */
static void __attribute__((noreturn)) monitor_main(berth_store *s, const berth_runtime *rt,
                                                   berth_container *c, int lock_fd, int report_fd)
{
  setsid();
  int null = open("/dev/null", O_RDWR);
  for (int i = 0; i < 3 && null >= 0; i++)
    dup2(null, i);
  if (null > 2)
    close(null);
  if (fork() != 0)
    _exit(0);
  struct keeper k = { s, rt, c, -1, false, report_fd, false, false, false };
  keeper_exit(&k, lock_fd, keep(&k));
}

/* Keeps the last line the runtime (or the process) wrote on stderr. */
static void
last_stderr(void *ctx, const char *stream, const char *text)
{
  char **last = ctx;
  if (strcmp(stream, "stderr") != 0)
    return;
  free(*last);
  *last = xstrdup(text);
}

/* What the runtime said before it gave up, from the container's log: the
 * msg="…" of runc's and crun's logrus-style line, or the whole line. */
static char *
runtime_words(berth_store *s, const berth_container *c)
{
  cleanup_free char *line = NULL;
  if (berth_log_read(s, c, false, last_stderr, &line, NULL) < 0 || line == NULL)
    return NULL;
  line[strcspn(line, "\n")] = '\0';
  const char *msg = strstr(line, " msg=\"");
  if (msg == NULL)
    return xstrdup(line);
  msg += 6;
  char *out = xmalloc(strlen(msg) + 1), *o = out;
  for (; *msg != '\0' && *msg != '"'; msg++) {
    if (msg[0] == '\\' && msg[1] != '\0')
      msg++;
    *o++ = *msg;
  }
  *o = '\0';
  return out;
}

int
berth_supervisor_start_detached(berth_store *s, const berth_runtime *rt, berth_container *c,
                                berth_error **err)
{
  cleanup_close int lock = berth_container_monitor_lock(s, c->id, err);
  if (lock < 0)
    return -1;
  if (berth_container_prepare(s, c, err) < 0)
    return -1;
  cleanup_close int rep_read = -1;
  pid_t child = fork_reporting(s, c, &rep_read, err);
  if (child < 0)
    return -1;
  if (child == 0)
    monitor_main(s, rt, c, lock, rep_read);
  close(lock);
  lock = -1; /* the monitor holds it now */
  siginfo_t info;
  while (waitid(P_PID, (id_t)child, &info, WEXITED) < 0 && errno == EINTR)
    ;
  /* Returns once the monitor says the process runs (or why it does not). */
  cleanup_free char *rep_text = read_report(rep_read);
  if (rep_text[0] == 'R')
    return 0;
  if (rep_text[0] == 'X') {
    cleanup_free char *words = runtime_words(s, c);
    berth_error_set(err, 0, "container %.12s did not start: %s exited with status %s%s%s", c->id,
                    rt->name, rep_text + 1, words != NULL ? ": " : "", words != NULL ? words : "");
  } else if (rep_text[0] == 'E')
    berth_error_set(err, 0, "container %.12s: %s", c->id, rep_text + 1);
  else {
    refresh_after_death(s, c);
    berth_error_set(err, 0, "container %.12s did not start: its monitor died", c->id);
  }
  return berth_error_set_kind(err, BERTH_ERR_ENGINE);
}
