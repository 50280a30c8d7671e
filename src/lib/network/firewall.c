#include "network/firewall.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#define STAGE1 "BERTH-ISOLATION-STAGE-1"
#define STAGE2 "BERTH-ISOLATION-STAGE-2"

/* The tool's exit status; its stdout into *out when out is not NULL. */
static int
run_capture(char *const argv[], char **why, char **out)
{
  cleanup_close int errfd = memfd_create("tool-stderr", MFD_CLOEXEC);
  cleanup_close int outfd = out != NULL ? memfd_create("tool-stdout", MFD_CLOEXEC) : -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
    }
    if (outfd >= 0)
      dup2(outfd, 1);
    if (errfd >= 0)
      dup2(errfd, 2);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code != 0 && why != NULL && errfd >= 0) {
    char buf[4096];
    ssize_t n = pread(errfd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    size_t len = strlen(buf);
    while (len > 0 && buf[len - 1] == '\n')
      buf[--len] = '\0';
    char *last = strrchr(buf, '\n');
    *why = xstrdup(last ? last + 1 : buf);
  }
  if (out != NULL && outfd >= 0) {
    off_t len = lseek(outfd, 0, SEEK_END);
    *out = xmalloc(len > 0 ? (size_t)len + 1 : 1);
    ssize_t n = len > 0 ? pread(outfd, *out, (size_t)len, 0) : 0;
    (*out)[n > 0 ? n : 0] = '\0';
  }
  return code;
}

int
berth_firewall_run(char *const argv[], char **why)
{
  return run_capture(argv, why, NULL);
}

static int
ipt(berth_error **err, const char *what, char *const argv[])
{
  cleanup_free char *why = NULL;
  int code = berth_firewall_run(argv, &why);
  if (code == 0)
    return 0;
  if (err != NULL && what != NULL)
    berth_error_set(err, 0, "iptables: %s: %s", what,
                    code < 0      ? "cannot run"
                    : code == 127 ? "not found (apt-get install iptables)"
                                  : (why && why[0] ? why : "failed"));
  return -1;
}

/* -C then -A/-I: iptables has no "add unless there". */
static int
ensure_rule(const char *chain, bool first, char *const *rule, berth_error **err)
{
  char *check[16] = { "iptables", "-w", "-t", "filter", "-C", (char *)chain };
  size_t n = 6;
  for (size_t i = 0; rule[i] != NULL && n < 15; i++)
    check[n++] = rule[i];
  check[n] = NULL;
  if (ipt(NULL, NULL, check) == 0)
    return 0;
  check[4] = first ? "-I" : "-A";
  return ipt(err, chain, check);
}

static void
ensure_chain(const char *chain)
{
  char *argv[] = { "iptables", "-w", "-t", "filter", "-N", (char *)chain, NULL };
  (void)ipt(NULL, NULL, argv); /* exists already: fine */
}

/* Whether the rules are all there already, FORWARD's jump first: one
 * iptables-save instead of the half dozen calls that make sure. */
static bool
isolated_already(const char *bridge)
{
  char *argv[] = { "iptables-save", "-t", "filter", NULL };
  cleanup_free char *out = NULL;
  if (run_capture(argv, NULL, &out) != 0 || out == NULL)
    return false;
  cleanup_free char *r1
      = xasprintf("\n-A " STAGE1 " -i %s ! -o %s -j " STAGE2 "\n", bridge, bridge);
  cleanup_free char *r2 = xasprintf("\n-A " STAGE2 " -o %s -j DROP\n", bridge);
  static const char jump[] = "\n-A FORWARD -j " STAGE1 "\n";
  const char *first = strstr(out, "\n-A FORWARD ");
  return first != NULL && strncmp(first, jump, sizeof(jump) - 1) == 0 && strstr(out, r1) != NULL
         && strstr(out, r2) != NULL;
}

int
berth_firewall_isolate(const char *bridge, berth_error **err)
{
  if (isolated_already(bridge))
    return 0;
  ensure_chain(STAGE1);
  ensure_chain(STAGE2);
  /* First in FORWARD, again after every ADD: the firewall plugin puts its
   * jump to CNI-FORWARD (which accepts the container's traffic) at the
   * top when it makes it. */
  char *del[] = { "iptables", "-w", "-t", "filter", "-D", "FORWARD", "-j", STAGE1, NULL };
  (void)ipt(NULL, NULL, del);
  char *ins[] = { "iptables", "-w", "-t", "filter", "-I", "FORWARD", "1", "-j", STAGE1, NULL };
  if (ipt(err, "insert the isolation jump in FORWARD", ins) < 0)
    return -1;
  char *s1[] = { "-i", (char *)bridge, "!", "-o", (char *)bridge, "-j", STAGE2, NULL };
  char *s2[] = { "-o", (char *)bridge, "-j", "DROP", NULL };
  if (ensure_rule(STAGE1, false, s1, err) < 0 || ensure_rule(STAGE2, false, s2, err) < 0)
    return -1;
  return 0;
}

int
berth_firewall_forget(const char *bridge, berth_error **err)
{
  char *d1[] = { "iptables",     "-w", "-t", "filter",       "-D", STAGE1, "-i",
                 (char *)bridge, "!",  "-o", (char *)bridge, "-j", STAGE2, NULL };
  char *d2[] = { "iptables", "-w",           "-t", "filter", "-D", STAGE2,
                 "-o",       (char *)bridge, "-j", "DROP",   NULL };
  while (ipt(NULL, NULL, d1) == 0)
    ;
  while (ipt(NULL, NULL, d2) == 0)
    ;
  char *show[] = { "ip", "link", "show", (char *)bridge, NULL };
  if (berth_firewall_run(show, NULL) != 0)
    return 0;
  char *link[] = { "ip", "link", "delete", (char *)bridge, "type", "bridge", NULL };
  cleanup_free char *why = NULL;
  int code = berth_firewall_run(link, &why);
  if (code != 0)
    return berth_error_set(err, 0, "ip link delete %s: %s", bridge,
                           code == 127 ? "ip not found (apt-get install iproute2)"
                                       : (why && why[0] ? why : "failed"));
  return 0;
}

void
berth_firewall_masq_teardown(const char *network, const char *cid, char *const *ips)
{
  cleanup_free char *both = xasprintf("%s%s", network, cid);
  unsigned char md[SHA512_DIGEST_LENGTH];
  SHA512((const unsigned char *)both, strlen(both), md);
  char chain[29] = "CNI-";
  for (int i = 0; i < 12; i++)
    snprintf(chain + 4 + 2 * i, 3, "%02x", md[i]);
  cleanup_free char *comment = xasprintf("name: \"%s\" id: \"%s\"", network, cid);
  for (char *const *ip = ips; ip != NULL && *ip != NULL; ip++) {
    cleanup_free char *src = xasprintf("%.*s/32", (int)strcspn(*ip, "/"), *ip);
    char *rule[] = { "iptables", "-w",      "-t",        "nat",   "-D", "POSTROUTING", "-s", src,
                     "-m",       "comment", "--comment", comment, "-j", chain,         NULL };
    (void)ipt(NULL, NULL, rule);
  }
  char *flush[] = { "iptables", "-w", "-t", "nat", "-F", chain, NULL };
  char *drop[] = { "iptables", "-w", "-t", "nat", "-X", chain, NULL };
  if (ipt(NULL, NULL, flush) == 0)
    (void)ipt(NULL, NULL, drop);
}
