/* berth_safe_open_at: openat2 and the component walk resolve every path the
 * same way (checked case by case against each other), EINTR and EAGAIN are
 * retried a bounded number of times, ENOSYS, EPERM and EINVAL switch to the
 * walk, and BERTH_TEST_NO_OPENAT2=1 forces the walk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/safe_open.h"
#include "common/xalloc.h"
#include "harness.h"

static char tmp[] = "/tmp/berth-test-safe-open-XXXXXX";
static int rootfd = -1; /* tmp/root; tmp/outside is its sibling */

static void
setup_tree(void)
{
  if (mkdtemp(tmp) == NULL)
    abort();
  cleanup_close int t = open(tmp, O_RDONLY | O_DIRECTORY);
  mkdirat(t, "root", 0755);
  mkdirat(t, "outside", 0755);
  close(openat(t, "outside/secret", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  rootfd = openat(t, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  mkdirat(rootfd, "etc", 0755);
  close(openat(rootfd, "etc/passwd", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  close(openat(rootfd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  cleanup_free char *host = xasprintf("%s/outside", tmp);
  symlinkat("../..", rootfd, "up"); /* ".." past the root */
  symlinkat("../../../../../../..", rootfd, "etc/deep");
  symlinkat("/etc", rootfd, "abs");              /* absolute: the root's /etc */
  symlinkat(host, rootfd, "host");               /* a host path: absent inside */
  symlinkat("../outside/secret", rootfd, "sib"); /* the sibling, by ".." */
  symlinkat("loop", rootfd, "loop");
  symlinkat("abs", rootfd, "chain");
  symlinkat("", rootfd, "empty");
  symlinkat("/proc/self/root", rootfd, "magic");
}

/* What an open gave: "ENOENT", or the type and inode of the file. */
static char *
outcome(int fd)
{
  if (fd < 0)
    return xstrdup(strerror(errno));
  struct stat st;
  fstat(fd, &st);
  close(fd);
  return xasprintf("%s %llu",
                   S_ISDIR(st.st_mode)   ? "dir"
                   : S_ISLNK(st.st_mode) ? "link"
                   : S_ISREG(st.st_mode) ? "file"
                                         : "other",
                   (unsigned long long)st.st_ino);
}

static char *
expect(const char *rel, bool nofollow)
{
  struct stat st;
  if (fstatat(rootfd, rel, &st, nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0)
    abort();
  return xasprintf("%s %llu",
                   S_ISDIR(st.st_mode)   ? "dir"
                   : S_ISLNK(st.st_mode) ? "link"
                                         : "file",
                   (unsigned long long)st.st_ino);
}

static void
one_case(const char *path, int flags, const char *want)
{
  berth_safe_open_mode walk = BERTH_SAFE_OPEN_WALK, o2 = BERTH_SAFE_OPEN_OPENAT2;
  cleanup_error berth_error *e1 = NULL, *e2 = NULL;
  cleanup_free char *w = outcome(berth_safe_open_at(rootfd, path, flags, &walk, &e1));
  cleanup_free char *o = outcome(berth_safe_open_at(rootfd, path, flags, &o2, &e2));
  if (strcmp(w, want) != 0 || strcmp(o, want) != 0) {
    printf("#   %s (flags %#x): walk '%s', openat2 '%s', want '%s'\n", path, (unsigned)flags, w, o,
           want);
    berth_t.failed_here++;
  }
}

TEST(walk_resolves_as_openat2)
{
  cleanup_free char *passwd = expect("etc/passwd", false), *etc = expect("etc", false),
                    *root = expect(".", false), *f = expect("f", false), *abs = expect("abs", true);
  const char *enoent = strerror(ENOENT), *eloop = strerror(ELOOP), *enotdir = strerror(ENOTDIR);
  one_case("etc/passwd", O_RDONLY, passwd);
  one_case("/etc/passwd", O_RDONLY, passwd);
  one_case("../../../etc/passwd", O_RDONLY, passwd);
  one_case("up/etc/passwd", O_RDONLY, passwd);
  one_case("up/up/../etc//./passwd", O_RDONLY, passwd);
  one_case("etc/deep/etc/passwd", O_RDONLY, passwd);
  one_case("abs/passwd", O_RDONLY, passwd);
  one_case("chain/passwd", O_PATH, passwd);
  one_case("abs", O_RDONLY | O_DIRECTORY, etc);
  one_case("abs/", O_PATH | O_NOFOLLOW, etc); /* a trailing slash follows */
  one_case("abs", O_PATH | O_NOFOLLOW, abs);  /* the link itself */
  one_case("abs", O_RDONLY | O_NOFOLLOW, eloop);
  one_case("up", O_RDONLY, root);
  one_case(".", O_RDONLY, root);
  one_case("/", O_RDONLY, root);
  one_case("..", O_RDONLY, root);
  one_case("host", O_RDONLY, enoent);
  one_case("host/secret", O_RDONLY, enoent);
  one_case("sib", O_RDONLY, enoent);
  one_case("../outside/secret", O_RDONLY, enoent);
  one_case("loop", O_RDONLY, eloop);
  one_case("f/x", O_RDONLY, enotdir);
  one_case("f", O_RDONLY, f);
  one_case("f/", O_RDONLY, enotdir);
  one_case("", O_RDONLY, enoent);
  one_case("empty", O_RDONLY, enoent);
  one_case("nosuch/x", O_RDONLY, enoent);
  /* /proc/self/root does not exist inside the root: no magic link is met */
  one_case("magic/etc", O_RDONLY, enoent);
}

TEST(error_names_the_path)
{
  cleanup_error berth_error *e = NULL;
  berth_safe_open_mode m = BERTH_SAFE_OPEN_WALK;
  CHECK(berth_safe_open_at(rootfd, "host/secret", O_RDONLY, &m, &e) == -1);
  CHECK(errno == ENOENT);
  CHECK(e != NULL && berth_error_errno(e) == ENOENT);
  const char *msg = berth_error_message(e);
  CHECK(msg != NULL && strncmp(msg, "open 'host/secret' inside the root", 34) == 0);
  berth_error_free(steal_pointer(&e));
  CHECK(berth_safe_open_at(rootfd, "f", O_RDWR | O_CREAT, NULL, &e) == -1);
  CHECK(errno == EINVAL && e != NULL);
}

/* A fake openat2: fails with fake_errno for the first fake_fails calls,
 * then does the real thing. */
static int fake_errno, fake_fails, fake_calls;

static long
fake_openat2(int dirfd, const char *path, void *how, size_t size)
{
  fake_calls++;
  if (fake_fails < 0 || fake_calls <= fake_fails) {
    errno = fake_errno;
    return -1;
  }
  return syscall(SYS_openat2, dirfd, path, how, size);
}

static void
fake(int e, int fails)
{
  fake_errno = e;
  fake_fails = fails;
  fake_calls = 0;
}

static bool
opens_passwd(berth_safe_open_mode *mode)
{
  cleanup_error berth_error *e = NULL;
  int fd = berth_safe_open_with(fake_openat2, rootfd, "abs/passwd", O_RDONLY, mode, &e);
  if (fd < 0)
    printf("#   %s\n", berth_error_message(e));
  else
    close(fd);
  return fd >= 0;
}

TEST(eagain_and_eintr_are_retried)
{
  static const int errs[] = { EAGAIN, EINTR };
  for (size_t i = 0; i < 2; i++) {
    berth_safe_open_mode mode = BERTH_SAFE_OPEN_AUTO;
    fake(errs[i], 3);
    CHECK(opens_passwd(&mode));
    CHECK(fake_calls == 4);
    CHECK(mode == BERTH_SAFE_OPEN_AUTO);
    /* every time: bounded, then the walk for this call; openat2 stays */
    fake(errs[i], -1);
    CHECK(opens_passwd(&mode));
    CHECK(fake_calls == BERTH_SAFE_OPEN_EAGAIN_TRIES);
    CHECK(mode == BERTH_SAFE_OPEN_AUTO);
    /* openat2 only: the error comes back, after the same bound */
    mode = BERTH_SAFE_OPEN_OPENAT2;
    fake(errs[i], -1);
    CHECK(!opens_passwd(&mode));
    CHECK(errno == errs[i]);
    CHECK(fake_calls == BERTH_SAFE_OPEN_EAGAIN_TRIES);
  }
}

TEST(unusable_openat2_falls_back_to_the_walk)
{
  static const int errs[] = { ENOSYS, EPERM, EINVAL };
  for (size_t i = 0; i < 3; i++) {
    berth_safe_open_mode mode = BERTH_SAFE_OPEN_AUTO;
    fake(errs[i], -1);
    CHECK(opens_passwd(&mode));
    CHECK(fake_calls == 1);
    CHECK(mode == BERTH_SAFE_OPEN_WALK);
    CHECK(opens_passwd(&mode)); /* remembered: openat2 is not asked again */
    CHECK(fake_calls == 1);
    CHECK(opens_passwd(NULL)); /* no mode kept: asked each time */
    CHECK(fake_calls == 2);
  }
  /* any other error is the answer: no second resolution */
  berth_safe_open_mode mode = BERTH_SAFE_OPEN_AUTO;
  fake(EACCES, -1);
  CHECK(!opens_passwd(&mode));
  CHECK(errno == EACCES && fake_calls == 1 && mode == BERTH_SAFE_OPEN_AUTO);
}

TEST(env_forces_the_walk)
{
  const char *was = getenv("BERTH_TEST_NO_OPENAT2");
  cleanup_free char *saved = was ? xstrdup(was) : NULL;
  setenv("BERTH_TEST_NO_OPENAT2", "1", 1);
  berth_safe_open_mode mode = BERTH_SAFE_OPEN_AUTO;
  fake(0, 0);
  CHECK(opens_passwd(&mode));
  CHECK(fake_calls == 0 && mode == BERTH_SAFE_OPEN_WALK);
  mode = BERTH_SAFE_OPEN_OPENAT2; /* an explicit mode is not overridden */
  CHECK(opens_passwd(&mode));
  CHECK(fake_calls == 1);
  unsetenv("BERTH_TEST_NO_OPENAT2");
  mode = BERTH_SAFE_OPEN_AUTO;
  CHECK(opens_passwd(&mode));
  CHECK(fake_calls == 2 && mode == BERTH_SAFE_OPEN_AUTO);
  if (saved != NULL)
    setenv("BERTH_TEST_NO_OPENAT2", saved, 1);
}

int
main(void)
{
  setup_tree();
  RUN(walk_resolves_as_openat2);
  RUN(error_names_the_path);
  RUN(eagain_and_eintr_are_retried);
  RUN(unusable_openat2_falls_back_to_the_walk);
  RUN(env_forces_the_walk);
  close(rootfd);
  berth_error *err = NULL;
  berth_rm_rf_at(AT_FDCWD, tmp, &err);
  berth_error_free(err);
  DONE();
}
