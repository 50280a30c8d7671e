#include "image/media_type.h"

#include <stddef.h>
#include <string.h>

struct layer_type {
  const char *mt;
  enum berth_compression compression;
  bool nondistributable;
};

static const struct layer_type layer_types[] = {
  { BERTH_MT_DOCKER_LAYER_GZIP, BERTH_COMPRESSION_GZIP, false },
  { BERTH_MT_DOCKER_FOREIGN_LAYER_GZIP, BERTH_COMPRESSION_GZIP, true },
  { BERTH_MT_OCI_LAYER, BERTH_COMPRESSION_NONE, false },
  { BERTH_MT_OCI_LAYER_GZIP, BERTH_COMPRESSION_GZIP, false },
  { BERTH_MT_OCI_LAYER_ZSTD, BERTH_COMPRESSION_ZSTD, false },
  { BERTH_MT_OCI_ND_LAYER, BERTH_COMPRESSION_NONE, true },
  { BERTH_MT_OCI_ND_LAYER_GZIP, BERTH_COMPRESSION_GZIP, true },
  { BERTH_MT_OCI_ND_LAYER_ZSTD, BERTH_COMPRESSION_ZSTD, true },
};

static const struct layer_type *
find_layer_type(const char *mt)
{
  if (mt == NULL)
    return NULL;
  for (size_t i = 0; i < sizeof(layer_types) / sizeof(layer_types[0]); i++)
    if (strcmp(layer_types[i].mt, mt) == 0)
      return &layer_types[i];
  return NULL;
}

/* mt is untrusted: it is only compared, and quoted (cut short) in errors. */
int
berth_media_type_layer_compression(const char *mt, enum berth_compression *out, berth_error **err)
{
  const struct layer_type *t = find_layer_type(mt);
  if (t == NULL) {
    if (mt == NULL)
      return berth_error_set(err, 0, "missing layer media type");
    return berth_error_set(err, 0, "unsupported layer media type \"%.100s\"", mt);
  }
  *out = t->compression;
  return 0;
}

bool
berth_media_type_is_nondistributable(const char *mt)
{
  const struct layer_type *t = find_layer_type(mt);
  return t != NULL && t->nondistributable;
}

static bool
streq(const char *a, const char *b)
{
  return a != NULL && strcmp(a, b) == 0;
}

bool
berth_media_type_is_index(const char *mt)
{
  return streq(mt, BERTH_MT_OCI_INDEX) || streq(mt, BERTH_MT_DOCKER_LIST);
}

bool
berth_media_type_is_manifest(const char *mt)
{
  return streq(mt, BERTH_MT_OCI_MANIFEST) || streq(mt, BERTH_MT_DOCKER_MANIFEST);
}

bool
berth_media_type_is_schema1(const char *mt)
{
  return streq(mt, BERTH_MT_DOCKER_SCHEMA1) || streq(mt, BERTH_MT_DOCKER_SCHEMA1_SIGNED);
}

bool
berth_media_type_is_config(const char *mt)
{
  return streq(mt, BERTH_MT_DOCKER_CONFIG) || streq(mt, BERTH_MT_OCI_CONFIG);
}
