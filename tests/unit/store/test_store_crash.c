/* Crash safety and concurrency: a writer SIGKILLed at random moments never
 * leaves a half layer or image visible, and the next open sweeps what it
 * left; two processes publishing the same chain ids end with one copy. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#include "common/random.h"
#include "common/strset.h"
#include "harness.h"
#include "helpers.h"
#include "image/chain.h"

static size_t
count_entries(const char *root, const char *dir, const char *prefix)
{
  cleanup_free char *path = xasprintf("%s/%s", root, dir);
  size_t n = 0;
  DIR *d = opendir(path);
  struct dirent *de;
  while (d && (de = readdir(d)) != NULL)
    if (de->d_name[0] != '.' && strncmp(de->d_name, prefix, strlen(prefix)) == 0)
      n++;
  if (d)
    closedir(d);
  return n;
}

/* One writer's life: layers, an image over them, a tag; sometimes untag and
 * delete an image again. */
static void
writer(const char *root)
{
  berth_store *s = berth_store_open(root, NULL);
  if (s == NULL)
    _exit(2);
  for (unsigned round = 0;; round++) {
    char rnd[17], parent[BERTH_DIGEST_LEN] = "";
    json_t *diffs = json_array();
    for (int i = 0; i < 3; i++) {
      berth_random_hex(rnd, 16);
      cleanup_free char *content = xasprintf("layer %d %s", i, rnd);
      berth_layer l;
      if (publish_one(s, parent, content, &l, NULL) < 0)
        _exit(3);
      memcpy(parent, l.chain_id, sizeof(parent));
      json_array_append_new(diffs, json_string(l.diff_id));
    }
    json_t *c
        = json_pack("{s:s, s:{s:s, s:o}}", "r", rnd, "rootfs", "type", "layers", "diff_ids", diffs);
    cleanup_free char *text = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    char id[BERTH_DIGEST_LEN];
    cleanup_free char *tag = xasprintf("crash:%u", round % 4);
    if (berth_store_image_put(s, text, strlen(text), NULL, id, NULL) < 0
        || berth_store_ref_set(s, "crash", tag, id, NULL) < 0)
      _exit(4);
    berth_store_pins_release(s); /* as pull and commit do once the image is stored */
    char old[BERTH_DIGEST_LEN];
    cleanup_free char *victim = xasprintf("crash:%u", (round + 2) % 4);
    if (berth_store_ref_get(s, victim, old, NULL) == 1) {
      if (berth_store_ref_delete(s, victim, NULL) < 0)
        _exit(5);
      /* still tagged elsewhere → refused, which is fine */
      berth_store_image_delete(s, old, NULL);
    }
  }
}

static void
check_layer(berth_store *s, const char *root, const char *chain)
{
  cleanup_error berth_error *err = NULL;
  berth_layer l, p;
  CHECK(berth_store_layer_get(s, chain, &l, &err) == 1);
  if (err != NULL) {
    printf("#   %s\n", berth_error_message(err));
    return;
  }
  cleanup_free char *diff = xasprintf("overlay2/%s/diff/file", l.cache_id);
  CHECK(exists(root, diff));
  cleanup_free char *lp = xasprintf("%s/overlay2/l/%s", root, l.link);
  char target[128] = "";
  ssize_t n = readlink(lp, target, sizeof(target) - 1);
  target[n > 0 ? n : 0] = '\0';
  cleanup_free char *want = xasprintf("../%s/diff", l.cache_id);
  CHECK_STR(target, want);
  cleanup_free char *lower_p = xasprintf("overlay2/%s/lower", l.cache_id);
  cleanup_free char *lower = slurp(root, lower_p);
  if (l.parent[0] == '\0') {
    CHECK(lower == NULL);
    return;
  }
  CHECK(berth_store_layer_get(s, l.parent, &p, &err) == 1);
  cleanup_free char *head = xasprintf("l/%s", p.link);
  CHECK(lower != NULL && strncmp(lower, head, strlen(head)) == 0);
}

/* Checks every image's layers are there; used gets their chain ids. */
static void
check_images(berth_store *s, berth_strset *used)
{
  cleanup_error berth_error *err = NULL;
  cleanup_strv char **ids = berth_store_image_list(s, &err);
  CHECK(ids != NULL);
  for (char **id = ids; ids && *id; id++) {
    cleanup_free char *config = NULL;
    size_t len;
    CHECK(berth_store_image_get(s, *id, &config, &len, &err) == 1);
    cleanup_json json_t *c = config ? json_loadb(config, len, 0, NULL) : NULL;
    json_t *diffs = json_object_get(json_object_get(c, "rootfs"), "diff_ids");
    char chain[BERTH_DIGEST_LEN] = "";
    for (size_t i = 0; i < json_array_size(diffs); i++) {
      berth_chain_id(chain, json_string_value(json_array_get(diffs, i)), chain);
      berth_layer l;
      CHECK(berth_store_layer_get(s, chain, &l, &err) == 1);
      berth_strset_add(used, chain);
    }
  }
  berth_ref *refs = NULL;
  size_t n = 0;
  CHECK(berth_store_refs_list(s, &refs, &n, &err) == 0);
  for (size_t i = 0; i < n; i++) {
    cleanup_free char *config = NULL;
    size_t len;
    CHECK(berth_store_image_get(s, refs[i].image_id, &config, &len, &err) == 1);
  }
  berth_refs_free(refs, n);
}

static void
check_consistent(const char *root)
{
  cleanup_error berth_error *err = NULL;
  cleanup_store berth_store *s = berth_store_open(root, &err);
  CHECK(s != NULL);
  if (s == NULL) {
    printf("#   open: %s\n", berth_error_message(err));
    return;
  }
  /* The first writer lock of a handle sweeps (an open alone does not). */
  berth_store_lock_release(berth_store_lock_acquire(s, &err));
  cleanup_strv char **chains = berth_store_layer_list(s, &err);
  size_t n = 0;
  for (char **c = chains; chains && *c; c++, n++)
    check_layer(s, root, *c);
  /* no layer that no image uses: the collection took what the kill left */
  cleanup_strset berth_strset used = { 0 };
  check_images(s, &used);
  size_t unused = 0;
  for (char **c = chains; chains && *c; c++)
    unused += !berth_strset_has(&used, *c);
  CHECK(unused == 0);
  if (unused != 0)
    printf("#   %zu unreferenced layers\n", unused);
  /* after the sweep: no stage, no layerdb/tmp leftover, no orphan */
  CHECK(count_entries(root, "tmp", "stage-") == 0);
  CHECK(count_entries(root, "image/overlay2/layerdb/tmp", "") == 0);
  CHECK(count_entries(root, "overlay2", "") == n + 1); /* + l/ */
  CHECK(count_entries(root, "overlay2/l", "") == n);
  CHECK(count_entries(root, "tmp", "trash-") == 0 && count_entries(root, "tmp", "pins-") == 0);
}

TEST(sigkill_at_random_moments)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  berth_store_free(berth_store_open(root, &err));
  int before = berth_t.failed_here;
  for (int round = 0; round < 80 && berth_t.failed_here == before; round++) {
    pid_t pid = fork();
    if (pid == 0)
      writer(root);
    uint32_t r;
    getentropy(&r, sizeof(r));
    /* mostly early kills; every eighth round runs long enough to make
       progress even in a slow (sanitizer) build */
    usleep(round % 8 == 7 ? 300000 : 1000 + r % 40000);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status)); /* it was killed, not dead of an error */
    check_consistent(root);
  }
  size_t layers = count_entries(root, "image/overlay2/layerdb/sha256", "");
  printf("# %zu layers left after the rounds\n", layers);
  CHECK(layers > 0);
  drop_root(root);
}

/* Two processes publish the same chain ids at once: one copy of each. */
TEST(concurrent_same_chain)
{
  char *root = make_root();
  cleanup_error berth_error *err = NULL;
  berth_store_free(berth_store_open(root, &err));
  int go[2];
  CHECK(pipe(go) == 0);
  pid_t kids[2];
  for (int k = 0; k < 2; k++) {
    kids[k] = fork();
    if (kids[k] == 0) {
      close(go[1]);
      berth_store *s = berth_store_open(root, NULL);
      char c;
      if (s == NULL || read(go[0], &c, 1) != 0) /* EOF: start together */
        _exit(2);
      char parent[BERTH_DIGEST_LEN] = "";
      for (int i = 0; i < 40; i++) {
        cleanup_free char *content = xasprintf("same layer %d", i);
        berth_layer l;
        if (publish_one(s, i % 2 ? parent : NULL, content, &l, NULL) < 0)
          _exit(3);
        if (i % 2 == 0)
          memcpy(parent, l.chain_id, sizeof(parent));
      }
      _exit(0);
    }
  }
  close(go[0]);
  close(go[1]);
  for (int k = 0; k < 2; k++) {
    int status;
    waitpid(kids[k], &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  CHECK(count_entries(root, "image/overlay2/layerdb/sha256", "") == 40);
  CHECK(count_entries(root, "overlay2", "") == 41);
  CHECK(count_entries(root, "overlay2/l", "") == 40);
  CHECK(count_entries(root, "tmp", "stage-") == 0);
  check_consistent(root);
  drop_root(root);
}

int
main(void)
{
  RUN(sigkill_at_random_moments);
  RUN(concurrent_same_chain);
  DONE();
}
