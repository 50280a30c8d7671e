/* `load` of an OCI image layout archive (podman's and skopeo's
 * oci-archive:, berth's save --format oci-archive): index.json names the
 * manifests, blobs/sha256/<hex> holds every blob. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "images/load_internal.h"
#include "reference/reference.h"

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

enum { HASH_BUFFER = 256 << 10 };

/* The layer media types berth_layer_unpack reads (it detects the
 * compression by magic; the diffID check is what counts). */
static bool
is_layer_type(const char *t)
{
  static const char *const types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  };
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    if (strcmp(t, types[i]) == 0)
      return true;
  return false;
}

/* The entry of the blob a descriptor (untrusted: checked first) names,
 * its copy hashed to its digest and as long as its size. */
static const struct entry *
find_blob(const struct archive_copy *c, const char *source, const char *what, json_t *desc,
          berth_error **err)
{
  const char *digest = json_string_value(json_object_get(desc, "digest"));
  json_t *size = json_object_get(desc, "size");
  if (digest == NULL || !berth_digest_is_valid(digest))
    return berth_error_set(err, 0, "%s: %s digest %s is not a sha256 digest", source, what,
                           digest != NULL ? digest : "(none)"),
           NULL;
  cleanup_free char *path = xasprintf("blobs/sha256/%s", berth_digest_hex(digest));
  const struct entry *e = load_lookup(c, source, what, path, err);
  if (e == NULL)
    return NULL;
  load_reader r;
  if (load_reader_open(c, e, &r, err) < 0)
    return NULL;
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  cleanup_free char *buf = xmalloc(HASH_BUFFER);
  json_int_t total = 0;
  for (;;) {
    ssize_t n = load_reader_read(&r, buf, HASH_BUFFER, err);
    if (n < 0) {
      load_reader_close(&r);
      return berth_error_prefix(err, "%s", path), NULL;
    }
    if (n == 0)
      break;
    berth_sha256_update(h, buf, (size_t)n);
    total += n;
  }
  load_reader_close(&r);
  char got[BERTH_DIGEST_LEN];
  berth_sha256_final(h, got);
  if (size != NULL && (!json_is_integer(size) || json_integer_value(size) != total))
    return berth_error_set(err, 0, "%s: %s %s is %lld bytes, not the size its descriptor says",
                           source, what, path, (long long)total),
           NULL;
  if (strcmp(got, digest) != 0)
    return berth_error_set(err, 0, "%s: %s %s has digest %s, not the one it is named by", source,
                           what, path, got),
           NULL;
  return e;
}

static char *
read_blob(const struct archive_copy *c, const char *source, const char *what, json_t *desc,
          size_t *len, berth_error **err)
{
  const struct entry *e = find_blob(c, source, what, desc, err);
  return e != NULL ? load_read_small(c, e, len, err) : NULL;
}

/* The manifest digest names (untrusted JSON) as an image: config and
 * layers, each blob verified. */
static int
plan_manifest(const struct archive_copy *c, json_t *desc, struct load_image *im, berth_error **err)
{
  const char *digest = json_string_value(json_object_get(desc, "digest"));
  size_t len;
  cleanup_free char *text = read_blob(c, "index.json", "manifest", desc, &len, err);
  if (text == NULL)
    return -1;
  cleanup_free char *source = xasprintf("manifest %s", digest);
  json_error_t jerr;
  cleanup_json json_t *m = json_loadb(text, len, 0, &jerr);
  if (!json_is_object(m))
    return berth_error_set(err, 0, "%s: %s", source, m == NULL ? jerr.text : "not an object");
  json_t *layers = json_object_get(m, "layers");
  json_t *cd = json_object_get(m, "config");
  const char *config = json_string_value(json_object_get(cd, "digest"));
  if (!json_is_array(layers) || config == NULL)
    return berth_error_set(err, 0, "%s: no config and layers", source);
  im->config = read_blob(c, source, "config", cd, &im->config_len, err);
  if (im->config == NULL)
    return -1;
  size_t n = json_array_size(layers);
  if (load_image_config(im, config, source, n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    json_t *d = json_array_get(layers, i);
    const char *type = json_string_value(json_object_get(d, "mediaType"));
    const char *ld = json_string_value(json_object_get(d, "digest"));
    if (type == NULL || !is_layer_type(type))
      return berth_error_set(err, 0, "%s: layer %zu has media type %s, not a layer tar", source,
                             i + 1, type != NULL ? type : "(none)");
    im->layers[i] = find_blob(c, source, "layer", d, err);
    if (im->layers[i] == NULL)
      return -1;
    im->layer_names[i] = xasprintf("blobs/sha256/%s", berth_digest_hex(ld));
  }
  im->chain_ids = berth_chain_ids(im->image->diff_ids, n);
  return 0;
}

/* The name a descriptor's annotations give: containerd's full name first
 * (as podman reads it), else ref.name when it is a reference; NULL when
 * neither names an image. */
static char *
annotated_name(json_t *desc)
{
  json_t *a = json_object_get(desc, "annotations");
  const char *names[] = {
    json_string_value(json_object_get(a, "io.containerd.image.name")),
    json_string_value(json_object_get(a, "org.opencontainers.image.ref.name")),
  };
  for (size_t i = 0; i < 2; i++) {
    if (names[i] == NULL)
      continue;
    berth_error *ignored = NULL;
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(names[i], &ignored);
    berth_error_free(ignored);
    if (ref == NULL || ref->digest != NULL)
      continue;
    berth_reference_default_tag(ref);
    return berth_reference_familiar_string(ref);
  }
  return NULL;
}

int
load_oci_plan(const struct archive_copy *c, struct load_image **ims, size_t *n, berth_error **err)
{
  const struct entry *ie = load_lookup(c, "the archive", "file", "index.json", err);
  if (ie == NULL)
    return -1;
  size_t len;
  cleanup_free char *text = load_read_small(c, ie, &len, err);
  if (text == NULL)
    return -1;
  json_error_t jerr;
  cleanup_json json_t *index = json_loadb(text, len, 0, &jerr);
  json_t *manifests = json_object_get(index, "manifests");
  if (!json_is_array(manifests))
    return berth_error_set(err, 0, "index.json: %s",
                           index == NULL ? jerr.text : "no list of manifests");
  size_t total = json_array_size(manifests);
  if (total == 0)
    return berth_error_set(err, 0, "index.json names no image");
  *ims = xcalloc(total, sizeof **ims);
  cleanup_free char **digests = xcalloc(total, sizeof *digests);
  for (size_t k = 0; k < total; k++) {
    json_t *d = json_array_get(manifests, k);
    const char *type = json_string_value(json_object_get(d, "mediaType"));
    const char *digest = json_string_value(json_object_get(d, "digest"));
    if (type == NULL || (strcmp(type, OCI_MANIFEST) != 0 && strcmp(type, DOCKER_MANIFEST) != 0))
      return berth_error_set(err, 0,
                             "index.json: entry %zu has media type %s, not an image manifest "
                             "(an index of several platforms is not loaded)",
                             k + 1, type != NULL ? type : "(none)");
    /* descriptors of one manifest are one image with several names */
    size_t at = 0;
    while (at < *n && (digest == NULL || strcmp(digests[at], digest) != 0))
      at++;
    if (at == *n) {
      digests[at] = (char *)digest;
      (*n)++;
      if (plan_manifest(c, d, &(*ims)[at], err) < 0)
        return -1;
    }
    char *name = annotated_name(d);
    if (name != NULL)
      load_image_add_tag(&(*ims)[at], name);
  }
  return 0;
}
