/* Docker's tarsum and the file:/dir:/multi: hashes of COPY sources
 * (context/tarsum.c, berth_context_hash_all).  The expected strings are
 * what Docker 20.10.24's legacy builder (DOCKER_BUILDKIT=0, Debian's
 * docker.io) printed in `docker history --no-trunc` for the same files,
 * built here on 2026-12-01 (the context tests/integration/build_tarsum.bats
 * makes). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "context/context.h"
#include "ctx_fixture.h"
#include "harness.h"

static char root[PATH_MAX];

static char long_name[121];

/* The context of build_tarsum.bats (its Dockerfile aside). */
static int
docker_context(const char *name)
{
  int fd = new_dir(root, name);
  put_file(fd, "a.txt", "hello\n", 0644);
  put_file(fd, "b.txt", "bee\n", 0644);
  put_file(fd, "dir/b", "x\n", 0644);
  put_file(fd, "dir/sub/c", "y\n", 0644);
  symlinkat("a.txt", fd, "link.txt");
  put_file(fd, "dir2/f", "z\n", 0644);
  symlinkat("f", fd, "dir2/ln");
  symlinkat("../a.txt", fd, "dir2/up");
  put_file(fd, "h1", "hard\n", 0644);
  linkat(fd, "h1", fd, "h2", 0);
  put_file(fd, "hd/x", "hh\n", 0644);
  linkat(fd, "hd/x", fd, "hd/y", 0);
  linkat(fd, "hd/x", fd, "hz", 0);
  put_file(fd, "ex/keep", "k\n", 0644);
  put_file(fd, "ex/no", "n\n", 0644);
  put_file(fd, "ex/sub/s", "s\n", 0644);
  put_file(fd, "su", "suid\n", 04755);
  put_file(fd, "capf", "cap\n", 0644);
  /* cap_net_raw+ep, as setcap writes it */
  static const unsigned char cap[20] = { 1, 0, 0, 2, 0, 0x20 };
  cleanup_free char *capf = xasprintf("%s/%s/capf", root, name);
  if (setxattr(capf, "security.capability", cap, sizeof cap, 0) < 0)
    printf("# setxattr: %m\n");
  memset(long_name, 'L', 120);
  put_file(fd, long_name, "long\n", 0644);
  return fd;
}

/* Docker's hash of one COPY's sources (a, b: source args) as CREATED BY
 * writes it: one source's own, several "multi:"; *partial as the hash
 * says. */
static char *
docker_hash(berth_context *ctx, const char *a, const char *b, bool *partial)
{
  char *args[] = { (char *)a, (char *)b };
  berth_context_sources s = { 0 };
  berth_context_hashes h = { 0 };
  cleanup_error berth_error *err = NULL;
  char *out;
  if (berth_context_resolve(ctx, "COPY", args, b ? 2 : 1, &s, &err) < 0
      || berth_context_hash_all(ctx, &s, &h, &err) < 0)
    out = xstrdup(berth_error_message(err));
  else if (h.n == 1)
    out = xstrdup(h.each[0]);
  else
    out = berth_tarsum_join("multi", h.each, h.n, false);
  if (partial != NULL)
    *partial = h.partial;
  berth_context_hashes_clear(&h);
  berth_context_sources_clear(&s);
  return out;
}

#define A_TXT "file:679c43c79a56cffbb3b002bda3050542c152a2f09757a0f1a9578871f7cda00d"
#define DIR "dir:ea86d658258d27c95f4f8995200660c4da133caddcd36ba9ecf4ede51feab826"

TEST(tarsum_header)
{
  /* a.txt, "hello\n", 0644, as the CLI's tar has it */
  berth_tarsum_header t
      = { .name = "a.txt", .mode = 0100644, .size = 6, .typeflag = '0', .uname = "root" };
  char hex[BERTH_SHA256_HEX_LEN + 1];
  /* the context's sum blanks uname: only a rootfs's keeps it */
  t.uname = NULL;
  berth_tarsum(&t, "hello\n", 6, hex);
  CHECK_STR(hex, A_TXT + 5);
  /* COPY --from of a file copied --chown=5:6: the daemon names 5 and 6
   * as this host's /etc/passwd and /etc/group do (games, disk) */
  berth_tarsum_header o = { .name = "o.txt",
                            .mode = 0100644,
                            .uid = 5,
                            .gid = 6,
                            .size = 6,
                            .typeflag = '0',
                            .uname = "games",
                            .gname = "disk" };
  berth_tarsum(&o, "hello\n", 6, hex);
  CHECK_STR(hex, "62ac4be8b5a1c0aa345ecf74ce0928f6c8cafe52db79163f88f970e35e9c7687");
  /* hashStringSlice */
  char *v[] = { A_TXT, DIR };
  cleanup_free char *m = berth_tarsum_join("multi", v, 2, false);
  CHECK_STR(m, "multi:14d132e6da643f96e7e2cbe7f6f0582c32aa6762c1fb30518e870eef59ae8767");
  /* the type bits Go 1.8 put in the mode, one per type */
  struct stat st = { .st_mode = S_IFCHR | 0666, .st_rdev = makedev(1, 3) };
  berth_tarsum_header_from_stat(&t, "sp/null", &st);
  CHECK(t.typeflag == '3' && t.mode == 020666 && t.devmajor == 1 && t.devminor == 3);
  st.st_mode = S_IFIFO | 0640;
  berth_tarsum_header_from_stat(&t, "sp/fifo", &st);
  CHECK(t.typeflag == '6' && t.mode == 010640);
  st.st_mode = S_IFDIR | 01777;
  berth_tarsum_header_from_stat(&t, "tmp/", &st);
  CHECK(t.typeflag == '5' && t.mode == 041777);
  st.st_mode = S_IFLNK | 0777;
  berth_tarsum_header_from_stat(&t, "l", &st);
  CHECK(t.typeflag == '2' && t.mode == 0120777 && t.size == 0);
}

TEST(docker_hashes)
{
  cleanup_close int fd = docker_context("docker");
  cleanup_context berth_context *ctx = open_ctx(fd, "ex\n!ex/keep\n");
  struct {
    const char *a, *b, *want;
    bool partial;
  } cases[] = {
    { "a.txt", NULL, A_TXT, false },
    { "dir", NULL, DIR, false },
    { "a.txt", "dir", "multi:14d132e6da643f96e7e2cbe7f6f0582c32aa6762c1fb30518e870eef59ae8767",
      false },
    /* a.txt, b.txt and link.txt (as a.txt) */
    { "*.txt", NULL, "multi:e3b74028236e29e6d632776e87a1e65753cbc3277409e76037c878f7aed9b201",
      true },
    { "b*.txt", NULL, "file:4942362024dd4be67fac32ff2a7f324eff07ab5e3f3ed7f908288b3b37e4b823",
      false },
    /* the followed path's hash; copied as "link.txt" */
    { "link.txt", NULL, A_TXT, true },
    /* its links by what they point to */
    { "dir2", NULL, "dir:1869a81ab78f8263e4a723d2ff4980d42597e8801618efd4935b439891663b2a", true },
    /* h1 the first of its inode in the CLI's walk, h2 a '1' entry */
    { "h1", NULL, "file:3de65d3197a62e29599d7434a0a85ac2adf31f351c84e3e3aaf23810a3810ef8", true },
    { "h2", NULL, "file:f6991074de2eae9f32a0d394546e11b58c52f74b131a5f278eeb01c73ac2ce7f", true },
    { "hd", NULL, "dir:ea086bf3f0401752252c26b79a7e67a25ebd9a8b8cec6a8d84a5593c55777a9b", true },
    { "hz", NULL, "file:0ff176cb49a4376dfc8f4abf70af4464f4e1cece19439a95261a5566ac6d1024", true },
    /* excluded, entered for !ex/keep: hashed as the path "ex" */
    { "ex", NULL, "dir:5544307474f9e3990a6a4a554c0901d4e5b6e241f47dfe42bf6b6a5c98c9f0c8", false },
    { "su", NULL, "file:830a62309a56741f7b78224825e6db468254659e7d27667068860825ed005848", false },
    { "capf", NULL, "file:e2752da0a0db66161a666577966625591849ad3d1e8183ba43367fc4066ce13a",
      false },
    { long_name, NULL, "file:2fd5e0196d11163696c2d8a8b71ea5343681a2bc3c0421e3e6066bde99389020",
      false },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    bool partial = false;
    cleanup_free char *h = docker_hash(ctx, cases[i].a, cases[i].b, &partial);
    CHECK_STR(h, cases[i].want);
    if (partial != cases[i].partial)
      printf("# %s: partial %d\n", cases[i].a, partial);
    CHECK(partial == cases[i].partial);
  }
  /* a fifo and a device (root only) */
  if (mkfifoat(fd, "sp/fifo", 0640) < 0 && mkdirat(fd, "sp", 0755) == 0)
    mkfifoat(fd, "sp/fifo", 0640);
  fchmodat(fd, "sp/fifo", 0640, 0);
  if (mknodat(fd, "sp/null", S_IFCHR | 0666, makedev(1, 3)) == 0) {
    fchmodat(fd, "sp/null", 0666, 0);
    cleanup_free char *h = docker_hash(ctx, "sp", NULL, NULL);
    CHECK_STR(h, "dir:18f101f53bdf41b831f952e42f965182a759ebf259c960ee16d824fa00bba631");
  }
  /* owners are not in the context's hash: the CLI sends 0:0 */
  if (fchownat(fd, "a.txt", 1000, 1000, AT_SYMLINK_NOFOLLOW) == 0) {
    cleanup_free char *h = docker_hash(ctx, "a.txt", NULL, NULL);
    CHECK_STR(h, A_TXT);
  }
}

/* A rootfs (COPY --from) keeps owners and hashes hard links with their
 * contents. */
TEST(rootfs_hashes)
{
  cleanup_close int fd = new_dir(root, "rootfs");
  put_file(fd, "a.txt", "hello\n", 0644);
  linkat(fd, "a.txt", fd, "b.txt", 0);
  cleanup_context berth_context *ctx = open_ctx(fd, NULL);
  berth_context_set_rootfs(ctx);
  bool partial = false;
  cleanup_free char *b = docker_hash(ctx, "b.txt", NULL, &partial);
  CHECK(partial); /* the link is not in Docker's hash */
  /* b.txt with its contents, no '1' entry: as a lone file named b.txt */
  cleanup_close int fd2 = new_dir(root, "rootfs2");
  put_file(fd2, "b.txt", "hello\n", 0644);
  cleanup_context berth_context *ctx2 = open_ctx(fd2, NULL);
  berth_context_set_rootfs(ctx2);
  cleanup_free char *b2 = docker_hash(ctx2, "b.txt", NULL, NULL);
  CHECK_STR(b, b2);
  if (fchownat(fd2, "b.txt", 5, 6, 0) == 0) {
    cleanup_free char *b3 = docker_hash(ctx2, "b.txt", NULL, NULL);
    CHECK(strcmp(b3, b2) != 0);
  }
}

/* The stat cache keeps the tarsum: a second hash reads nothing and gives
 * the same strings; a renamed file (another tar name) is read again. */
TEST(tarsum_cache)
{
  cleanup_close int fd = docker_context("cache");
  cleanup_close int store = new_dir(root, "cache-store");
  struct timespec pause = { 0, 120 * 1000 * 1000 };
  nanosleep(&pause, NULL);
  cleanup_free char *h0 = NULL;
  {
    cleanup_context berth_context *ctx = open_ctx(fd, NULL);
    CHECK(berth_context_cache_load(ctx, store, "c", NULL) == 0);
    h0 = docker_hash(ctx, "dir", "a.txt", NULL);
    CHECK(berth_context_files_read(ctx) == 3);
    CHECK(berth_context_cache_save(ctx, NULL) == 0);
  }
  {
    cleanup_context berth_context *ctx = open_ctx(fd, NULL);
    CHECK(berth_context_cache_load(ctx, store, "c", NULL) == 0);
    cleanup_free char *h = docker_hash(ctx, "dir", "a.txt", NULL);
    CHECK_STR(h, h0);
    CHECK(berth_context_files_read(ctx) == 0);
    /* berth's own digest from the same entries */
    char *args[] = { "a.txt" };
    berth_context_sources s = { 0 };
    char d[BERTH_DIGEST_LEN];
    CHECK(berth_context_resolve(ctx, "COPY", args, 1, &s, NULL) == 0);
    CHECK(berth_context_hash(ctx, &s, d, NULL) == 0);
    berth_context_sources_clear(&s);
    CHECK(berth_context_files_read(ctx) == 0);
    CHECK(berth_context_cache_save(ctx, NULL) == 0);
  }
  /* the same inode under another name: its tarsum is read again */
  CHECK(renameat(fd, "a.txt", fd, "c.txt") == 0);
  {
    cleanup_context berth_context *ctx = open_ctx(fd, NULL);
    CHECK(berth_context_cache_load(ctx, store, "c", NULL) == 0);
    cleanup_free char *h = docker_hash(ctx, "c.txt", NULL, NULL);
    CHECK(strcmp(h, A_TXT) != 0);
    CHECK(berth_context_files_read(ctx) == 1);
  }
  CHECK(renameat(fd, "c.txt", fd, "a.txt") == 0);
  /* a cache of the first format is an empty cache */
  put_file(store, "c",
           "berth-context-stat-cache 1\n1 2 3 4 5 6 7 "
           "679c43c79a56cffbb3b002bda3050542c152a2f09757a0f1a9578871f7cda00d\n",
           0600);
  {
    cleanup_context berth_context *ctx = open_ctx(fd, NULL);
    CHECK(berth_context_cache_load(ctx, store, "c", NULL) == 0);
    cleanup_free char *h = docker_hash(ctx, "a.txt", NULL, NULL);
    CHECK_STR(h, A_TXT);
    CHECK(berth_context_files_read(ctx) == 1);
  }
}

int
main(void)
{
  snprintf(root, sizeof root, "/tmp/berth-tarsum-test-XXXXXX");
  if (mkdtemp(root) == NULL)
    return 1;
  umask(022);
  RUN(tarsum_header);
  RUN(docker_hashes);
  RUN(rootfs_hashes);
  RUN(tarsum_cache);
  berth_rm_rf_at(AT_FDCWD, root, NULL);
  DONE();
}
