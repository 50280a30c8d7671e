/* Layer addressing (IMAGE@layer:N, chain IDs) and `verify` on a real store:
 * two images built from packed trees, then layer directories tampered with
 * (a file added, edited, removed). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/pack.h"
#include "archive/unpack.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"
#include "image/chain.h"
#include "images/diff.h"
#include "images/import.h"
#include "images/rootfs_ref.h"
#include "images/tag.h"
#include "images/verify.h"
#include "membuf.h"
#include "store/store.h"

static char tmp[64];

static void
put(const char *root, const char *rel, const char *content)
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

static struct buf
pack_tree(const char *root)
{
  struct buf b = { NULL, 0, 0 };
  berth_pack_result r;
  cleanup_close int fd = open(root, O_RDONLY | O_DIRECTORY);
  berth_error *err = NULL;
  if (berth_layer_pack(fd, buf_write, &b, &r, &err) < 0)
    abort();
  return b;
}

/* Publishes the tar in b on top of parent; returns the layer. */
static berth_layer
publish(berth_store *s, struct buf *b, const char *parent)
{
  berth_error *err = NULL;
  berth_layer_stage *st = berth_layer_stage_new(s, &err);
  berth_unpack_result res;
  b->pos = 0;
  if (st == NULL
      || berth_layer_unpack(buf_read, b, berth_layer_stage_diff_fd(st),
                            berth_layer_stage_tarsplit_fd(st), &res, &err)
             < 0)
    abort();
  berth_layer l;
  if (berth_layer_stage_publish(s, st, parent, res.diff_id, res.size, &l, &err) < 0)
    abort();
  berth_layer_stage_free(st);
  return l;
}

static berth_store *s;
static berth_layer l1, l2;
static char two_id[BERTH_DIGEST_LEN], one_id[BERTH_DIGEST_LEN];

static void
setup(void)
{
  snprintf(tmp, sizeof tmp, "/tmp/berth-test-layers-XXXXXX");
  if (mkdtemp(tmp) == NULL)
    abort();
  cleanup_free char *store_root = xasprintf("%s/store", tmp);
  berth_error *err = NULL;
  s = berth_store_open(store_root, &err);
  if (s == NULL)
    abort();
  cleanup_free char *t1 = xasprintf("%s/t1", tmp), *t2 = xasprintf("%s/t2", tmp);
  mkdir(t1, 0755);
  mkdir(t2, 0755);
  put(t1, "etc", NULL);
  put(t1, "etc/passwd", "root:x:0:0\n");
  put(t1, "bin", NULL);
  put(t1, "bin/sh", "shell");
  put(t2, "etc", NULL);
  put(t2, "etc/hostname", "box\n");
  struct buf b1 = pack_tree(t1), b2 = pack_tree(t2);
  l1 = publish(s, &b1, NULL);
  l2 = publish(s, &b2, l1.chain_id);
  /* a one-layer image of l1 and a two-layer image */
  cleanup_free char *c1 = berth_import_config(l1.diff_id, "2024-01-01T00:00:00Z", "one");
  if (berth_store_image_put(s, c1, strlen(c1), NULL, one_id, &err) < 0)
    abort();
  cleanup_free char *c2
      = xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                  "\"diff_ids\":[\"%s\",\"%s\"]},\"history\":[{\"created_by\":\"one\"},"
                  "{\"created_by\":\"two\"}]}",
                  l1.diff_id, l2.diff_id);
  if (berth_store_image_put(s, c2, strlen(c2), NULL, two_id, &err) < 0
      || berth_image_tag_id(s, two_id, "two:1", &err) < 0
      || berth_image_tag_id(s, one_id, "one:1", &err) < 0)
    abort();
  free(b1.d);
  free(b2.d);
}

static int
resolve(const char *name, char id[BERTH_DIGEST_LEN], size_t *n)
{
  berth_error *err = NULL;
  int r = berth_image_resolve_rootfs(s, name, id, n, &err);
  if (r < 0) {
    printf("# %s: %s\n", name, berth_error_message(err));
    berth_error_free(err);
  }
  return r;
}

TEST(parse)
{
  char *img = NULL;
  size_t n = 0;
  berth_error *err = NULL;
  CHECK(berth_rootfs_ref_parse("busybox", &img, &n, &err) == 0);
  CHECK(berth_rootfs_ref_parse("busybox:1@layer:2", &img, &n, &err) == 1);
  CHECK_STR(img, "busybox:1");
  CHECK(n == 2);
  free(img);
  const char *bad[]
      = { "x@layer:", "x@layer:0", "x@layer:-1", "x@layer:1a", "x@layer:99999", "@layer:1" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(berth_rootfs_ref_parse(bad[i], &img, &n, &err) == -1);
    berth_error_free(err);
    err = NULL;
  }
}

TEST(resolve_forms)
{
  char id[BERTH_DIGEST_LEN];
  size_t n = 0;
  CHECK(resolve("two:1", id, &n) == 0 && n == 2 && strcmp(id, two_id) == 0);
  CHECK(resolve("two:1@layer:1", id, &n) == 0 && n == 1 && strcmp(id, two_id) == 0);
  CHECK(resolve("two:1@layer:2", id, &n) == 0 && n == 2);
  /* the top chain of two: the two-layer image */
  CHECK(resolve(l2.chain_id, id, &n) == 0 && n == 2 && strcmp(id, two_id) == 0);
  cleanup_free char *prefix = xstrndup(berth_digest_hex(l2.chain_id), 12);
  CHECK(resolve(prefix, id, &n) == 0 && n == 2 && strcmp(id, two_id) == 0);
  /* the bottom chain: the image that ends there wins */
  CHECK(resolve(l1.chain_id, id, &n) == 0 && n == 1 && strcmp(id, one_id) == 0);
  /* image ids as history prints them */
  cleanup_free char *short_id = xstrndup(berth_digest_hex(two_id), 12);
  CHECK(resolve(short_id, id, &n) == 0 && n == 2 && strcmp(id, two_id) == 0);
  berth_error *err = NULL;
  CHECK(berth_image_resolve_rootfs(s, "two:1@layer:3", id, &n, &err) < 0);
  berth_error_free(err);
  err = NULL;
  CHECK(berth_image_resolve_rootfs(s, "nosuch", id, &n, &err) < 0
        && berth_error_errno(err) == ENOENT);
  berth_error_free(err);
  err = NULL;
  CHECK(berth_image_resolve_rootfs(s, "sha256:0000000000", id, &n, &err) < 0);
  berth_error_free(err);
}

TEST(image_diff)
{
  berth_change *c = NULL;
  size_t n = 0;
  berth_error *err = NULL;
  CHECK(berth_image_diff(s, "two:1@layer:1", "two:1", &c, &n, &err) == 0);
  cleanup_free char *out = berth_changes_format(c, n);
  berth_changes_free(c, n);
  /* /etc's own mtime differs between the two layer dirs: C either way */
  CHECK_STR(out, "C /etc\nA /etc/hostname\n");
  CHECK(berth_image_diff(s, "two:1", "one:1", &c, &n, &err) == 0);
  cleanup_free char *back = berth_changes_format(c, n);
  berth_changes_free(c, n);
  CHECK(strstr(back, "D /etc/hostname\n") != NULL);
}

static char *
verify_text(const char *chain)
{
  berth_verify_layer l;
  berth_error *err = NULL;
  if (berth_verify_layer_check(s, chain, &l, &err) < 0) {
    printf("# %s\n", berth_error_message(err));
    berth_error_free(err);
    return xstrdup("ERROR");
  }
  char *t = xstrdup(l.ok ? "ok" : "TAMPERED");
  for (size_t i = 0; i < l.n_files; i++) {
    char *n = xasprintf("%s %c%s", t, l.files[i].kind, l.files[i].path);
    free(t);
    t = n;
  }
  berth_verify_layer_clear(&l);
  return t;
}

TEST(verify)
{
  berth_verify_layer *v = NULL;
  size_t n = 0;
  berth_error *err = NULL;
  CHECK(berth_verify_image(s, two_id, &v, &n, &err) == 0 && n == 2 && v[0].ok && v[1].ok);
  berth_verify_layers_free(v, n);
  cleanup_free char *dir = berth_store_layer_diff_path(s, &l1);
  put(dir, "added", "evil");
  cleanup_free char *t1 = verify_text(l1.chain_id);
  CHECK_STR(t1, "TAMPERED +/added");
  cleanup_free char *added = xasprintf("%s/added", dir);
  unlink(added);
  put(dir, "bin/sh", "SHELL"); /* same size, other bytes */
  cleanup_free char *t2 = verify_text(l1.chain_id);
  CHECK_STR(t2, "TAMPERED ~/bin/sh");
  put(dir, "bin/sh", "shell");
  cleanup_free char *t3 = verify_text(l1.chain_id);
  CHECK_STR(t3, "ok");
  cleanup_free char *pw = xasprintf("%s/etc/passwd", dir);
  unlink(pw);
  cleanup_free char *t4 = verify_text(l1.chain_id);
  CHECK_STR(t4, "TAMPERED -/etc/passwd");
  cleanup_free char *ok2 = verify_text(l2.chain_id);
  CHECK_STR(ok2, "ok");
}

int
main(void)
{
  setup();
  RUN(parse);
  RUN(resolve_forms);
  RUN(image_diff);
  RUN(verify);
  berth_store_free(s);
  berth_rm_rf_at(AT_FDCWD, tmp, NULL);
  DONE();
}
