/* The build context: visibility through .dockerignore, COPY/ADD source
 * resolution and its errors (Docker 20.10's words), the content hash and
 * its stat cache, and the copy rules and confinement. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "context/context.h"
#include "context/glob.h"
#include "ctx_fixture.h"
#include "harness.h"

static char root[PATH_MAX];

static char *
read_all(int dirfd, const char *path)
{
  char *data = NULL;
  size_t len;
  if (berth_read_file_at(dirfd, path, &data, &len, NULL) < 0)
    return NULL;
  return data;
}

/* A sample context: files, a subdirectory, links. */
static int
sample_context(const char *name)
{
  int fd = new_dir(root, name);
  put_file(fd, "a.txt", "alpha\n", 0644);
  put_file(fd, "b.txt", "bravo\n", 0644);
  put_file(fd, "c.md", "charlie\n", 0644);
  put_file(fd, "sub/d.txt", "delta\n", 0644);
  put_file(fd, "sub/deep/e.sh", "#!/bin/sh\n", 0755);
  symlinkat("d.txt", fd, "sub/link");
  symlinkat("/etc", fd, "sub/etc");
  linkat(fd, "sub/d.txt", fd, "sub/hard", 0);
  return fd;
}

/* The resolved paths of one COPY's sources, joined by spaces, or the error. */
static char *
resolve(berth_context *ctx, const char *a, const char *b)
{
  char *args[] = { (char *)a, (char *)b };
  berth_context_sources s = { 0 };
  cleanup_error berth_error *err = NULL;
  if (berth_context_resolve(ctx, "COPY", args, b ? 2 : 1, &s, &err) < 0) {
    berth_context_sources_clear(&s);
    return xstrdup(berth_error_message(err));
  }
  size_t len = 0;
  char *out = xcalloc(1, 1);
  for (size_t i = 0; i < s.n; i++) {
    out = xrealloc(out, len + strlen(s.v[i].path) + 3);
    len += (size_t)sprintf(out + len, "%s%s", i ? " " : "", s.v[i].path[0] ? s.v[i].path : ".");
  }
  berth_context_sources_clear(&s);
  return out;
}

static void
hash_of(berth_context *ctx, const char *src, char out[BERTH_DIGEST_LEN])
{
  char *args[] = { (char *)src };
  berth_context_sources s = { 0 };
  cleanup_error berth_error *err = NULL;
  out[0] = '\0';
  if (berth_context_resolve(ctx, "COPY", args, 1, &s, &err) < 0
      || berth_context_hash(ctx, &s, out, &err) < 0) {
    printf("# hash %s: %s\n", src, berth_error_message(err));
    out[0] = '\0';
  }
  berth_context_sources_clear(&s);
}

static int
copy(berth_context *ctx, const char *a, const char *b, int destroot, const char *dest,
     const berth_context_copy_opts *o, char **msg)
{
  char *args[] = { (char *)a, (char *)b };
  berth_context_sources s = { 0 };
  cleanup_error berth_error *err = NULL;
  int rc = berth_context_resolve(ctx, "COPY", args, b ? 2 : 1, &s, &err);
  if (rc == 0)
    rc = berth_context_copy(ctx, &s, destroot, dest, o, &err);
  if (msg != NULL)
    *msg = rc < 0 ? xstrdup(berth_error_message(err)) : NULL;
  else if (rc < 0)
    printf("# copy: %s\n", berth_error_message(err));
  berth_context_sources_clear(&s);
  return rc;
}

TEST(glob_match)
{
  bool bad;
  CHECK(berth_glob_match("*.txt", "a.txt", &bad) && !bad);
  CHECK(!berth_glob_match("*.txt", "sub/a.txt", &bad));
  CHECK(berth_glob_match("sub/*", "sub/a", NULL));
  CHECK(berth_glob_match("[ab].txt", "b.txt", NULL));
  CHECK(!berth_glob_match("[^ab].txt", "b.txt", NULL));
  CHECK(berth_glob_match("[a-c]?", "bz", NULL));
  CHECK(berth_glob_match("\\*", "*", NULL));
  CHECK(!berth_glob_match("?", "/", NULL));
  CHECK(berth_glob_match("a*b*c", "axxbyyc", NULL));
  CHECK(!berth_glob_match("[", "[", &bad) && bad);
  CHECK(!berth_glob_match("a[", "b", &bad) && bad);
  CHECK(!berth_glob_match("a\\", "a", &bad) && bad);
  CHECK(!berth_glob_match("[]a]", "]", &bad) && bad);
  CHECK(berth_glob_match("[\\]a]", "]", &bad) && !bad);
  CHECK(berth_glob_match("*", "", NULL));
  CHECK(berth_glob_match("[α-ω]", "β", NULL));
  CHECK(berth_glob_has_wildcards("a*"));
  CHECK(!berth_glob_has_wildcards("a\\*"));
  CHECK(!berth_glob_has_wildcards("plain/path"));
}

TEST(dockerignore_invisible)
{
  cleanup_close int fd = sample_context("ign");
  put_file(fd, "x.log", "log\n", 0644);
  put_file(fd, "keep.log", "log\n", 0644);
  put_file(fd, "Dockerfile", "FROM scratch\n", 0644);
  cleanup_context berth_context *ctx
      = open_ctx(fd, "*.log\n!keep.log\nsub/deep\nDockerfile\n.dockerignore\n");
  cleanup_free char *r1 = resolve(ctx, "x.log", NULL);
  CHECK_STR(r1, "COPY failed: file not found in build context or excluded by .dockerignore: "
                "stat x.log: file does not exist");
  cleanup_free char *r2 = resolve(ctx, "*.log", NULL);
  CHECK_STR(r2, "keep.log");
  cleanup_free char *r3 = resolve(ctx, "sub/deep/e.sh", NULL);
  CHECK(strstr(r3, "stat sub/deep/e.sh: file does not exist") != NULL);
  cleanup_free char *r4 = resolve(ctx, "Dockerfile", NULL);
  CHECK(strstr(r4, "file not found") != NULL);
  /* A link to an excluded file finds nothing either. */
  symlinkat("x.log", fd, "tolog");
  cleanup_free char *r5 = resolve(ctx, "tolog", NULL);
  CHECK(strstr(r5, "stat tolog: file does not exist") != NULL);
  unlinkat(fd, "tolog", 0);
  /* An excluded link is absent even when what it points to is not. */
  symlinkat("a.txt", fd, "x.log.link");
  cleanup_context berth_context *c2 = open_ctx(fd, "*.link\n");
  cleanup_free char *r6 = resolve(c2, "x.log.link", NULL);
  CHECK(strstr(r6, "stat x.log.link: file does not exist") != NULL);
  symlinkat("x.log.link", fd, "via");
  cleanup_free char *r7 = resolve(c2, "via", NULL);
  CHECK(strstr(r7, "stat via: file does not exist") != NULL);
  unlinkat(fd, "via", 0);
  unlinkat(fd, "x.log.link", 0);

  cleanup_close int dst = new_dir(root, "ign-dst");
  CHECK(copy(ctx, ".", NULL, dst, "/", NULL, NULL) == 0);
  CHECK(berth_exists_at(dst, "keep.log") && berth_exists_at(dst, "a.txt"));
  CHECK(!berth_exists_at(dst, "x.log"));
  CHECK(!berth_exists_at(dst, "sub/deep"));
  CHECK(!berth_exists_at(dst, "Dockerfile") && !berth_exists_at(dst, ".dockerignore"));
  CHECK(berth_exists_at(dst, "sub/d.txt"));

  /* The excluded files do not count in the hash either. */
  char h1[BERTH_DIGEST_LEN], h2[BERTH_DIGEST_LEN];
  hash_of(ctx, ".", h1);
  put_file(fd, "x.log", "other\n", 0644);
  put_file(fd, "sub/deep/e.sh", "changed\n", 0755);
  hash_of(ctx, ".", h2);
  CHECK(h1[0] != '\0');
  CHECK_STR(h1, h2);
}

TEST(globs)
{
  cleanup_close int fd = sample_context("glob");
  cleanup_context berth_context *ctx = open_ctx(fd, NULL);
  cleanup_free char *r1 = resolve(ctx, "*.txt", NULL);
  CHECK_STR(r1, "a.txt b.txt");
  cleanup_free char *r2 = resolve(ctx, "sub/*.txt", NULL);
  CHECK_STR(r2, "sub/d.txt");
  cleanup_free char *r3 = resolve(ctx, "/[ab].*", "c.md");
  CHECK_STR(r3, "a.txt b.txt c.md");
  cleanup_free char *r4 = resolve(ctx, "*/d?txt", NULL);
  CHECK_STR(r4, "sub/d.txt");
  cleanup_free char *r5 = resolve(ctx, "nothing*", NULL);
  CHECK_STR(r5, "COPY failed: no source files were specified");
  cleanup_free char *r6 = resolve(ctx, "[", NULL);
  CHECK_STR(r6, "COPY failed: no source files were specified");
  /* A matched symlink is followed, inside the context. */
  cleanup_free char *r7 = resolve(ctx, "sub/l*", NULL);
  CHECK_STR(r7, "sub/d.txt");
}

TEST(refused_sources)
{
  cleanup_close int fd = sample_context("refuse");
  symlinkat("/etc", fd, "out");
  symlinkat("../../../../../../etc/passwd", fd, "up");
  cleanup_context berth_context *ctx = open_ctx(fd, NULL);
  cleanup_free char *r1 = resolve(ctx, "../x", NULL);
  CHECK_STR(r1, "COPY failed: forbidden path outside the build context: ../x ()");
  cleanup_free char *r2 = resolve(ctx, "sub/../../a.txt", NULL);
  CHECK_STR(r2, "COPY failed: forbidden path outside the build context: sub/../../a.txt ()");
  cleanup_free char *r3 = resolve(ctx, "/etc/passwd", NULL);
  CHECK_STR(r3, "COPY failed: file not found in build context or excluded by .dockerignore: "
                "stat etc/passwd: file does not exist");
  cleanup_free char *r4 = resolve(ctx, "out/passwd", NULL);
  CHECK_STR(r4, "COPY failed: file not found in build context or excluded by .dockerignore: "
                "stat out/passwd: file does not exist");
  cleanup_free char *r5 = resolve(ctx, "up", NULL);
  CHECK_STR(r5, "COPY failed: file not found in build context or excluded by .dockerignore: "
                "stat up: file does not exist");
  cleanup_free char *r6 = resolve(ctx, "missing", NULL);
  CHECK_STR(r6, "COPY failed: file not found in build context or excluded by .dockerignore: "
                "stat missing: file does not exist");
  /* Absolute and ./ paths are relative to the context root; a link inside
   * resolves there. */
  cleanup_free char *r7 = resolve(ctx, "/a.txt", "./sub/link");
  CHECK_STR(r7, "a.txt sub/d.txt");
  cleanup_free char *r8 = resolve(ctx, "sub/..", NULL);
  CHECK_STR(r8, ".");
}

static void
touch(int fd, const char *path)
{
  struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
  CHECK(utimensat(fd, path, ts, 0) == 0);
}

TEST(hash_content_not_times)
{
  cleanup_close int fd = sample_context("hash");
  cleanup_context berth_context *ctx = open_ctx(fd, NULL);
  char h0[BERTH_DIGEST_LEN], h[BERTH_DIGEST_LEN];
  hash_of(ctx, ".", h0);
  CHECK(berth_digest_is_valid(h0));

  struct timespec old[2] = { { 1000000, 0 }, { 1000000, 0 } };
  CHECK(utimensat(fd, "a.txt", old, 0) == 0);
  touch(fd, "sub/d.txt");
  hash_of(ctx, ".", h);
  CHECK_STR(h, h0);

  /* cp -r: new inodes, new times, same tree. */
  char cmd[3 * PATH_MAX];
  snprintf(cmd, sizeof cmd, "cp -r '%s/hash' '%s/hash-copy'", root, root);
  CHECK(system(cmd) == 0);
  {
    cleanup_close int cfd = new_dir(root, "hash-copy");
    cleanup_context berth_context *c2 = open_ctx(cfd, NULL);
    /* cp -r does not keep hard links: make it one again, as a clone would. */
    unlinkat(cfd, "sub/hard", 0);
    linkat(cfd, "sub/d.txt", cfd, "sub/hard", 0);
    hash_of(c2, ".", h);
    CHECK_STR(h, h0);
  }

  /* One byte, same size, same mtime. */
  struct stat st;
  fstatat(fd, "b.txt", &st, 0);
  put_file(fd, "b.txt", "bravO\n", 0644);
  struct timespec keep[2] = { st.st_atim, st.st_mtim };
  utimensat(fd, "b.txt", keep, 0);
  hash_of(ctx, ".", h);
  CHECK(strcmp(h, h0) != 0);
  put_file(fd, "b.txt", "bravo\n", 0644);
  hash_of(ctx, ".", h);
  CHECK_STR(h, h0);

  CHECK(fchmodat(fd, "c.md", 0600, 0) == 0);
  hash_of(ctx, ".", h);
  CHECK(strcmp(h, h0) != 0);
  fchmodat(fd, "c.md", 0644, 0);

  CHECK(fchownat(fd, "c.md", 1234, 1234, 0) == 0);
  hash_of(ctx, ".", h);
  CHECK(strcmp(h, h0) != 0);
  fchownat(fd, "c.md", 0, 0, 0);

  CHECK(renameat(fd, "c.md", fd, "c2.md") == 0);
  hash_of(ctx, ".", h);
  CHECK(strcmp(h, h0) != 0);
  renameat(fd, "c2.md", fd, "c.md");

  unlinkat(fd, "sub/link", 0);
  symlinkat("a.txt", fd, "sub/link");
  hash_of(ctx, ".", h);
  CHECK(strcmp(h, h0) != 0);
  unlinkat(fd, "sub/link", 0);
  symlinkat("d.txt", fd, "sub/link");

  hash_of(ctx, ".", h);
  CHECK_STR(h, h0);

  /* A file source's name counts (it names the file in a directory
   * destination); a directory source's own name does not. */
  char fa[BERTH_DIGEST_LEN], fb[BERTH_DIGEST_LEN];
  put_file(fd, "same1", "x", 0644);
  put_file(fd, "same2", "x", 0644);
  hash_of(ctx, "same1", fa);
  hash_of(ctx, "same2", fb);
  CHECK(strcmp(fa, fb) != 0);
}

TEST(stat_cache)
{
  cleanup_close int fd = sample_context("cache");
  cleanup_close int store = new_dir(root, "cache-store");
  char h0[BERTH_DIGEST_LEN], h[BERTH_DIGEST_LEN];
  /* Older than the racy window, so that the first hash records them. */
  struct timespec pause = { 0, 120 * 1000 * 1000 };
  nanosleep(&pause, NULL);
  {
    cleanup_context berth_context *ctx = open_ctx(fd, NULL);
    CHECK(berth_context_cache_load(ctx, store, "ctx.cache", NULL) == 0);
    hash_of(ctx, ".", h0);
    /* a, b, c, d (hard is d's link), e */
    CHECK(berth_context_files_read(ctx) == 5);
    CHECK(berth_context_cache_save(ctx, NULL) == 0);
  }
  {
    cleanup_context berth_context *ctx = open_ctx(fd, NULL);
    CHECK(berth_context_cache_load(ctx, store, "ctx.cache", NULL) == 0);
    hash_of(ctx, ".", h);
    CHECK_STR(h, h0);
    CHECK(berth_context_files_read(ctx) == 0);
    /* Nothing new and every entry used: the file is not written again. */
    struct stat before, after;
    CHECK(fstatat(store, "ctx.cache", &before, 0) == 0);
    CHECK(berth_context_cache_save(ctx, NULL) == 0);
    CHECK(fstatat(store, "ctx.cache", &after, 0) == 0);
    CHECK(before.st_ino == after.st_ino);
    touch(fd, "b.txt");
    hash_of(ctx, ".", h);
    CHECK_STR(h, h0);
    CHECK(berth_context_files_read(ctx) == 1);
    /* Same size and mtime, one byte changed: ctime moved, so it is read. */
    struct stat st;
    fstatat(fd, "a.txt", &st, 0);
    put_file(fd, "a.txt", "alphA\n", 0644);
    struct timespec keep[2] = { st.st_atim, st.st_mtim };
    utimensat(fd, "a.txt", keep, 0);
    hash_of(ctx, ".", h);
    CHECK(strcmp(h, h0) != 0);
    CHECK(berth_context_files_read(ctx) == 3);
  }
  /* A damaged cache file is an empty cache. */
  put_file(store, "ctx.cache", "berth-context-stat-cache 1\n1 2 zz\n", 0600);
  {
    cleanup_context berth_context *ctx = open_ctx(fd, NULL);
    CHECK(berth_context_cache_load(ctx, store, "ctx.cache", NULL) == 0);
    hash_of(ctx, ".", h);
    CHECK(berth_context_files_read(ctx) == 5);
  }
}

static mode_t
mode_at(int fd, const char *p)
{
  struct stat st;
  return fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st.st_mode : 0;
}

TEST(copy_rules)
{
  cleanup_close int fd = sample_context("copy");
  cleanup_context berth_context *ctx = open_ctx(fd, NULL);
  cleanup_close int dst = new_dir(root, "copy-dst");
  char *msg = NULL;

  CHECK(copy(ctx, "a.txt", NULL, dst, "/dir/", NULL, NULL) == 0);
  cleanup_free char *f1 = read_all(dst, "dir/a.txt");
  CHECK_STR(f1, "alpha\n");
  CHECK(copy(ctx, "a.txt", NULL, dst, "/file", NULL, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "file")));
  /* An existing directory takes the file inside. */
  CHECK(copy(ctx, "b.txt", NULL, dst, "/dir", NULL, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "dir/b.txt")));
  /* A directory source copies its contents. */
  CHECK(copy(ctx, "sub", NULL, dst, "/s", NULL, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "s/d.txt")) && !berth_exists_at(dst, "s/sub"));
  CHECK((mode_at(dst, "s/deep/e.sh") & 07777) == 0755);
  CHECK((mode_at(dst, "s") & 07777) == 0755);
  /* Symlinks inside a directory source stay links, targets as written;
   * hard links stay linked. */
  char t[64] = { 0 };
  CHECK(readlinkat(dst, "s/etc", t, sizeof t - 1) == 4 && strcmp(t, "/etc") == 0);
  CHECK(S_ISLNK(mode_at(dst, "s/link")));
  struct stat s1, s2;
  CHECK(fstatat(dst, "s/d.txt", &s1, 0) == 0 && fstatat(dst, "s/hard", &s2, 0) == 0
        && s1.st_ino == s2.st_ino);
  /* A top-level symlink source is followed: its target's contents. */
  CHECK(copy(ctx, "sub/link", NULL, dst, "/followed/", NULL, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "followed/link")));
  /* Times are kept. */
  struct stat a, b;
  fstatat(fd, "a.txt", &a, 0);
  fstatat(dst, "file", &b, 0);
  CHECK(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);

  /* Several sources need a directory destination ending in /. */
  CHECK(copy(ctx, "a.txt", "b.txt", dst, "/multi", NULL, &msg) < 0);
  CHECK_STR(msg, "When using COPY with more than one source file, the destination must be a "
                 "directory and end with a /");
  free(msg);
  CHECK(copy(ctx, "*.txt", NULL, dst, "/multi", NULL, &msg) < 0);
  CHECK(msg != NULL && strstr(msg, "must be a directory and end with a /") != NULL);
  free(msg);
  CHECK(copy(ctx, "a.txt", "sub", dst, "/multi/", NULL, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "multi/a.txt")) && S_ISREG(mode_at(dst, "multi/d.txt")));

  /* --chown and --chmod; owners are 0:0 without --chown, as in Docker. */
  fchownat(fd, "c.md", 1234, 1234, 0);
  CHECK(copy(ctx, "c.md", NULL, dst, "/own/", NULL, NULL) == 0);
  CHECK(fstatat(dst, "own/c.md", &s1, 0) == 0 && s1.st_uid == 0 && s1.st_gid == 0);
  berth_context_copy_opts o
      = { .chown = true, .uid = 1000, .gid = 1001, .chmod = true, .mode = 0640 };
  CHECK(copy(ctx, "sub", NULL, dst, "/new/owned", &o, NULL) == 0);
  CHECK(fstatat(dst, "new/owned/deep/e.sh", &s1, 0) == 0 && s1.st_uid == 1000 && s1.st_gid == 1001
        && (s1.st_mode & 07777) == 0640);
  /* a directory's missing parents are root's, the destination the owner's;
   * a file's missing parents are the owner's (Docker 20.10's copier) */
  CHECK(fstatat(dst, "new", &s1, 0) == 0 && s1.st_uid == 0 && (s1.st_mode & 07777) == 0755);
  CHECK(fstatat(dst, "new/owned", &s1, 0) == 0 && s1.st_uid == 1000 && s1.st_gid == 1001);
  CHECK(copy(ctx, "a.txt", NULL, dst, "/fnew/parent/", &o, NULL) == 0);
  CHECK(fstatat(dst, "fnew", &s1, 0) == 0 && s1.st_uid == 1000 && s1.st_gid == 1001);
  /* A file replaces what was there. */
  CHECK(copy(ctx, "b.txt", NULL, dst, "/file", NULL, NULL) == 0);
  cleanup_free char *f2 = read_all(dst, "file");
  CHECK_STR(f2, "bravo\n");
}

TEST(copy_confined)
{
  cleanup_close int fd = sample_context("conf");
  cleanup_context berth_context *ctx = open_ctx(fd, NULL);
  cleanup_close int dst = new_dir(root, "conf-dst");
  /* Links in the destination are resolved inside it. */
  symlinkat("/etc", dst, "etc-link");
  symlinkat("../../../../tmp-outside", dst, "up");
  CHECK(copy(ctx, "a.txt", NULL, dst, "/etc-link/", NULL, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "etc/a.txt")));
  CHECK(access("/etc/a.txt", F_OK) != 0);
  CHECK(copy(ctx, "sub", NULL, dst, "/up/x", NULL, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "tmp-outside/x/d.txt")));
  CHECK(access("/tmp-outside", F_OK) != 0);
  /* A destination file that is a link is replaced through its target,
   * inside the root: dest/etc-link/passwd is dest/etc/passwd. */
  CHECK(copy(ctx, "b.txt", NULL, dst, "/etc-link/passwd", NULL, NULL) == 0);
  cleanup_free char *p = read_all(dst, "etc/passwd");
  CHECK_STR(p, "bravo\n");
}

TEST(add_unpacks)
{
  cleanup_close int fd = sample_context("add");
  char cmd[3 * PATH_MAX];
  snprintf(cmd, sizeof cmd, "tar -C '%s/add' -czf '%s/add/sub.tar.gz' sub", root, root);
  CHECK(system(cmd) == 0);
  cleanup_context berth_context *ctx = open_ctx(fd, NULL);
  cleanup_close int dst = new_dir(root, "add-dst");
  berth_context_copy_opts o = { .cmd = "ADD", .unpack = true };
  CHECK(copy(ctx, "sub.tar.gz", NULL, dst, "/x", &o, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "x/sub/deep/e.sh")));
  /* Not an archive: copied as a file; COPY never unpacks. */
  CHECK(copy(ctx, "a.txt", NULL, dst, "/y/", &o, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "y/a.txt")));
  /* whole: the archive check read it first */
  struct stat yst;
  CHECK(fstatat(dst, "y/a.txt", &yst, 0) == 0 && yst.st_size == 6);
  CHECK(copy(ctx, "sub.tar.gz", NULL, dst, "/z/", NULL, NULL) == 0);
  CHECK(S_ISREG(mode_at(dst, "z/sub.tar.gz")));
}

TEST(open_not_a_directory)
{
  cleanup_close int dfd = new_dir(root, "notdir");
  put_file(dfd, "f", "x", 0644);
  cleanup_close int f = openat(dfd, "f", O_RDONLY | O_CLOEXEC);
  cleanup_error berth_error *err = NULL;
  CHECK(berth_context_open(f, -1, NULL, &err) == NULL);
  CHECK(berth_error_errno(err) == ENOTDIR);
  /* The real loader: .dockerignore in the context. */
  cleanup_close int c = sample_context("loader");
  put_file(c, ".dockerignore", "a.txt\n", 0644);
  cleanup_context berth_context *ctx = berth_context_open(c, -1, NULL, NULL);
  CHECK(ctx != NULL);
  if (ctx != NULL) {
    cleanup_free char *r = resolve(ctx, "a.txt", NULL);
    CHECK(strstr(r, "file not found") != NULL);
  }
}

int
main(void)
{
  snprintf(root, sizeof root, "/tmp/berth-ctx-test-XXXXXX");
  if (mkdtemp(root) == NULL)
    return 1;
  umask(022);
  RUN(glob_match);
  RUN(dockerignore_invisible);
  RUN(globs);
  RUN(refused_sources);
  RUN(hash_content_not_times);
  RUN(stat_cache);
  RUN(copy_rules);
  RUN(copy_confined);
  RUN(add_unpacks);
  RUN(open_not_a_directory);
  berth_rm_rf_at(AT_FDCWD, root, NULL);
  DONE();
}
