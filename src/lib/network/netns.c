#include "network/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

bool
berth_netns_exists(const char *path)
{
  struct statfs st;
  return statfs(path, &st) == 0 && st.f_type == NSFS_MAGIC;
}

/* In the new namespace: the loopback up, as a runtime does for a namespace
 * it makes itself (runc leaves one it is given alone). */
static int
loopback_up(void)
{
  cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  struct ifreq ifr = { 0 };
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
    return -1;
  ifr.ifr_flags |= IFF_UP;
  return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

/* The child: makes the namespace and mounts it; on failure writes the
 * step that failed and its errno on report. */
static void __attribute__((noreturn)) make_in_child(const char *path, int report)
{
  int step = 0;
  if (unshare(CLONE_NEWNET) < 0)
    step = 1;
  else if (loopback_up() < 0)
    step = 2;
  else if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
    step = 3;
  if (step != 0) {
    int what[2] = { step, errno };
    ssize_t w = write(report, what, sizeof(what));
    (void)w;
    _exit(1);
  }
  _exit(0);
}

int
berth_netns_create(const char *path, berth_error **err)
{
  if (berth_netns_exists(path))
    return berth_error_set(err, EEXIST, "network namespace %s", path);
  cleanup_close int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
  if (fd < 0)
    return berth_error_set(err, errno, "create %s", path);
  int rep[2];
  if (pipe2(rep, O_CLOEXEC) < 0)
    return berth_error_set(err, errno, "pipe");
  /* A child makes the namespace: this process stays in its own. */
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(rep[0]);
    close(rep[1]);
    return berth_error_set(err, e, "fork");
  }
  if (pid == 0) {
    close(rep[0]);
    make_in_child(path, rep[1]);
  }
  close(rep[1]);
  int what[2] = { 0, 0 };
  ssize_t n;
  while ((n = read(rep[0], what, sizeof(what))) < 0 && errno == EINTR)
    ;
  close(rep[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return berth_error_set(err, errno, "wait for the network namespace's maker");
  if (n <= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  static const char *const steps[]
      = { "make it", "unshare(CLONE_NEWNET)", "bring its loopback up", "bind-mount it" };
  int step = what[0] >= 1 && what[0] <= 3 ? what[0] : 0;
  unlink(path);
  return berth_error_set(err, what[1], "create network namespace %s: %s", path, steps[step]);
}

int
berth_netns_remove(const char *path, berth_error **err)
{
  /* MNT_DETACH: a plugin still holding it open lets go later.  A file
   * mounted over twice comes off in as many rounds. */
  for (int i = 0; i < 8 && berth_netns_exists(path); i++)
    if (umount2(path, MNT_DETACH) < 0) {
      if (errno == EINVAL)
        break;
      return berth_error_set(err, errno, "unmount network namespace %s", path);
    }
  if (unlink(path) < 0 && errno != ENOENT)
    return berth_error_set(err, errno, "remove %s", path);
  return 0;
}
