#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/xalloc.h"
#include "data.h"
#include "harness.h"
#include "image/manifest.h"
#include "image/media_type.h"

#define D1 "sha256:3ff0b64c0f2f9d658485a59eab4048f0f12179584f255661baff4c80b98bfb93"
#define D2 "sha256:f69bae61309e92a41372aaa70c0e9bad1ef4000ff233dcd349c9b839f4468f5c"
#define CONFIG_OK                                                                                  \
  "{\"mediaType\":\"" BERTH_MT_DOCKER_CONFIG "\",\"size\":400,\"digest\":\"" D1 "\"}"
#define LAYER_OK                                                                                   \
  "{\"mediaType\":\"" BERTH_MT_DOCKER_LAYER_GZIP "\",\"size\":10,\"digest\":\"" D2 "\"}"
#define DOCKER_HEAD "{\"schemaVersion\":2,\"mediaType\":\"" BERTH_MT_DOCKER_MANIFEST "\","

static berth_manifest *
parse_file(const char *name, const char *ct)
{
  size_t len;
  cleanup_free char *data = read_data(name, &len);
  cleanup_error berth_error *err = NULL;
  berth_manifest *m = berth_manifest_parse(data, len, ct, &err);
  if (m == NULL)
    printf("#   %s: %s\n", name, berth_error_message(err));
  return m;
}

static berth_manifest *
parse_str(const char *json, const char *ct)
{
  cleanup_error berth_error *err = NULL;
  berth_manifest *m = berth_manifest_parse(json, strlen(json), ct, &err);
  if (m == NULL)
    printf("#   %s\n", berth_error_message(err));
  return m;
}

/* The document must be refused with an error containing want. */
static void
refused(const char *json, const char *ct, const char *want)
{
  cleanup_error berth_error *err = NULL;
  berth_manifest *m = berth_manifest_parse(json, strlen(json), ct, &err);
  CHECK(m == NULL);
  berth_manifest_free(m);
  CHECK(err != NULL && strstr(berth_error_message(err), want) != NULL);
  if (err != NULL && strstr(berth_error_message(err), want) == NULL)
    printf("#   error \"%s\" lacks \"%s\"\n", berth_error_message(err), want);
}

TEST(docker_schema2_busybox)
{
  cleanup_manifest berth_manifest *m
      = parse_file("library_busybox-latest.manifest.json", BERTH_MT_DOCKER_MANIFEST);
  CHECK(m != NULL);
  if (m == NULL)
    return;
  CHECK(!m->is_index);
  CHECK_STR(m->media_type, BERTH_MT_DOCKER_MANIFEST);
  CHECK_STR(m->config.media_type, BERTH_MT_DOCKER_CONFIG);
  CHECK_STR(m->config.digest, D1);
  CHECK(m->config.size == 400);
  CHECK(m->n_layers == 1 && m->n_manifests == 0);
  CHECK_STR(m->layers[0].media_type, BERTH_MT_DOCKER_LAYER_GZIP);
  CHECK_STR(m->layers[0].digest, D2);
  CHECK(m->layers[0].size == 1035450);
  CHECK(m->layers[0].os == NULL && m->config.architecture == NULL);
}

TEST(oci_manifest_layered)
{
  cleanup_manifest berth_manifest *m = parse_file("test_layered-1-oci.manifest.json", NULL);
  CHECK(m != NULL);
  if (m == NULL)
    return;
  CHECK_STR(m->media_type, BERTH_MT_OCI_MANIFEST);
  CHECK_STR(m->config.media_type, BERTH_MT_OCI_CONFIG);
  CHECK(m->config.size == 2150);
  CHECK(m->n_layers == 4);
  CHECK_STR(m->layers[3].digest,
            "sha256:dadee733a0685276b8dc74a783680be3febc92815398a1381839bd13ef5c8458");
  CHECK(m->layers[1].size == 33559560);
}

TEST(docker_layered_with_content_type_parameters)
{
  cleanup_manifest berth_manifest *m = parse_file(
      "test_layered-1.manifest.json", " application/vnd.docker.distribution.manifest.v2+JSON ; "
                                      "charset=utf-8");
  CHECK(m != NULL && m->n_layers == 4);
}

TEST(media_type_from_content_type_or_shape)
{
  const char *body = "{\"schemaVersion\":2,\"config\":" CONFIG_OK ",\"layers\":[" LAYER_OK "]}";
  cleanup_manifest berth_manifest *a = parse_str(body, BERTH_MT_DOCKER_MANIFEST);
  cleanup_manifest berth_manifest *b = parse_str(body, "application/json");
  cleanup_manifest berth_manifest *c = parse_str(body, NULL);
  CHECK(a != NULL && b != NULL && c != NULL);
  if (a == NULL || b == NULL || c == NULL)
    return;
  CHECK_STR(a->media_type, BERTH_MT_DOCKER_MANIFEST);
  CHECK_STR(b->media_type, BERTH_MT_OCI_MANIFEST);
  CHECK_STR(c->media_type, BERTH_MT_OCI_MANIFEST);
  const char *idx = "{\"schemaVersion\":2,\"manifests\":[]}";
  cleanup_manifest berth_manifest *d = parse_str(idx, "");
  CHECK(d != NULL && d->is_index && strcmp(d->media_type, BERTH_MT_OCI_INDEX) == 0);
}

TEST(empty_layers_and_null_fields)
{
  cleanup_manifest berth_manifest *m
      = parse_str(DOCKER_HEAD "\"config\":" CONFIG_OK ",\"layers\":[],\"annotations\":null}", NULL);
  CHECK(m != NULL && m->n_layers == 0);
}

TEST(not_json)
{
  refused("", NULL, "invalid JSON");
  refused("not json", NULL, "invalid JSON");
  refused("{\"schemaVersion\":2", NULL, "invalid JSON");
  refused("[1,2]", NULL, "not an object");
  refused("\"str\"", NULL, "invalid JSON");
  refused("{\"schemaVersion\":2,\"schemaVersion\":2}", NULL, "duplicate");
  refused("{\"schemaVersion\":2,\"mediaType\":\"a\\u0000b\"}", NULL, "invalid JSON");
  refused("{\"schemaVersion\":2} trailing", NULL, "invalid JSON");
}

TEST(wrong_types)
{
  refused("{\"schemaVersion\":\"2\"}", NULL, "\"schemaVersion\" is not an integer");
  refused("{\"schemaVersion\":2.0}", NULL, "\"schemaVersion\" is not an integer");
  refused("{\"schemaVersion\":2,\"mediaType\":7}", NULL, "\"mediaType\" is not a string");
  refused(DOCKER_HEAD "\"config\":[],\"layers\":[]}", NULL, "\"config\" is not an object");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK ",\"layers\":{}}", NULL,
          "\"layers\" is not an array");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK ",\"layers\":[7]}", NULL,
          "layers 0: descriptor is not an object");
  refused(DOCKER_HEAD "\"config\":{\"mediaType\":\"" BERTH_MT_DOCKER_CONFIG
                      "\",\"size\":\"400\",\"digest\":\"" D1 "\"},\"layers\":[]}",
          NULL, "config: field \"size\" is not an integer");
  refused(DOCKER_HEAD "\"config\":{\"mediaType\":\"" BERTH_MT_DOCKER_CONFIG
                      "\",\"size\":400,\"digest\":5},\"layers\":[]}",
          NULL, "config: field \"digest\" is not a string");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK ",\"layers\":[" LAYER_OK ",{\"mediaType\":["
                      "],\"size\":1,\"digest\":\"" D2 "\"}]}",
          NULL, "layers 1: field \"mediaType\" is not a string");
}

TEST(missing_fields)
{
  refused("{}", NULL, "missing field \"schemaVersion\"");
  refused(DOCKER_HEAD "\"layers\":[]}", NULL, "missing field \"config\"");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK "}", NULL, "missing field \"layers\"");
  refused(DOCKER_HEAD "\"config\":null,\"layers\":[]}", NULL, "missing field \"config\"");
  refused(DOCKER_HEAD "\"config\":{\"mediaType\":\"" BERTH_MT_DOCKER_CONFIG
                      "\",\"size\":400},\"layers\":[]}",
          NULL, "config: missing field \"digest\"");
  refused(DOCKER_HEAD "\"config\":{\"mediaType\":\"" BERTH_MT_DOCKER_CONFIG "\",\"digest\":\"" D1
                      "\"},\"layers\":[]}",
          NULL, "config: missing field \"size\"");
  refused(DOCKER_HEAD "\"config\":{\"size\":1,\"digest\":\"" D1 "\"},\"layers\":[]}", NULL,
          "config: missing field \"mediaType\"");
  refused("{\"schemaVersion\":2,\"mediaType\":\"" BERTH_MT_OCI_INDEX "\"}", NULL,
          "missing field \"manifests\"");
}

TEST(bad_digests_and_sizes)
{
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK
                      ",\"layers\":[{\"mediaType\":\"" BERTH_MT_DOCKER_LAYER_GZIP
                      "\",\"size\":1,\"digest\":\"sha256:"
                      "F69BAE61309e92a41372aaa70c0e9bad1ef4000ff233dcd349c9b839f4468f5c\"}]}",
          NULL, "layers 0: invalid digest");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK
                      ",\"layers\":[{\"mediaType\":\"" BERTH_MT_DOCKER_LAYER_GZIP
                      "\",\"size\":1,\"digest\":\"sha256:abc\"}]}",
          NULL, "layers 0: invalid digest");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK
                      ",\"layers\":[{\"mediaType\":\"" BERTH_MT_DOCKER_LAYER_GZIP
                      "\",\"size\":1,\"digest\":\"sha512:abc\"}]}",
          NULL, "unsupported digest algorithm");
  refused(DOCKER_HEAD "\"config\":{\"mediaType\":\"" BERTH_MT_DOCKER_CONFIG
                      "\",\"size\":1,\"digest\":\"../../etc/passwd\"},\"layers\":[]}",
          NULL, "config: invalid digest");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK
                      ",\"layers\":[{\"mediaType\":\"" BERTH_MT_DOCKER_LAYER_GZIP
                      "\",\"size\":-1,\"digest\":\"" D2 "\"}]}",
          NULL, "layers 0: negative size");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK
                      ",\"layers\":[{\"mediaType\":\"" BERTH_MT_DOCKER_LAYER_GZIP
                      "\",\"size\":99999999999999999999999,\"digest\":\"" D2 "\"}]}",
          NULL, "invalid JSON");
}

TEST(schema1_refused)
{
  const char *s1 = "{\"schemaVersion\":1,\"name\":\"library/busybox\",\"tag\":\"latest\","
                   "\"fsLayers\":[{\"blobSum\":\"" D2 "\"}]}";
  refused(s1, NULL, "schema 1 is not supported");
  refused(s1, BERTH_MT_DOCKER_SCHEMA1_SIGNED, "schema 1 is not supported");
  refused("{}", "application/vnd.docker.distribution.manifest.v1+json", "schema 1");
  refused("{\"schemaVersion\":2,\"mediaType\":\"" BERTH_MT_DOCKER_SCHEMA1 "\"}", NULL, "schema 1");
  refused("{\"schemaVersion\":3}", NULL, "unsupported manifest schemaVersion 3");
}

TEST(unknown_media_type)
{
  refused(
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\",\"config\":" CONFIG_OK
      ",\"layers\":[]}",
      NULL, "unsupported manifest media type \"application/vnd.example+json\"");
  refused("{\"schemaVersion\":2,\"config\":" CONFIG_OK ",\"layers\":[]}",
          "application/vnd.oci.artifact.manifest.v1+json", "unsupported manifest media type");
  refused(DOCKER_HEAD "\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\","
                      "\"size\":1,\"digest\":\"" D1 "\"},\"layers\":[]}",
          NULL, "config: unsupported media type");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK ",\"layers\":[" LAYER_OK ",{\"mediaType\":"
                      "\"application/vnd.oci.image.layer.v1.tar+xz\",\"size\":1,\"digest\":\"" D2
                      "\"}]}",
          NULL, "layers 1: unsupported layer media type");
}

TEST(content_type_mismatch)
{
  const char *oci = "{\"schemaVersion\":2,\"mediaType\":\"" BERTH_MT_OCI_MANIFEST
                    "\",\"config\":" CONFIG_OK ",\"layers\":[]}";
  refused(oci, BERTH_MT_DOCKER_LIST, "contradicts Content-Type");
  refused(oci, BERTH_MT_DOCKER_MANIFEST, "contradicts Content-Type");
  refused("{\"schemaVersion\":2,\"mediaType\":\"" BERTH_MT_OCI_INDEX "\",\"manifests\":[]}",
          BERTH_MT_OCI_MANIFEST, "contradicts Content-Type");
  /* the shape must fit the type */
  refused("{\"schemaVersion\":2,\"config\":" CONFIG_OK ",\"layers\":[]}", BERTH_MT_OCI_INDEX,
          "has config or layers");
  refused("{\"schemaVersion\":2,\"manifests\":[],\"layers\":[]}", NULL, "has config or layers");
  refused(DOCKER_HEAD "\"config\":" CONFIG_OK ",\"layers\":[],\"manifests\":[]}", NULL,
          "has manifests");
}

TEST(index_parse)
{
  cleanup_manifest berth_manifest *m = parse_file("index-multi.json", BERTH_MT_OCI_INDEX);
  CHECK(m != NULL);
  if (m == NULL)
    return;
  CHECK(m->is_index && m->n_manifests == 8 && m->n_layers == 0);
  CHECK_STR(m->manifests[3].architecture, "arm");
  CHECK_STR(m->manifests[3].variant, "v7");
  CHECK(m->manifests[0].variant == NULL);
  CHECK_STR(m->manifests[7].os, "unknown");
}

TEST(index_bad_entries)
{
  const char *h = "{\"schemaVersion\":2,\"mediaType\":\"" BERTH_MT_OCI_INDEX "\",\"manifests\":[";
  cleanup_free char *a = xasprintf("%s{\"mediaType\":\"%s\",\"size\":1,\"digest\":\"%s\","
                                   "\"platform\":{\"os\":\"linux\"}}]}",
                                   h, BERTH_MT_OCI_MANIFEST, D1);
  refused(a, NULL, "manifests 0: platform: missing field \"architecture\"");
  cleanup_free char *b = xasprintf("%s{\"mediaType\":\"%s\",\"size\":1,\"digest\":\"%s\","
                                   "\"platform\":\"linux/amd64\"}]}",
                                   h, BERTH_MT_OCI_MANIFEST, D1);
  refused(b, NULL, "manifests 0: field \"platform\" is not an object");
  cleanup_free char *c = xasprintf("%s{\"mediaType\":\"%s\",\"size\":1,\"digest\":\"%s\"},"
                                   "{\"mediaType\":\"%s\",\"size\":1,\"digest\":\"nope\"}]}",
                                   h, BERTH_MT_OCI_MANIFEST, D1, BERTH_MT_OCI_MANIFEST);
  refused(c, NULL, "manifests 1: invalid digest");
}

static const berth_descriptor *
select_in(const berth_manifest *m, const char *platform, const char *want_error)
{
  cleanup_error berth_error *err = NULL;
  const berth_descriptor *d = berth_manifest_select(m, platform, &err);
  if (want_error != NULL) {
    CHECK(d == NULL);
    CHECK(err != NULL && strcmp(berth_error_message(err), want_error) == 0);
    if (err != NULL && strcmp(berth_error_message(err), want_error) != 0)
      printf("#   got \"%s\"\n", berth_error_message(err));
  } else if (d == NULL) {
    printf("#   %s: %s\n", platform, berth_error_message(err));
  }
  return d;
}

TEST(select_platforms)
{
  cleanup_manifest berth_manifest *m = parse_file("index-multi.json", NULL);
  if (m == NULL) {
    CHECK(!"parse");
    return;
  }
  CHECK(select_in(m, "linux/amd64", NULL) == &m->manifests[0]);
  CHECK(select_in(m, NULL, NULL) == &m->manifests[0]); /* the host (amd64 here) */
  CHECK(select_in(m, "linux/arm/v5", NULL) == &m->manifests[1]);
  CHECK(select_in(m, "linux/arm/v6", NULL) == &m->manifests[2]);
  CHECK(select_in(m, "linux/arm/v7", NULL) == &m->manifests[3]);
  CHECK(select_in(m, "linux/arm", NULL) == &m->manifests[3]);
  CHECK(select_in(m, "linux/arm64", NULL) == &m->manifests[4]);
  CHECK(select_in(m, "linux/arm64/v8", NULL) == &m->manifests[4]);
  CHECK(select_in(m, "linux/aarch64", NULL) == &m->manifests[4]);
  CHECK(select_in(m, "linux/386", NULL) == &m->manifests[5]);
  CHECK(select_in(m, "linux/ppc64le", NULL) == &m->manifests[6]);
  select_in(m, "linux/s390x", "no matching manifest for linux/s390x in the manifest list entries");
  select_in(m, "windows/amd64",
            "no matching manifest for windows/amd64 in the manifest list entries");
  cleanup_error berth_error *err = NULL;
  CHECK(berth_manifest_select(m, "linux//amd64", &err) == NULL);
  CHECK(err != NULL && strstr(berth_error_message(err), "invalid platform") != NULL);
}

TEST(select_aliases_and_fallbacks)
{
  cleanup_manifest berth_manifest *m = parse_file("list-aliases.json", BERTH_MT_DOCKER_LIST);
  if (m == NULL) {
    CHECK(!"parse");
    return;
  }
  CHECK_STR(m->media_type, BERTH_MT_DOCKER_LIST);
  CHECK(select_in(m, "linux/amd64", NULL) == &m->manifests[0]);    /* Linux/x86_64 */
  CHECK(select_in(m, "linux/arm64/v8", NULL) == &m->manifests[1]); /* aarch64 */
  CHECK(select_in(m, "windows/amd64", NULL) == &m->manifests[2]);
  select_in(m, "linux/arm/v7",
            "no matching manifest for linux/arm/v7 in the manifest list entries");
  CHECK(select_in(m, "linux/amd64/v2", NULL) == &m->manifests[0]);

  /* an older compatible platform when the exact one is absent; the exact one
   * wins even when listed last; among equals the first listed */
  const char *idx
      = "{\"schemaVersion\":2,\"manifests\":["
        "{\"mediaType\":\"" BERTH_MT_OCI_MANIFEST "\",\"size\":1,\"digest\":\"" D1
        "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"386\"}},"
        "{\"mediaType\":\"" BERTH_MT_OCI_MANIFEST "\",\"size\":1,\"digest\":\"" D2
        "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
        "{\"mediaType\":\"" BERTH_MT_OCI_MANIFEST "\",\"size\":2,\"digest\":\"" D2
        "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
        "{\"mediaType\":\"" BERTH_MT_OCI_INDEX "\",\"size\":3,\"digest\":\"" D2
        "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
        "{\"mediaType\":\"" BERTH_MT_OCI_MANIFEST "\",\"size\":4,\"digest\":\"" D2
        "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\",\"variant\":\"v2\"}},"
        "{\"mediaType\":\"" BERTH_MT_OCI_MANIFEST "\",\"size\":5,\"digest\":\"" D2
        "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
  cleanup_manifest berth_manifest *f = parse_str(idx, NULL);
  if (f == NULL) {
    CHECK(!"parse");
    return;
  }
  CHECK(select_in(f, "linux/amd64", NULL) == &f->manifests[5]);
  CHECK(select_in(f, "linux/amd64/v3", NULL) == &f->manifests[4]);
  CHECK(select_in(f, "linux/arm/v7", NULL) == &f->manifests[1]);
  CHECK(select_in(f, "linux/arm64", NULL) == &f->manifests[1]); /* the nested index is skipped */
  select_in(f, "linux/arm/v5",
            "no matching manifest for linux/arm/v5 in the manifest list entries");
}

TEST(select_needs_an_index)
{
  cleanup_manifest berth_manifest *m = parse_file("library_busybox-latest.manifest.json", NULL);
  cleanup_error berth_error *err = NULL;
  CHECK(m != NULL && berth_manifest_select(m, "linux/amd64", &err) == NULL);
  CHECK(err != NULL && strstr(berth_error_message(err), "is not an index") != NULL);
}

int
main(void)
{
  RUN(docker_schema2_busybox);
  RUN(oci_manifest_layered);
  RUN(docker_layered_with_content_type_parameters);
  RUN(media_type_from_content_type_or_shape);
  RUN(empty_layers_and_null_fields);
  RUN(not_json);
  RUN(wrong_types);
  RUN(missing_fields);
  RUN(bad_digests_and_sizes);
  RUN(schema1_refused);
  RUN(unknown_media_type);
  RUN(content_type_mismatch);
  RUN(index_parse);
  RUN(index_bad_entries);
  RUN(select_platforms);
  RUN(select_aliases_and_fallbacks);
  RUN(select_needs_an_index);
  DONE();
}
