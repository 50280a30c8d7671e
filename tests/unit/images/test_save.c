/* `save`'s pure parts: the legacy v1 layer ids and json files Docker 20.10's
 * `docker save` wrote for 127.0.0.1:5000/test/layered:1 (the reference
 * output docker-save-archive.txt), and Go's JSON escaping. */
#include <jansson.h>
#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "image/chain.h"
#include "images/save.h"

/* The image's config (its history left out: no V1Image field reads it). */
static const char config_text[]
    = "{\"created\":\"2026-11-23T05:26:55.908646636Z\",\"container\":\"cbec4d5123b0e73e39a9b902f6"
      "e833ac13567ea97ee81262cfe46affa2d5ee76\",\"container_config\":{\"Hostname\":\"2d46d9633426"
      "\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"Attach"
      "Stderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/usr/"
      "local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"LAYERED=1\"],\"Cmd\":[\"bash\""
      "],\"Image\":\"\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":[],\"OnBuild\":[],\"Lab"
      "els\":{\"io.buildah.version\":\"1.28.2\",\"org.example.anchors\":\"layered\"}},\"config\":"
      "{\"Hostname\":\"2d46d9633426\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"A"
      "ttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\""
      ":false,\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"LA"
      "YERED=1\"],\"Cmd\":[\"bash\"],\"Image\":\"\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoi"
      "nt\":[],\"OnBuild\":[],\"Labels\":{\"io.buildah.version\":\"1.28.2\",\"org.example.anchors"
      "\":\"layered\"}},\"architecture\":\"amd64\",\"os\":\"linux\",\"parent\":\"sha256:2f5c9b8e9"
      "73f397d232c3e395b4dc16045c2657065c2433ed454e9b5c9a49f56\",\"rootfs\":{\"type\":\"layers\","
      "\"diff_ids\":[\"sha256:521f2e0db066bca3b1d5b53e098467004d060eb6bec02167d2efc20fcb61269a\","
      "\"sha256:cea06edaf460bb4df7f5f912c3faca25e0370fdf9c4bb4c43568b27619779d78\",\"sha256:bcc15"
      "ce10f2d27bd00628a3cbb6b101fe6bf91386a18f0b106578d83fd614684\",\"sha256:99b0174e5b9a6f92f7f"
      "251519f2e0526486cac3f287bf2a8e9f03197c0d9b1a6\"]}}";

/* docker save's directory names, bottom first, and the sizes of their json. */
static const char *const want_ids[] = {
  "b1e06fa25ad8906004ddcebf0f2c2c38d2b10c00f5443c66ce0961765d085d0f",
  "b8be5a6894d5e0736d112ec13a73a1d518dd42db28d5b64343464454d2b2a91e",
  "6badbe03c18baa352ff119e4070f953e90c4e839717eedf64a29ef76d45dc723",
  "b76c6f03f1694b751f6b43df104c327b27133b61d9dc00e61ef4c6863d0f2f9a",
};
static const size_t want_json_len[] = { 401, 477, 477, 1153 };

TEST(v1_ids_match_docker)
{
  cleanup_json json_t *c = json_loads(config_text, 0, NULL);
  CHECK(c != NULL);
  json_t *ids = json_object_get(json_object_get(c, "rootfs"), "diff_ids");
  CHECK(json_array_size(ids) == 4);
  char *diff_ids[4];
  for (size_t i = 0; i < 4; i++)
    diff_ids[i] = (char *)json_string_value(json_array_get(ids, i));
  cleanup_strv char **chains = berth_chain_ids(diff_ids, 4);
  char parent[65] = "";
  for (size_t i = 0; i < 4; i++) {
    char id[65];
    cleanup_free char *json = NULL;
    berth_error *err = NULL;
    CHECK(berth_save_v1_layer(c, chains[i], i > 0 ? parent : NULL, i == 3, id, &json, &err) == 0);
    CHECK_STR(id, want_ids[i]);
    CHECK(json != NULL && strlen(json) == want_json_len[i]);
    if (i == 0)
      CHECK_STR(json,
                "{\"id\":\"b1e06fa25ad8906004ddcebf0f2c2c38d2b10c00f5443c66ce0961765d085d0f\","
                "\"created\":\"1970-01-01T00:00:00Z\",\"container_config\":{\"Hostname\":\"\","
                "\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,"
                "\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,"
                "\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\","
                "\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},\"os\":\"linux\"}");
    if (i == 3) {
      CHECK(
          strstr(json,
                 "\"parent\":\"6badbe03c18baa352ff119e4070f953e90c4e839717eedf64a29ef76d45dc723\","
                 "\"created\":\"2026-11-23T05:26:55.908646636Z\",\"container\":")
          != NULL);
      CHECK(strstr(json, "\"architecture\":\"amd64\",\"os\":\"linux\"}") != NULL);
    }
    memcpy(parent, id, sizeof parent);
  }
}

TEST(go_escape)
{
  cleanup_json json_t *j = json_pack("{s:s}", "k", "a<b>&c\b\f\n\x1b\xe2\x80\xa8\\\"");
  cleanup_free char *text = json_dumps(j, JSON_COMPACT);
  cleanup_free char *go = berth_save_go_escape(text);
  CHECK_STR(go, "{\"k\":\"a\\u003cb\\u003e\\u0026c\\u0008\\u000c\\n\\u001b\\u2028\\\\\\\"\"}");
}

TEST(created_time_as_go_writes_it)
{
  char id[65];
  berth_error *err = NULL;
  const char *cases[][2] = {
    { "{\"created\":\"2024-01-01T09:00:00.500000000+00:00\",\"os\":\"linux\"}",
      "\"created\":\"2024-01-01T09:00:00.5Z\"" },
    { "{\"created\":\"2024-01-01T09:00:00.000Z\"}", "\"created\":\"2024-01-01T09:00:00Z\"" },
    { "{\"created\":\"2024-01-01T09:00:00+09:00\"}", "\"created\":\"2024-01-01T09:00:00+09:00\"" },
    { "{}", "\"created\":\"0001-01-01T00:00:00Z\"" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cleanup_json json_t *c = json_loads(cases[i][0], 0, NULL);
    cleanup_free char *json = NULL;
    CHECK(berth_save_v1_layer(
              c, "sha256:0000000000000000000000000000000000000000000000000000000000000000", NULL,
              true, id, &json, &err)
          == 0);
    CHECK(json != NULL && strstr(json, cases[i][1]) != NULL);
  }
  cleanup_json json_t *bad = json_loads("{\"created\":\"yesterday\"}", 0, NULL);
  cleanup_free char *json = NULL;
  CHECK(berth_save_v1_layer(
            bad, "sha256:0000000000000000000000000000000000000000000000000000000000000000", NULL,
            true, id, &json, &err)
        < 0);
  CHECK(err != NULL && strstr(berth_error_message(err), "invalid created time") != NULL);
  berth_error_free(err);
}

int
main(void)
{
  RUN(v1_ids_match_docker);
  RUN(go_escape);
  RUN(created_time_as_go_writes_it);
  DONE();
}
