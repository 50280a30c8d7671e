/* The images built elsewhere as build cache (build/cache_from.c), on a
 * throwaway store holding configs only (metadata steps: no layers). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "build/build_internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"
#include "store/image.h"
#include "store/store.h"

#define ENV_BY "/bin/sh -c #(nop)  ENV A=1"
#define CMD_BY "/bin/sh -c #(nop)  CMD [\"sh\"]"

static char *
make_root(void)
{
  char tmpl[] = "/tmp/berth-cache-from-test-XXXXXX";
  if (mkdtemp(tmpl) == NULL)
    abort();
  return xasprintf("%s/root", tmpl);
}

static void
drop_root(char *root)
{
  *strrchr(root, '/') = '\0';
  berth_rm_rf_at(AT_FDCWD, root, NULL);
  free(root);
}

static json_t *
entry(const char *created, const char *by, bool empty)
{
  json_t *e = json_pack("{s:s, s:s}", "created", created, "created_by", by);
  if (empty)
    json_object_set_new(e, "empty_layer", json_true());
  return e;
}

/* An image of the given history (no layers) and Config, stored. */
static void
put(berth_store *s, const char *arch, json_t *hist, json_t *config, char id[BERTH_DIGEST_LEN])
{
  json_t *doc
      = json_pack("{s:s, s:s, s:{s:s, s:[]}, s:o, s:o}", "architecture", arch, "os", "linux",
                  "rootfs", "type", "layers", "diff_ids", "config", config, "history", hist);
  char *bytes = json_dumps(doc, JSON_COMPACT);
  if (berth_store_image_put(s, bytes, strlen(bytes), NULL, id, NULL) < 0)
    abort();
  free(bytes);
  json_decref(doc);
}

static json_t *
base_history(void)
{
  return json_pack("[o]", entry("2020-01-01T00:00:00Z", "/bin/sh -c #(nop) ADD x in /", true));
}

typedef struct fixture {
  char *root;
  berth_store *s;
  char base[BERTH_DIGEST_LEN], cand[BERTH_DIGEST_LEN];
} fixture;

/* base: one entry; cand: base + ENV A=1 + CMD ["sh"], built "elsewhere". */
static void
fixture_open(fixture *f)
{
  f->root = make_root();
  f->s = berth_store_open(f->root, NULL);
  if (f->s == NULL)
    abort();
  put(f->s, "amd64", base_history(), json_object(), f->base);
  json_t *h = base_history();
  json_array_append_new(h, entry("2021-01-01T00:00:00Z", ENV_BY, true));
  json_array_append_new(h, entry("2021-01-01T00:00:01Z", CMD_BY, true));
  put(f->s, "amd64", h, json_pack("{s:[s], s:[s]}", "Env", "A=1", "Cmd", "sh"), f->cand);
}

static void
fixture_close(fixture *f, berth_build_state *st)
{
  berth_build_candidates_free(st);
  json_decref(st->image);
  json_decref(st->config);
  berth_store_free(f->s);
  drop_root(f->root);
}

static json_t *
hist_of(const berth_build_state *st, size_t i)
{
  return json_array_get(json_object_get(st->image, "history"), i);
}

TEST(every_step_then_the_candidate_itself)
{
  fixture f;
  fixture_open(&f);
  berth_build_options o = { 0 };
  berth_build_state st = { .s = f.s, .o = &o };
  CHECK(berth_build_set_image(&st, f.base, NULL) == 0);
  cleanup_json json_t *c1 = json_pack("{s:[s]}", "Env", "A=1");
  /* another step: no candidate has it */
  CHECK(berth_build_cache_from(&st, "/bin/sh -c #(nop)  ENV A=2", c1, false, NULL) == 0);
  CHECK_STR(st.image_id, f.base);
  /* the ENV step: an image of its own, the candidate's entry, the step's Config */
  CHECK(berth_build_cache_from(&st, ENV_BY, c1, false, NULL) == 1);
  CHECK(strcmp(st.image_id, f.cand) != 0 && strcmp(st.image_id, f.base) != 0);
  cleanup_free char *parent = berth_store_image_parent(f.s, st.image_id);
  CHECK_STR(parent, f.base);
  CHECK(json_equal(json_object_get(st.image, "config"), c1));
  CHECK_STR(json_string_value(json_object_get(hist_of(&st, 1), "created")), "2021-01-01T00:00:00Z");
  CHECK_STR(json_string_value(json_object_get(st.image, "created")), "2021-01-01T00:00:00Z");
  CHECK(json_object_get(st.image, "container_config") == NULL);
  char step[BERTH_DIGEST_LEN];
  memcpy(step, st.image_id, sizeof step);
  /* the last step, the same Config: the candidate itself, its parent recorded */
  cleanup_json json_t *c2 = json_pack("{s:[s], s:[s]}", "Env", "A=1", "Cmd", "sh");
  CHECK(berth_build_cache_from(&st, CMD_BY, c2, false, NULL) == 1);
  CHECK_STR(st.image_id, f.cand);
  cleanup_free char *cparent = berth_store_image_parent(f.s, f.cand);
  CHECK_STR(cparent, step);
  fixture_close(&f, &st);
}

TEST(the_config_is_the_builders)
{
  fixture f;
  fixture_open(&f);
  /* the base given a label, its history and layers the same: a label
   * changes no layer, so the steps take the candidate's, with the builder's
   * Config; given an Env, they miss (a RUN may have seen it) */
  char labelled[BERTH_DIGEST_LEN], env[BERTH_DIGEST_LEN];
  put(f.s, "amd64", base_history(), json_pack("{s:{s:s}}", "Labels", "x", "2"), labelled);
  put(f.s, "amd64", base_history(), json_pack("{s:[s]}", "Env", "EXTRA=1"), env);
  berth_build_options o = { 0 };
  berth_build_state st = { .s = f.s, .o = &o };
  CHECK(berth_build_set_image(&st, labelled, NULL) == 0);
  cleanup_json json_t *c1 = json_pack("{s:{s:s}, s:[s]}", "Labels", "x", "2", "Env", "A=1");
  CHECK(berth_build_cache_from(&st, ENV_BY, c1, false, NULL) == 1);
  cleanup_json json_t *c2
      = json_pack("{s:{s:s}, s:[s], s:[s]}", "Labels", "x", "2", "Env", "A=1", "Cmd", "sh");
  CHECK(berth_build_cache_from(&st, CMD_BY, c2, false, NULL) == 1);
  CHECK(strcmp(st.image_id, f.cand) != 0); /* not the candidate: its Config differs */
  CHECK(json_equal(json_object_get(st.image, "config"), c2));
  cleanup_free char *cparent = berth_store_image_parent(f.s, f.cand);
  CHECK(cparent == NULL);
  CHECK(berth_build_set_image(&st, env, NULL) == 0);
  cleanup_json json_t *c3 = json_pack("{s:[s, s]}", "Env", "EXTRA=1", "A=1");
  CHECK(berth_build_cache_from(&st, ENV_BY, c3, false, NULL) == 0);
  fixture_close(&f, &st);
}

TEST(a_config_docker_wrote_is_the_same)
{
  fixture f;
  fixture_open(&f);
  /* as Docker's encoder writes it: Go's zero values and the step's Image */
  char docker[BERTH_DIGEST_LEN];
  json_t *h = base_history();
  json_array_append_new(h, entry("2022-01-01T00:00:00Z", "/bin/sh -c #(nop)  USER nobody", true));
  put(f.s, "amd64", h,
      json_pack("{s:s, s:b, s:n, s:s, s:s}", "Hostname", "", "Tty", 0, "Entrypoint", "Image",
                "sha256:7681edbbb2fc6a66623ec0e5bdccb832212c12f3b8e94508fa709876bcdd20b7", "User",
                "nobody"),
      docker);
  berth_build_options o = { 0 };
  berth_build_state st = { .s = f.s, .o = &o };
  CHECK(berth_build_set_image(&st, f.base, NULL) == 0);
  cleanup_json json_t *c = json_pack("{s:s}", "User", "nobody");
  CHECK(berth_build_cache_from(&st, "/bin/sh -c #(nop)  USER nobody", c, false, NULL) == 1);
  CHECK_STR(st.image_id, docker);
  /* one member that means something differs: not it */
  CHECK(berth_build_set_image(&st, f.base, NULL) == 0);
  cleanup_json json_t *c2 = json_pack("{s:s, s:b}", "User", "nobody", "Tty", 1);
  CHECK(berth_build_cache_from(&st, "/bin/sh -c #(nop)  USER nobody", c2, false, NULL) == 1);
  CHECK(strcmp(st.image_id, docker) != 0);
  fixture_close(&f, &st);
}

TEST(misses)
{
  fixture f;
  fixture_open(&f);
  /* the same steps on a base whose first entry has another time; one for
   * another architecture; one whose history claims a layer it lacks */
  char other[BERTH_DIGEST_LEN], arm[BERTH_DIGEST_LEN], bad[BERTH_DIGEST_LEN];
  json_t *h = json_pack("[o]", entry("2020-01-01T00:00:09Z", "/bin/sh -c #(nop) ADD x in /", true));
  put(f.s, "amd64", h, json_object(), other);
  h = base_history();
  json_array_append_new(h, entry("2021-01-01T00:00:00Z", "/bin/sh -c #(nop)  ENV A=3", true));
  put(f.s, "arm64", h, json_object(), arm);
  h = base_history();
  json_array_append_new(h, entry("2021-01-01T00:00:00Z", "/bin/sh -c #(nop)  ENV A=4", false));
  put(f.s, "amd64", h, json_object(), bad);
  berth_build_options o = { 0 };
  berth_build_state st = { .s = f.s, .o = &o };
  cleanup_json json_t *c = json_object();
  CHECK(berth_build_set_image(&st, other, NULL) == 0);
  CHECK(berth_build_cache_from(&st, ENV_BY, c, false, NULL) == 0);
  CHECK(berth_build_set_image(&st, f.base, NULL) == 0);
  CHECK(berth_build_cache_from(&st, "/bin/sh -c #(nop)  ENV A=3", c, false, NULL) == 0);
  CHECK(berth_build_cache_from(&st, "/bin/sh -c #(nop)  ENV A=4", c, false, NULL) == 0);
  CHECK_STR(st.image_id, f.base);
  fixture_close(&f, &st);
}

TEST(cache_from_names_the_only_candidates)
{
  fixture f;
  fixture_open(&f);
  char *none[] = { f.base, NULL };
  berth_build_options o = { .cache_from = none };
  berth_build_state st = { .s = f.s, .o = &o };
  CHECK(berth_build_set_image(&st, f.base, NULL) == 0);
  cleanup_json json_t *c1 = json_pack("{s:[s]}", "Env", "A=1");
  CHECK(berth_build_cache_from(&st, ENV_BY, c1, false, NULL) == 0);
  CHECK(berth_build_cache_allowed(&st, f.base));
  CHECK(!berth_build_cache_allowed(&st, f.cand));
  berth_build_candidates_free(&st);
  char *named[] = { f.cand, NULL };
  o.cache_from = named;
  CHECK(berth_build_cache_from(&st, ENV_BY, c1, false, NULL) == 1);
  CHECK(!berth_build_cache_allowed(&st, f.base)); /* not (yet) its ancestor */
  fixture_close(&f, &st);
}

int
main(void)
{
  RUN(every_step_then_the_candidate_itself);
  RUN(the_config_is_the_builders);
  RUN(a_config_docker_wrote_is_the_same);
  RUN(misses);
  RUN(cache_from_names_the_only_candidates);
  DONE();
}
