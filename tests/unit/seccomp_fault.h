/* Fault injection for unit tests: make one system call fail with a chosen
 * errno in the calling process, by a seccomp filter (the way a container's
 * seccomp profile makes openat2 fail with EPERM).  A filter cannot be taken
 * back, so install it in a child: run_with_fault forks, installs the filter
 * and runs fn there; fn's return value is the child's exit status. */
#pragma once

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define FAULT_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FAULT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

static inline int
fault_install(long nr, int err)
{
#ifdef FAULT_AUDIT_ARCH
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FAULT_AUDIT_ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* The exit status of fn() run in a child where syscall nr fails with err;
 * -1 when the child could not be set up. */
static inline int
run_with_fault(long nr, int err, int (*fn)(void *), void *arg)
{
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    if (fault_install(nr, err) < 0) {
      perror("# seccomp");
      _exit(99);
    }
    int r = fn(arg);
    fflush(stdout);
    _exit(r);
  }
  int status;
  if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
    return -1;
  return WEXITSTATUS(status);
}
