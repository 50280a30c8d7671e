#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "data.h"
#include "harness.h"
#include "image/chain.h"
#include "image/change.h"
#include "image/config.h"

#define DIFF1 "sha256:5785043fa76b8d37fb6ddc01525c9d40741aef77b5b9f3085ce145d2322d1e6a"
#define ROOTFS_OK "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DIFF1 "\"]}"
#define HEAD_OK "{\"architecture\":\"amd64\",\"os\":\"linux\","

static berth_image_config *
parse_file(const char *name)
{
  size_t len;
  cleanup_free char *data = read_data(name, &len);
  cleanup_error berth_error *err = NULL;
  berth_image_config *c = berth_image_config_parse(data, len, &err);
  if (c == NULL)
    printf("#   %s: %s\n", name, berth_error_message(err));
  return c;
}

static void
refused(const char *json, const char *want)
{
  cleanup_error berth_error *err = NULL;
  berth_image_config *c = berth_image_config_parse(json, strlen(json), &err);
  CHECK(c == NULL);
  berth_image_config_free(c);
  CHECK(err != NULL && strstr(berth_error_message(err), want) != NULL);
  if (err != NULL && strstr(berth_error_message(err), want) == NULL)
    printf("#   error \"%s\" lacks \"%s\"\n", berth_error_message(err), want);
}

TEST(busybox)
{
  cleanup_image_config berth_image_config *c = parse_file("library_busybox-latest.config.json");
  if (c == NULL) {
    CHECK(!"parse");
    return;
  }
  CHECK_STR(c->architecture, "amd64");
  CHECK_STR(c->os, "linux");
  CHECK(c->variant == NULL && c->author == NULL);
  CHECK_STR(c->created, "2024-01-01T00:00:00Z");
  CHECK(c->n_diff_ids == 1 && c->diff_ids[1] == NULL);
  CHECK_STR(c->diff_ids[0], DIFF1);
  CHECK(c->n_history == 1);
  CHECK_STR(c->history[0].created_by, "anchors: busybox-static 1:1.35.0-4+deb12u1+b1 rootfs");
  CHECK(!c->history[0].empty_layer && c->history[0].comment == NULL);
  CHECK(json_is_object(json_object_get(c->json, "config")));
}

/* The Docker config of test/layered:1; its chain IDs are the layerdb
 * directories Docker made for it. */
TEST(layered_docker)
{
  cleanup_image_config berth_image_config *c = parse_file("test_layered-1.config.json");
  if (c == NULL) {
    CHECK(!"parse");
    return;
  }
  CHECK(c->n_diff_ids == 4 && c->n_history == 7);
  size_t empty = 0;
  for (size_t i = 0; i < c->n_history; i++)
    empty += c->history[i].empty_layer;
  CHECK(c->n_history - empty == c->n_diff_ids);
  CHECK_STR(c->history[1].comment, "FROM 127.0.0.1:5000/library/debian:bookworm");
  CHECK_STR(c->created, "2026-11-23T05:26:55.908646636Z");
  cleanup_strv char **chain = berth_chain_ids(c->diff_ids, c->n_diff_ids);
  CHECK_STR(chain[3], "sha256:3b75927e41c861bbf61a65b32a0b92c1d7b06829a025de7f7a1cfe4b0624c670");
  CHECK_STR(json_string_value(json_object_get(c->json, "parent")),
            "sha256:2f5c9b8e973f397d232c3e395b4dc16045c2657065c2433ed454e9b5c9a49f56");
}

TEST(layered_oci)
{
  cleanup_image_config berth_image_config *c = parse_file("test_layered-1-oci.config.json");
  CHECK(c != NULL && c->n_diff_ids == 4 && c->n_history == 7);
}

TEST(minimal_and_nulls)
{
  const char *a = HEAD_OK "\"variant\":\"v8\",\"author\":\"me\"," ROOTFS_OK
                          ",\"history\":null,\"created\":null}";
  cleanup_error berth_error *err = NULL;
  cleanup_image_config berth_image_config *c = berth_image_config_parse(a, strlen(a), &err);
  CHECK(c != NULL);
  if (c == NULL)
    return;
  CHECK_STR(c->variant, "v8");
  CHECK_STR(c->author, "me");
  CHECK(c->created == NULL && c->n_history == 0);
  const char *b = HEAD_OK "\"rootfs\":{\"type\":\"layers\"}}";
  cleanup_image_config berth_image_config *d = berth_image_config_parse(b, strlen(b), &err);
  CHECK(d != NULL && d->n_diff_ids == 0 && d->diff_ids != NULL && d->diff_ids[0] == NULL);
}

TEST(refused_documents)
{
  refused("", "image config: invalid JSON");
  refused("nope", "invalid JSON");
  refused("[]", "not an object");
  refused(HEAD_OK ROOTFS_OK ",\"os\":\"linux\"}", "duplicate");
  refused("{\"os\":\"linux\"," ROOTFS_OK "}", "missing field \"architecture\"");
  refused("{\"architecture\":\"amd64\"," ROOTFS_OK "}", "missing field \"os\"");
  refused("{\"architecture\":1,\"os\":\"linux\"," ROOTFS_OK "}",
          "\"architecture\" is not a string");
  refused(HEAD_OK "\"author\":{}," ROOTFS_OK "}", "\"author\" is not a string");
  refused(HEAD_OK "\"created\":\"yesterday\"," ROOTFS_OK "}", "invalid timestamp \"yesterday\"");
}

TEST(refused_rootfs)
{
  refused(HEAD_OK "\"x\":1}", "missing field \"rootfs\"");
  refused(HEAD_OK "\"rootfs\":[]}", "\"rootfs\" is not an object");
  refused(HEAD_OK "\"rootfs\":{\"diff_ids\":[]}}", "missing field \"type\"");
  refused(HEAD_OK "\"rootfs\":{\"type\":\"layers+base\",\"diff_ids\":[]}}",
          "rootfs: unsupported type \"layers+base\"");
  refused(HEAD_OK "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":\"" DIFF1 "\"}}",
          "rootfs: field \"diff_ids\" is not an array");
  refused(HEAD_OK "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DIFF1 "\",7]}}",
          "rootfs: diff_ids 1 is not a string");
  refused(HEAD_OK "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:1234\"]}}",
          "rootfs: diff_ids 0: invalid digest");
  refused(HEAD_OK "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"md5:1234\"]}}",
          "unsupported digest algorithm");
}

TEST(refused_history)
{
  refused(HEAD_OK ROOTFS_OK ",\"history\":{}}", "\"history\" is not an array");
  refused(HEAD_OK ROOTFS_OK ",\"history\":[{},\"x\"]}", "history 1: not an object");
  refused(HEAD_OK ROOTFS_OK ",\"history\":[{\"created_by\":1}]}",
          "history 0: field \"created_by\" is not a string");
  refused(HEAD_OK ROOTFS_OK ",\"history\":[{\"created\":\"2024-02-30T00:00:00Z\"}]}",
          "history 0: field \"created\": invalid timestamp");
  refused(HEAD_OK ROOTFS_OK ",\"history\":[{\"comment\":\"c\",\"empty_layer\":\"true\"}]}",
          "history 0: field \"empty_layer\" is not a boolean");
}

/* commit -c: an instruction with a byte that is not UTF-8 is refused, and
 * the config is left as it was (jansson would have dropped the value). */
TEST(change_refuses_non_utf8)
{
  static const char *bad[]
      = { "ENV A=\xff",       "LABEL \xff=1",          "LABEL k=\xc3", "USER nobody\xff",
          "WORKDIR /tmp\xfe", "CMD echo \xed\xa0\x80", "EXPOSE 80\xff" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cleanup_json json_t *config = json_pack("{s:[s]}", "Env", "PATH=/bin");
    cleanup_free char *before = json_dumps(config, JSON_SORT_KEYS);
    cleanup_error berth_error *err = NULL;
    CHECK(berth_config_apply_change(config, bad[i], &err) < 0);
    CHECK(err != NULL
          && strstr(berth_error_message(err), "for \"-c, --change\" flag: not valid UTF-8")
                 != NULL);
    cleanup_free char *after = json_dumps(config, JSON_SORT_KEYS);
    CHECK_STR(after, before);
  }
  cleanup_json json_t *config = json_object();
  CHECK(berth_config_apply_change(config, "ENV A=h\xc3\xa9", NULL) == 0);
  CHECK_STR(json_string_value(json_array_get(json_object_get(config, "Env"), 0)), "A=h\xc3\xa9");
}

int
main(void)
{
  RUN(busybox);
  RUN(layered_docker);
  RUN(layered_oci);
  RUN(minimal_and_nulls);
  RUN(refused_documents);
  RUN(refused_rootfs);
  RUN(refused_history);
  RUN(change_refuses_non_utf8);
  DONE();
}
