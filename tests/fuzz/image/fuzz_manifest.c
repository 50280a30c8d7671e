/* Manifests and indexes straight from a registry: parse with the Content-Type
 * absent, generic and contradicting, then pick a platform from an index. */
#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "image/manifest.h"
#include "image/media_type.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
one(const uint8_t *data, size_t size, const char *content_type)
{
  static const char *const platforms[]
      = { NULL, "linux/amd64", "linux/arm64", "linux/arm/v6", "windows/amd64" };
  cleanup_error berth_error *err = NULL;
  cleanup_manifest berth_manifest *m
      = berth_manifest_parse((const char *)data, size, content_type, &err);
  if (m == NULL) {
    if (err == NULL || berth_error_message(err) == NULL)
      __builtin_trap();
    return;
  }
  if (!m->is_index)
    return;
  for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
    cleanup_error berth_error *serr = NULL;
    const berth_descriptor *d = berth_manifest_select(m, platforms[i], &serr);
    if (d == NULL ? serr == NULL : (d < m->manifests || d >= m->manifests + m->n_manifests))
      __builtin_trap();
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  one(data, size, NULL);
  one(data, size, "application/json; charset=utf-8");
  one(data, size, BERTH_MT_DOCKER_LIST);
  one(data, size, BERTH_MT_OCI_MANIFEST);
  return 0;
}
