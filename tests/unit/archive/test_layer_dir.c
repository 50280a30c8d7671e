/* An upperdir packed as the layer (archive/layer_dir.h) ends as the
 * directory that unpacking its tar makes, with the same diffID and the same
 * tar-split bytes: the same tree is built twice, one copy packed and
 * unpacked as commit did, the other packed in place; the two directories
 * are then compared entry by entry (type, mode, owner, size, contents, link
 * target, device, every xattr, mtime to the nanosecond, link count), and the
 * moved one rebuilds the layer tar from its tar-split. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/layer_dir.h"
#include "archive/pack.h"
#include "archive/rebuild.h"
#include "archive/unpack_from.h"
#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"

static char *tmp;

static char *
at(const char *root, const char *rel)
{
  return xasprintf("%s/%s", root, rel);
}

static void
times_of(const char *root, const char *rel, long sec, long nsec)
{
  cleanup_free char *p = at(root, rel);
  struct timespec ts[2] = { { sec + 7, 1 }, { sec, nsec } }; /* atime unlike mtime */
  utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
}

static void
file(const char *root, const char *rel, const char *content, mode_t mode)
{
  cleanup_free char *p = at(root, rel);
  FILE *f = fopen(p, "w");
  fputs(content, f);
  fclose(f);
  chmod(p, mode);
}

static void
xattr(const char *root, const char *rel, const char *name, const char *value)
{
  cleanup_free char *p = at(root, rel);
  if (lsetxattr(p, name, value, strlen(value), 0) < 0)
    printf("# setxattr %s on %s: %s\n", name, rel, strerror(errno));
}

/* What a container's upperdir holds after a RUN: its own files and dirs,
 * copied-up dirs with overlay's bookkeeping, whiteouts (two sharing an
 * inode, as the kernel makes them), an opaque dir, a socket, and a root
 * chmodded and with xattrs of its own. */
static char *
make_upper(const char *name)
{
  char *root = xasprintf("%s/%s", tmp, name);
  mkdir(root, 0700);
  cleanup_free char *etc = at(root, "etc"), *data = at(root, "data"), *opq = at(root, "opq");
  mkdir(etc, 0755);
  mkdir(data, 02775);
  mkdir(opq, 0750);
  file(root, "etc/hosts", "127.0.0.1 here\n", 0644);
  xattr(root, "etc", "trusted.overlay.impure", "y");
  xattr(root, "etc", "trusted.overlay.origin", "\x00\xfb\x21");
  xattr(root, "etc/hosts", "trusted.overlay.origin", "\x00\xfb\x22");
  xattr(root, "etc/hosts", "user.note", "kept");
  file(root, "data/run", "#!/bin/sh\n", 04755);
  cleanup_free char *run = at(root, "data/run"), *hard = at(root, "data/hard");
  link(run, hard);
  file(root, "data/owned", "uid 1000\n", 0600);
  cleanup_free char *owned = at(root, "data/owned");
  chown(owned, 1000, 1001);
  cleanup_free char *sl = at(root, "data/link"), *fifo = at(root, "data/fifo");
  symlink("../etc/hosts", sl);
  mkfifo(fifo, 0640);
  xattr(root, "opq", "trusted.overlay.opaque", "y");
  file(root, "opq/new", "x", 0644);
  cleanup_free char *wh1 = at(root, "etc/gone"), *wh2 = at(root, "data/gone");
  mknod(wh1, S_IFCHR | 0, makedev(0, 0));
  link(wh1, wh2);
  cleanup_free char *sock = at(root, "data/sock");
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0)
    printf("# bind %s: %s\n", sock, strerror(errno));
  close(s);
  xattr(root, ".", "trusted.overlay.impure", "y");
  xattr(root, ".", "user.root", "not in the tar");
  times_of(root, "etc/hosts", 1000, 123456789);
  times_of(root, "data/run", 1001, 5);
  times_of(root, "data/owned", 1002, 0);
  times_of(root, "data/link", 1003, 999);
  times_of(root, "data/fifo", 1004, 42);
  times_of(root, "opq/new", 1005, 1);
  times_of(root, "opq", 1006, 2);
  times_of(root, "etc", 1007, 3);
  times_of(root, "data", 1008, 4); /* before the socket goes: restored after */
  return root;
}

static char *
read_all(const char *path, size_t *len)
{
  char *d = NULL;
  berth_error *err = NULL;
  if (berth_read_file_at(AT_FDCWD, path, &d, len, &err) < 0) {
    printf("# read %s: %s\n", path, berth_error_message(err));
    berth_error_free(err);
  }
  return d;
}

static int
pack_producer(void *ctx, berth_write_fn write, void *wctx, berth_error **err)
{
  berth_pack_result r;
  return berth_layer_pack(*(int *)ctx, write, wctx, &r, err);
}

static int
hash_write(void *ctx, const void *data, size_t len, berth_error **err)
{
  (void)err;
  berth_sha256_update(ctx, data, len);
  return 0;
}

static int cmp_failures;

static void
differs(const char *rel, const char *what)
{
  printf("#   %s: %s differs\n", rel[0] ? rel : "/", what);
  cmp_failures++;
}

/* The xattrs of path, "name=value\n" sorted by the kernel's order. */
static char *
xattrs_of(const char *path)
{
  char list[4096], val[4096];
  ssize_t n = llistxattr(path, list, sizeof list);
  char *out = xstrdup("");
  for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1) {
    ssize_t v = lgetxattr(path, list + i, val, sizeof val);
    char *next = xasprintf("%s%s=%.*s\n", out, list + i, (int)(v > 0 ? v : 0), val);
    free(out);
    out = next;
  }
  return out;
}

static void
compare(const char *a, const char *b, const char *rel)
{
  cleanup_free char *pa = at(a, rel), *pb = at(b, rel);
  struct stat sa, sb;
  if (lstat(pa, &sa) < 0 || lstat(pb, &sb) < 0) {
    differs(rel, "existence");
    return;
  }
  if (sa.st_mode != sb.st_mode)
    differs(rel, "type or mode");
  if (sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid)
    differs(rel, "owner");
  if (sa.st_nlink != sb.st_nlink && !S_ISDIR(sa.st_mode))
    differs(rel, "link count");
  if (sa.st_rdev != sb.st_rdev)
    differs(rel, "device");
  bool whiteout = S_ISCHR(sa.st_mode) && sa.st_rdev == 0;
  /* unpack dates neither a whiteout nor the root (the tar has no time for
   * them) */
  if (!whiteout && rel[0] != '\0'
      && (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec || sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec))
    differs(rel, "mtime");
  cleanup_free char *xa = xattrs_of(pa), *xb = xattrs_of(pb);
  if (strcmp(xa, xb) != 0) {
    printf("#   copy: %s#   move: %s", xa, xb);
    differs(rel, "xattrs");
  }
  if (S_ISREG(sa.st_mode)) {
    size_t la = 0, lb = 0;
    cleanup_free char *ca = read_all(pa, &la), *cb = read_all(pb, &lb);
    if (la != lb || (la > 0 && memcmp(ca, cb, la) != 0))
      differs(rel, "contents");
  }
  if (S_ISLNK(sa.st_mode)) {
    char ta[256] = "", tb[256] = "";
    if (readlink(pa, ta, sizeof ta - 1) < 0 || readlink(pb, tb, sizeof tb - 1) < 0
        || strcmp(ta, tb) != 0)
      differs(rel, "link target");
  }
  if (!S_ISDIR(sa.st_mode))
    return;
  for (int side = 0; side < 2; side++) { /* every name of each is in the other */
    cleanup_dir DIR *d = opendir(side ? pb : pa);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      cleanup_free char *sub = rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
      cleanup_free char *other = at(side ? a : b, sub);
      struct stat so;
      if (lstat(other, &so) < 0)
        differs(sub, side ? "only after the move: existence" : "only after the copy: existence");
      else if (side == 0)
        compare(a, b, sub);
    }
  }
}

TEST(moved_upper_is_the_unpacked_layer)
{
  cleanup_free char *up_a = make_upper("a"), *up_b = make_upper("b");
  cleanup_free char *copy = xasprintf("%s/copy", tmp);
  cleanup_free char *ts_copy = xasprintf("%s/copy.ts.gz", tmp);
  cleanup_free char *ts_move = xasprintf("%s/move.ts.gz", tmp);
  mkdir(copy, 0755);
  berth_error *err = NULL;
  /* the copy, as commit made layers until now */
  cleanup_close int afd = open(up_a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int cfd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int tcfd = open(ts_copy, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  berth_unpack_result ur;
  int r = berth_layer_unpack_from(pack_producer, &afd, cfd, tcfd, &ur, &err);
  if (r < 0)
    printf("# copy: %s\n", berth_error_message(err));
  CHECK(r == 0);
  /* the move: packed in place */
  cleanup_close int bfd = open(up_b, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int tmfd = open(ts_move, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  berth_pack_result pr;
  r = berth_layer_pack_tarsplit(bfd, true, tmfd, &pr, &err);
  if (r < 0)
    printf("# move: %s\n", berth_error_message(err));
  CHECK(r == 0);
  CHECK(pr.plain);
  CHECK_STR(pr.diff_id, ur.diff_id);
  CHECK(pr.size == ur.size);
  size_t lc = 0, lm = 0;
  cleanup_free char *tc = read_all(ts_copy, &lc), *tm = read_all(ts_move, &lm);
  CHECK(lc > 0 && lc == lm && memcmp(tc, tm, lc) == 0);
  cmp_failures = 0;
  compare(copy, up_b, "");
  CHECK(cmp_failures == 0);
  /* and the moved tree rebuilds the layer tar from the tar-split */
  lseek(tmfd, 0, SEEK_SET);
  cleanup_sha256 berth_sha256 *sha = berth_sha256_new();
  r = berth_layer_tar_rebuild(bfd, tmfd, hash_write, sha, &err);
  if (r < 0)
    printf("# rebuild: %s\n", berth_error_message(err));
  char rebuilt[BERTH_DIGEST_LEN];
  berth_sha256_final(sha, rebuilt);
  CHECK(r == 0);
  CHECK_STR(rebuilt, ur.diff_id);
  berth_error_free(err);
}

/* A name extraction would read as a whiteout: the tree cannot be the layer
 * as it is (commit copies then); a redirect means the upper is not the
 * whole diff: refused. */
TEST(whiteout_names_and_redirects)
{
  cleanup_free char *root = xasprintf("%s/w", tmp);
  mkdir(root, 0755);
  file(root, ".wh.foo", "", 0644);
  cleanup_close int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_free char *ts = xasprintf("%s/w.ts.gz", tmp);
  cleanup_close int tfd = open(ts, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  berth_pack_result pr;
  berth_error *err = NULL;
  CHECK(berth_layer_pack_tarsplit(fd, true, tfd, &pr, &err) == 0);
  CHECK(!pr.plain);
  cleanup_free char *d = at(root, "moved");
  mkdir(d, 0755);
  xattr(root, "moved", "trusted.overlay.redirect", "/elsewhere");
  CHECK(ftruncate(tfd, 0) == 0 && lseek(tfd, 0, SEEK_SET) == 0);
  CHECK(berth_layer_pack_tarsplit(fd, true, tfd, &pr, &err) < 0);
  CHECK(err != NULL && strstr(berth_error_message(err), "not the whole diff") != NULL);
  berth_error_free(err);
}

int
main(void)
{
  if (geteuid() != 0) {
    printf("1..0 # SKIP needs root (whiteouts, trusted.* xattrs)\n");
    return 0;
  }
  char tpl[] = "/tmp/berth-test-layer-dir-XXXXXX";
  tmp = mkdtemp(tpl);
  RUN(moved_upper_is_the_unpacked_layer);
  RUN(whiteout_names_and_redirects);
  berth_error *err = NULL;
  berth_rm_rf_at(AT_FDCWD, tmp, &err);
  berth_error_free(err);
  DONE();
}
