/* `save --format oci-archive|oci-dir`: the images as an OCI image layout
 * (oci-layout, index.json, blobs/sha256/<hex>), as a tar or a directory.
 * Layers are the exact uncompressed layer tars, so a layer's blob digest
 * is its diffID and the config is the stored config: the image ID stays. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/stream.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/config.h"
#include "images/save.h"
#include "images/save_plan.h"
#include "reference/reference.h"

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define OCI_LAYOUT "{\"imageLayoutVersion\":\"1.0.0\"}"

/* A blob: bytes held here (config, manifest) or a layer rebuilt from the
 * store (chain_id set), each written once. */
struct blob {
  char digest[BERTH_DIGEST_LEN];
  const char *data;
  char *owned;
  size_t len;
  char chain_id[BERTH_DIGEST_LEN];
  long long size;
};

struct oci_plan {
  save_plan p;
  struct blob *blobs;
  size_t n_blobs;
  char *index;
};

static void
oci_plan_clear(struct oci_plan *o)
{
  for (size_t i = 0; i < o->n_blobs; i++)
    free(o->blobs[i].owned);
  free(o->blobs);
  free(o->index);
  save_plan_clear(&o->p);
}

static struct blob *
add_blob(struct oci_plan *o, const char *digest, bool *fresh)
{
  for (size_t i = 0; i < o->n_blobs; i++)
    if (strcmp(o->blobs[i].digest, digest) == 0) {
      *fresh = false;
      return &o->blobs[i];
    }
  o->blobs = xrealloc(o->blobs, (o->n_blobs + 1) * sizeof *o->blobs);
  struct blob *b = &o->blobs[o->n_blobs++];
  memset(b, 0, sizeof *b);
  memcpy(b->digest, digest, BERTH_DIGEST_LEN);
  *fresh = true;
  return b;
}

static json_t *
descriptor(const char *media_type, const char *digest, long long size)
{
  return json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", digest, "size",
                   (json_int_t)size);
}

/* One image's manifest (stored config, uncompressed layers) as a blob. */
static int
plan_manifest(berth_store *s, struct oci_plan *o, const save_image *im,
              char digest[BERTH_DIGEST_LEN], size_t *len, berth_error **err)
{
  cleanup_image_config berth_image_config *c
      = berth_image_config_parse(im->config, im->config_len, err);
  if (c == NULL)
    return berth_error_prefix(err, "image %s", im->id);
  cleanup_strv char **chains = berth_chain_ids(c->diff_ids, c->n_diff_ids);
  bool fresh;
  struct blob *cb = add_blob(o, im->id, &fresh);
  cb->data = im->config;
  cb->len = im->config_len;
  json_t *layers = json_array();
  cleanup_json json_t *m
      = json_pack("{s:i, s:s, s:o, s:o}", "schemaVersion", 2, "mediaType", OCI_MANIFEST, "config",
                  descriptor(OCI_CONFIG, im->id, (long long)im->config_len), "layers", layers);
  for (size_t i = 0; i < c->n_diff_ids; i++) {
    struct blob *lb = add_blob(o, c->diff_ids[i], &fresh);
    if (fresh) {
      memcpy(lb->chain_id, chains[i], BERTH_DIGEST_LEN);
      if (save_layer_size(s, chains[i], &lb->size, err) < 0)
        return berth_error_prefix(err, "layer %s", c->diff_ids[i]);
    }
    json_array_append_new(layers, descriptor(OCI_LAYER, c->diff_ids[i], lb->size));
  }
  char *text = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
  berth_sha256_digest(text, strlen(text), digest);
  *len = strlen(text);
  struct blob *mb = add_blob(o, digest, &fresh);
  if (!fresh) {
    free(text);
    return 0;
  }
  mb->data = mb->owned = text;
  mb->len = *len;
  return 0;
}

/* index.json: a descriptor per tag, annotated as containerd (and Docker's
 * OCI save) writes it: io.containerd.image.name the full name, which
 * podman's load prefers; org.opencontainers.image.ref.name the tag.  An
 * image without a tag gets one descriptor without annotations. */
static int
oci_plan_make(berth_store *s, char *const *names, size_t n, struct oci_plan *o, berth_error **err)
{
  memset(o, 0, sizeof *o);
  if (save_plan_make(s, names, n, &o->p, err) < 0)
    return -1;
  cleanup_json json_t *manifests = json_array();
  for (size_t i = 0; i < o->p.n_images; i++) {
    const save_image *im = &o->p.images[i];
    char digest[BERTH_DIGEST_LEN];
    size_t len = 0;
    if (plan_manifest(s, o, im, digest, &len, err) < 0)
      return -1;
    for (size_t t = 0; t == 0 || t < im->n_tags; t++) {
      json_t *d = descriptor(OCI_MANIFEST, digest, (long long)len);
      json_array_append_new(manifests, d);
      if (im->n_tags == 0)
        break;
      cleanup_reference berth_reference *ref = berth_reference_parse_normalized(im->tags[t], err);
      if (ref == NULL)
        return -1;
      cleanup_free char *full = berth_reference_string(ref);
      json_object_set_new(d, "annotations",
                          json_pack("{s:s, s:s}", "io.containerd.image.name", full,
                                    "org.opencontainers.image.ref.name",
                                    ref->tag != NULL ? ref->tag : "latest"));
    }
  }
  cleanup_json json_t *index
      = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType",
                  "application/vnd.oci.image.index.v1+json", "manifests", manifests);
  o->index = json_dumps(index, JSON_COMPACT | JSON_PRESERVE_ORDER);
  return 0;
}

static int
write_tar(struct archive *a, berth_store *s, const struct oci_plan *o, berth_error **err)
{
  if (save_put_header(a, save_new_entry("blobs", AE_IFDIR, 0755, 0, 0), err) < 0
      || save_put_header(a, save_new_entry("blobs/sha256", AE_IFDIR, 0755, 0, 0), err) < 0
      || save_put_file(a, "oci-layout", OCI_LAYOUT, strlen(OCI_LAYOUT), 0, err) < 0
      || save_put_file(a, "index.json", o->index, strlen(o->index), 0, err) < 0)
    return -1;
  for (size_t i = 0; i < o->n_blobs; i++) {
    const struct blob *b = &o->blobs[i];
    cleanup_free char *name = xasprintf("blobs/sha256/%s", berth_digest_hex(b->digest));
    int rc = b->chain_id[0] != '\0' ? save_put_layer_tar(a, s, name, b->chain_id, 0, err)
                                    : save_put_file(a, name, b->data, b->len, 0, err);
    if (rc < 0)
      return berth_error_prefix(err, "blob %s", b->digest);
  }
  return 0;
}

int
berth_image_save_oci(berth_store *s, char *const *names, size_t n, int fd, berth_error **err)
{
  return save_oci_to(s, names, n, fd, false, err);
}

int
save_oci_to(berth_store *s, char *const *names, size_t n, int fd, bool writeback, berth_error **err)
{
  struct oci_plan o;
  if (oci_plan_make(s, names, n, &o, err) < 0) {
    oci_plan_clear(&o);
    return -1;
  }
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  struct save_out out;
  int rc = save_archive_open(a, &out, fd, writeback) == 0 ? write_tar(a, s, &o, err)
                                                          : save_archive_fail(a, "archive", err);
  if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
    rc = save_archive_fail(a, "archive", err);
  archive_write_free(a);
  oci_plan_clear(&o);
  return rc;
}

static int
put_dir_file(int dirfd, const char *name, const char *data, size_t len, berth_error **err)
{
  cleanup_close int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return berth_error_set(err, errno, "create %s", name);
  if (berth_fd_write(&fd, data, len, err) < 0)
    return -1;
  if (fsync(fd) < 0)
    return berth_error_set(err, errno, "fsync %s", name);
  return 0;
}

static int
put_dir_layer(int dirfd, berth_store *s, const char *name, const struct blob *b, berth_error **err)
{
  cleanup_close int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return berth_error_set(err, errno, "create %s", name);
  if (save_layer_write(s, b->chain_id, b->size, berth_fd_write, &fd, err) < 0)
    return -1;
  if (fsync(fd) < 0)
    return berth_error_set(err, errno, "fsync %s", name);
  return 0;
}

static int
write_dir(int dirfd, berth_store *s, const struct oci_plan *o, berth_error **err)
{
  if (berth_mkdir_p_at(dirfd, "blobs/sha256", 0755, err) < 0)
    return -1;
  for (size_t i = 0; i < o->n_blobs; i++) {
    const struct blob *b = &o->blobs[i];
    cleanup_free char *name = xasprintf("blobs/sha256/%s", berth_digest_hex(b->digest));
    int rc = b->chain_id[0] != '\0' ? put_dir_layer(dirfd, s, name, b, err)
                                    : put_dir_file(dirfd, name, b->data, b->len, err);
    if (rc < 0)
      return berth_error_prefix(err, "blob %s", b->digest);
  }
  if (berth_fsync_dir_at(dirfd, "blobs/sha256", err) < 0
      || berth_fsync_dir_at(dirfd, "blobs", err) < 0
      || put_dir_file(dirfd, "oci-layout", OCI_LAYOUT, strlen(OCI_LAYOUT), err) < 0
      || put_dir_file(dirfd, "index.json", o->index, strlen(o->index), err) < 0
      || berth_fsync_dir_at(dirfd, ".", err) < 0)
    return -1;
  return 0;
}

int
berth_image_save_oci_dir(berth_store *s, char *const *names, size_t n, const char *path,
                         berth_error **err)
{
  struct oci_plan o;
  if (oci_plan_make(s, names, n, &o, err) < 0) {
    oci_plan_clear(&o);
    return -1;
  }
  cleanup_free char *copy = xstrdup(path);
  const char *parent = dirname(copy);
  cleanup_free char *tmp = xasprintf("%s/.berth_temp_XXXXXX", parent);
  int rc = -1;
  bool renamed = false;
  if (mkdtemp(tmp) == NULL) {
    berth_error_set(err, errno, "failed to create a temporary directory for %s", path);
    goto out;
  }
  {
    cleanup_close int dirfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
      berth_error_set(err, errno, "open %s", tmp);
    else if (fchmod(dirfd, 0755) < 0)
      berth_error_set(err, errno, "chmod %s", tmp);
    else if (write_dir(dirfd, s, &o, err) == 0) {
      /* rename(2) replaces an empty directory, refuses a full one */
      if (rename(tmp, path) < 0)
        berth_error_set(err, errno, "rename to %s", path);
      else {
        renamed = true;
        rc = berth_fsync_dir_at(AT_FDCWD, parent, err);
      }
    }
  }
  if (rc < 0 && !renamed) {
    berth_error *ignored = NULL;
    berth_rm_rf_at(AT_FDCWD, tmp, &ignored);
    berth_error_free(ignored);
  }
out:
  oci_plan_clear(&o);
  return rc;
}
