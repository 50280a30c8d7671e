/* Change lists from hand-made upper/lower trees: whiteouts, opaque
 * directories, parents as C, sorted depth-first order, two-tree diffs. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "changes/changes.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"
#include "seccomp_fault.h"

static char *tmp;

static void
mk(const char *root, const char *rel, const char *content)
{
  cleanup_free char *p = xasprintf("%s/%s", root, rel);
  if (content == NULL) {
    mkdir(p, 0755);
    return;
  }
  FILE *f = fopen(p, "w");
  fputs(content, f);
  fclose(f);
}

static void
whiteout(const char *root, const char *rel)
{
  cleanup_free char *p = xasprintf("%s/%s", root, rel);
  if (mknod(p, S_IFCHR | 0000, makedev(0, 0)) != 0)
    perror("mknod");
}

static void
opaque(const char *root, const char *rel)
{
  cleanup_free char *p = xasprintf("%s/%s", root, rel);
  if (setxattr(p, "trusted.overlay.opaque", "y", 1, 0) != 0)
    perror("setxattr");
}

/* Copies the metadata of a lower directory to its copy in the upper, as an
 * overlay copy-up does. */
static void
same_times(const char *from, const char *to)
{
  struct stat st;
  stat(from, &st);
  chmod(to, st.st_mode & 07777);
  struct timespec ts[2] = { st.st_atim, st.st_mtim };
  utimensat(AT_FDCWD, to, ts, 0);
}

static char *
dir(const char *name)
{
  char *p = xasprintf("%s/%s", tmp, name);
  mkdir(p, 0755);
  return p;
}

static char *
overlay(const char *upper, const char *lower1, const char *lower2)
{
  cleanup_close int u = open(upper, O_RDONLY | O_DIRECTORY);
  int l[2] = { open(lower1, O_RDONLY | O_DIRECTORY), -1 };
  size_t n = 1;
  if (lower2 != NULL)
    l[n++] = open(lower2, O_RDONLY | O_DIRECTORY);
  berth_change *c = NULL;
  size_t nc = 0;
  berth_error *err = NULL;
  int r = berth_changes_overlay(u, l, n, &c, &nc, &err);
  for (size_t i = 0; i < n; i++)
    close(l[i]);
  if (r < 0) {
    printf("# %s\n", berth_error_message(err));
    berth_error_free(err);
    return xstrdup("ERROR");
  }
  char *s = berth_changes_format(c, nc);
  berth_changes_free(c, nc);
  return s;
}

TEST(seed_transcript)
{
  /* docker run … sh -c 'rm /bin/tar; touch /tmp/THIS_IS_CONTAINER; mkdir -p /a/b;
   * touch /a/b/c /a-x' */
  cleanup_free char *lower = dir("l1"), *upper = dir("u1");
  mk(lower, "bin", NULL);
  mk(lower, "bin/tar", "x");
  mk(lower, "bin/sh", "x");
  mk(lower, "tmp", NULL);
  mk(lower, "etc", NULL);
  mk(lower, "etc/passwd", "root");
  mk(upper, "bin", NULL);
  whiteout(upper, "bin/tar");
  mk(upper, "tmp", NULL);
  mk(upper, "tmp/THIS_IS_CONTAINER", "");
  mk(upper, "a", NULL);
  mk(upper, "a/b", NULL);
  mk(upper, "a/b/c", "");
  mk(upper, "a-x", "");
  cleanup_free char *got = overlay(upper, lower, NULL);
  CHECK_STR(got, "A /a\nA /a/b\nA /a/b/c\nA /a-x\nC /bin\nD /bin/tar\nC /tmp\n"
                 "A /tmp/THIS_IS_CONTAINER\n");
}

TEST(fresh_and_copied_up)
{
  cleanup_free char *lower = dir("l2"), *upper = dir("u2");
  mk(lower, "etc", NULL);
  mk(lower, "etc/hosts", "h");
  cleanup_free char *empty = overlay(upper, lower, NULL);
  CHECK_STR(empty, "");
  /* a directory copied up with nothing changed below it is not a change */
  mk(upper, "etc", NULL);
  cleanup_free char *l = xasprintf("%s/etc", lower), *u = xasprintf("%s/etc", upper);
  same_times(l, u);
  cleanup_free char *none = overlay(upper, lower, NULL);
  CHECK_STR(none, "");
  /* a modified file: C, its parent C even with identical metadata */
  mk(upper, "etc/hosts", "hh");
  same_times(l, u);
  cleanup_free char *mod = overlay(upper, lower, NULL);
  CHECK_STR(mod, "C /etc\nC /etc/hosts\n");
  /* a chmod of the directory alone */
  cleanup_free char *hosts = xasprintf("%s/etc/hosts", upper);
  unlink(hosts);
  chmod(u, 0700);
  cleanup_free char *ch = overlay(upper, lower, NULL);
  CHECK_STR(ch, "C /etc\n");
}

TEST(opaque_dir)
{
  /* rm -rf /d && mkdir /d && touch /d/new /d/keep */
  cleanup_free char *lower = dir("l3"), *upper = dir("u3");
  mk(lower, "d", NULL);
  mk(lower, "d/old1", "1");
  mk(lower, "d/keep", "k");
  mk(lower, "d/sub", NULL);
  mk(lower, "d/sub/x", "x");
  mk(upper, "d", NULL);
  opaque(upper, "d");
  mk(upper, "d/new", "");
  mk(upper, "d/keep", "");
  cleanup_free char *got = overlay(upper, lower, NULL);
  CHECK_STR(got, "C /d\nC /d/keep\nA /d/new\nD /d/old1\nD /d/sub\n");
}

TEST(lower_stack)
{
  /* upper over an init layer over a base: whiteouts and opaque dirs in the
   * lowers count; a name whited out below is new again */
  cleanup_free char *base = dir("l4b"), *mid = dir("l4m"), *upper = dir("u4");
  mk(base, "x", "x");
  mk(base, "gone", "g");
  mk(base, "o", NULL);
  mk(base, "o/hidden", "h");
  whiteout(mid, "gone");
  mk(mid, "o", NULL);
  opaque(mid, "o");
  mk(mid, "o/vis", "v");
  mk(upper, "gone", "back");
  mk(upper, "x", "xx");
  mk(upper, "o", NULL);
  whiteout(upper, "o/hidden");
  whiteout(upper, "o/vis");
  cleanup_free char *got = overlay(upper, mid, base);
  CHECK_STR(got, "A /gone\nC /o\nD /o/vis\nC /x\n");
}

TEST(type_change)
{
  cleanup_free char *lower = dir("l5"), *upper = dir("u5");
  mk(lower, "f", "file");
  mk(upper, "f", NULL);
  mk(upper, "f/inner", "");
  cleanup_free char *got = overlay(upper, lower, NULL);
  CHECK_STR(got, "C /f\nA /f/inner\n");
}

static char *
trees(const char *a, const char *b)
{
  int x = open(a, O_RDONLY | O_DIRECTORY), y = open(b, O_RDONLY | O_DIRECTORY);
  berth_change *c = NULL;
  size_t nc = 0;
  berth_error *err = NULL;
  int r = berth_changes_trees(&x, 1, &y, 1, &c, &nc, &err);
  close(x);
  close(y);
  if (r < 0) {
    printf("# %s\n", berth_error_message(err));
    berth_error_free(err);
    return xstrdup("ERROR");
  }
  char *s = berth_changes_format(c, nc);
  berth_changes_free(c, nc);
  return s;
}

static void
set_mtime(const char *root, const char *rel, long sec)
{
  cleanup_free char *p = xasprintf("%s/%s", root, rel);
  struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };
  utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
}

TEST(two_trees)
{
  cleanup_free char *a = dir("ta"), *b = dir("tb");
  const char *roots[] = { a, b };
  for (int i = 0; i < 2; i++) {
    mk(roots[i], "same", "s");
    mk(roots[i], "touched", "t");
    mk(roots[i], "edited", "e1");
    mk(roots[i], "d", NULL);
    mk(roots[i], "d/f", "f");
    set_mtime(roots[i], "same", 1000);
    set_mtime(roots[i], "touched", 1000 + i); /* same bytes, new mtime: no change */
    set_mtime(roots[i], "edited", 1000 + i);
    set_mtime(roots[i], "d/f", 1000);
  }
  mk(b, "edited", "e2");
  set_mtime(b, "edited", 1001);
  mk(a, "old", NULL);
  mk(a, "old/x", "x");
  mk(b, "new", NULL);
  mk(b, "new/y", "y");
  cleanup_free char *l1 = xasprintf("%s/lnk", a), *l2 = xasprintf("%s/lnk", b);
  symlink("/etc/one", l1);
  symlink("/etc/two", l2);
  set_mtime(a, "d", 5);
  set_mtime(b, "d", 5);
  set_mtime(a, ".", 5);
  set_mtime(b, ".", 5);
  cleanup_free char *got = trees(a, b);
  CHECK_STR(got, "C /edited\nC /lnk\nA /new\nA /new/y\nD /old\n");
  cleanup_free char *none = trees(a, a);
  CHECK_STR(none, "");
}

/* user.overlay.opaque is a container's own data (any process can set a
 * user.* xattr): it hides nothing, and it is a change like any xattr. */
TEST(user_overlay_opaque_is_data)
{
  cleanup_free char *lower = dir("l7"), *upper = dir("u7");
  mk(lower, "d", NULL);
  mk(lower, "d/old", "o");
  mk(upper, "d", NULL);
  mk(upper, "d/new", "n");
  cleanup_free char *ud = xasprintf("%s/d", upper), *ld = xasprintf("%s/d", lower);
  CHECK(setxattr(ud, "user.overlay.opaque", "y", 1, 0) == 0);
  same_times(ld, ud);
  cleanup_free char *got = overlay(upper, lower, NULL);
  CHECK_STR(got, "C /d\nA /d/new\n");
  /* two images: the lower tree, and the same with the upper on top */
  int from = open(lower, O_RDONLY | O_DIRECTORY);
  int to[2] = { open(upper, O_RDONLY | O_DIRECTORY), open(lower, O_RDONLY | O_DIRECTORY) };
  berth_change *c = NULL;
  size_t nc = 0;
  berth_error *err = NULL;
  CHECK(berth_changes_trees(&from, 1, to, 2, &c, &nc, &err) == 0);
  cleanup_free char *tr = berth_changes_format(c, nc);
  CHECK_STR(tr, "C /d\nA /d/new\n");
  berth_changes_free(c, nc);
  berth_error_free(err);
  close(from);
  close(to[0]);
  close(to[1]);
}

/* A diff whose xattr read fails is an error, never "no xattrs": it must not
 * hide a changed security.capability. */
static int
diff_fails_on_xattrs(void *arg)
{
  const char *const *ab = arg;
  int x = open(ab[0], O_RDONLY | O_DIRECTORY), y = open(ab[1], O_RDONLY | O_DIRECTORY);
  berth_change *c = NULL;
  size_t nc = 0;
  berth_error *err = NULL;
  int r = berth_changes_trees(&x, 1, &y, 1, &c, &nc, &err);
  bool ok = r < 0 && strstr(berth_error_message(err), ab[2]) != NULL;
  if (!ok)
    printf("#   want an error with '%s', got %s\n", ab[2],
           r < 0 ? berth_error_message(err) : "success");
  berth_changes_free(c, nc);
  berth_error_free(err);
  return ok ? 0 : 1;
}

TEST(xattr_read_errors_fail_the_diff)
{
  cleanup_free char *a = dir("xa"), *b = dir("xb");
  mk(a, "f", "same");
  mk(b, "f", "same");
  set_mtime(a, "f", 100);
  set_mtime(b, "f", 100);
  cleanup_free char *fa = xasprintf("%s/f", a), *fb = xasprintf("%s/f", b);
  CHECK(setxattr(fa, "user.k", "1", 1, 0) == 0);
  CHECK(setxattr(fb, "user.k", "1", 1, 0) == 0);
  cleanup_free char *same = trees(a, b);
  CHECK_STR(same, "");
  const char *list[] = { a, b, "list xattrs of f: Input/output error" };
  const char *get[] = { a, b, "read xattr user.k of f: Input/output error" };
  CHECK(run_with_fault(SYS_llistxattr, EIO, diff_fails_on_xattrs, (void *)list) == 0);
  CHECK(run_with_fault(SYS_lgetxattr, EIO, diff_fails_on_xattrs, (void *)get) == 0);
}

int
main(void)
{
  char tpl[] = "/tmp/berth-test-changes-XXXXXX";
  tmp = mkdtemp(tpl);
  RUN(seed_transcript);
  RUN(fresh_and_copied_up);
  RUN(opaque_dir);
  RUN(lower_stack);
  RUN(type_change);
  RUN(two_trees);
  RUN(user_overlay_opaque_is_data);
  RUN(xattr_read_errors_fail_the_diff);
  berth_error *err = NULL;
  berth_rm_rf_at(AT_FDCWD, tmp, &err);
  berth_error_free(err);
  DONE();
}
