/* Hostile-corpus and round-trip tests for berth_layer_unpack and
 * berth_layer_tar_rebuild.  Each case unpacks into T/layer, where T also
 * holds a canary file and an empty directory "outside": after every case
 * both must be untouched. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/confine.h"
#include "archive/rebuild.h"
#include "archive/unpack.h"
#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "harness.h"
#include "seccomp_fault.h"
#include "tarbuild.h"

struct fixture {
  char dir[64];
  int tfd;   /* T */
  int layer; /* T/layer */
  int split; /* memfd holding the tar-split */
  berth_unpack_result res;
  berth_error *err;
};

static void
fx_init(struct fixture *fx)
{
  memset(fx, 0, sizeof(*fx));
  snprintf(fx->dir, sizeof(fx->dir), "/tmp/berth-arc-XXXXXX");
  if (mkdtemp(fx->dir) == NULL)
    abort();
  fx->tfd = open(fx->dir, O_RDONLY | O_DIRECTORY);
  mkdirat(fx->tfd, "layer", 0755);
  mkdirat(fx->tfd, "outside", 0755);
  int c = openat(fx->tfd, "canary", O_WRONLY | O_CREAT, 0644);
  if (write(c, "canary\n", 7) != 7)
    abort();
  close(c);
  fx->layer = openat(fx->tfd, "layer", O_RDONLY | O_DIRECTORY);
  fx->split = memfd_create("tar-split", 0);
}

/* Only layer, canary and an empty outside/ may be in T. */
static bool
fx_siblings_intact(struct fixture *fx)
{
  DIR *d = fdopendir(dup(fx->tfd));
  rewinddir(d);
  struct dirent *de;
  int n = 0;
  bool ok = true;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    n++;
    if (strcmp(de->d_name, "layer") != 0 && strcmp(de->d_name, "canary") != 0
        && strcmp(de->d_name, "outside") != 0) {
      printf("#   unexpected sibling %s\n", de->d_name);
      ok = false;
    }
  }
  closedir(d);
  char *data = NULL;
  size_t len = 0;
  berth_error *e = NULL;
  if (berth_read_file_at(fx->tfd, "canary", &data, &len, &e) < 0 || len != 7
      || memcmp(data, "canary\n", 7) != 0)
    ok = false;
  free(data);
  berth_error_free(e);
  struct stat st;
  if (fstatat(fx->tfd, "outside", &st, 0) < 0 || st.st_nlink != 2) /* still empty */
    ok = false;
  d = fdopendir(openat(fx->tfd, "outside", O_RDONLY | O_DIRECTORY));
  while (d != NULL && (de = readdir(d)) != NULL)
    if (de->d_name[0] != '.')
      ok = false;
  if (d)
    closedir(d);
  return ok && n == 3;
}

static void
fx_done(struct fixture *fx)
{
  close(fx->layer);
  close(fx->split);
  berth_error_free(fx->err);
  berth_error *e = NULL;
  berth_rm_rf_at(AT_FDCWD, fx->dir, &e);
  berth_error_free(e);
  close(fx->tfd);
}

static int
fx_unpack(struct fixture *fx, const struct tarbuf *t, size_t chunk)
{
  struct memsrc m = { t->data, t->len, 0, chunk };
  berth_error_free(fx->err);
  fx->err = NULL;
  return berth_layer_unpack(memsrc_read, &m, fx->layer, fx->split, &fx->res, &fx->err);
}

static bool
err_contains(struct fixture *fx, const char *s)
{
  if (fx->err == NULL || strstr(berth_error_message(fx->err), s) == NULL) {
    printf("#   error %s does not contain \"%s\"\n",
           fx->err ? berth_error_message(fx->err) : "(none)", s);
    return false;
  }
  return true;
}

static bool
is_file_with(int dfd, const char *path, const char *content)
{
  char *data = NULL;
  size_t len = 0;
  berth_error *e = NULL;
  bool ok = berth_read_file_at(dfd, path, &data, &len, &e) == 0 && len == strlen(content)
            && memcmp(data, content, len) == 0;
  free(data);
  berth_error_free(e);
  return ok;
}

/* Rebuilds from layer + tar-split and compares with the original bytes. */
static bool
rebuild_matches(struct fixture *fx, const struct tarbuf *orig)
{
  lseek(fx->split, 0, SEEK_SET);
  struct tarbuf out = { 0 };
  berth_error *e = NULL;
  int r = berth_layer_tar_rebuild(fx->layer, fx->split, tarbuf_write, &out, &e);
  if (r < 0)
    printf("#   rebuild: %s\n", berth_error_message(e));
  bool ok = r == 0 && out.len == orig->len && memcmp(out.data, orig->data, out.len) == 0;
  if (r == 0 && !ok)
    printf("#   rebuild gave %zu bytes, want %zu\n", out.len, orig->len);
  berth_error_free(e);
  free(out.data);
  return ok;
}

TEST(dotdot_escape_refused)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_file(a, "ok", "fine");
  tb_file(a, "a/../../outside/pwned", "x");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == -1);
  CHECK(err_contains(
      &fx,
      "extract 'a/../../outside/pwned': path 'a/../../outside/pwned' escapes the layer directory"));
  CHECK(fx_siblings_intact(&fx));
  free(t.data);
  fx_done(&fx);
}

/* PAX carries any decimal owner; cast to uid_t, 2^32 would become root. */
TEST(owner_out_of_range_refused)
{
  static const struct {
    long long uid, gid;
    const char *words;
  } cases[] = {
    { 4294967296LL, 0, "uid 4294967296 is out of range" },
    { 0, 4294967297LL, "gid 4294967297 is out of range" },
    { 4294967295LL, 0, "uid 4294967295 is out of range" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct fixture fx;
    fx_init(&fx);
    struct tarbuf t = { 0 };
    struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
    struct archive_entry *e = tb_entry("root-owned", AE_IFREG, 04755);
    archive_entry_set_uid(e, cases[i].uid);
    archive_entry_set_gid(e, cases[i].gid);
    tb_add(a, e, "x", 1);
    tb_close(a);
    CHECK(fx_unpack(&fx, &t, 0) == -1);
    CHECK(err_contains(&fx, cases[i].words));
    CHECK(faccessat(fx.layer, "root-owned", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
    free(t.data);
    fx_done(&fx);
  }
}

TEST(absolute_path_is_relative_to_layer)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  char abs[128];
  snprintf(abs, sizeof(abs), "%s/canary", fx.dir);
  tb_file(a, abs, "overwritten?");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == 0);
  CHECK(is_file_with(fx.layer, abs + 1, "overwritten?"));
  CHECK(fx_siblings_intact(&fx));
  CHECK(rebuild_matches(&fx, &t));
  free(t.data);
  fx_done(&fx);
}

/* A symlink pointing out, then entries written through it: confined to the
 * layer (RESOLVE_IN_ROOT), or refused when the target does not exist there. */
TEST(symlink_then_write_through_it)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_symlink(a, "up", "../../../..");
  tb_file(a, "up/pwned", "through");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == 0);
  CHECK(is_file_with(fx.layer, "pwned", "through")); /* ".." clamped at the layer root */
  CHECK(fx_siblings_intact(&fx));
  free(t.data);
  fx_done(&fx);

  fx_init(&fx);
  memset(&t, 0, sizeof(t));
  a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  char target[128];
  snprintf(target, sizeof(target), "%s/outside", fx.dir);
  tb_symlink(a, "abs", target);
  tb_file(a, "abs/pwned", "through");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == -1);
  CHECK(err_contains(
      &fx, "extract 'abs/pwned': cannot create directory 'abs': a dangling symlink is in the way"));
  CHECK(fx_siblings_intact(&fx));
  free(t.data);
  fx_done(&fx);
}

/* The openat2-less walk resolves symlinks the way RESOLVE_IN_ROOT does: a
 * target with ".." past the root or an absolute one stays in the layer; a
 * target that does not exist there is never created. */
TEST(walk_fallback_confines_symlinks)
{
  berth_confine_mode modes[] = { BERTH_CONFINE_WALK, BERTH_CONFINE_OPENAT2 };
  for (size_t i = 0; i < 2; i++) {
    struct fixture fx;
    fx_init(&fx);
    char host[128];
    snprintf(host, sizeof(host), "%s/outside", fx.dir);
    CHECK(symlinkat("../outside", fx.layer, "s") == 0);
    CHECK(symlinkat("../../../../..", fx.layer, "up") == 0);
    CHECK(symlinkat("/d", fx.layer, "abs") == 0);
    CHECK(symlinkat(host, fx.layer, "host") == 0);
    CHECK(mkdirat(fx.layer, "d", 0755) == 0);
    berth_confine_mode mode = modes[i];
    berth_error *e = NULL;
    int fd = berth_confine_open_dir(fx.layer, "s/x", true, &mode, &e);
    CHECK(fd == -1 && e != NULL);
    CHECK(e
          && strcmp(berth_error_message(e),
                    "cannot create directory 's': a dangling symlink is in the way")
                 == 0);
    berth_error_free(e);
    e = NULL;
    fd = berth_confine_open_dir(fx.layer, "host/x", true, &mode, &e);
    CHECK(fd == -1 && e != NULL); /* the host path, read inside the layer: absent */
    berth_error_free(e);
    e = NULL;
    fd = berth_confine_open_dir(fx.layer, "up/d/new/deeper", true, &mode, &e);
    CHECK(fd >= 0);
    close(fd);
    CHECK(berth_exists_at(fx.layer, "d/new/deeper"));
    fd = berth_confine_open_dir(fx.layer, "abs/new/../../up/abs/made", true, &mode, &e);
    CHECK(fd >= 0);
    close(fd);
    CHECK(berth_exists_at(fx.layer, "d/made"));
    fd = berth_confine_open_dir(fx.layer, "s", false, &mode, &e);
    CHECK(fd == -1); /* resolves to layer/outside, which does not exist */
    berth_error_free(e);
    CHECK(mode == modes[i]);
    CHECK(fx_siblings_intact(&fx));
    fx_done(&fx);
  }
}

/* A tar that writes through symlinks in nested directories. */
static int
unpack_through_symlinks(void *arg)
{
  (void)arg;
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_dir(a, "usr/");
  tb_dir(a, "usr/lib/");
  tb_symlink(a, "lib", "usr/lib");
  tb_symlink(a, "up", "../../..");
  tb_file(a, "lib/x/y/z", "deep");
  tb_file(a, "up/usr/lib/w", "w");
  tb_close(a);
  int r = fx_unpack(&fx, &t, 0);
  if (r < 0)
    printf("#   unpack: %s\n", berth_error_message(fx.err));
  bool ok = r == 0 && is_file_with(fx.layer, "usr/lib/x/y/z", "deep")
            && is_file_with(fx.layer, "usr/lib/w", "w") && fx_siblings_intact(&fx)
            && rebuild_matches(&fx, &t);
  free(t.data);
  fx_done(&fx);
  return ok ? 0 : 1;
}

/* openat2 refused by a seccomp filter (EPERM, as in a container) or missing
 * (ENOSYS), or EAGAIN every time (renames racing every ".." lookup): the
 * walk takes over and the layer is the same. */
TEST(unpack_without_usable_openat2)
{
  static const int errs[] = { EPERM, ENOSYS, EAGAIN, EINVAL };
  for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
    int st = run_with_fault(SYS_openat2, errs[i], unpack_through_symlinks, NULL);
    if (st != 0)
      printf("#   openat2 failing with %s: child exit %d\n", strerror(errs[i]), st);
    CHECK(st == 0);
  }
}

TEST(hardlink_out_refused)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_hardlink(a, "hl", "../canary");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == -1);
  CHECK(err_contains(
      &fx, "extract 'hl': hard link target: path '../canary' escapes the layer directory"));
  CHECK(fx_siblings_intact(&fx));
  free(t.data);
  fx_done(&fx);

  fx_init(&fx);
  memset(&t, 0, sizeof(t));
  a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  char target[128];
  snprintf(target, sizeof(target), "%s/canary", fx.dir);
  tb_hardlink(a, "hl", target);
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == -1);
  CHECK(err_contains(&fx, "is not in the layer"));
  struct stat st;
  CHECK(fstatat(fx.tfd, "canary", &st, 0) == 0 && st.st_nlink == 1);
  CHECK(fx_siblings_intact(&fx));
  free(t.data);
  fx_done(&fx);
}

TEST(symlink_named_dot_refused)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_symlink(a, ".", "../outside");
  tb_file(a, "f", "x");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == -1);
  CHECK(err_contains(&fx, "extract '.': refusing to replace the layer root with a non-directory"));
  CHECK(fx_siblings_intact(&fx));
  free(t.data);
  fx_done(&fx);
}

TEST(duplicates_later_wins)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_file(a, "dup", "one");
  tb_file(a, "dup", "two");
  tb_dir(a, "d");
  tb_file(a, "d/keep", "kept");
  tb_dir(a, "d");
  tb_dir(a, "x");
  tb_file(a, "x/gone", "gone");
  tb_file(a, "x", "now a file");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == 0);
  CHECK(is_file_with(fx.layer, "dup", "two"));
  CHECK(is_file_with(fx.layer, "d/keep", "kept"));
  CHECK(is_file_with(fx.layer, "x", "now a file"));
  CHECK(fx.res.size == 3 + 3 + 4 + 4 + 10);
  CHECK(fx_siblings_intact(&fx));
  free(t.data);
  fx_done(&fx);
}

static bool
is_whiteout(int dfd, const char *path)
{
  struct stat st;
  return fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode)
         && st.st_rdev == makedev(0, 0);
}

TEST(whiteouts_and_opaque)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_file(a, "etc/.wh.before", "");
  tb_file(a, "etc/before", "target after its whiteout");
  tb_file(a, "etc/after", "target before its whiteout");
  tb_file(a, "etc/.wh.after", "");
  tb_dir(a, "opq");
  tb_file(a, "opq/.wh..wh..opq", "");
  tb_file(a, "opq/inside", "same layer stays");
  tb_file(a, "late/.wh..wh..opq", "");
  tb_file(a, ".wh..wh.plnk/123", "aufs");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == 0);
  CHECK(is_file_with(fx.layer, "etc/before", "target after its whiteout"));
  CHECK(is_whiteout(fx.layer, "etc/after"));
  CHECK(!berth_exists_at(fx.layer, "etc/.wh.after"));
  CHECK(!berth_exists_at(fx.layer, ".wh..wh.plnk"));
  char v[8] = { 0 };
  cleanup_close int o = openat(fx.layer, "opq", O_RDONLY | O_DIRECTORY);
  CHECK(fgetxattr(o, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y');
  CHECK(is_file_with(fx.layer, "opq/inside", "same layer stays"));
  cleanup_close int l = openat(fx.layer, "late", O_RDONLY | O_DIRECTORY);
  CHECK(fgetxattr(l, "trusted.overlay.opaque", v, sizeof(v)) == 1);
  CHECK(fx_siblings_intact(&fx));
  /* etc/after's contents were replaced by its whiteout: the tar cannot be
     rebuilt from the tree (Docker has the same limit for such layers). */
  CHECK(rebuild_matches(&fx, &t) == false);
  free(t.data);
  fx_done(&fx);
}

/* A layer's user.overlay.* xattrs are data, set as they are; a
 * trusted.overlay.* one in a tar never is (only ".wh..wh..opq" makes a
 * directory opaque). */
TEST(overlay_xattrs_in_a_tar)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE);
  struct archive_entry *e = tb_entry("d", AE_IFDIR, 0755);
  archive_entry_xattr_add_entry(e, "user.overlay.opaque", "y", 1);
  tb_add(a, e, NULL, 0);
  tb_file(a, "d/f", "kept");
  e = tb_entry("forged", AE_IFDIR, 0755);
  archive_entry_xattr_add_entry(e, "trusted.overlay.opaque", "y", 1);
  tb_add(a, e, NULL, 0);
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 0) == 0);
  char v[8];
  cleanup_close int d = openat(fx.layer, "d", O_RDONLY | O_DIRECTORY);
  CHECK(fgetxattr(d, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y');
  CHECK(fgetxattr(d, "trusted.overlay.opaque", v, sizeof(v)) < 0);
  CHECK(is_file_with(fx.layer, "d/f", "kept"));
  cleanup_close int f = openat(fx.layer, "forged", O_RDONLY | O_DIRECTORY);
  CHECK(fgetxattr(f, "trusted.overlay.opaque", v, sizeof(v)) < 0);
  CHECK(fx_siblings_intact(&fx));
  free(t.data);
  fx_done(&fx);
}

TEST(devices_modes_owners_xattrs_times)
{
  struct fixture fx;
  fx_init(&fx);
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE);
  struct archive_entry *e = tb_entry("dev/null", AE_IFCHR, 0666);
  archive_entry_set_rdevmajor(e, 1);
  archive_entry_set_rdevminor(e, 3);
  tb_add(a, e, NULL, 0);
  tb_add(a, tb_entry("fifo", AE_IFIFO, 0600), NULL, 0);
  e = tb_entry("bin/su", AE_IFREG, 04755);
  archive_entry_set_uid(e, 1234);
  archive_entry_set_gid(e, 5678);
  static const char cap[] = { 1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  archive_entry_xattr_add_entry(e, "security.capability", cap, sizeof(cap));
  archive_entry_xattr_add_entry(e, "user.note", "hi", 2);
  archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/x", 2);
  tb_add(a, e, "#!", 2);
  e = tb_entry("tmp", AE_IFDIR, 01777);
  archive_entry_set_mtime(e, 1234567890, 500);
  tb_add(a, e, NULL, 0);
  tb_file(a, "tmp/f", "later than its directory");
  tb_symlink(a, "tmp/link", "/nowhere");
  tb_close(a);
  CHECK(fx_unpack(&fx, &t, 3) == 0);
  struct stat st;
  CHECK(fstatat(fx.layer, "dev/null", &st, 0) == 0 && S_ISCHR(st.st_mode)
        && st.st_rdev == makedev(1, 3) && (st.st_mode & 07777) == 0666);
  CHECK(fstatat(fx.layer, "fifo", &st, 0) == 0 && S_ISFIFO(st.st_mode));
  CHECK(fstatat(fx.layer, "bin/su", &st, 0) == 0 && (st.st_mode & 07777) == 04755
        && st.st_uid == 1234 && st.st_gid == 5678 && st.st_mtime == 1600000000);
  char v[64];
  CHECK(lgetxattr(fx.dir, "user.note", v, sizeof(v)) < 0); /* T untouched */
  cleanup_close int su = openat(fx.layer, "bin/su", O_RDONLY);
  CHECK(fgetxattr(su, "user.note", v, sizeof(v)) == 2 && memcmp(v, "hi", 2) == 0);
  CHECK(fgetxattr(su, "security.capability", v, sizeof(v)) == sizeof(cap));
  CHECK(fgetxattr(su, "trusted.overlay.redirect", v, sizeof(v)) < 0);
  CHECK(fstatat(fx.layer, "tmp", &st, 0) == 0 && (st.st_mode & 07777) == 01777);
  CHECK(st.st_mtime == 1234567890);
  CHECK(st.st_mtim.tv_nsec == 500);
  char target[32] = { 0 };
  CHECK(readlinkat(fx.layer, "tmp/link", target, sizeof(target)) == 8);
  CHECK_STR(target, "/nowhere");
  CHECK(fx.res.size == 2 + 24 + 8); /* Docker counts a symlink's target length */
  CHECK(fx_siblings_intact(&fx));
  CHECK(rebuild_matches(&fx, &t));
  free(t.data);
  fx_done(&fx);
}

TEST(pax_long_name_and_hardlink)
{
  struct fixture fx;
  fx_init(&fx);
  char name[400];
  size_t used = 0;
  for (int i = 0; i < 6; i++)
    used += (size_t)snprintf(name + used, sizeof(name) - used, "%s",
                             "directory-component-with-a-long-name-for-pax/");
  snprintf(name + used, sizeof(name) - used, "%s", "file-at-the-end-of-a-long-path.txt");
  CHECK(strlen(name) > 300);
  for (int fmt = 0; fmt < 2; fmt++) {
    struct tarbuf t = { 0 };
    struct archive *a
        = tb_open(&t, fmt ? ARCHIVE_FORMAT_TAR_GNUTAR : ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
    tb_file(a, name, "deep");
    tb_hardlink(a, "short", name);
    tb_close(a);
    CHECK(fx_unpack(&fx, &t, 0) == 0);
    CHECK(is_file_with(fx.layer, name, "deep"));
    struct stat st;
    CHECK(fstatat(fx.layer, "short", &st, 0) == 0 && st.st_nlink == 2);
    CHECK(rebuild_matches(&fx, &t));
    free(t.data);
    fx_done(&fx);
    fx_init(&fx);
  }
  fx_done(&fx);
}

static const char *data_dir; /* tests/data/tar, from argv[1] */

static struct tarbuf
read_fixture(const char *name)
{
  struct tarbuf t = { 0 };
  cleanup_close int dfd = open(data_dir, O_RDONLY | O_DIRECTORY);
  berth_error *e = NULL;
  if (berth_read_file_at(dfd, name, (char **)&t.data, &t.len, &e) < 0) {
    printf("#   %s\n", berth_error_message(e));
    berth_error_free(e);
  }
  return t;
}

/* Tarballs made by GNU tar (tests/data/tar/gen.sh): PAX with xattrs and
 * PAX 1.0 sparse, and old GNU format with 'L' long names and 'S' sparse. */
TEST(gnu_tar_fixtures_round_trip)
{
  const char *names[] = { "gnu-pax.tar", "gnu-gnu.tar" };
  for (int i = 0; i < 2; i++) {
    struct tarbuf t = read_fixture(names[i]);
    CHECK(t.len > 0);
    char want[BERTH_DIGEST_LEN];
    berth_sha256_digest(t.data, t.len, want);
    struct fixture fx;
    fx_init(&fx);
    CHECK(fx_unpack(&fx, &t, 4096) == 0);
    if (fx.err)
      printf("#   %s: %s\n", names[i], berth_error_message(fx.err));
    CHECK_STR(fx.res.diff_id, want);
    CHECK(fx.res.size == 6 + 10 + (8 << 20) + 5); /* + dir/hello.link -> hello */
    struct stat st;
    CHECK(fstatat(fx.layer, "sparse", &st, 0) == 0 && st.st_size == 8 << 20);
    CHECK(st.st_blocks * 512 < 1 << 20); /* holes kept */
    cleanup_close int fd = openat(fx.layer, "sparse", O_RDONLY);
    char buf[8] = { 0 };
    CHECK(pread(fd, buf, 7, (4 << 20) - 1) == 7 && memcmp(buf, "\0middle", 7) == 0);
    CHECK(pread(fd, buf, 4, (8 << 20) - 4) == 4 && memcmp(buf, "\0end", 4) == 0);
    CHECK(fstatat(fx.layer, "dir/hello", &st, 0) == 0 && (st.st_mode & 07777) == 04755
          && st.st_nlink == 2 && st.st_mtime == 1600000000);
    CHECK(fstatat(fx.layer, "dir/sub", &st, 0) == 0 && (st.st_mode & 07777) == 01777
          && st.st_mtime == 1600000000);
    CHECK(fstatat(fx.layer, "fifo", &st, 0) == 0 && S_ISFIFO(st.st_mode));
    CHECK(fstatat(fx.layer, "dir/hello.link", &st, AT_SYMLINK_NOFOLLOW) == 0
          && S_ISLNK(st.st_mode));
    char name[400];
    snprintf(name, sizeof(name), "long/%0150d/%0150d", 0, 0);
    for (char *p = name + 5; *p; p++)
      if (*p == '0')
        *p = p < name + 156 ? 'x' : 'y';
    CHECK(is_file_with(fx.layer, name, "long name\n"));
    if (i == 0) {
      cleanup_close int h = openat(fx.layer, "dir/hello", O_RDONLY);
      char v[64];
      CHECK(fgetxattr(h, "user.berth", v, sizeof(v)) == 7 && memcmp(v, "fixture", 7) == 0);
      CHECK(fgetxattr(h, "security.capability", v, sizeof(v)) == 20);
    }
    CHECK(rebuild_matches(&fx, &t));
    CHECK(fx_siblings_intact(&fx));
    fx_done(&fx);
    free(t.data);
  }
}

static struct tarbuf
sample_tar(void)
{
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_dir(a, "./");
  tb_dir(a, "./etc/");
  tb_file(a, "./etc/hostname", "berth\n");
  static char big[700000];
  for (size_t i = 0; i < sizeof(big); i++)
    big[i] = (char)(i * 7 + i / 1000);
  tb_add(a, tb_entry("./big", AE_IFREG, 0600), big, sizeof(big));
  tb_add(a, tb_entry("./empty", AE_IFREG, 0600), "", 0);
  tb_symlink(a, "./etc/link", "hostname");
  tb_hardlink(a, "./etc/hard", "./etc/hostname");
  tb_file(a, "./caf\xc3\xa9 <&>", "utf-8 and html");
  tb_close(a);
  return t;
}

TEST(golden_round_trip_all_compressions)
{
  struct tarbuf t = sample_tar();
  char want[BERTH_DIGEST_LEN];
  berth_sha256_digest(t.data, t.len, want);
  struct tarbuf gz = tb_gzip(&t), zs = tb_zstd(&t);
  const struct tarbuf *inputs[3] = { &t, &gz, &zs };
  for (int i = 0; i < 3; i++) {
    struct fixture fx;
    fx_init(&fx);
    CHECK(fx_unpack(&fx, inputs[i], i == 1 ? 1000 : 0) == 0);
    if (fx.err)
      printf("#   %s\n", berth_error_message(fx.err));
    CHECK_STR(fx.res.diff_id, want);
    CHECK(fx.res.size == 6 + 700000 + 14 + 8); /* + etc/link -> hostname */
    CHECK(rebuild_matches(&fx, &t));
    CHECK(fx_siblings_intact(&fx));
    fx_done(&fx);
  }
  free(gz.data);
  free(zs.data);
  free(t.data);
}

TEST(rebuild_detects_changes)
{
  struct tarbuf t = sample_tar();
  struct fixture fx;
  fx_init(&fx);
  CHECK(fx_unpack(&fx, &t, 0) == 0);
  struct tarbuf out = { 0 };
  berth_error *e = NULL;
  cleanup_close int fd = openat(fx.layer, "etc/hostname", O_WRONLY | O_TRUNC);
  CHECK(write(fd, "berth!", 6) == 6);
  lseek(fx.split, 0, SEEK_SET);
  CHECK(berth_layer_tar_rebuild(fx.layer, fx.split, tarbuf_write, &out, &e) == -1);
  CHECK(e
        && strcmp(berth_error_message(e),
                  "rebuild layer tar: file './etc/hostname': contents changed (crc64 mismatch)")
               == 0);
  berth_error_free(e);
  e = NULL;
  CHECK(write(fd, "\n", 1) == 1);
  lseek(fx.split, 0, SEEK_SET);
  CHECK(berth_layer_tar_rebuild(fx.layer, fx.split, tarbuf_write, &out, &e) == -1);
  CHECK(e && strstr(berth_error_message(e), "size changed (7 bytes, expected 6)") != NULL);
  berth_error_free(e);
  e = NULL;
  CHECK(unlinkat(fx.layer, "big", 0) == 0);
  CHECK(unlinkat(fx.layer, "etc/hostname", 0) == 0);
  CHECK(unlinkat(fx.layer, "etc/hard", 0) == 0);
  lseek(fx.split, 0, SEEK_SET);
  CHECK(berth_layer_tar_rebuild(fx.layer, fx.split, tarbuf_write, &out, &e) == -1);
  CHECK(e
        && strcmp(berth_error_message(e), "rebuild layer tar: file './etc/hostname': missing")
               == 0);
  berth_error_free(e);
  free(out.data);
  free(t.data);
  fx_done(&fx);
}

static ssize_t
failing_read(void *ctx, void *buf, size_t len, berth_error **err)
{
  int *calls = ctx;
  (*calls)++;
  return berth_error_set(err, ECONNRESET, "read layer");
}

/* A stream that fails at its first read fails archive_read_open: the
 * stream's error is reported, once, and nothing is written. */
TEST(stream_failing_at_open)
{
  struct fixture fx;
  fx_init(&fx);
  int calls = 0;
  int r = berth_layer_unpack(failing_read, &calls, fx.layer, fx.split, &fx.res, &fx.err);
  CHECK(r == -1);
  CHECK(fx.err != NULL
        && strcmp(berth_error_message(fx.err), "read layer: Connection reset by peer") == 0);
  if (fx.err != NULL)
    printf("#   %s\n", berth_error_message(fx.err));
  CHECK(calls == 1);
  CHECK(fx_siblings_intact(&fx));
  fx_done(&fx);
}

TEST(corrupt_and_truncated_streams)
{
  struct tarbuf t = sample_tar();
  struct tarbuf gz = tb_gzip(&t);
  struct fixture fx;
  fx_init(&fx);
  for (size_t i = gz.len / 2; i < gz.len / 2 + 64; i++)
    gz.data[i] ^= 0x5a;
  CHECK(fx_unpack(&fx, &gz, 0) == -1);
  CHECK(err_contains(&fx, "gzip: "));
  CHECK(fx_siblings_intact(&fx));
  fx_done(&fx);

  fx_init(&fx);
  struct tarbuf cut = { t.data, 2000, 0 }; /* inside big's contents */
  CHECK(fx_unpack(&fx, &cut, 0) == -1);
  CHECK(err_contains(&fx, "invalid layer tar: Truncated"));
  fx_done(&fx);

  fx_init(&fx);
  struct tarbuf gzcut = { gz.data, 100, 0 };
  struct tarbuf gz2 = tb_gzip(&t);
  gzcut.data = gz2.data;
  CHECK(fx_unpack(&fx, &gzcut, 0) == -1);
  CHECK(err_contains(&fx, "gzip: unexpected end of compressed stream"));
  fx_done(&fx);

  fx_init(&fx);
  struct tarbuf zs = tb_zstd(&t);
  zs.len -= 10;
  CHECK(fx_unpack(&fx, &zs, 0) == -1);
  CHECK(err_contains(&fx, "zstd: unexpected end of compressed stream"));
  fx_done(&fx);

  fx_init(&fx);
  struct tarbuf bad = { 0 };
  bad.data = calloc(1, 1024);
  memcpy(bad.data, t.data, 512);
  bad.data[0] ^= 1; /* checksum no longer matches */
  bad.len = 1024;
  CHECK(fx_unpack(&fx, &bad, 0) == -1);
  CHECK(err_contains(&fx, "invalid layer tar: "));
  fx_done(&fx);
  free(bad.data);
  free(zs.data);
  free(gz2.data);
  free(gz.data);
  free(t.data);
}

int
main(int argc, char **argv)
{
  data_dir = argc > 1 ? argv[1] : "tests/data/tar";
  RUN(dotdot_escape_refused);
  RUN(owner_out_of_range_refused);
  RUN(absolute_path_is_relative_to_layer);
  RUN(symlink_then_write_through_it);
  RUN(walk_fallback_confines_symlinks);
  RUN(unpack_without_usable_openat2);
  RUN(hardlink_out_refused);
  RUN(symlink_named_dot_refused);
  RUN(duplicates_later_wins);
  RUN(whiteouts_and_opaque);
  RUN(overlay_xattrs_in_a_tar);
  RUN(devices_modes_owners_xattrs_times);
  RUN(pax_long_name_and_hardlink);
  RUN(gnu_tar_fixtures_round_trip);
  RUN(golden_round_trip_all_compressions);
  RUN(rebuild_detects_changes);
  RUN(corrupt_and_truncated_streams);
  RUN(stream_failing_at_open);
  DONE();
}
