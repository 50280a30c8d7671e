/* Store layout, file formats (compared with reference-outputs/
 * layout-docker.txt), refs, images and shared layers, distribution. */
#include <dirent.h>
#include <errno.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#include "harness.h"
#include "helpers.h"
#include "image/chain.h"

static struct timespec
now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t;
}

TEST(layout_modes)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  CHECK(s != NULL);
  CHECK(mode_of(root, ".") == 0710);
  CHECK(mode_of(root, "overlay2") == 0710);
  CHECK(mode_of(root, "overlay2/l") == 0700);
  CHECK(mode_of(root, "image/overlay2") == 0700);
  CHECK(mode_of(root, "image/overlay2/imagedb/content/sha256") == 0700);
  CHECK(mode_of(root, "image/overlay2/layerdb/sha256") == 0700);
  CHECK(mode_of(root, "image/overlay2/layerdb/mounts") == 0700);
  CHECK(mode_of(root, "image/overlay2/layerdb/tmp") == 0700);
  CHECK(mode_of(root, "image/overlay2/distribution/diffid-by-digest/sha256") == 0700);
  CHECK(mode_of(root, "image/overlay2/distribution/v2metadata-by-diffid/sha256") == 0700);
  CHECK(mode_of(root, "image/overlay2/distribution/manifest-by-digest/sha256") == 0700);
  CHECK(mode_of(root, "tmp") == 0700);
  CHECK(mode_of(root, "containers") == 0710);
  CHECK_STR(berth_store_root(s), root);
  CHECK(berth_store_root_fd(s) >= 0);
  berth_store_free(steal_pointer(&s));
  /* opening again is harmless */
  s = berth_store_open(root, &err);
  CHECK(s != NULL);
  drop_root(root);
}

/* The chain ids of test/layered:1 in layout-docker.txt. */
TEST(chain_ids_match_docker)
{
  char c[BERTH_DIGEST_LEN];
  const char *d0 = "sha256:521f2e0db066bca3b1d5b53e098467004d060eb6bec02167d2efc20fcb61269a";
  berth_chain_id(NULL, d0, c);
  CHECK_STR(c, d0);
  berth_chain_id(d0, "sha256:cea06edaf460bb4df7f5f912c3faca25e0370fdf9c4bb4c43568b27619779d78", c);
  CHECK_STR(c, "sha256:247a589743ed24cf0dd3ff26cad4d6154034222489254d187a7d3712b001fb4b");
  berth_chain_id(c, "sha256:bcc15ce10f2d27bd00628a3cbb6b101fe6bf91386a18f0b106578d83fd614684", c);
  CHECK_STR(c, "sha256:4ff7747b321362c56e2d5d6f11eb38e11ed1b1049f866da13fbb7794e55e30a6");
  berth_chain_id(c, "sha256:99b0174e5b9a6f92f7f251519f2e0526486cac3f287bf2a8e9f03197c0d9b1a6", c);
  CHECK_STR(c, "sha256:3b75927e41c861bbf61a65b32a0b92c1d7b06829a025de7f7a1cfe4b0624c670");
}

static void
check_layer_files(const char *root, const berth_layer *l, const char *parent)
{
  cleanup_free char *e
      = xasprintf("image/overlay2/layerdb/sha256/%s", berth_digest_hex(l->chain_id));
  cleanup_free char *diff_p = xasprintf("%s/diff", e), *size_p = xasprintf("%s/size", e);
  cleanup_free char *cache_p = xasprintf("%s/cache-id", e), *parent_p = xasprintf("%s/parent", e);
  cleanup_free char *ts_p = xasprintf("%s/tar-split.json.gz", e);
  cleanup_free char *diff = slurp(root, diff_p), *size = slurp(root, size_p);
  cleanup_free char *cache = slurp(root, cache_p), *par = slurp(root, parent_p);
  /* Docker writes these without a trailing newline */
  CHECK_STR(diff, l->diff_id);
  CHECK_STR(cache, l->cache_id);
  cleanup_free char *want_size = xasprintf("%lld", l->size);
  CHECK_STR(size, want_size);
  if (parent == NULL)
    CHECK(par == NULL && !exists(root, parent_p));
  else
    CHECK_STR(par, parent);
  CHECK(mode_of(root, diff_p) == 0644 && mode_of(root, cache_p) == 0644);
  CHECK(mode_of(root, ts_p) == 0644 && mode_of(root, size_p) == 0644);
  CHECK(mode_of(root, e) == 0700);

  cleanup_free char *o = xasprintf("overlay2/%s", l->cache_id);
  cleanup_free char *link_p = xasprintf("%s/link", o), *lower_p = xasprintf("%s/lower", o);
  cleanup_free char *work_p = xasprintf("%s/work", o), *com_p = xasprintf("%s/committed", o);
  cleanup_free char *odiff_p = xasprintf("%s/diff", o);
  cleanup_free char *link = slurp(root, link_p);
  CHECK_STR(link, l->link);
  CHECK(strlen(l->link) == 26);
  CHECK(mode_of(root, o) == 0710 && mode_of(root, odiff_p) == 0755);
  CHECK(mode_of(root, link_p) == 0644 && mode_of(root, com_p) == 0600);
  if (parent == NULL) {
    CHECK(!exists(root, lower_p) && !exists(root, work_p));
  } else {
    CHECK(mode_of(root, lower_p) == 0644 && mode_of(root, work_p) == 0700);
  }
  cleanup_free char *lp = xasprintf("%s/overlay2/l/%s", root, l->link);
  char target[256];
  ssize_t n = readlink(lp, target, sizeof(target) - 1);
  CHECK(n > 0);
  target[n > 0 ? n : 0] = '\0';
  cleanup_free char *want = xasprintf("../%s/diff", l->cache_id);
  CHECK_STR(target, want);
  cleanup_free char *through = xasprintf("overlay2/l/%s/file", l->link);
  CHECK(exists(root, through));
}

TEST(publish_chain_and_lower)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  berth_layer a, b, c;
  CHECK(publish_one(s, NULL, "base", &a, &err) == 0);
  CHECK(publish_one(s, a.chain_id, "middle", &b, &err) == 0);
  CHECK(publish_one(s, b.chain_id, "top!", &c, &err) == 0);
  CHECK(strcmp(a.chain_id, a.diff_id) == 0 && a.parent[0] == '\0');
  CHECK_STR(b.parent, a.chain_id);
  CHECK(a.size == 4 && b.size == 6);
  char want[BERTH_DIGEST_LEN];
  berth_chain_id(b.chain_id, c.diff_id, want);
  CHECK_STR(c.chain_id, want);
  check_layer_files(root, &a, NULL);
  check_layer_files(root, &b, a.chain_id);
  check_layer_files(root, &c, b.chain_id);
  cleanup_free char *lb = xasprintf("overlay2/%s/lower", b.cache_id);
  cleanup_free char *lc = xasprintf("overlay2/%s/lower", c.cache_id);
  cleanup_free char *lower_b = slurp(root, lb), *lower_c = slurp(root, lc);
  cleanup_free char *want_b = xasprintf("l/%s", a.link);
  cleanup_free char *want_c = xasprintf("l/%s:l/%s", b.link, a.link);
  CHECK_STR(lower_b, want_b);
  CHECK_STR(lower_c, want_c);

  berth_layer got;
  CHECK(berth_store_layer_get(s, c.chain_id, &got, &err) == 1);
  CHECK(memcmp(&got, &c, sizeof(got)) == 0);
  CHECK(
      berth_store_layer_get(
          s, "sha256:0000000000000000000000000000000000000000000000000000000000000000", &got, &err)
      == 0);
  CHECK(berth_store_layer_get(s, "../../etc", &got, &err) == -1);
  berth_error_free(steal_pointer(&err));
  cleanup_free char *path = berth_store_layer_diff_path(s, &a);
  cleanup_free char *want_path = xasprintf("%s/overlay2/%s/diff", root, a.cache_id);
  CHECK_STR(path, want_path);
  int fd = berth_store_layer_open_tarsplit(s, a.chain_id, &err);
  char buf[8] = "";
  CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 2 && memcmp(buf, "gz", 2) == 0);
  close(fd);
  cleanup_strv char **list = berth_store_layer_list(s, &err);
  size_t n = 0;
  for (char **p = list; p && *p; p++)
    n++;
  CHECK(n == 3);

  /* the parent must exist */
  CHECK(publish_one(s, "sha256:1111111111111111111111111111111111111111111111111111111111111111",
                    "orphan", &got, &err)
        == -1);
  CHECK(err != NULL && strstr(berth_error_message(err), "not in the store") != NULL);
  berth_error_free(steal_pointer(&err));

  /* the same chain again: the existing layer, the new stage dropped */
  berth_layer again;
  CHECK(publish_one(s, NULL, "base", &again, &err) == 0);
  CHECK_STR(again.cache_id, a.cache_id);
  cleanup_strv char **list2 = berth_store_layer_list(s, &err);
  n = 0;
  for (char **p = list2; p && *p; p++)
    n++;
  CHECK(n == 3);
  cleanup_free char *tmp = xasprintf("%s/tmp", root);
  cleanup_dir DIR *d = opendir(tmp);
  struct dirent *de;
  while (d && (de = readdir(d)) != NULL)
    CHECK(strncmp(de->d_name, "stage-", 6) != 0);
  drop_root(root);
}

static const char *const ID_A
    = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char *const ID_B
    = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

TEST(refs_move_and_format)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  const char *repo = "127.0.0.1:5000/test/layered";
  CHECK(berth_store_ref_set(s, repo, "127.0.0.1:5000/test/layered:1", ID_A, &err) == 0);
  CHECK(berth_store_ref_set(s, "busybox", "busybox:latest", ID_A, &err) == 0);
  CHECK(berth_store_ref_set(
            s, repo,
            "127.0.0.1:5000/test/"
            "layered@sha256:a1c1b33b54e1be0f0519e4f8900a42299bf2e5fbc8816092d0d3777317935893",
            ID_A, &err)
        == 0);
  cleanup_free char *json = slurp(root, "image/overlay2/repositories.json");
  CHECK_STR(json,
            "{\"Repositories\":{\"127.0.0.1:5000/test/layered\":{"
            "\"127.0.0.1:5000/test/layered:1\":\""
            "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
            "\"127.0.0.1:5000/test/"
            "layered@sha256:a1c1b33b54e1be0f0519e4f8900a42299bf2e5fbc8816092d0d3777317935893\":"
            "\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
            "\"busybox\":{\"busybox:latest\":\"sha256:"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}}");
  CHECK(mode_of(root, "image/overlay2/repositories.json") == 0600);

  /* the tag moves to B */
  CHECK(berth_store_ref_set(s, "busybox", "busybox:latest", ID_B, &err) == 0);
  char id[BERTH_DIGEST_LEN];
  CHECK(berth_store_ref_get(s, "busybox:latest", id, &err) == 1);
  CHECK_STR(id, ID_B);
  CHECK(berth_store_ref_get(s, "busybox:nope", id, &err) == 0);
  berth_ref *refs = NULL;
  size_t n = 0;
  CHECK(berth_store_refs_list(s, &refs, &n, &err) == 0 && n == 3);
  size_t on_b = 0;
  for (size_t i = 0; i < n; i++)
    on_b += strcmp(refs[i].image_id, ID_B) == 0;
  CHECK(on_b == 1);
  berth_refs_free(refs, n);

  CHECK(berth_store_ref_delete(s, "busybox:latest", &err) == 1);
  CHECK(berth_store_ref_delete(s, "busybox:latest", &err) == 0);
  cleanup_free char *json2 = slurp(root, "image/overlay2/repositories.json");
  CHECK(json2 != NULL && strstr(json2, "busybox") == NULL);
  CHECK(berth_store_ref_set(s, "x", "x:1", "sha256:nothex", &err) == -1);
  drop_root(root);
}

static char *
config_for(const char *const *diffs, size_t n, const char *tag)
{
  json_t *ids = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(ids, json_string(diffs[i]));
  json_t *c
      = json_pack("{s:s, s:{s:s, s:o}}", "tag", tag, "rootfs", "type", "layers", "diff_ids", ids);
  char *text = json_dumps(c, JSON_COMPACT);
  json_decref(c);
  return text;
}

TEST(images_share_layers)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  berth_layer base, one, two;
  CHECK(publish_one(s, NULL, "shared base", &base, &err) == 0);
  CHECK(publish_one(s, base.chain_id, "image one", &one, &err) == 0);
  CHECK(publish_one(s, base.chain_id, "image two", &two, &err) == 0);
  const char *d1[] = { base.diff_id, one.diff_id }, *d2[] = { base.diff_id, two.diff_id };
  cleanup_free char *c1 = config_for(d1, 2, "one"), *c2 = config_for(d2, 2, "two");
  char id1[BERTH_DIGEST_LEN], id2[BERTH_DIGEST_LEN];
  CHECK(berth_store_image_put(s, c1, strlen(c1), NULL, id1, &err) == 0);
  CHECK(berth_store_image_put(s, c2, strlen(c2), id1, id2, &err) == 0);
  CHECK(berth_store_pins_release(s)); /* the images name the layers now */
  char want[BERTH_DIGEST_LEN];
  berth_sha256_digest(c1, strlen(c1), want);
  CHECK_STR(id1, want);
  cleanup_free char *cpath
      = xasprintf("image/overlay2/imagedb/content/sha256/%s", berth_digest_hex(id1));
  cleanup_free char *stored = slurp(root, cpath);
  CHECK_STR(stored, c1);
  CHECK(mode_of(root, cpath) == 0600);
  cleanup_free char *lu
      = xasprintf("image/overlay2/imagedb/metadata/sha256/%s/lastUpdated", berth_digest_hex(id1));
  /* Only naming an image records a time, as Docker's tag does. */
  CHECK(!berth_exists_at(berth_store_root_fd(s), lu));
  CHECK(berth_store_image_last_updated(s, id1) == NULL);
  CHECK(berth_store_image_touch(s, id1, &err) == 0);
  cleanup_free char *lastupdated = slurp(root, lu);
  cleanup_free char *touched = berth_store_image_last_updated(s, id1);
  CHECK_STR(touched, lastupdated);
  CHECK(lastupdated != NULL && strlen(lastupdated) >= 20 && lastupdated[4] == '-'
        && lastupdated[strlen(lastupdated) - 1] == 'Z');
  cleanup_free char *p1 = berth_store_image_parent(s, id1), *p2 = berth_store_image_parent(s, id2);
  CHECK(p1 == NULL);
  CHECK_STR(p2, id1);
  cleanup_free char *got = NULL;
  size_t len = 0;
  CHECK(berth_store_image_get(s, id2, &got, &len, &err) == 1 && len == strlen(c2));
  CHECK(berth_store_image_get(s, ID_A, &got, &len, &err) == 0);
  cleanup_strv char **ids = berth_store_image_list(s, &err);
  CHECK(ids != NULL && ids[0] != NULL && ids[1] != NULL && ids[2] == NULL);

  /* refused while tagged */
  CHECK(berth_store_ref_set(s, "one", "one:latest", id1, &err) == 0);
  CHECK(berth_store_image_delete(s, id1, &err) == -1);
  CHECK(err != NULL && strstr(berth_error_message(err), "one:latest") != NULL);
  berth_error_free(steal_pointer(&err));
  CHECK(berth_store_ref_delete(s, "one:latest", &err) == 1);

  /* image one goes: its own layer with it, the shared base stays */
  CHECK(berth_store_image_delete(s, id1, &err) == 0);
  berth_layer l;
  CHECK(berth_store_layer_get(s, one.chain_id, &l, &err) == 0);
  CHECK(berth_store_layer_get(s, base.chain_id, &l, &err) == 1);
  CHECK(berth_store_layer_get(s, two.chain_id, &l, &err) == 1);
  cleanup_free char *o1 = xasprintf("overlay2/%s", one.cache_id);
  cleanup_free char *l1 = xasprintf("overlay2/l/%s", one.link);
  CHECK(!exists(root, o1) && !exists(root, l1));
  CHECK(berth_store_image_get(s, id1, &got, &len, &err) == 0);
  /* the last image frees the rest */
  CHECK(berth_store_image_delete(s, id2, &err) == 0);
  cleanup_strv char **left = berth_store_layer_list(s, &err);
  CHECK(left != NULL && left[0] == NULL);
  cleanup_free char *ob = xasprintf("overlay2/%s", base.cache_id);
  CHECK(!exists(root, ob));
  CHECK(berth_store_image_delete(s, id2, &err) == -1);
  drop_root(root);
}

TEST(distribution_files)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  const char *blob = "sha256:0bd14e8e5178efe593243e3ca91d6827d9b6105b0f2b10c9e89c6b9ad1fc7ca3";
  const char *diff = "sha256:521f2e0db066bca3b1d5b53e098467004d060eb6bec02167d2efc20fcb61269a";
  CHECK(berth_store_distribution_put(s, blob, diff, "127.0.0.1:5000/library/debian", NULL, &err)
        == 0);
  CHECK(berth_store_distribution_put(s, blob, diff, "127.0.0.1:5000/test/layered", NULL, &err)
        == 0);
  CHECK(berth_store_distribution_put(s, blob, diff, "127.0.0.1:5000/library/debian", NULL, &err)
        == 0);
  cleanup_free char *by
      = slurp(root, "image/overlay2/distribution/diffid-by-digest/sha256/"
                    "0bd14e8e5178efe593243e3ca91d6827d9b6105b0f2b10c9e89c6b9ad1fc7ca3");
  CHECK_STR(by, diff);
  cleanup_free char *meta
      = slurp(root, "image/overlay2/distribution/v2metadata-by-diffid/sha256/"
                    "521f2e0db066bca3b1d5b53e098467004d060eb6bec02167d2efc20fcb61269a");
  CHECK_STR(
      meta,
      "[{\"Digest\":\"sha256:0bd14e8e5178efe593243e3ca91d6827d9b6105b0f2b10c9e89c6b9ad1fc7ca3\","
      "\"SourceRepository\":\"127.0.0.1:5000/test/layered\",\"HMAC\":\"\"},"
      "{\"Digest\":\"sha256:0bd14e8e5178efe593243e3ca91d6827d9b6105b0f2b10c9e89c6b9ad1fc7ca3\","
      "\"SourceRepository\":\"127.0.0.1:5000/library/debian\",\"HMAC\":\"\"}]");
  char out[BERTH_DIGEST_LEN];
  CHECK(berth_store_diffid_by_digest(s, blob, out, &err) == 1);
  CHECK_STR(out, diff);
  CHECK(berth_store_diffid_by_digest(s, diff, out, &err) == 0);
  cleanup_json json_t *list = berth_store_v2metadata(s, diff, &err);
  CHECK(json_array_size(list) == 2);
  cleanup_json json_t *none = berth_store_v2metadata(s, blob, &err);
  CHECK(json_is_array(none) && json_array_size(none) == 0);

  const char *manifest = "{\"schemaVersion\":2}";
  char md[BERTH_DIGEST_LEN];
  berth_sha256_digest(manifest, strlen(manifest), md);
  CHECK(berth_store_manifest_put(s, md, manifest, strlen(manifest), &err) == 0);
  CHECK(berth_store_manifest_put(s, blob, manifest, strlen(manifest), &err) == -1);
  berth_error_free(steal_pointer(&err));
  cleanup_free char *data = NULL;
  size_t len = 0;
  CHECK(berth_store_manifest_get(s, md, &data, &len, &err) == 1);
  CHECK(len == strlen(manifest) && memcmp(data, manifest, len) == 0);
  CHECK(berth_store_manifest_get(s, blob, &data, &len, &err) == 0);
  drop_root(root);
}

TEST(stale_stage_swept_live_stage_kept)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  cleanup_layer_stage berth_layer_stage *live = berth_layer_stage_new(s, &err);
  CHECK(live != NULL);
  pid_t pid = fork();
  if (pid == 0) {
    berth_store *cs = berth_store_open(root, NULL);
    berth_layer_stage *st = cs ? berth_layer_stage_new(cs, NULL) : NULL;
    _exit(st == NULL ? 1 : 0); /* dies holding its stage */
  }
  int status;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  cleanup_free char *tmp = xasprintf("%s/tmp", root);
  size_t stages = 0;
  DIR *d = opendir(tmp);
  struct dirent *de;
  while (d && (de = readdir(d)) != NULL)
    stages += strncmp(de->d_name, "stage-", 6) == 0;
  closedir(d);
  CHECK(stages == 2);
  /* A reader's open sweeps nothing; the first writer lock does. */
  berth_store *again = berth_store_open(root, &err);
  CHECK(again != NULL);
  stages = 0;
  d = opendir(tmp);
  while (d && (de = readdir(d)) != NULL)
    stages += strncmp(de->d_name, "stage-", 6) == 0;
  closedir(d);
  CHECK(stages == 2);
  berth_store_lock_release(berth_store_lock_acquire(again, &err));
  berth_store_free(again);
  stages = 0;
  d = opendir(tmp);
  while (d && (de = readdir(d)) != NULL)
    stages += strncmp(de->d_name, "stage-", 6) == 0;
  closedir(d);
  CHECK(stages == 1);
  CHECK(fcntl(berth_layer_stage_diff_fd(live), F_GETFD) >= 0);
  struct stat st;
  CHECK(fstat(berth_layer_stage_diff_fd(live), &st) == 0 && st.st_nlink > 0);
  berth_layer_stage_free(steal_pointer(&live));
  drop_root(root);
}

/* The collection's roots: images, containers, live image mounts and the
 * pins of live publishers; everything else goes, dead publishers' layers,
 * stale mount records and temp files of interrupted atomic writes
 * included. */
TEST(gc_roots)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  berth_layer base, img, ctr, mnt, stale;
  CHECK(publish_one(s, NULL, "gc base", &base, &err) == 0);
  CHECK(publish_one(s, base.chain_id, "gc image", &img, &err) == 0);
  CHECK(publish_one(s, base.chain_id, "gc container", &ctr, &err) == 0);
  CHECK(publish_one(s, NULL, "gc mounted", &mnt, &err) == 0);
  CHECK(publish_one(s, NULL, "gc stale mount", &stale, &err) == 0);
  const char *d[] = { base.diff_id, img.diff_id };
  cleanup_free char *c = config_for(d, 2, "gc");
  char id[BERTH_DIGEST_LEN];
  CHECK(berth_store_image_put(s, c, strlen(c), NULL, id, &err) == 0);
  berth_rwlayer rw;
  CHECK(berth_store_rwlayer_create(s, ID_A + 7, ctr.chain_id, &rw, &err) == 0);
  /* a live image mount (its target is a mount point) and a stale one */
  const struct {
    const char *name, *chain, *target;
  } recs[] = { { "live", mnt.chain_id, "/proc" }, { "stale", stale.chain_id, "/nonexistent" } };
  for (size_t i = 0; i < 2; i++) {
    cleanup_free char *dir = xasprintf("%s/" BERTH_IMAGE_MOUNTS_DIR "/%s", root, recs[i].name);
    cleanup_free char *image = xasprintf("%s 1", ID_B);
    CHECK(berth_mkdir_p_at(AT_FDCWD, dir, 0700, &err) == 0);
    cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(berth_write_file_at(fd, "image", image, strlen(image), 0600, &err) == 0
          && berth_write_file_at(fd, "chain", recs[i].chain, strlen(recs[i].chain), 0600, &err) == 0
          && berth_write_file_at(fd, "target", recs[i].target, strlen(recs[i].target), 0600, &err)
                 == 0);
  }
  /* a live publisher in another process pins its layer */
  int go[2];
  CHECK(pipe(go) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(go[1]);
    berth_store *cs = berth_store_open(root, NULL);
    berth_layer l;
    if (cs == NULL || publish_one(cs, NULL, "gc other publisher", &l, NULL) < 0)
      _exit(1);
    char ch;
    _exit(read(go[0], &ch, 1) == 1 ? 0 : 0); /* holds its pins until told */
  }
  close(go[0]);
  char other[BERTH_DIGEST_LEN], other_diff[BERTH_DIGEST_LEN];
  berth_sha256_digest("gc other publisher", strlen("gc other publisher"), other_diff);
  memcpy(other, other_diff, sizeof(other));
  berth_layer l;
  for (int i = 0; i < 200 && berth_store_layer_get(s, other, &l, NULL) != 1; i++)
    usleep(20000); /* wait for it to publish: an order, not a time bound */
  cleanup_free char *temp
      = xasprintf("%s/image/overlay2/imagedb/content/sha256/%064d.tmp-1", root, 0);
  CHECK(berth_write_file_at(AT_FDCWD, temp, "x", 1, 0600, &err) == 0);

  /* this handle's own pins keep all of its layers */
  berth_gc_stats st;
  CHECK(berth_store_gc(s, &st, &err) == 0);
  /* (the stale record may have gone with the other process's first sweep) */
  CHECK(st.layers == 0 && st.temp_files == 1);
  CHECK(!exists(root, BERTH_IMAGE_MOUNTS_DIR "/stale")
        && exists(root, BERTH_IMAGE_MOUNTS_DIR "/live"));
  CHECK(!berth_exists_at(AT_FDCWD, temp));
  /* released: only what a root holds stays, the live publisher's too */
  CHECK(berth_store_pins_release(s));
  CHECK(berth_store_gc(s, &st, &err) == 0);
  CHECK(st.layers == 1 && st.dirs == 1 && st.links == 1);
  CHECK(berth_store_layer_get(s, stale.chain_id, &l, &err) == 0);
  cleanup_free char *stale_dir = xasprintf("overlay2/%s", stale.cache_id);
  CHECK(!exists(root, stale_dir));
  const char *kept[] = { base.chain_id, img.chain_id, ctr.chain_id, mnt.chain_id, other };
  for (size_t i = 0; i < 5; i++)
    CHECK(berth_store_layer_get(s, kept[i], &l, &err) == 1);
  cleanup_free char *rw_dir = xasprintf("overlay2/%s", rw.mount_id);
  cleanup_free char *init_dir = xasprintf("overlay2/%s-init", rw.mount_id);
  CHECK(exists(root, rw_dir) && exists(root, init_dir));
  /* the publisher dies without an image: its layer goes */
  close(go[1]);
  int status;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(berth_store_gc(s, &st, &err) == 0);
  CHECK(st.layers == 1);
  CHECK(berth_store_layer_get(s, other, &l, &err) == 0);
  /* the container and the mount gone, so are their layers; the image's stay */
  CHECK(berth_store_rwlayer_delete(s, ID_A + 7, &err) == 1);
  cleanup_free char *live = xasprintf("%s/" BERTH_IMAGE_MOUNTS_DIR "/live", root);
  CHECK(berth_rm_rf_at(AT_FDCWD, live, &err) == 0);
  CHECK(berth_store_gc(s, &st, &err) == 0);
  CHECK(st.layers == 2);
  CHECK(berth_store_layer_get(s, base.chain_id, &l, &err) == 1
        && berth_store_layer_get(s, img.chain_id, &l, &err) == 1);
  cleanup_free char *tmp = xasprintf("%s/tmp", root);
  DIR *dir = opendir(tmp);
  struct dirent *de;
  size_t ours = 0;
  while (dir && (de = readdir(dir)) != NULL)
    ours += strncmp(de->d_name, "trash-", 6) == 0 || strncmp(de->d_name, "pins-", 5) == 0;
  closedir(dir);
  CHECK(ours == 0); /* the trash is emptied after each release */
  drop_root(root);
}

TEST(lock_reentrant_and_exclusive)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  berth_store_lock *l1 = berth_store_lock_acquire(s, &err);
  berth_store_lock *l2 = berth_store_lock_acquire(s, &err);
  CHECK(l1 != NULL && l2 != NULL);
  /* still held after the inner release */
  berth_store_lock_release(l2);
  int pipefd[2];
  CHECK(pipe(pipefd) == 0);
  struct timespec start = now();
  pid_t pid = fork();
  if (pid == 0) {
    berth_store *cs = berth_store_open(root, NULL); /* sweeps under the lock: waits */
    berth_store_lock *cl = cs ? berth_store_lock_acquire(cs, NULL) : NULL;
    char c = cl != NULL ? 'y' : 'n';
    _exit(write(pipefd[1], &c, 1) == 1 ? 0 : 1);
  }
  usleep(300 * 1000);
  berth_store_lock_release(l1);
  char c = 0;
  CHECK(read(pipefd[0], &c, 1) == 1 && c == 'y');
  struct timespec end = now();
  double waited = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
  CHECK(waited >= 0.29);
  waitpid(pid, NULL, 0);
  close(pipefd[0]);
  close(pipefd[1]);
  drop_root(root);
}

TEST(backing_fs)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  cleanup_free char *name = NULL;
  bool d_type = false;
  CHECK(berth_store_backing_fs(s, &name, &d_type, &err) == 0);
  CHECK(name != NULL && name[0] != '\0' && strcmp(name, "<unknown>") != 0);
  CHECK(d_type);
  printf("# backing fs %s, d_type %d\n", name ? name : "?", d_type);
  drop_root(root);
}

/* Store readers hand a local error up: a file that cannot be read is named
 * once with its errno's text once (it used to read "…: Is a directory: Is a
 * directory"). */
TEST(unreadable_entry_errno_once)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  CHECK(s != NULL);
  char id[BERTH_DIGEST_LEN] = "sha256:";
  memset(id + 7, 'a', 64);
  id[71] = '\0';
  cleanup_free char *dir = xasprintf("%s/image/overlay2/imagedb/content/sha256/%s", root, id + 7);
  CHECK(mkdir(dir, 0700) == 0);
  char *data = NULL;
  size_t len = 0;
  CHECK(berth_store_image_get(s, id, &data, &len, &err) == -1);
  CHECK(berth_error_errno(err) == EISDIR);
  cleanup_free char *want
      = xasprintf("read image %s: read imagedb/content/sha256/%s: Is a directory", id, id + 7);
  CHECK_STR(berth_error_message(err), want);
  berth_error_clear(&err);
  cleanup_free char *v2
      = xasprintf("%s/image/overlay2/distribution/v2metadata-by-diffid/sha256/%s", root, id + 7);
  CHECK(mkdir(v2, 0700) == 0);
  CHECK(berth_store_v2metadata(s, id, &err) == NULL);
  cleanup_free char *want2
      = xasprintf("read distribution/v2metadata-by-diffid/sha256/%s: Is a directory", id + 7);
  CHECK_STR(berth_error_message(err), want2);
  drop_root(root);
}

int
main(void)
{
  RUN(layout_modes);
  RUN(chain_ids_match_docker);
  RUN(publish_chain_and_lower);
  RUN(refs_move_and_format);
  RUN(images_share_layers);
  RUN(distribution_files);
  RUN(stale_stage_swept_live_stage_kept);
  RUN(gc_roots);
  RUN(lock_reentrant_and_exclusive);
  RUN(backing_fs);
  RUN(unreadable_entry_errno_once);
  DONE();
}
