/* berth_mount_namespace_own: what this process mounts afterwards is not
 * seen outside, and berth_mountinfo_open still shows the namespace it
 * started in, with what is mounted there afterwards (an image mount made
 * by another berth while a build runs), which /proc/self/mountinfo in the
 * new namespace may not (a host whose mounts are private). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/mount.h"
#include "common/xalloc.h"
#include "harness.h"

static char *tmp;

static bool
listed(FILE *f, const char *path)
{
  if (f == NULL)
    return false;
  char line[4096];
  bool found = false;
  while (fgets(line, sizeof line, f) != NULL)
    if (strstr(line, path) != NULL)
      found = true;
  fclose(f);
  return found;
}

static bool
in_own(const char *path)
{
  return listed(fopen("/proc/self/mountinfo", "re"), path);
}

TEST(own_namespace)
{
  cleanup_free char *inner = xasprintf("%s/inner", tmp), *outer = xasprintf("%s/outer", tmp);
  mkdir(inner, 0755);
  mkdir(outer, 0755);
  int to_child[2], to_parent[2];
  CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    int bad = 0;
    if (!berth_mount_namespace_own())
      _exit(10);
    if (mount("tmpfs", inner, "tmpfs", 0, NULL) < 0)
      _exit(11);
    bad |= !in_own(inner) << 0;
    bad |= listed(berth_mountinfo_open(), inner) << 1; /* not outside */
    (void)!write(to_parent[1], "m", 1);                /* the parent mounts outer */
    if (read(to_child[0], &c, 1) != 1)
      _exit(12);
    bad |= !listed(berth_mountinfo_open(), outer) << 2;
    bad |= !listed(berth_mountinfo_open(), outer) << 3; /* read again from its start */
    umount(inner);
    _exit(bad);
  }
  char c;
  CHECK(read(to_parent[0], &c, 1) == 1);
  CHECK(!in_own(inner)); /* the child's mount is not seen here */
  CHECK(mount("tmpfs", outer, "tmpfs", 0, NULL) == 0);
  (void)!write(to_child[1], "g", 1);
  int st = 0;
  waitpid(pid, &st, 0);
  umount(outer);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    printf("# child: status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  /* without berth_mount_namespace_own, the process's own mountinfo */
  CHECK(listed(berth_mountinfo_open(), "/proc"));
}

int
main(void)
{
  if (geteuid() != 0) {
    printf("1..0 # SKIP needs root (mounts)\n");
    return 0;
  }
  char tpl[] = "/tmp/berth-test-mountns-XXXXXX";
  tmp = mkdtemp(tpl);
  RUN(own_namespace);
  berth_error *err = NULL;
  berth_rm_rf_at(AT_FDCWD, tmp, &err);
  berth_error_free(err);
  DONE();
}
