/* common/mount.c: every step of the mount API ladder (forced with
 * BERTH_TEST_MOUNT_API) makes the same mount, nosuid,nodev where asked, and
 * leaves the process's working directory alone.  Needs root (skips without). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/mount.h"
#include "common/xalloc.h"
#include "harness.h"

static char base[] = "/tmp/berth-test-mount.XXXXXX";
static int base_fd = -1;
static const char *const apis[] = { "fd", "paths", "string", "legacy" };

static void
make_tree(void)
{
  const char *dirs[] = { "a", "a/diff", "b", "b/diff", "l", "up", "up/diff", "up/work", "m" };
  for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
    mkdirat(base_fd, dirs[i], 0755);
  close(openat(base_fd, "a/diff/from-a", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  close(openat(base_fd, "b/diff/from-b", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  symlinkat("../a/diff", base_fd, "l/AAAA");
  symlinkat("../b/diff", base_fd, "l/BBBB");
}

/* "dev:ino" of a directory named in mountinfo (relative: to base). */
static char *
dir_id(const char *name)
{
  struct stat st;
  if (fstatat(name[0] == '/' ? AT_FDCWD : base_fd, name, &st, 0) < 0)
    return xasprintf("missing(%s)", name);
  return xasprintf("%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
}

/* The mount at path as one comparable line: its per-mount options, then its
 * overlay options with each directory replaced by its dev:ino (the ladder's
 * steps name the same dirs differently: relative, absolute, by fd). */
static char *
describe(const char *path)
{
  cleanup_file FILE *f = fopen("/proc/self/mountinfo", "re");
  char line[8192];
  while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
    char mp[PATH_MAX], opts[1024], *dash = strstr(line, " - ");
    if (dash == NULL || sscanf(line, "%*s %*s %*s %*s %4095s %1023s", mp, opts) != 2
        || strcmp(mp, path) != 0)
      continue;
    char fstype[64], super[4096];
    if (sscanf(dash + 3, "%63s %*s %4095s", fstype, super) != 2)
      return NULL;
    /* lowerdir+ shows each layer as its own lowerdir+=…; the string
     * ways as one lowerdir=…:…: both become one lowerdir=[…]:[…] here. */
    char *out = xasprintf("%s %s", opts, fstype), *lowers = xstrdup("");
    for (char *save = NULL, *o = strtok_r(super, ",", &save); o != NULL;
         o = strtok_r(NULL, ",", &save)) {
      char *eq = strchr(o, '=');
      bool lower = eq != NULL && strncmp(o, "lowerdir", 8) == 0;
      bool dirs
          = lower
            || (eq != NULL && (strncmp(o, "upperdir=", 9) == 0 || strncmp(o, "workdir=", 8) == 0));
      char *next = NULL;
      if (eq != NULL)
        *eq = 0;
      if (!dirs)
        next = eq ? xasprintf("%s,%s=%s", out, o, eq + 1) : xasprintf("%s,%s", out, o);
      for (char *s2 = NULL, *d = dirs ? strtok_r(eq + 1, ":", &s2) : NULL; d != NULL;
           d = strtok_r(NULL, ":", &s2)) {
        cleanup_free char *id = dir_id(d);
        char **to = lower ? &lowers : &next;
        char *n2 = lower ? xasprintf("%s%s[%s]", lowers, *lowers ? ":" : "", id)
                         : xasprintf("%s,%s=[%s]", out, o, id);
        free(*to);
        *to = n2;
      }
      if (next != NULL) {
        free(out);
        out = next;
      }
    }
    char *all = xasprintf("%s,lowerdir=%s", out, lowers);
    free(out);
    free(lowers);
    return all;
  }
  return NULL;
}

/* The overlay options of the mount at path as the kernel shows them. */
static char *
raw_options(const char *path)
{
  cleanup_file FILE *f = fopen("/proc/self/mountinfo", "re");
  char line[8192], mp[PATH_MAX], super[4096];
  while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
    char *dash = strstr(line, " - ");
    if (dash != NULL && sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, path) == 0
        && sscanf(dash + 3, "%*s %*s %4095s", super) == 1)
      return xstrdup(super);
  }
  return NULL;
}

static bool
mounted(const char *path)
{
  cleanup_free char *d = describe(path);
  return d != NULL;
}

static bool
has_opt(const char *desc, const char *opt)
{
  cleanup_free char *d = xasprintf(",%s,", desc), *o = xasprintf(",%s,", opt);
  for (char *p = d; *p; p++)
    if (*p == ' ')
      *p = ',';
  return strstr(d, o) != NULL;
}

static void
check_cwd_kept(const char *before)
{
  char now[PATH_MAX];
  CHECK(getcwd(now, sizeof(now)) != NULL && strcmp(now, before) == 0);
}

TEST(overlay_read_only_same_by_every_api)
{
  berth_overlay o = { .dirfd = base_fd,
                      .dirpath = base,
                      .lower = "l/BBBB:l/AAAA",
                      .flags = BERTH_MOUNT_RDONLY | BERTH_MOUNT_NOSUID | BERTH_MOUNT_NODEV };
  cleanup_free char *target = xasprintf("%s/m", base), *first = NULL;
  cleanup_free char *a = dir_id("a/diff"), *b = dir_id("b/diff");
  cleanup_free char *want_lower = xasprintf("lowerdir=[%s]:[%s]", b, a);
  char cwd[PATH_MAX];
  CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
  for (size_t i = 0; i < 4; i++) {
    setenv("BERTH_TEST_MOUNT_API", apis[i], 1);
    cleanup_error berth_error *err = NULL;
    CHECK(berth_mount_overlay(&o, "m", &err) == 0);
    if (err != NULL)
      printf("#   %s: %s\n", apis[i], berth_error_message(err));
    check_cwd_kept(cwd);
    cleanup_free char *d = describe(target);
    printf("#   %s: %s\n", apis[i], d ? d : "(not mounted)");
    CHECK(d != NULL && has_opt(d, "ro") && has_opt(d, "nosuid") && has_opt(d, "nodev"));
    CHECK(d != NULL && strstr(d, want_lower) != NULL);
    /* and each step was the one asked for: the lowers are named its way */
    cleanup_free char *raw = raw_options(target);
    cleanup_free char *way
        = i == 0   ? xasprintf("lowerdir+=%s/b/diff,lowerdir+=%s/a/diff", base, base)
          : i == 1 ? xasprintf("lowerdir+=%s/l/BBBB,lowerdir+=%s/l/AAAA", base, base)
          : i == 2 ? xasprintf("lowerdir=%s/l/BBBB:%s/l/AAAA", base, base)
                   : xstrdup("lowerdir=l/BBBB:l/AAAA");
    if (raw == NULL || strstr(raw, way) == NULL)
      printf("#   %s: want %s in %s\n", apis[i], way, raw ? raw : "(none)");
    CHECK(raw != NULL && strstr(raw, way) != NULL);
    CHECK(faccessat(base_fd, "m/from-a", F_OK, 0) == 0
          && faccessat(base_fd, "m/from-b", F_OK, 0) == 0);
    if (first == NULL)
      first = d ? xstrdup(d) : NULL;
    else
      CHECK_STR(d, first);
    CHECK(berth_unmount(target, false, &err) == 0);
    CHECK(!mounted(target));
  }
  unsetenv("BERTH_TEST_MOUNT_API");
}

TEST(overlay_with_upper_same_by_every_api)
{
  berth_overlay o = { .dirfd = base_fd,
                      .dirpath = base,
                      .lower = "l/AAAA",
                      .upper = "up/diff",
                      .work = "up/work",
                      .flags = BERTH_MOUNT_NODEV | BERTH_MOUNT_VOLATILE };
  cleanup_free char *target = xasprintf("%s/m", base), *first = NULL;
  cleanup_free char *up = dir_id("up/diff");
  cleanup_free char *want_upper = xasprintf("upperdir=[%s]", up);
  char cwd[PATH_MAX];
  CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
  /* overlayfs gives a fresh upper a uuid (and shows uuid=on) on its first
   * mount only: make that first mount here, so the four below compare */
  CHECK(berth_mount_overlay(&o, target, NULL) == 0 && berth_unmount(target, false, NULL) == 0);
  berth_rm_rf_at(base_fd, "up/work/work", NULL);
  for (size_t i = 0; i < 4; i++) {
    setenv("BERTH_TEST_MOUNT_API", apis[i], 1);
    cleanup_error berth_error *err = NULL;
    CHECK(berth_mount_overlay(&o, target, &err) == 0);
    if (err != NULL)
      printf("#   %s: %s\n", apis[i], berth_error_message(err));
    check_cwd_kept(cwd);
    cleanup_free char *d = describe(target);
    printf("#   %s: %s\n", apis[i], d ? d : "(not mounted)");
    CHECK(d != NULL && has_opt(d, "rw") && has_opt(d, "nodev") && !has_opt(d, "nosuid"));
    CHECK(d != NULL && has_opt(d, "fsync=volatile") && strstr(d, want_upper) != NULL);
    if (first == NULL)
      first = d ? xstrdup(d) : NULL;
    else
      CHECK_STR(d, first);
    CHECK(berth_unmount(target, false, &err) == 0);
    /* volatile leaves a marker in work that the next mount refuses */
    berth_rm_rf_at(base_fd, "up/work/work", NULL);
  }
  unsetenv("BERTH_TEST_MOUNT_API");
}

TEST(bind_same_by_every_api)
{
  cleanup_free char *src = xasprintf("%s/a/diff", base), *target = xasprintf("%s/m", base);
  cleanup_free char *first = NULL;
  const char *which[] = { "fd", "legacy" };
  for (size_t i = 0; i < 2; i++) {
    setenv("BERTH_TEST_MOUNT_API", which[i], 1);
    cleanup_error berth_error *err = NULL;
    CHECK(berth_mount_bind(src, target, BERTH_MOUNT_RDONLY | BERTH_MOUNT_NOSUID | BERTH_MOUNT_NODEV,
                           &err)
          == 0);
    cleanup_free char *d = describe(target);
    printf("#   %s: %s\n", which[i], d ? d : "(not mounted)");
    CHECK(d != NULL && has_opt(d, "ro") && has_opt(d, "nosuid") && has_opt(d, "nodev"));
    if (first == NULL)
      first = d ? xstrdup(d) : NULL;
    else
      CHECK_STR(d, first);
    CHECK(berth_unmount(target, false, &err) == 0);
  }
  unsetenv("BERTH_TEST_MOUNT_API");
}

TEST(unmount_refuses_a_symlink_and_a_busy_mount)
{
  cleanup_free char *src = xasprintf("%s/a/diff", base), *target = xasprintf("%s/m", base);
  cleanup_free char *link = xasprintf("%s/link", base);
  CHECK(berth_mount_bind(src, target, BERTH_MOUNT_NOSUID | BERTH_MOUNT_NODEV, NULL) == 0);
  symlinkat("m", base_fd, "link");
  cleanup_error berth_error *err = NULL;
  CHECK(berth_unmount(link, false, &err) == 0); /* not a mount point: nothing done */
  CHECK(mounted(target));
  cleanup_close int busy = openat(base_fd, "m/from-a", O_RDONLY | O_CLOEXEC);
  CHECK(berth_unmount(target, false, &err) == -1 && err != NULL && berth_error_errno(err) == EBUSY);
  CHECK(mounted(target));
  CHECK(berth_unmount(target, true, NULL) == 0);
  CHECK(!mounted(target));
  unlinkat(base_fd, "link", 0);
}

int
main(void)
{
  if (geteuid() != 0) {
    puts("1..0 # SKIP mounting needs root");
    return 0;
  }
  if (mkdtemp(base) == NULL || (base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return 1;
  make_tree();
  RUN(overlay_read_only_same_by_every_api);
  RUN(overlay_with_upper_same_by_every_api);
  RUN(bind_same_by_every_api);
  RUN(unmount_refuses_a_symlink_and_a_busy_mount);
  berth_rm_rf_at(AT_FDCWD, base, NULL);
  DONE();
}
