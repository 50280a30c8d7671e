/* The local manifest list document: Docker's member order, annotate's
 * checks, the index bytes, a damaged file refused. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "harness.h"
#include "manifests/list.h"
#include "store/manifest_lists.h"
#include "store/store.h"

static const char raw[] = "{\"schemaVersion\":2}";

static json_t *
member(const char *ref, const char *arch)
{
  char d[BERTH_DIGEST_LEN];
  berth_sha256_digest(raw, strlen(raw), d);
  return json_pack("{s:s, s:{s:s, s:s, s:I, s:{s:s, s:s}}, s:s}", "Ref", ref, "Descriptor",
                   "mediaType", "application/vnd.docker.distribution.manifest.v2+json", "digest", d,
                   "size", (json_int_t)strlen(raw), "platform", "architecture", arch, "os", "linux",
                   "Raw", raw);
}

static berth_store *
fresh_store(char *dir)
{
  if (mkdtemp(dir) == NULL)
    return NULL;
  return berth_store_open(dir, NULL);
}

/* Docker lists a list's members in the order of its file names, where ':'
 * is '-' and '/' is '_': "h/a:b" (h_a-b) before "h/a-c:1" (h_a-c-1), though
 * plain string order says the other way. */
TEST(docker_member_order)
{
  berth_manifest_list l = { .ref = strdup("h/l:1"), .members = json_array() };
  berth_manifest_list_set(&l, member("h/a-c:1", "amd64"));
  berth_manifest_list_set(&l, member("h/a:b", "arm64"));
  berth_manifest_list_set(&l, member("h/a-c:1", "386")); /* replaces */
  CHECK(json_array_size(l.members) == 2);
  CHECK_STR(json_string_value(json_object_get(json_array_get(l.members, 0), "Ref")), "h/a:b");
  json_t *second = json_array_get(l.members, 1);
  CHECK_STR(
      json_string_value(json_object_get(
          json_object_get(json_object_get(second, "Descriptor"), "platform"), "architecture")),
      "386");
  berth_manifest_list_clear(&l);
}

TEST(annotate_checks_os_arch_and_changes_nothing_on_error)
{
  cleanup_json json_t *m = member("h/a:1", "amd64");
  berth_error *err = NULL;
  berth_platform_annotation bad = { .arch = "bogus" };
  CHECK(berth_manifest_list_annotate(m, &bad, &err) == -1);
  CHECK_STR(berth_error_message(err),
            "manifest entry for image has unsupported os/arch combination: /bogus");
  berth_error_clear(&err);
  json_t *p = json_object_get(json_object_get(m, "Descriptor"), "platform");
  CHECK_STR(json_string_value(json_object_get(p, "architecture")), "amd64");
  char *features[] = { "a", "b", "a", NULL };
  berth_platform_annotation good = { .arch = "arm64", .variant = "v8", .os_features = features };
  CHECK(berth_manifest_list_annotate(m, &good, &err) == 0);
  p = json_object_get(json_object_get(m, "Descriptor"), "platform");
  CHECK_STR(json_string_value(json_object_get(p, "architecture")), "arm64");
  CHECK(json_array_size(json_object_get(p, "os.features")) == 2);
  berth_platform_annotation not_utf8 = { .variant = "\xff" };
  CHECK(berth_manifest_list_annotate(m, &not_utf8, &err) == -1);
  berth_error_clear(&err);
  CHECK_STR(json_string_value(json_object_get(p, "variant")), "v8");
}

/* Docker's bytes: three-space indent, mediaType/size/digest/platform, the
 * platform's architecture, os, then the optional fields. */
TEST(index_bytes_as_docker)
{
  berth_manifest_list l = { .ref = strdup("h/l:1"), .members = json_array() };
  json_t *m = member("h/a:1", "amd64");
  berth_manifest_list_set(&l, m);
  char *features[] = { "f", NULL };
  berth_platform_annotation a = { .variant = "v2", .os_features = features };
  berth_error *err = NULL;
  CHECK(berth_manifest_list_annotate(m, &a, &err) == 0);
  char *text = NULL;
  size_t len = 0;
  const char *type = NULL;
  CHECK(berth_manifest_list_index(&l, "docker.io", true, &text, &len, &type, &err) == 0);
  char d[BERTH_DIGEST_LEN];
  berth_sha256_digest(raw, strlen(raw), d);
  cleanup_free char *want = xasprintf(
      "{\n   \"schemaVersion\": 2,\n"
      "   \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n"
      "   \"manifests\": [\n      {\n"
      "         \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
      "         \"size\": %zu,\n         \"digest\": \"%s\",\n"
      "         \"platform\": {\n            \"architecture\": \"amd64\",\n"
      "            \"os\": \"linux\",\n            \"os.features\": [\n"
      "               \"f\"\n            ],\n            \"variant\": \"v2\"\n"
      "         }\n      }\n   ]\n}",
      strlen(raw), d);
  CHECK_STR(text, want);
  CHECK_STR(type, "application/vnd.docker.distribution.manifest.list.v2+json");
  free(text);
  text = NULL;
  CHECK(berth_manifest_list_index(&l, "other:5000", true, &text, &len, &type, &err) == -1);
  CHECK_STR(berth_error_message(err), "cannot use source images from a different registry than "
                                      "the target image: docker.io != other:5000");
  berth_error_clear(&err);
  berth_manifest_list_clear(&l);
}

/* Docker's manifestlist.FromDescriptors: the first member decides the type
 * (an OCI manifest first: an OCI index), the entries keep Docker's key order. */
TEST(index_type_from_the_first_member)
{
  berth_manifest_list l = { .ref = strdup("h/l:1"), .members = json_array() };
  json_t *oci = member("h/a:1", "arm64");
  json_object_set_new(json_object_get(oci, "Descriptor"), "mediaType",
                      json_string("application/vnd.oci.image.manifest.v1+json"));
  berth_manifest_list_set(&l, oci);
  berth_manifest_list_set(&l, member("h/b:1", "amd64"));
  char *text = NULL;
  size_t len = 0;
  const char *type = NULL;
  berth_error *err = NULL;
  CHECK(berth_manifest_list_index(&l, NULL, false, &text, &len, &type, &err) == 0);
  CHECK_STR(type, "application/vnd.oci.image.index.v1+json");
  CHECK(text != NULL && strstr(text, "\"size\": 19,\n         \"digest\"") != NULL);
  free(text);
  /* The schema2 member first: a Docker list. */
  json_t *first = json_incref(json_array_get(l.members, 0));
  json_array_remove(l.members, 0);
  json_array_append_new(l.members, first);
  CHECK(berth_manifest_list_index(&l, NULL, false, &text, &len, &type, &err) == 0);
  CHECK_STR(type, "application/vnd.docker.distribution.manifest.list.v2+json");
  free(text);
  berth_manifest_list_clear(&l);
}

TEST(store_round_trip_and_damage_refused)
{
  char dir[] = "/tmp/berth-test-mlist-XXXXXX";
  cleanup_store berth_store *s = fresh_store(dir);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  berth_error *err = NULL;
  berth_manifest_list l;
  CHECK(berth_manifest_list_load(s, "h/l:1", &l, &err) == 0);
  berth_manifest_list_set(&l, member("h/a:1", "amd64"));
  CHECK(berth_manifest_list_save(s, &l, &err) == 0);
  berth_manifest_list_clear(&l);
  CHECK(berth_manifest_list_load(s, "h/l:1", &l, &err) == 1);
  CHECK(json_array_size(l.members) == 1);
  berth_manifest_list_clear(&l);

  /* Raw bytes that no longer hash to the digest. */
  char *data = NULL;
  size_t len = 0;
  CHECK(berth_store_manifest_list_get(s, "h/l:1", &data, &len, &err) == 1);
  char *at = data != NULL ? strstr(data, "schemaVersion\\\":2") : NULL;
  CHECK(at != NULL);
  if (at != NULL) {
    at[16] = '3';
    CHECK(berth_store_manifest_list_put(s, "h/l:1", data, len, &err) == 0);
    CHECK(berth_manifest_list_load(s, "h/l:1", &l, &err) == -1);
    CHECK(err != NULL && strstr(berth_error_message(err), "does not hash to") != NULL);
    berth_error_clear(&err);
  }
  free(data);
  CHECK(berth_store_manifest_list_remove(s, "h/l:1", &err) == 1);
  CHECK(berth_store_manifest_list_remove(s, "h/l:1", &err) == 0);
  berth_rm_rf_at(AT_FDCWD, dir, NULL);
}

int
main(void)
{
  RUN(docker_member_order);
  RUN(annotate_checks_os_arch_and_changes_nothing_on_error);
  RUN(index_bytes_as_docker);
  RUN(index_type_from_the_first_member);
  RUN(store_round_trip_and_damage_refused);
  DONE();
}
