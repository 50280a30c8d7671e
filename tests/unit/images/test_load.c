/* `load` on a real store: docker-archive tarballs written here with
 * libarchive, in Docker 20.10's order (layers first, manifest.json last)
 * and with its links for a repeated layer.tar, and links that climb out. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"
#include "image/chain.h"
#include "images/load.h"
#include "store/store.h"

static char tmp[64];
static berth_store *s;

static struct archive *
tar_begin(const char *path)
{
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open_filename(a, path) != ARCHIVE_OK)
    abort();
  return a;
}

static void
tar_file(struct archive *a, const char *name, const void *data, size_t len)
{
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, name);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, (la_int64_t)len);
  if (archive_write_header(a, e) != ARCHIVE_OK || archive_write_data(a, data, len) != (ssize_t)len)
    abort();
  archive_entry_free(e);
}

static void
tar_symlink(struct archive *a, const char *name, const char *target)
{
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, name);
  archive_entry_set_filetype(e, AE_IFLNK);
  archive_entry_set_perm(e, 0777);
  archive_entry_set_symlink(e, target);
  if (archive_write_header(a, e) != ARCHIVE_OK)
    abort();
  archive_entry_free(e);
}

/* A layer tar in memory holding one file. */
static char *
layer_tar(const char *file, size_t *len)
{
  size_t cap = 64 << 10;
  char *buf = xcalloc(1, cap);
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open_memory(a, buf, cap, len) != ARCHIVE_OK)
    abort();
  tar_file(a, file, "content\n", 8);
  archive_write_close(a);
  archive_write_free(a);
  return buf;
}

struct loaded {
  int n;
  char name[128], id[BERTH_DIGEST_LEN];
};

static void
on_loaded(void *ctx, const char *name, const char *id)
{
  struct loaded *l = ctx;
  l->n++;
  snprintf(l->name, sizeof l->name, "%s", name ? name : "");
  snprintf(l->id, sizeof l->id, "%s", id);
}

static int
load_file(const char *path, struct loaded *l, char **message)
{
  cleanup_close int fd = open(path, O_RDONLY);
  berth_error *err = NULL;
  int r = berth_image_load_archive(s, fd, on_loaded, l, &err);
  if (r < 0) {
    *message = xstrdup(berth_error_message(err));
    berth_error_free(err);
  }
  return r;
}

static size_t
n_layers(void)
{
  berth_error *err = NULL;
  char **all = berth_store_layer_list(s, &err);
  size_t n = 0;
  while (all != NULL && all[n] != NULL)
    n++;
  berth_cleanup_strvp(&all);
  return n;
}

/* Docker's layout: <v1 id>/layer.tar, a repeated layer as a link
 * ../<first v1 id>/layer.tar, the config, manifest.json last. */
TEST(docker_order_and_links)
{
  size_t l1len, l2len;
  cleanup_free char *l1 = layer_tar("a", &l1len), *l2 = layer_tar("b", &l2len);
  char d1[BERTH_DIGEST_LEN], d2[BERTH_DIGEST_LEN], id[BERTH_DIGEST_LEN];
  berth_sha256_digest(l1, l1len, d1);
  berth_sha256_digest(l2, l2len, d2);
  cleanup_free char *config
      = xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                  "\"diff_ids\":[\"%s\",\"%s\",\"%s\"]}}",
                  d1, d2, d1);
  berth_sha256_digest(config, strlen(config), id);
  cleanup_free char *path = xasprintf("%s/docker.tar", tmp);
  struct archive *a = tar_begin(path);
  tar_file(a, "aaaa/layer.tar", l1, l1len);
  tar_file(a, "bbbb/layer.tar", l2, l2len);
  tar_symlink(a, "cccc/layer.tar", "../aaaa/layer.tar");
  cleanup_free char *config_name = xasprintf("%s.json", berth_digest_hex(id));
  tar_file(a, config_name, config, strlen(config));
  cleanup_free char *manifest
      = xasprintf("[{\"Config\":\"%s\",\"RepoTags\":[\"docker.io/library/x:1\"],\"Layers\":"
                  "[\"aaaa/layer.tar\",\"./bbbb/layer.tar\",\"cccc/layer.tar\"]}]",
                  config_name);
  tar_file(a, "manifest.json", manifest, strlen(manifest));
  archive_write_close(a);
  archive_write_free(a);

  struct loaded l = { 0 };
  cleanup_free char *message = NULL;
  CHECK(load_file(path, &l, &message) == 0);
  if (message != NULL)
    printf("# %s\n", message);
  CHECK(l.n == 1);
  CHECK_STR(l.name, "x:1");
  CHECK_STR(l.id, id);
  CHECK(n_layers() == 3);
  /* the whole chain is there */
  char *diffs[] = { d1, d2, d1 };
  cleanup_strv char **chain = berth_chain_ids(diffs, 3);
  berth_layer top;
  berth_error *err = NULL;
  CHECK(berth_store_layer_get(s, chain[2], &top, &err) == 1);
}

/* An archive whose one layer is a link to target. */
static char *
link_archive(const char *name, const char *target)
{
  char *path = xasprintf("%s/%s.tar", tmp, name);
  struct archive *a = tar_begin(path);
  tar_symlink(a, "a/layer.tar", target);
  const char *config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
                       "\"layers\",\"diff_ids\":[\"sha256:"
                       "0000000000000000000000000000000000000000000000000000000000000000\"]}}";
  tar_file(a, "c.json", config, strlen(config));
  const char *manifest = "[{\"Config\":\"c.json\",\"Layers\":[\"a/layer.tar\"]}]";
  tar_file(a, "manifest.json", manifest, strlen(manifest));
  archive_write_close(a);
  archive_write_free(a);
  return path;
}

static void
check_refused(const char *path, const char *want)
{
  size_t before = n_layers();
  struct loaded l = { 0 };
  cleanup_free char *message = NULL;
  CHECK(load_file(path, &l, &message) < 0);
  CHECK_STR(message, want);
  CHECK(l.n == 0);
  CHECK(n_layers() == before);
}

/* A link that climbs above the archive's top, and one to a missing file. */
TEST(links_out)
{
  cleanup_free char *out = link_archive("out", "../../etc/passwd");
  check_refused(out,
                "load: manifest.json: layer a/layer.tar is a link pointing outside the archive");
  cleanup_free char *abs = link_archive("abs", "/etc/passwd");
  check_refused(abs,
                "load: manifest.json: layer a/layer.tar is a link pointing outside the archive");
  cleanup_free char *missing = link_archive("missing", "../b/layer.tar");
  check_refused(missing,
                "load: manifest.json names layer a/layer.tar, which the archive does not contain");
}

int
main(void)
{
  snprintf(tmp, sizeof tmp, "/tmp/berth-test-load-XXXXXX");
  if (mkdtemp(tmp) == NULL)
    abort();
  cleanup_free char *root = xasprintf("%s/store", tmp);
  berth_error *err = NULL;
  s = berth_store_open(root, &err);
  if (s == NULL)
    abort();
  RUN(docker_order_and_links);
  RUN(links_out);
  berth_store_free(s);
  berth_rm_rf_at(AT_FDCWD, tmp, NULL);
  DONE();
}
