/* Engine tests: a store in a temp dir, layers published from empty stages
 * and hand-made configs, then resolve, history, inspect, rmi and import. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"
#include "image/chain.h"
#include "image/config.h"
#include "images/history.h"
#include "images/import.h"
#include "images/inspect.h"
#include "images/layers.h"
#include "images/list.h"
#include "images/resolve.h"
#include "images/rmi.h"
#include "images/tag.h"
#include "store/store.h"

static char root[64];

static berth_store *
fresh_store(void)
{
  if (root[0] != '\0') {
    berth_rm_rf_at(AT_FDCWD, root, NULL);
  }
  snprintf(root, sizeof(root), "/tmp/berth-images-XXXXXX");
  if (mkdtemp(root) == NULL)
    abort();
  berth_error *err = NULL;
  berth_store *s = berth_store_open(root, &err);
  if (s == NULL) {
    printf("# %s\n", berth_error_message(err));
    abort();
  }
  return s;
}

/* Publishes an empty layer directory with a made-up diff id. */
static void
put_layer(berth_store *s, const char *parent_chain, const char *diff_id, long long size)
{
  berth_error *err = NULL;
  berth_layer_stage *st = berth_layer_stage_new(s, &err);
  berth_layer out;
  if (st == NULL || berth_layer_stage_publish(s, st, parent_chain, diff_id, size, &out, &err) < 0) {
    printf("# publish: %s\n", berth_error_message(err));
    abort();
  }
  berth_layer_stage_free(st);
}

static char *
fake_diff(char c)
{
  char *d = xmalloc(BERTH_DIGEST_LEN);
  memcpy(d, "sha256:", 7);
  memset(d + 7, c, 64);
  d[71] = '\0';
  return d;
}

/* A config with the given diff ids and history lines ("E:" marks an
 * empty_layer entry). */
static void
put_image(berth_store *s, char *const *diffs, size_t n, const char *const *hist, size_t nh,
          const char *created, const char *parent, char id[BERTH_DIGEST_LEN])
{
  json_t *c = json_pack("{s:s, s:s, s:s, s:{s:s, s:[]}, s:[], s:{s:[s], s:{s:{}}}}", "architecture",
                        "amd64", "os", "linux", "created", created, "rootfs", "type", "layers",
                        "diff_ids", "history", "config", "Cmd", "sh", "ExposedPorts", "80/tcp");
  json_t *ids = json_object_get(json_object_get(c, "rootfs"), "diff_ids");
  for (size_t i = 0; i < n; i++)
    json_array_append_new(ids, json_string(diffs[i]));
  for (size_t i = 0; i < nh; i++) {
    bool empty = strncmp(hist[i], "E:", 2) == 0;
    json_t *h
        = json_pack("{s:s, s:s}", "created", created, "created_by", hist[i] + (empty ? 2 : 0));
    if (empty)
      json_object_set_new(h, "empty_layer", json_true());
    json_array_append_new(json_object_get(c, "history"), h);
  }
  char *text = json_dumps(c, JSON_COMPACT);
  json_decref(c);
  berth_error *err = NULL;
  if (berth_store_image_put(s, text, strlen(text), parent, id, &err) < 0)
    abort();
  free(text);
  char **chains = berth_chain_ids(diffs, n);
  for (size_t i = 0; i < n; i++) {
    berth_layer l;
    if (berth_store_layer_get(s, chains[i], &l, NULL) != 1)
      put_layer(s, i ? chains[i - 1] : NULL, diffs[i], 100 * (long long)(i + 1));
  }
  berth_store_pins_release(s); /* the image names them now */
  for (size_t i = 0; i < n; i++)
    free(chains[i]);
  free(chains);
}

TEST(resolve)
{
  cleanup_store berth_store *s = fresh_store();
  char *d[] = { fake_diff('a') };
  char ids[8][BERTH_DIGEST_LEN];
  char stamp[32];
  for (int i = 0; i < 8; i++) {
    snprintf(stamp, sizeof(stamp), "2024-01-0%dT00:00:00Z", i + 1);
    put_image(s, d, 1, NULL, 0, stamp, NULL, ids[i]);
  }
  CHECK(berth_image_tag_id(s, ids[0], "test/x", NULL) == 0);
  char got[BERTH_DIGEST_LEN];
  berth_error *err = NULL;
  CHECK(berth_image_resolve(s, "test/x", got, &err) == 0);
  CHECK_STR(got, ids[0]);
  CHECK(berth_image_resolve(s, "docker.io/test/x:latest", got, &err) == 0);
  CHECK_STR(got, ids[0]);
  CHECK(berth_image_resolve(s, ids[3], got, &err) == 0);
  CHECK_STR(got, ids[3]);
  CHECK(berth_image_resolve(s, berth_digest_hex(ids[4]), got, &err) == 0);
  CHECK_STR(got, ids[4]);
  char prefix[16];
  snprintf(prefix, sizeof(prefix), "%.10s", berth_digest_hex(ids[5]));
  CHECK(berth_image_resolve(s, prefix, got, &err) == 0);
  CHECK_STR(got, ids[5]);
  /* among 8 ids, two share a first hex digit with probability > 0.8; find
   * any shared 1-digit prefix and expect ambiguity */
  for (int i = 0; i < 8; i++)
    for (int j = i + 1; j < 8; j++)
      if (berth_digest_hex(ids[i])[0] == berth_digest_hex(ids[j])[0]) {
        char one[2] = { berth_digest_hex(ids[i])[0], 0 };
        CHECK(berth_image_resolve(s, one, got, &err) < 0);
        CHECK(err != NULL && strstr(berth_error_message(err), "ambiguous") != NULL);
        berth_error_free(err);
        err = NULL;
        i = j = 8;
      }
  CHECK(berth_image_resolve(s, "nosuch", got, &err) < 0);
  CHECK_STR(berth_error_message(err), "No such image: nosuch");
  CHECK(berth_error_errno(err) == ENOENT);
  berth_error_free(err);
  err = NULL;
  CHECK(berth_image_resolve(s, "Bad//Name", got, &err) < 0);
  berth_error_free(err);
  free(d[0]);
}

TEST(history_and_layers)
{
  cleanup_store berth_store *s = fresh_store();
  char *d[] = { fake_diff('1'), fake_diff('2') };
  const char *base_hist[] = { "ADD rootfs" };
  const char *hist[] = { "ADD rootfs", "E:ENV A=1",
                         "RUN\tmake stuff that is rather long indeed and goes on", "E:CMD sh" };
  char base[BERTH_DIGEST_LEN], top[BERTH_DIGEST_LEN];
  put_image(s, d, 1, base_hist, 1, "2024-01-01T00:00:00Z", NULL, base);
  put_image(s, d, 2, hist, 4, "2024-01-02T00:00:00Z", base, top);
  berth_history_row *rows = NULL;
  size_t n = 0;
  CHECK(berth_image_history(s, top, &rows, &n, NULL) == 0);
  CHECK(n == 4);
  if (n == 4) {
    CHECK_STR(rows[0].id, top);
    CHECK_STR(rows[0].created_by, "CMD sh");
    CHECK(rows[0].size == 0);
    CHECK_STR(rows[1].id, base); /* the parent's id, as Docker walks parents */
    CHECK(rows[1].size == 200);
    CHECK_STR(rows[2].id, "");
    CHECK(rows[3].size == 100);
    CHECK(rows[3].created == 1704153600);
  }
  berth_history_rows_free(rows, n);
  berth_layer_row *lr = NULL;
  CHECK(berth_image_layer_rows(s, top, &lr, &n, NULL) == 0);
  CHECK(n == 2);
  if (n == 2) {
    CHECK(lr[0].number == 1);
    CHECK_STR(lr[0].chain_id, d[0]);
    CHECK_STR(lr[1].diff_id, d[1]);
    CHECK_STR(lr[1].created_by, hist[2]);
    CHECK_STR(lr[1].digest, "");
  }
  berth_layer_rows_free(lr, n);
  berth_image_summary *v = NULL;
  CHECK(berth_image_list(s, &v, &n, NULL) == 0);
  CHECK(n == 2 && strcmp(v[0].id, top) == 0 && v[0].size == 300 && v[1].has_children);
  berth_image_summaries_free(v, n);
  free(d[0]);
  free(d[1]);
}

TEST(inspect)
{
  cleanup_store berth_store *s = fresh_store();
  char *d[] = { fake_diff('1'), fake_diff('2') };
  char id[BERTH_DIGEST_LEN];
  put_image(s, d, 2, NULL, 0, "2024-01-01T00:00:00Z", NULL, id);
  CHECK(berth_image_tag_id(s, id, "127.0.0.1:5000/a/b:1", NULL) == 0);
  cleanup_json json_t *o = berth_image_inspect(s, id, NULL);
  CHECK(o != NULL);
  if (o == NULL)
    return;
  static const char *const keys[] = {
    "Id",
    "RepoTags",
    "RepoDigests",
    "Parent",
    "Comment",
    "Created",
    "Container",
    "ContainerConfig",
    "DockerVersion",
    "Author",
    "Config",
    "Architecture",
    "Os",
    "Size",
    "VirtualSize",
    "GraphDriver",
    "RootFS",
    "Metadata",
  };
  size_t i = 0;
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v)
  {
    CHECK(i < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[i]) == 0);
    i++;
  }
  CHECK(i == sizeof(keys) / sizeof(keys[0]));
  CHECK(json_integer_value(json_object_get(o, "Size")) == 300);
  json_t *config = json_object_get(o, "Config");
  CHECK(json_is_null(json_object_get(config, "Env")));
  CHECK(json_object_get(config, "ExposedPorts") != NULL);
  CHECK(json_object_get(config, "ArgsEscaped") == NULL);
  json_t *data = json_object_get(json_object_get(o, "GraphDriver"), "Data");
  const char *lower = json_string_value(json_object_get(data, "LowerDir"));
  CHECK(lower != NULL && strstr(lower, root) == lower && strchr(lower, ':') == NULL);
  CHECK_STR(json_string_value(json_array_get(json_object_get(o, "RepoTags"), 0)),
            "127.0.0.1:5000/a/b:1");
  json_t *arr = json_pack("[O]", o);
  cleanup_free char *text = berth_inspect_dump(arr);
  json_decref(arr);
  static const char head[] = "[\n    {\n        \"Id\": \"sha256:";
  CHECK(strncmp(text, head, strlen(head)) == 0);
  CHECK(strstr(text, "\"RepoDigests\": [],\n") != NULL);
  free(d[0]);
  free(d[1]);
}

static bool
layer_exists(berth_store *s, const char *chain)
{
  berth_layer l;
  return berth_store_layer_get(s, chain, &l, NULL) == 1;
}

TEST(rmi_shared_layers)
{
  cleanup_store berth_store *s = fresh_store();
  char *a[] = { fake_diff('1'), fake_diff('2') }, *b[] = { fake_diff('1'), fake_diff('3') };
  char ia[BERTH_DIGEST_LEN], ib[BERTH_DIGEST_LEN];
  put_image(s, a, 2, NULL, 0, "2024-01-01T00:00:00Z", NULL, ia);
  put_image(s, b, 2, NULL, 0, "2024-01-02T00:00:00Z", NULL, ib);
  CHECK(berth_image_tag_id(s, ia, "x/a:1", NULL) == 0);
  CHECK(berth_image_tag_id(s, ia, "y/a:1", NULL) == 0);
  CHECK(berth_image_tag_id(s, ib, "x/b", NULL) == 0);
  char **ca = berth_chain_ids(a, 2), **cb = berth_chain_ids(b, 2);
  berth_rmi_options plain = { 0 }, force = { .force = true };
  cleanup_strv char **rec = NULL;
  berth_error *err = NULL;
  /* an id with two repositories: refused unless forced */
  CHECK(berth_image_remove(s, ia, &plain, &rec, &err) < 0);
  CHECK(err != NULL
        && strstr(berth_error_message(err), "must be forced) - image is referenced in multiple "
                                            "repositories")
               != NULL);
  berth_error_free(err);
  err = NULL;
  berth_cleanup_strvp(&rec);
  rec = NULL;
  CHECK(berth_image_remove(s, ia, &force, &rec, NULL) == 0);
  CHECK(rec[0] != NULL && strcmp(rec[0], "Untagged: x/a:1") == 0);
  CHECK(rec[1] != NULL && strcmp(rec[1], "Untagged: y/a:1") == 0);
  CHECK(rec[2] != NULL && strncmp(rec[2], "Deleted: ", 9) == 0 && strcmp(rec[2] + 9, ia) == 0);
  CHECK(rec[3] != NULL && strcmp(rec[3] + 9, ca[1]) == 0);
  CHECK(rec[3] != NULL && rec[4] == NULL);
  CHECK(!layer_exists(s, ca[1]) && layer_exists(s, ca[0]));
  berth_cleanup_strvp(&rec);
  rec = NULL;
  CHECK(berth_image_remove(s, "x/b:latest", &plain, &rec, NULL) == 0);
  CHECK(rec[0] != NULL && strcmp(rec[0], "Untagged: x/b:latest") == 0);
  CHECK(rec[1] != NULL && rec[2] != NULL && rec[3] != NULL && rec[4] == NULL);
  CHECK(!layer_exists(s, cb[1]) && !layer_exists(s, cb[0]));
  char got[BERTH_DIGEST_LEN];
  CHECK(berth_image_resolve(s, ib, got, &err) < 0);
  berth_error_free(err);
  for (int i = 0; i < 2; i++) {
    free(a[i]), free(b[i]), free(ca[i]), free(cb[i]);
  }
  free(ca);
  free(cb);
}

TEST(rmi_prunes_parents)
{
  cleanup_store berth_store *s = fresh_store();
  char *d[] = { fake_diff('1'), fake_diff('2') };
  char base[BERTH_DIGEST_LEN], mid[BERTH_DIGEST_LEN], top[BERTH_DIGEST_LEN];
  put_image(s, d, 1, NULL, 0, "2024-01-01T00:00:00Z", NULL, base);
  put_image(s, d, 2, NULL, 0, "2024-01-02T00:00:00Z", base, mid);
  put_image(s, d, 2, NULL, 0, "2024-01-03T00:00:00Z", mid, top);
  CHECK(berth_image_tag_id(s, base, "base", NULL) == 0);
  CHECK(berth_image_tag_id(s, top, "top", NULL) == 0);
  berth_rmi_options plain = { 0 };
  cleanup_strv char **rec = NULL;
  berth_error *err = NULL;
  CHECK(berth_image_remove(s, mid, &plain, &rec, &err) < 0); /* has a child */
  CHECK(
      err != NULL
      && strstr(berth_error_message(err), "cannot be forced) - image has dependent child images"));
  berth_error_free(err);
  berth_cleanup_strvp(&rec);
  rec = NULL;
  CHECK(berth_image_remove(s, "top", &plain, &rec, NULL) == 0);
  /* Untagged top, Deleted top, Deleted mid (+ its top layer), base kept */
  CHECK(rec[0] && strcmp(rec[0], "Untagged: top:latest") == 0);
  CHECK(rec[1] && strcmp(rec[1] + 9, top) == 0);
  CHECK(rec[2] && strcmp(rec[2] + 9, mid) == 0);
  CHECK(rec[3] && rec[4] == NULL);
  char got[BERTH_DIGEST_LEN];
  CHECK(berth_image_resolve(s, "base", got, NULL) == 0);
  free(d[0]);
  free(d[1]);
}

static void
write_tar(const char *path)
{
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_gzip(a);
  archive_write_open_filename(a, path);
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, "etc/hello");
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, 6);
  archive_write_header(a, e);
  archive_write_data(a, "hello\n", 6);
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
}

TEST(import)
{
  cleanup_store berth_store *s = fresh_store();
  cleanup_free char *tar = xasprintf("%s/in.tgz", root);
  write_tar(tar);
  cleanup_close int fd = open(tar, O_RDONLY | O_CLOEXEC);
  berth_import_options o = { .source = "-", .ref = "imported/one:v1" };
  char id[BERTH_DIGEST_LEN];
  berth_error *err = NULL;
  CHECK(berth_image_import(s, fd, &o, id, &err) == 0);
  if (err != NULL) {
    printf("# %s\n", berth_error_message(err));
    berth_error_free(err);
    return;
  }
  char got[BERTH_DIGEST_LEN];
  CHECK(berth_image_resolve(s, "imported/one:v1", got, NULL) == 0);
  CHECK_STR(got, id);
  cleanup_free char *config = NULL;
  size_t len;
  CHECK(berth_store_image_get(s, id, &config, &len, NULL) == 1);
  cleanup_image_config berth_image_config *c = berth_image_config_parse(config, len, NULL);
  CHECK(c != NULL && c->n_diff_ids == 1 && c->n_history == 1);
  if (c == NULL)
    return;
  CHECK_STR(c->history[0].comment, "Imported from -");
  CHECK(strncmp(config, "{\"architecture\":", 16) == 0);
  berth_layer l;
  CHECK(berth_store_layer_get(s, c->diff_ids[0], &l, NULL) == 1);
  CHECK(l.size == 6);
  cleanup_free char *file = xasprintf("%s/overlay2/%s/diff/etc/hello", root, l.cache_id);
  cleanup_free char *data = NULL;
  CHECK(berth_read_file_at(AT_FDCWD, file, &data, &len, NULL) == 0 && len == 6);
  /* a bad name is refused before anything is read */
  berth_import_options bad = { .source = "-", .ref = "Bad//Name" };
  CHECK(berth_image_import(s, fd, &bad, id, &err) < 0);
  berth_error_free(err);
}

int
main(void)
{
  RUN(resolve);
  RUN(history_and_layers);
  RUN(inspect);
  RUN(rmi_shared_layers);
  RUN(rmi_prunes_parents);
  RUN(import);
  berth_rm_rf_at(AT_FDCWD, root, NULL);
  DONE();
}
