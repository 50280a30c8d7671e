#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "harness.h"
#include "image/media_type.h"
#include "image/platform.h"

/* Parses s and checks the normalized result ("os/arch[/variant]"). */
static void
check_parse(const char *s, const char *want)
{
  cleanup_error berth_error *err = NULL;
  cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
  if (berth_platform_parse(s, &os, &arch, &variant, &err) < 0) {
    printf("#   %s: %s\n", s, berth_error_message(err));
    CHECK(!"parse failed");
    return;
  }
  cleanup_free char *got = berth_platform_format(os, arch, variant);
  CHECK_STR(got, want);
  CHECK(variant == NULL || *variant != '\0');
}

static void
check_refused(const char *s)
{
  cleanup_error berth_error *err = NULL;
  char *os = (char *)"x", *arch = (char *)"x", *variant = (char *)"x";
  CHECK(berth_platform_parse(s, &os, &arch, &variant, &err) == -1);
  CHECK(err != NULL && strstr(berth_error_message(err), "invalid platform") != NULL);
  CHECK(strcmp(os, "x") == 0 && strcmp(arch, "x") == 0 && strcmp(variant, "x") == 0);
}

TEST(host)
{
  cleanup_free char *host = berth_platform_host();
#if defined(__x86_64__)
  CHECK_STR(host, "linux/amd64");
#endif
  check_parse(host, host);
}

TEST(parse_normalizes)
{
  check_parse("linux/amd64", "linux/amd64");
  check_parse("Linux/X86_64", "linux/amd64");
  check_parse("linux/x86-64", "linux/amd64");
  check_parse("linux/amd64/v1", "linux/amd64");
  check_parse("linux/amd64/v3", "linux/amd64/v3");
  check_parse("linux/aarch64", "linux/arm64");
  check_parse("linux/arm64/v8", "linux/arm64");
  check_parse("linux/arm64/8", "linux/arm64");
  check_parse("linux/arm64/9", "linux/arm64/v9");
  check_parse("linux/arm64/v9", "linux/arm64/v9");
  check_parse("linux/arm", "linux/arm/v7");
  check_parse("linux/arm/7", "linux/arm/v7");
  check_parse("linux/arm/6", "linux/arm/v6");
  check_parse("linux/arm/v5", "linux/arm/v5");
  check_parse("linux/armhf", "linux/arm/v7");
  check_parse("linux/armel", "linux/arm/v6");
  check_parse("linux/i386", "linux/386");
  check_parse("macos/arm64", "darwin/arm64");
  check_parse("linux/ppc64le", "linux/ppc64le");
}

TEST(parse_single_word)
{
  cleanup_free char *host = berth_platform_host();
  check_parse("linux", host);
  check_parse("arm64", "linux/arm64");
  check_parse("aarch64", "linux/arm64");
  check_parse("s390x", "linux/s390x");
}

TEST(parse_refuses)
{
  check_refused("");
  check_refused("/");
  check_refused("linux/");
  check_refused("/amd64");
  check_refused("linux//amd64");
  check_refused("linux/amd64/v8/x");
  check_refused("linux/am d64");
  check_refused("linux/amd64\n");
  check_refused("bogus");
  check_refused("../amd64");
  check_refused("linux/arm64/v8.0");
}

/* rank of an entry platform against a wanted one given as a string */
static int
rank(const char *want, const char *os, const char *arch, const char *variant)
{
  cleanup_error berth_error *err = NULL;
  cleanup_free char *wo = NULL, *wa = NULL, *wv = NULL;
  if (berth_platform_parse(want, &wo, &wa, &wv, &err) < 0)
    return -100;
  return berth_platform_match_rank(wo, wa, wv, os, arch, variant);
}

TEST(match_rank)
{
  CHECK(rank("linux/amd64", "linux", "amd64", NULL) == 0);
  CHECK(rank("linux/amd64", "Linux", "x86_64", NULL) == 0);
  CHECK(rank("linux/amd64", "linux", "amd64", "v1") == 0);
  CHECK(rank("linux/amd64", "linux", "386", NULL) == 1);
  CHECK(rank("linux/amd64", "linux", "amd64", "v2") == -1);
  CHECK(rank("linux/amd64", "windows", "amd64", NULL) == -1);
  CHECK(rank("linux/amd64", "linux", "arm64", NULL) == -1);
  CHECK(rank("linux/amd64/v3", "linux", "amd64", "v2") == 1);
  CHECK(rank("linux/amd64/v3", "linux", "amd64", NULL) == 2);
  CHECK(rank("linux/amd64/v3", "linux", "386", NULL) == 3);
  CHECK(rank("linux/arm64", "linux", "arm64", "v8") == 0);
  CHECK(rank("linux/arm64/v8", "linux", "aarch64", NULL) == 0);
  CHECK(rank("linux/arm64", "linux", "arm", "v8") == 1);
  CHECK(rank("linux/arm64", "linux", "arm", "v7") == 2);
  CHECK(rank("linux/arm64", "linux", "arm", "v5") == 4);
  CHECK(rank("linux/arm64", "linux", "arm", NULL) == 2); /* arm alone is v7 */
  CHECK(rank("linux/arm/v7", "linux", "arm", NULL) == 0);
  CHECK(rank("linux/arm/v7", "linux", "arm", "v6") == 1);
  CHECK(rank("linux/arm/v7", "linux", "arm", "v5") == 2);
  CHECK(rank("linux/arm/v7", "linux", "arm", "v8") == -1);
  CHECK(rank("linux/arm/v7", "linux", "arm64", NULL) == -1);
  CHECK(rank("linux/arm/v5", "linux", "arm", "v6") == -1);
  CHECK(rank("linux/arm/v6", "linux", "arm", "v5") == 1);
  CHECK(rank("linux/amd64", NULL, "amd64", NULL) == -1);
  CHECK(rank("linux/amd64", "linux", NULL, NULL) == -1);
}

TEST(layer_media_types)
{
  static const struct {
    const char *mt;
    enum berth_compression c;
    bool nd;
  } cases[] = {
    { BERTH_MT_DOCKER_LAYER_GZIP, BERTH_COMPRESSION_GZIP, false },
    { BERTH_MT_DOCKER_FOREIGN_LAYER_GZIP, BERTH_COMPRESSION_GZIP, true },
    { "application/vnd.oci.image.layer.v1.tar", BERTH_COMPRESSION_NONE, false },
    { "application/vnd.oci.image.layer.v1.tar+gzip", BERTH_COMPRESSION_GZIP, false },
    { "application/vnd.oci.image.layer.v1.tar+zstd", BERTH_COMPRESSION_ZSTD, false },
    { "application/vnd.oci.image.layer.nondistributable.v1.tar", BERTH_COMPRESSION_NONE, true },
    { "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", BERTH_COMPRESSION_GZIP,
      true },
    { "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", BERTH_COMPRESSION_ZSTD,
      true },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    cleanup_error berth_error *err = NULL;
    enum berth_compression c = (enum berth_compression)99;
    CHECK(berth_media_type_layer_compression(cases[i].mt, &c, &err) == 0);
    CHECK(c == cases[i].c);
    CHECK(berth_media_type_is_nondistributable(cases[i].mt) == cases[i].nd);
  }
}

TEST(layer_media_types_refused)
{
  static const char *const bad[] = {
    "application/vnd.oci.image.layer.v1.tar+xz",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.oci.image.config.v1+json",
    "APPLICATION/VND.OCI.IMAGE.LAYER.V1.TAR",
    "",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cleanup_error berth_error *err = NULL;
    enum berth_compression c = BERTH_COMPRESSION_ZSTD;
    CHECK(berth_media_type_layer_compression(bad[i], &c, &err) == -1);
    CHECK(err != NULL && strstr(berth_error_message(err), "unsupported layer media type") != NULL);
    CHECK(c == BERTH_COMPRESSION_ZSTD);
  }
  cleanup_error berth_error *err = NULL;
  enum berth_compression c;
  CHECK(berth_media_type_layer_compression(NULL, &c, &err) == -1);
}

TEST(classify)
{
  CHECK(berth_media_type_is_index(BERTH_MT_OCI_INDEX));
  CHECK(berth_media_type_is_index(BERTH_MT_DOCKER_LIST));
  CHECK(!berth_media_type_is_index(BERTH_MT_OCI_MANIFEST));
  CHECK(!berth_media_type_is_index(NULL));
  CHECK(berth_media_type_is_manifest(BERTH_MT_OCI_MANIFEST));
  CHECK(berth_media_type_is_manifest(BERTH_MT_DOCKER_MANIFEST));
  CHECK(!berth_media_type_is_manifest(BERTH_MT_DOCKER_SCHEMA1));
  CHECK(berth_media_type_is_schema1(BERTH_MT_DOCKER_SCHEMA1_SIGNED));
  CHECK(berth_media_type_is_config(BERTH_MT_OCI_CONFIG));
  CHECK(berth_media_type_is_config(BERTH_MT_DOCKER_CONFIG));
  CHECK(!berth_media_type_is_config(BERTH_MT_OCI_LAYER));
}

int
main(void)
{
  RUN(host);
  RUN(parse_normalizes);
  RUN(parse_single_word);
  RUN(parse_refuses);
  RUN(match_rank);
  RUN(layer_media_types);
  RUN(layer_media_types_refused);
  RUN(classify);
  DONE();
}
