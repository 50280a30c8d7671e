#include "image/manifest.h"

#include <ctype.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/json_field.h"
#include "image/media_type.h"
#include "image/platform.h"

static void
free_descriptors(berth_descriptor *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    berth_descriptor_clear(&v[i]);
  free(v);
}

void
berth_manifest_free(berth_manifest *m)
{
  if (m == NULL)
    return;
  free(m->media_type);
  berth_descriptor_clear(&m->config);
  free_descriptors(m->layers, m->n_layers);
  free_descriptors(m->manifests, m->n_manifests);
  free(m);
}

void
berth_manifest_cleanup(berth_manifest **m)
{
  berth_manifest_free(*m);
}

static int
schema1_error(berth_error **err)
{
  return berth_error_set(err, 0,
                         "image manifest schema 1 is not supported (Docker removed it); "
                         "push the image again with a current client");
}

/* The media type of a Content-Type header: parameters dropped, blanks
 * trimmed, lower case; NULL when there is nothing or only a generic type
 * that says nothing about the document. */
static char *
content_type_media_type(const char *content_type)
{
  if (content_type == NULL)
    return NULL;
  while (*content_type == ' ' || *content_type == '\t')
    content_type++;
  size_t len = strcspn(content_type, ";");
  while (len > 0 && (content_type[len - 1] == ' ' || content_type[len - 1] == '\t'))
    len--;
  char *mt = xstrndup(content_type, len);
  for (char *p = mt; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  if (*mt == '\0' || strcmp(mt, "application/json") == 0
      || strcmp(mt, "application/octet-stream") == 0 || strcmp(mt, "text/plain") == 0) {
    free(mt);
    return NULL;
  }
  return mt;
}

/* Which type the document is: its mediaType, else the Content-Type, else
 * guessed from its shape as containerd does. */
static int
decide_media_type(json_t *root, const char *content_type, char **out, berth_error **err)
{
  const char *body_mt;
  cleanup_free char *ct = content_type_media_type(content_type);
  if (berth_json_get_string(root, "mediaType", false, &body_mt, err) < 0)
    return -1;
  if (berth_media_type_is_schema1(body_mt))
    return schema1_error(err);
  if (body_mt != NULL && ct != NULL && strcmp(body_mt, ct) != 0)
    return berth_error_set(err, 0,
                           "manifest mediaType \"%.100s\" contradicts Content-Type "
                           "\"%.100s\"",
                           body_mt, ct);
  if (body_mt != NULL)
    *out = xstrdup(body_mt);
  else if (ct != NULL)
    *out = steal_pointer(&ct);
  else if (json_object_get(root, "manifests") != NULL)
    *out = xstrdup(BERTH_MT_OCI_INDEX);
  else
    *out = xstrdup(BERTH_MT_OCI_MANIFEST);
  if (!berth_media_type_is_index(*out) && !berth_media_type_is_manifest(*out))
    return berth_error_set(err, 0, "unsupported manifest media type \"%.100s\"", *out);
  return 0;
}

/* arr is an untrusted array of descriptors. */
static int
parse_descriptor_array(json_t *arr, bool platform, const char *what, berth_descriptor **out,
                       size_t *n_out, berth_error **err)
{
  size_t n = json_array_size(arr);
  *out = xcalloc(n ? n : 1, sizeof(berth_descriptor));
  *n_out = 0;
  for (size_t i = 0; i < n; i++) {
    if (berth_descriptor_parse(json_array_get(arr, i), platform, &(*out)[i], err) < 0)
      return berth_error_prefix(err, "%s %zu", what, i);
    *n_out = i + 1;
  }
  return 0;
}

static int
parse_index(json_t *root, berth_manifest *m, berth_error **err)
{
  json_t *arr;
  if (json_object_get(root, "config") != NULL || json_object_get(root, "layers") != NULL)
    return berth_error_set(err, 0, "%s has config or layers, as an image manifest would",
                           m->media_type);
  if (berth_json_get_array(root, "manifests", true, &arr, err) < 0)
    return -1;
  return parse_descriptor_array(arr, true, "manifests", &m->manifests, &m->n_manifests, err);
}

static int
check_layer_types(const berth_manifest *m, berth_error **err)
{
  for (size_t i = 0; i < m->n_layers; i++) {
    enum berth_compression c;
    if (berth_media_type_layer_compression(m->layers[i].media_type, &c, err) < 0)
      return berth_error_prefix(err, "layers %zu", i);
  }
  return 0;
}

static int
parse_image_manifest(json_t *root, berth_manifest *m, berth_error **err)
{
  json_t *config, *layers;
  if (json_object_get(root, "manifests") != NULL)
    return berth_error_set(err, 0, "%s has manifests, as an index would", m->media_type);
  if (berth_json_get_object(root, "config", true, &config, err) < 0)
    return -1;
  if (berth_descriptor_parse(config, false, &m->config, err) < 0)
    return berth_error_prefix(err, "config");
  if (!berth_media_type_is_config(m->config.media_type))
    return berth_error_set(err, 0, "config: unsupported media type \"%.100s\"",
                           m->config.media_type);
  if (berth_json_get_array(root, "layers", true, &layers, err) < 0)
    return -1;
  if (parse_descriptor_array(layers, false, "layers", &m->layers, &m->n_layers, err) < 0)
    return -1;
  return check_layer_types(m, err);
}

static int
check_schema_version(json_t *root, berth_error **err)
{
  int64_t version;
  if (berth_json_get_int(root, "schemaVersion", true, 0, &version, err) < 0)
    return -1;
  if (version == 1)
    return schema1_error(err);
  if (version != 2)
    return berth_error_set(err, 0, "unsupported manifest schemaVersion %lld", (long long)version);
  return 0;
}

/* data and content_type are untrusted (straight from a registry). */
berth_manifest *
berth_manifest_parse(const char *data, size_t len, const char *content_type, berth_error **err)
{
  cleanup_free char *ct = content_type_media_type(content_type);
  if (berth_media_type_is_schema1(ct)) {
    schema1_error(err);
    return NULL;
  }
  cleanup_json json_t *root = berth_json_parse_object(data, len, err);
  if (root == NULL || check_schema_version(root, err) < 0)
    return NULL;
  cleanup_manifest berth_manifest *m = xcalloc(1, sizeof(*m));
  if (decide_media_type(root, content_type, &m->media_type, err) < 0)
    return NULL;
  m->is_index = berth_media_type_is_index(m->media_type);
  if ((m->is_index ? parse_index(root, m, err) : parse_image_manifest(root, m, err)) < 0)
    return NULL;
  return steal_pointer(&m);
}

static int
want_platform(const char *platform, char **os, char **arch, char **variant, berth_error **err)
{
  if (platform != NULL)
    return berth_platform_parse(platform, os, arch, variant, err);
  cleanup_free char *host = berth_platform_host();
  return berth_platform_parse(host, os, arch, variant, err);
}

const berth_descriptor *
berth_manifest_select(const berth_manifest *index, const char *platform, berth_error **err)
{
  cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
  const berth_descriptor *best = NULL;
  int best_rank = -1;
  if (!index->is_index) {
    berth_error_set(err, 0, "%s is not an index", index->media_type);
    return NULL;
  }
  if (want_platform(platform, &os, &arch, &variant, err) < 0)
    return NULL;
  for (size_t i = 0; i < index->n_manifests; i++) {
    const berth_descriptor *d = &index->manifests[i];
    if (!berth_media_type_is_manifest(d->media_type))
      continue;
    int r = berth_platform_match_rank(os, arch, variant, d->os, d->architecture, d->variant);
    if (r >= 0 && (best == NULL || r < best_rank)) {
      best = d;
      best_rank = r;
    }
  }
  if (best == NULL) {
    cleanup_free char *name = berth_platform_format(os, arch, variant);
    berth_error_set(err, 0, "no matching manifest for %s in the manifest list entries", name);
  }
  return best;
}
