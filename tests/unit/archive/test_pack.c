/* Layer packing: the same tree gives the same bytes; pack → unpack → pack
 * gives them again; the tar-split written by unpack rebuilds them; overlay
 * forms (whiteouts, opaque dirs), hard links, symlinks, devices, xattrs and
 * long names come out as tar forms. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/crc64.h"
#include "archive/pack.h"
#include "archive/rebuild.h"
#include "archive/tarsplit.h"
#include "archive/unpack.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"
#include "membuf.h"
#include "seccomp_fault.h"

static char *tmp;

static void
put(const char *root, const char *rel, const char *content, long mtime)
{
  cleanup_free char *p = xasprintf("%s/%s", root, rel);
  if (content == NULL)
    mkdir(p, 0755);
  else {
    FILE *f = fopen(p, "w");
    fputs(content, f);
    fclose(f);
  }
  struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
  utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
}

static void
set_time(const char *root, const char *rel, long mtime)
{
  cleanup_free char *p = xasprintf("%s/%s", root, rel);
  struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
  utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
}

static char *long_name;

/* A tree with one of everything (whiteouts only when asked: unpack does not
 * keep a whiteout's mtime, so they cannot round-trip byte for byte). */
static char *
make_tree(const char *name, bool whiteouts)
{
  char *root = xasprintf("%s/%s", tmp, name);
  mkdir(root, 0755);
  put(root, "bin", NULL, 100);
  put(root, "bin/sh", "#!shell\n", 200);
  cleanup_free char *sh = xasprintf("%s/bin/sh", root), *ln = xasprintf("%s/bin/hard", root);
  chmod(sh, 04755);
  link(sh, ln);
  cleanup_free char *sl = xasprintf("%s/bin/link", root);
  symlink("/etc/passwd", sl);
  cleanup_free char *fifo = xasprintf("%s/fifo", root), *dev = xasprintf("%s/null", root);
  mkfifo(fifo, 0600);
  mknod(dev, S_IFCHR | 0666, makedev(1, 3));
  put(root, "opq", NULL, 300);
  put(root, "opq/inside", "x", 300);
  cleanup_free char *opq = xasprintf("%s/opq", root);
  setxattr(opq, "trusted.overlay.opaque", "y", 1, 0);
  cleanup_free char *cap = xasprintf("%s/bin/ping", root);
  put(root, "bin/ping", "ping", 400);
  /* cap_net_raw+ep, a v2 vfs capability */
  static const unsigned char capv[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00 };
  if (setxattr(cap, "security.capability", capv, sizeof capv, 0) != 0)
    perror("# setxattr security.capability");
  setxattr(cap, "user.note", "hello", 5, 0);
  put(root, long_name, "long", 500);
  put(root, "caf\xc3\xa9", "utf8", 600);
  if (whiteouts) {
    cleanup_free char *wh = xasprintf("%s/bin/tar", root);
    mknod(wh, S_IFCHR | 0, makedev(0, 0));
    set_time(root, "bin/tar", 700);
  }
  set_time(root, "bin/ping", 400);
  set_time(root, "bin/sh", 200);
  set_time(root, "opq", 300);
  set_time(root, "bin", 100);
  return root;
}

static struct buf
pack(const char *root, berth_pack_result *res)
{
  struct buf b = { NULL, 0, 0 };
  cleanup_close int fd = open(root, O_RDONLY | O_DIRECTORY);
  berth_error *err = NULL;
  if (berth_layer_pack(fd, buf_write, &b, res, &err) < 0) {
    printf("# %s\n", berth_error_message(err));
    berth_error_free(err);
  }
  return b;
}

TEST(same_tree_same_bytes)
{
  cleanup_free char *a = make_tree("a", true), *b = make_tree("b", true);
  berth_pack_result r1, r2, r3;
  struct buf x = pack(a, &r1), y = pack(a, &r2), z = pack(b, &r3);
  CHECK(x.len > 0 && x.len % 512 == 0);
  CHECK(x.len == y.len && memcmp(x.d, y.d, x.len) == 0);
  CHECK_STR(r1.diff_id, r2.diff_id);
  /* another directory with the same contents: the same layer */
  CHECK(x.len == z.len && memcmp(x.d, z.d, x.len) == 0);
  CHECK_STR(r1.diff_id, r3.diff_id);
  /* Docker's layer size: files once, plus each symlink's target length */
  CHECK(r1.size == (long long)(strlen("#!shell\n") + 4 + 1 + 4 + 4 + strlen("/etc/passwd")));
  free(x.d);
  free(y.d);
  free(z.d);
}

TEST(tar_forms)
{
  cleanup_free char *a = make_tree("c", true);
  berth_pack_result r;
  struct buf x = pack(a, &r);
  struct archive *ar = archive_read_new();
  archive_read_support_format_tar(ar);
  CHECK(archive_read_open_memory(ar, x.d, x.len) == ARCHIVE_OK);
  struct archive_entry *e;
  char names[4096] = "";
  bool saw_cap = false, saw_hard = false, saw_long = false, saw_wh = false;
  int rr;
  /* ARCHIVE_WARNING: a UTF-8 name in the C locale */
  while ((rr = archive_read_next_header(ar, &e)) == ARCHIVE_OK || rr == ARCHIVE_WARN) {
    const char *n = archive_entry_pathname(e);
    strncat(names, n, sizeof names - strlen(names) - 2);
    strcat(names, ",");
    if (strcmp(n, "bin/ping") == 0) {
      const char *xn;
      const void *v;
      size_t sz;
      archive_entry_xattr_reset(e);
      while (archive_entry_xattr_next(e, &xn, &v, &sz) == ARCHIVE_OK)
        if (strcmp(xn, "security.capability") == 0 && sz == 20)
          saw_cap = true;
    }
    if (strcmp(n, "bin/sh") == 0)
      saw_hard = archive_entry_hardlink(e) != NULL
                 && strcmp(archive_entry_hardlink(e), "bin/hard") == 0
                 && (archive_entry_perm(e) & 04000);
    if (strcmp(n, long_name) == 0)
      saw_long = true;
    if (strcmp(n, "bin/.wh.tar") == 0)
      saw_wh = archive_entry_filetype(e) == AE_IFREG && archive_entry_perm(e) == 0600
               && archive_entry_size(e) == 0;
  }
  archive_read_free(ar);
  free(x.d);
  cleanup_free char *want = xasprintf("bin/,bin/hard,bin/link,bin/ping,bin/sh,bin/.wh.tar,"
                                      "caf\xc3\xa9,fifo,%s,null,opq/,opq/.wh..wh..opq,opq/inside,",
                                      long_name);
  CHECK_STR(names, want);
  CHECK(saw_cap);
  CHECK(saw_hard);
  CHECK(saw_long);
  CHECK(saw_wh);
}

TEST(round_trip_and_rebuild)
{
  cleanup_free char *a = make_tree("d", false);
  berth_pack_result r1, r2;
  struct buf x = pack(a, &r1);
  cleanup_free char *out = xasprintf("%s/unpacked", tmp), *ts = xasprintf("%s/ts.gz", tmp);
  mkdir(out, 0755);
  cleanup_close int ofd = open(out, O_RDONLY | O_DIRECTORY);
  cleanup_close int tfd = open(ts, O_RDWR | O_CREAT | O_TRUNC, 0600);
  berth_unpack_result ur;
  berth_error *err = NULL;
  int r = berth_layer_unpack(buf_read, &x, ofd, tfd, &ur, &err);
  if (r < 0)
    printf("# unpack: %s\n", berth_error_message(err));
  CHECK(r == 0);
  CHECK_STR(ur.diff_id, r1.diff_id);
  CHECK(ur.size == r1.size);
  struct buf y = pack(out, &r2);
  CHECK(x.len == y.len && memcmp(x.d, y.d, x.len) == 0);
  CHECK_STR(r2.diff_id, r1.diff_id);
  /* the tar-split made while unpacking rebuilds the very same bytes */
  struct buf z = { NULL, 0, 0 };
  lseek(tfd, 0, SEEK_SET);
  r = berth_layer_tar_rebuild(ofd, tfd, buf_write, &z, &err);
  if (r < 0)
    printf("# rebuild: %s\n", berth_error_message(err));
  CHECK(r == 0 && z.len == x.len && memcmp(z.d, x.d, x.len) == 0);
  berth_error_free(err);
  free(x.d);
  free(y.d);
  free(z.d);
}

/* Files of the tar-split in directories that come and go (a name's parent
 * directory is kept open from one file to the next): each file's own bytes,
 * never those of a file of the same name in another directory; a parent
 * that is a symlink out of the root is not followed out, as always. */
TEST(rebuild_directories_in_turn)
{
  cleanup_free char *root = xasprintf("%s/turns", tmp);
  mkdir(root, 0755);
  const char *dirs[] = { "a", "ab", "a/b", "c" };
  for (size_t i = 0; i < 4; i++) {
    cleanup_free char *d = xasprintf("%s/%s", root, dirs[i]);
    mkdir(d, 0755);
  }
  const char *files[] = { "a/f", "ab/f", "a/b/f", "a/g", "f", "c/f", "a/b/g", "a/f" };
  cleanup_free char *ts = xasprintf("%s/turns.ts", tmp);
  cleanup_close int tfd = open(ts, O_RDWR | O_CREAT | O_TRUNC, 0600);
  berth_tarsplit_writer *w = berth_tarsplit_writer_new(tfd);
  berth_error *err = NULL;
  char want[512] = "";
  for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
    cleanup_free char *content = xasprintf("<%s>", files[i]);
    cleanup_free char *p = xasprintf("%s/%s", root, files[i]);
    FILE *f = fopen(p, "w");
    fputs(content, f);
    fclose(f);
    uint64_t crc = berth_crc64_update(0, content, strlen(content));
    CHECK(berth_tarsplit_add_segment(w, "|", 1, &err) == 0);
    CHECK(berth_tarsplit_add_file(w, files[i], strlen(files[i]), (long long)strlen(content), &crc,
                                  &err)
          == 0);
    strcat(want, "|");
    strcat(want, content);
  }
  CHECK(berth_tarsplit_writer_finish(w, &err) == 0);
  berth_tarsplit_writer_free(w);
  cleanup_close int rfd = open(root, O_RDONLY | O_DIRECTORY);
  struct buf z = { NULL, 0, 0 };
  lseek(tfd, 0, SEEK_SET);
  int r = berth_layer_tar_rebuild(rfd, tfd, buf_write, &z, &err);
  if (r < 0)
    printf("# rebuild: %s\n", berth_error_message(err));
  CHECK(r == 0 && z.len == strlen(want) && memcmp(z.d, want, z.len) == 0);
  free(z.d);
  berth_error_free(steal_pointer(&err));

  /* c becomes a symlink out of the root, to a copy of a/f: c/f is not read
   * there, though a/ was open just before */
  cleanup_free char *c = xasprintf("%s/c", root), *cf = xasprintf("%s/c/f", root);
  cleanup_free char *out = xasprintf("%s/outside-turns", tmp);
  cleanup_free char *outf = xasprintf("%s/f", out);
  unlink(cf);
  rmdir(c);
  mkdir(out, 0755);
  FILE *of = fopen(outf, "w");
  fputs("<a/f>", of);
  fclose(of);
  CHECK(symlink("../outside-turns", c) == 0);
  ftruncate(tfd, 0);
  lseek(tfd, 0, SEEK_SET);
  w = berth_tarsplit_writer_new(tfd);
  uint64_t crc = berth_crc64_update(0, "<a/f>", 5);
  CHECK(berth_tarsplit_add_file(w, "a/f", 3, 5, &crc, &err) == 0);
  CHECK(berth_tarsplit_add_file(w, "c/f", 3, 5, &crc, &err) == 0);
  CHECK(berth_tarsplit_writer_finish(w, &err) == 0);
  berth_tarsplit_writer_free(w);
  lseek(tfd, 0, SEEK_SET);
  struct buf y = { NULL, 0, 0 };
  r = berth_layer_tar_rebuild(rfd, tfd, buf_write, &y, &err);
  CHECK(r == -1 && err != NULL && strstr(berth_error_message(err), "'c/f'") != NULL);
  free(y.d);
  berth_error_free(err);
}

TEST(symlink_not_followed)
{
  /* a directory symlink pointing outside: stored as a link, never walked */
  cleanup_free char *root = xasprintf("%s/e", tmp), *l = xasprintf("%s/e/etc", tmp);
  mkdir(root, 0755);
  symlink("/etc", l);
  berth_pack_result r;
  struct buf x = pack(root, &r);
  CHECK(x.len == 3 * 512);
  CHECK(x.d != NULL && x.d[156] == '2' && strcmp((char *)x.d + 157, "/etc") == 0);
  free(x.d);
}

/* Names and xattrs of the entries of a tar: "name[ xattr=value…]," */
static char *
listing(const struct buf *x)
{
  struct archive *ar = archive_read_new();
  archive_read_support_format_tar(ar);
  char *out = xstrdup("");
  if (archive_read_open_memory(ar, x->d, x->len) != ARCHIVE_OK)
    return out;
  struct archive_entry *e;
  while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
    char *next = xasprintf("%s%s", out, archive_entry_pathname(e));
    free(out);
    out = next;
    const char *xn;
    const void *v;
    size_t sz;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &xn, &v, &sz) == ARCHIVE_OK) {
      next = xasprintf("%s %s=%.*s", out, xn, (int)sz, (const char *)v);
      free(out);
      out = next;
    }
    next = xasprintf("%s,", out);
    free(out);
    out = next;
  }
  archive_read_free(ar);
  return out;
}

/* Only overlayfs's trusted.overlay.* marks an opaque directory; the
 * user.overlay.* a container can set on its own files is committed as
 * data and hides nothing. */
TEST(user_overlay_xattrs_are_data)
{
  cleanup_free char *root = xasprintf("%s/uo", tmp);
  mkdir(root, 0755);
  put(root, "d", NULL, 100);
  put(root, "d/f", "f", 100);
  put(root, "t", NULL, 100);
  cleanup_free char *d = xasprintf("%s/d", root), *f = xasprintf("%s/d/f", root),
                    *t = xasprintf("%s/t", root);
  CHECK(setxattr(d, "user.overlay.opaque", "y", 1, 0) == 0);
  CHECK(setxattr(f, "user.overlay.whiteout", "y", 1, 0) == 0);
  CHECK(setxattr(t, "trusted.overlay.opaque", "y", 1, 0) == 0);
  CHECK(setxattr(t, "trusted.overlay.origin", "o", 1, 0) == 0);
  set_time(root, "d", 100);
  berth_pack_result r;
  struct buf x = pack(root, &r);
  cleanup_free char *got = listing(&x);
  CHECK_STR(got, "d/ user.overlay.opaque=y,d/f user.overlay.whiteout=y,t/,t/.wh..wh..opq,");
  free(x.d);
}

static const unsigned char cap_v2[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00 };

/* Packs dir (in the child) and prints the error: 0 when it failed with an
 * error containing want, 1 otherwise. */
struct fault_case {
  const char *dir, *want;
};

static int
pack_fails_with(void *arg)
{
  const struct fault_case *fc = arg;
  struct buf b = { NULL, 0, 0 };
  cleanup_close int fd = open(fc->dir, O_RDONLY | O_DIRECTORY);
  berth_error *err = NULL;
  berth_pack_result res;
  int r = berth_layer_pack(fd, buf_write, &b, &res, &err);
  free(b.d);
  bool ok = r < 0 && err != NULL && strstr(berth_error_message(err), fc->want) != NULL;
  if (!ok)
    printf("#   want an error with '%s', got %s\n", fc->want,
           r < 0 ? berth_error_message(err) : "success");
  berth_error_free(err);
  return ok ? 0 : 1;
}

/* An xattr that cannot be read fails the commit: a layer without a
 * binary's security.capability (or without an opaque marker) is wrong. */
TEST(xattr_read_errors_fail_the_pack)
{
  cleanup_free char *a = xasprintf("%s/xf", tmp), *b = xasprintf("%s/xd", tmp),
                    *c = xasprintf("%s/xl", tmp);
  mkdir(a, 0755);
  put(a, "ping", "ping", 100);
  cleanup_free char *ping = xasprintf("%s/ping", a);
  if (setxattr(ping, "security.capability", cap_v2, sizeof cap_v2, 0) != 0)
    perror("# setxattr security.capability");
  mkdir(b, 0755);
  put(b, "d", NULL, 100);
  mkdir(c, 0755);
  cleanup_free char *lnk = xasprintf("%s/lnk", c);
  symlink("target", lnk);
  CHECK(lsetxattr(lnk, "trusted.note", "n", 1, 0) == 0);
  struct {
    long nr;
    struct fault_case fc;
  } cases[] = {
    { SYS_fgetxattr,
      { a, "pack layer: read xattr security.capability of ping: Input/output error" } },
    { SYS_flistxattr, { a, "pack layer: list xattrs of ping: Input/output error" } },
    { SYS_fgetxattr, { b, "pack layer: read trusted.overlay.opaque of d/: Input/output error" } },
    { SYS_lgetxattr, { c, "pack layer: read xattr trusted.note of lnk: Input/output error" } },
    { SYS_llistxattr, { c, "pack layer: list xattrs of lnk: Input/output error" } },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK(run_with_fault(cases[i].nr, EIO, pack_fails_with, &cases[i].fc) == 0);
}

int
main(void)
{
  char tpl[] = "/tmp/berth-test-pack-XXXXXX";
  tmp = mkdtemp(tpl);
  char ln[200];
  memset(ln, 'n', 150);
  ln[150] = '\0';
  long_name = ln;
  RUN(same_tree_same_bytes);
  RUN(tar_forms);
  RUN(round_trip_and_rebuild);
  RUN(rebuild_directories_in_turn);
  RUN(symlink_not_followed);
  RUN(user_overlay_xattrs_are_data);
  RUN(xattr_read_errors_fail_the_pack);
  berth_error *err = NULL;
  berth_rm_rf_at(AT_FDCWD, tmp, &err);
  berth_error_free(err);
  DONE();
}
