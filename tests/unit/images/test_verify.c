/* `verify` on layers unpacked into a real store: a layer exactly as pulled
 * verifies clean whatever extraction had to do with its tar (a later entry
 * replacing an earlier one, a sparse file, aufs metadata, a write through a
 * symlink, whiteouts, an opaque directory, hard links), and each kind of
 * change to a layer directory is named by path and kind. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/tarbuild.h"
#include "archive/unpack.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"
#include "images/verify.h"
#include "store/store.h"

static char tmp[64];
static berth_store *s;

/* Unpacks the tar in t (freed) into a new published layer. */
static berth_layer
publish(struct tarbuf *t)
{
  struct tarbuf gz = tb_gzip(t);
  free(t->data);
  struct memsrc src = { gz.data, gz.len, 0, 0 };
  berth_error *err = NULL;
  berth_layer_stage *st = berth_layer_stage_new(s, &err);
  berth_unpack_result res;
  if (st == NULL
      || berth_layer_unpack(memsrc_read, &src, berth_layer_stage_diff_fd(st),
                            berth_layer_stage_tarsplit_fd(st), &res, &err)
             < 0) {
    printf("# unpack: %s\n", berth_error_message(err));
    abort();
  }
  berth_layer l;
  if (berth_layer_stage_publish(s, st, NULL, res.diff_id, res.size, &l, &err) < 0)
    abort();
  berth_layer_stage_free(st);
  free(gz.data);
  return l;
}

/* "ok", or "TAMPERED" and one line per report, as the CLI prints them. */
static char *
verify_text(const berth_layer *l)
{
  berth_verify_layer v;
  berth_error *err = NULL;
  if (berth_verify_layer_check(s, l->chain_id, &v, &err) < 0) {
    printf("# %s\n", berth_error_message(err));
    berth_error_free(err);
    return xstrdup("ERROR");
  }
  char *t = xstrdup(v.ok ? "ok" : "TAMPERED");
  for (size_t i = 0; i < v.n_files; i++) {
    const berth_verify_file *f = &v.files[i];
    char *n = f->what ? xasprintf("%s\n%c %s %s", t, f->kind, f->what, f->path)
                      : xasprintf("%s\n%c %s", t, f->kind, f->path);
    free(t);
    t = n;
  }
  if (!v.ok && v.problem != NULL) {
    char *n = xasprintf("%s\n! %s", t, v.problem);
    free(t);
    t = n;
  }
  berth_verify_layer_clear(&v);
  return t;
}

static char *
at(const berth_layer *l, const char *rel)
{
  cleanup_free char *dir = berth_store_layer_diff_path(s, l);
  return xasprintf("%s/%s", dir, rel);
}

#define CHECK_VERIFY(l, want)                                                                      \
  do {                                                                                             \
    cleanup_free char *got_ = verify_text(l);                                                      \
    CHECK_STR(got_, want);                                                                         \
  } while (0)

static void
tb_file_mode(struct archive *a, const char *name, const char *content, mode_t perm)
{
  tb_add(a, tb_entry(name, AE_IFREG, perm), content, strlen(content));
}

TEST(replaced_entries)
{
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_file(a, "a", "first");
  tb_file_mode(a, "a", "the second, longer", 0600);
  tb_dir(a, "d");
  tb_file(a, "d/x", "x");
  tb_file(a, "d", "d is a file now");
  tb_file(a, "e", "e was a file");
  tb_dir(a, "e");
  tb_file(a, "e/y", "y");
  tb_symlink(a, "s", "a");
  tb_file(a, "s", "s was a symlink");
  tb_close(a);
  berth_layer l = publish(&t);
  berth_verify_layer v;
  berth_error *err = NULL;
  CHECK(berth_verify_layer_check(s, l.chain_id, &v, &err) == 0);
  CHECK(v.ok && v.n_files == 0);
  /* the first a and the first e are gone from the disk */
  CHECK_STR(v.note, "diffID not re-checked: the contents of 3 files of the layer tar are not "
                    "kept (replaced by later entries or aufs metadata)");
  berth_verify_layer_clear(&v);
  cleanup_free char *p = at(&l, "a");
  chmod(p, 0644); /* the mode of the first a is not the one that counts */
  CHECK_VERIFY(&l, "TAMPERED\n~ changed mode 0600 -> 0644 /a");
}

TEST(sparse)
{
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  struct archive_entry *e = tb_entry("sparse", AE_IFREG, 0644);
  archive_entry_set_size(e, 3 * 1024 * 1024);
  archive_entry_sparse_add_entry(e, 0, 4096);
  archive_entry_sparse_add_entry(e, 2 * 1024 * 1024, 4096);
  archive_write_header(a, e);
  char block[4096];
  memset(block, 'A', sizeof block);
  archive_write_data(a, block, sizeof block);
  memset(block, 'B', sizeof block);
  archive_write_data(a, block, sizeof block);
  archive_entry_free(e);
  tb_close(a);
  berth_layer l = publish(&t);
  CHECK_VERIFY(&l, "ok");
  /* a byte written into a hole is a change */
  cleanup_free char *p = at(&l, "sparse");
  cleanup_close int fd = open(p, O_WRONLY);
  CHECK(pwrite(fd, "x", 1, 1024 * 1024) == 1);
  CHECK_VERIFY(&l, "TAMPERED\n~ /sparse");
  CHECK(pwrite(fd, "\0", 1, 1024 * 1024) == 1);
  CHECK_VERIFY(&l, "ok");
  CHECK(pwrite(fd, "B", 1, 10) == 1);
  CHECK_VERIFY(&l, "TAMPERED\n~ /sparse");
}

TEST(aufs_whiteouts_opaque)
{
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_file(a, ".wh..wh.aufs", "");
  tb_dir(a, ".wh..wh.plnk");
  tb_file(a, ".wh..wh.plnk/123.456", "linked");
  tb_dir(a, ".wh..wh.orph");
  tb_dir(a, "etc");
  tb_file(a, "etc/.wh.gone", "");
  tb_dir(a, "opq");
  tb_file(a, "opq/.wh..wh..opq", "");
  tb_file(a, "opq/kept", "kept");
  tb_file(a, "implicit/.wh..wh..opq", "");
  tb_close(a);
  berth_layer l = publish(&t);
  berth_verify_layer v;
  berth_error *err = NULL;
  CHECK(berth_verify_layer_check(s, l.chain_id, &v, &err) == 0 && v.ok);
  CHECK(v.note != NULL && strstr(v.note, "of 1 file of") != NULL);
  berth_verify_layer_clear(&v);
  cleanup_free char *opq = at(&l, "opq");
  CHECK(removexattr(opq, "trusted.overlay.opaque") == 0);
  cleanup_free char *gone = at(&l, "etc/gone");
  CHECK(unlink(gone) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n- /etc/gone\n~ changed xattr trusted.overlay.opaque /opq");
  CHECK(setxattr(opq, "trusted.overlay.opaque", "y", 1, 0) == 0);
  CHECK(mknod(gone, S_IFCHR | 0, makedev(0, 0)) == 0);
  CHECK_VERIFY(&l, "ok");
  CHECK(chown(gone, 1, 1) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed owner 0:0 -> 1:1 /etc/gone");
}

TEST(through_symlinks)
{
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_dir(a, "real");
  tb_symlink(a, "rel", "real");
  tb_file(a, "rel/f", "via a relative link");
  tb_symlink(a, "abs", "/real");
  tb_file(a, "abs/sub/g", "via an absolute link, into a made directory");
  tb_symlink(a, "evil", "/");
  tb_file(a, "evil/tmp/h", "lands in the layer's /tmp");
  tb_symlink(a, "up", "../../..");
  tb_file(a, "up/real/i", "a .. stops at the root");
  tb_hardlink(a, "rel/hl", "abs/sub/g");
  tb_close(a);
  berth_layer l = publish(&t);
  CHECK_VERIFY(&l, "ok");
  cleanup_free char *hl = at(&l, "real/hl");
  unlink(hl);
  FILE *f = fopen(hl, "w"); /* same bytes, but no longer the same file */
  fputs("via an absolute link, into a made directory", f);
  fclose(f);
  chmod(hl, 0644);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed hard link /real/sub/g -> none /real/hl");
}

TEST(tampering)
{
  struct tarbuf t = { 0 };
  struct archive *a = tb_open(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  tb_dir(a, "usr");
  tb_dir(a, "usr/bin");
  tb_file_mode(a, "usr/bin/x", "#!/bin/sh\n", 0755);
  tb_file(a, "conf", "k=v\n");
  tb_symlink(a, "lnk", "conf");
  struct archive_entry *e = tb_entry("xat", AE_IFREG, 0644);
  archive_entry_xattr_add_entry(e, "user.x", "1", 1);
  tb_add(a, e, "x", 1);
  e = tb_entry("null", AE_IFCHR, 0666);
  archive_entry_set_rdev(e, makedev(1, 3));
  tb_add(a, e, NULL, 0);
  tb_close(a);
  berth_layer l = publish(&t);
  CHECK_VERIFY(&l, "ok");
  cleanup_free char *x = at(&l, "usr/bin/x"), *conf = at(&l, "conf"), *lnk = at(&l, "lnk");
  cleanup_free char *xat = at(&l, "xat"), *null = at(&l, "null"), *added = at(&l, "usr/new");
  CHECK(chmod(x, 04755) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed mode 0755 -> 4755 /usr/bin/x");
  CHECK(chmod(x, 0755) == 0);
  CHECK(chown(conf, 1000, 1000) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed owner 0:0 -> 1000:1000 /conf");
  CHECK(chown(conf, 0, 0) == 0);
  CHECK(unlink(lnk) == 0 && symlink("/etc/shadow", lnk) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed link target conf -> /etc/shadow /lnk");
  CHECK(unlink(lnk) == 0 && symlink("conf", lnk) == 0);
  CHECK(setxattr(xat, "user.x", "2", 1, 0) == 0 && setxattr(conf, "user.y", "", 0, 0) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed xattr user.y /conf\n~ changed xattr user.x /xat");
  CHECK(removexattr(xat, "user.x") == 0 && removexattr(conf, "user.y") == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed xattr user.x /xat");
  CHECK(setxattr(xat, "user.x", "1", 1, 0) == 0);
  CHECK(unlink(conf) == 0 && mkdir(conf, 0644) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed type file -> directory /conf");
  CHECK(rmdir(conf) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n- /conf");
  FILE *f = fopen(conf, "w");
  fputs("k=V\n", f);
  fclose(f);
  CHECK_VERIFY(&l, "TAMPERED\n~ /conf\n~ changed mode 0644 -> 0600 /conf");
  CHECK(chmod(conf, 0644) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ /conf");
  f = fopen(conf, "a");
  fputs("more\n", f);
  fclose(f);
  CHECK_VERIFY(&l, "TAMPERED\n~ /conf\n~ changed size 4 -> 9 /conf");
  f = fopen(conf, "w");
  fputs("k=v\n", f);
  fclose(f);
  CHECK(unlink(null) == 0 && mknod(null, S_IFCHR | 0666, makedev(1, 5)) == 0);
  CHECK(chmod(null, 0666) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n~ changed device 1:3 -> 1:5 /null");
  CHECK(unlink(null) == 0 && mknod(null, S_IFCHR | 0666, makedev(1, 3)) == 0);
  CHECK(chmod(null, 0666) == 0);
  CHECK(mkdir(added, 0755) == 0);
  CHECK_VERIFY(&l, "TAMPERED\n+ /usr/new");
  CHECK(rmdir(added) == 0);
  CHECK_VERIFY(&l, "ok");
}

int
main(void)
{
  umask(077); /* extraction must not depend on it, nor must verify */
  snprintf(tmp, sizeof tmp, "/var/tmp/berth-test-verify-XXXXXX");
  if (mkdtemp(tmp) == NULL)
    abort();
  cleanup_free char *root = xasprintf("%s/store", tmp);
  berth_error *err = NULL;
  s = berth_store_open(root, &err);
  if (s == NULL)
    abort();
  RUN(replaced_entries);
  RUN(sparse);
  RUN(aufs_whiteouts_opaque);
  RUN(through_symlinks);
  RUN(tampering);
  berth_store_free(s);
  berth_rm_rf_at(AT_FDCWD, tmp, &err);
  DONE();
}
