/* `push`: layers bottom-up, then the config, then the manifest by tag. */
#include "push/push.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/config.h"
#include "image/media_type.h"
#include "push/blob.h"
#include "push/relay.h"
#include "push/source.h"
#include "reference/grammar.h"
#include "registry/client.h"
#include "registry/errors.h"
#include "store/distribution.h"
#include "store/image.h"
#include "store/layer.h"
#include "store/layer_tar.h"
#include "store/scratch.h"

#define OUT_CHUNK (256 * 1024)

static const char manifest_type[] = "application/vnd.docker.distribution.manifest.v2+json";
static const char config_type[] = "application/vnd.docker.container.image.v1+json";
static const char layer_type[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";

static void
registry_cleanup(berth_registry **r)
{
  berth_registry_free(*r);
}
#define cleanup_registry __attribute__((cleanup(registry_cleanup)))

/* The layer tar streamed through gzip into a file, both hashed. */
struct gz_sink {
  z_stream z;
  int fd;
  berth_sha256 *gz_hash;
  int64_t gz_len;
  unsigned char out[OUT_CHUNK];
};

static int
gz_drain(struct gz_sink *g, int flush, berth_error **err)
{
  do {
    g->z.next_out = g->out;
    g->z.avail_out = sizeof g->out;
    int rc = deflate(&g->z, flush);
    if (rc == Z_STREAM_ERROR)
      return berth_error_set(err, 0, "gzip: %s", g->z.msg ? g->z.msg : "stream error");
    size_t n = sizeof g->out - g->z.avail_out;
    berth_sha256_update(g->gz_hash, g->out, n);
    for (size_t off = 0; off < n;) {
      ssize_t w = write(g->fd, g->out + off, n - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return berth_error_set(err, errno, "write the compressed layer");
      off += (size_t)w;
    }
    g->gz_len += (int64_t)n;
  } while (g->z.avail_out == 0);
  return 0;
}

static int
gz_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  struct gz_sink *g = ctx;
  g->z.next_in = (unsigned char *)buf;
  g->z.avail_in = (uInt)len;
  return gz_drain(g, Z_NO_FLUSH, err);
}

/* A layer's blob, made here: its exact tar rebuilt from the layer directory
 * and tar-split, checked against the diffID, gzipped into out_fd. */
static int
compress_layer(berth_store *s, const char *chain_id, int out_fd, char digest[BERTH_DIGEST_LEN],
               int64_t *len, berth_error **err)
{
  cleanup_free struct gz_sink *g = xcalloc(1, sizeof *g);
  if (deflateInit2(&g->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY)
      != Z_OK)
    return berth_error_set(err, ENOMEM, "gzip: cannot start");
  g->fd = out_fd;
  cleanup_sha256 berth_sha256 *gh = berth_sha256_new();
  g->gz_hash = gh;
  long long tar_len = 0;
  int rc = berth_store_layer_tar_write(s, chain_id, gz_write, g, &tar_len, err);
  if (rc == 0) {
    g->z.next_in = NULL;
    g->z.avail_in = 0;
    rc = gz_drain(g, Z_FINISH, err);
  }
  deflateEnd(&g->z);
  if (rc < 0)
    return -1;
  berth_sha256_final(gh, digest);
  *len = g->gz_len;
  return 0;
}

static void
emit(const berth_push_options *o, berth_push_event_kind kind, const char *diff_id, const char *from)
{
  if (o->on_event == NULL)
    return;
  char id[13];
  snprintf(id, sizeof id, "%.12s", berth_digest_hex(diff_id));
  o->on_event(o->event_ctx, kind, id, from);
}

/* Where the store saw this blob on the same registry (v2metadata), as a
 * repository path to mount it from; NULL when nowhere else. */
static char *
mount_source(berth_store *s, const char *diff_id, const char *digest, const char *domain,
             const char *target, berth_error **err)
{
  cleanup_json json_t *list = berth_store_v2metadata(s, diff_id, err);
  if (list == NULL)
    return NULL;
  size_t dlen = strlen(domain);
  for (size_t i = json_array_size(list); i-- > 0;) {
    json_t *e = json_array_get(list, i);
    const char *d = json_string_value(json_object_get(e, "Digest"));
    const char *repo = json_string_value(json_object_get(e, "SourceRepository"));
    if (d == NULL || repo == NULL || strcmp(d, digest) != 0 || strncmp(repo, domain, dlen) != 0
        || repo[dlen] != '/')
      continue;
    const char *path = repo + dlen + 1;
    if (strcmp(path, target) != 0 && berth_reference_match_path(path, strlen(path)))
      return xstrdup(path);
  }
  return NULL;
}

/* A layer of the kept manifest, if the target repository has its blob or
 * can mount it: 1 (desc goes into the manifest as it is), 0 not. */
static int
reuse_layer(berth_store *s, berth_registry *r, const berth_descriptor *kept, const char *diff_id,
            const char *domain, const berth_push_options *o, berth_error **err)
{
  if (!push_source_layer_is_gzip(kept->media_type))
    return 0;
  int has = push_blob_exists(r, kept->digest, err);
  if (has != 0) {
    if (has == 1)
      emit(o, BERTH_PUSH_EXISTS, diff_id, NULL);
    return has;
  }
  cleanup_free char *from
      = mount_source(s, diff_id, kept->digest, domain, berth_registry_repository(r), err);
  if (from == NULL && err != NULL && *err != NULL)
    return -1;
  int mounted = from != NULL ? push_blob_mount(r, kept->digest, from, err) : 0;
  if (mounted == 1)
    emit(o, BERTH_PUSH_MOUNTED, diff_id, from);
  if (mounted != 0)
    return mounted;
  /* Another registry it was pulled from gives the exact blob (relay.h). */
  int relayed = push_relay_blob(s, r, diff_id, kept, domain, o->registry, err);
  if (relayed == 1)
    emit(o, BERTH_PUSH_PUSHED, diff_id, NULL);
  return relayed;
}

/* One layer: compressed, then sent unless the repository has it. */
static int
push_layer(berth_store *s, berth_registry *r, int scratch_fd, const char *chain_id,
           const char *diff_id, const char *repo_name, const berth_push_options *o, json_t *layers,
           berth_error **err)
{
  cleanup_close int fd = openat(scratch_fd, berth_digest_hex(chain_id),
                                O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return berth_error_set(err, errno, "create a scratch file");
  char digest[BERTH_DIGEST_LEN];
  int64_t len = 0;
  if (compress_layer(s, chain_id, fd, digest, &len, err) < 0)
    return berth_error_prefix(err, "layer %s", diff_id);
  int has = push_blob_exists(r, digest, err);
  if (has < 0)
    return -1;
  if (!has) {
    if (lseek(fd, 0, SEEK_SET) < 0)
      return berth_error_set(err, errno, "rewind the compressed layer");
    if (push_blob_upload(r, digest, NULL, fd, len, err) < 0)
      return -1;
  }
  unlinkat(scratch_fd, berth_digest_hex(chain_id), 0);
  /* Recorded as pull records it, so that later pushes and pulls know the
   * blob of this diffID. */
  if (berth_store_distribution_put(s, digest, diff_id, repo_name, err) < 0)
    return -1;
  emit(o, has ? BERTH_PUSH_EXISTS : BERTH_PUSH_PUSHED, diff_id, NULL);
  json_array_append_new(layers, json_pack("{s:s, s:I, s:s}", "mediaType", layer_type, "size",
                                          (json_int_t)len, "digest", digest));
  return 0;
}

static int
put_manifest(berth_registry *r, const char *tag, const char *type, const char *data, size_t len,
             berth_error **err)
{
  cleanup_free char *path = xasprintf("/v2/%s/manifests/%s", berth_registry_repository(r), tag);
  berth_http_request hr = {
    .method = "PUT",
    .content_type = type,
    .upload_data = data,
    .upload_len = (int64_t)len,
  };
  berth_http_response resp;
  int rc = berth_registry_send(r, path, &hr, &resp, err);
  if (rc == 0 && resp.status != 201 && resp.status != 200)
    rc = berth_registry_error_from_response(resp.status, resp.body, resp.len, err);
  berth_http_response_clear(&resp);
  return rc < 0 ? berth_error_prefix(err, "manifest %s", tag) : 0;
}

/* ref comes from the user (parsed and normalized by the caller); image_id
 * from the store.  The config read back is checked against its id by the
 * store, and parsed as untrusted. */
int
berth_push(berth_store *s, const berth_reference *ref, const char *image_id,
           const berth_push_options *o, berth_push_result *out, berth_error **err)
{
  if (ref->digest != NULL)
    return berth_error_set(err, EINVAL, "cannot push a digest reference");
  const char *tag = ref->tag != NULL ? ref->tag : "latest";
  out->replaced[0] = '\0';
  cleanup_free char *config = NULL;
  size_t config_len = 0;
  int found = berth_store_image_get(s, image_id, &config, &config_len, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set(err, ENOENT, "No such image: %s", image_id);
  cleanup_image_config berth_image_config *cfg = berth_image_config_parse(config, config_len, err);
  if (cfg == NULL)
    return berth_error_prefix(err, "image %s", image_id);
  cleanup_strv char **chains = berth_chain_ids(cfg->diff_ids, cfg->n_diff_ids);

  berth_registry_options ropts = o->registry != NULL ? *o->registry : (berth_registry_options){ 0 };
  ropts.actions = "pull,push";
  cleanup_registry berth_registry *r = berth_registry_new(ref->domain, ref->path, &ropts, err);
  if (r == NULL)
    return -1;
  cleanup_free char *repo_name = xasprintf("%s/%s", ref->domain, ref->path);
  cleanup_scratch berth_store_scratch *sc = berth_store_scratch_new(s, err);
  if (sc == NULL)
    return -1;

  for (size_t i = cfg->n_diff_ids; i-- > 0;)
    emit(o, BERTH_PUSH_PREPARING, cfg->diff_ids[i], NULL);
  /* A pulled image: the layers of the manifest it came with, where the
   * registry has them or can mount them, go in as they are. */
  push_source src __attribute__((cleanup(push_source_clear))) = { 0 };
  if (push_source_find(s, image_id, cfg->diff_ids, cfg->n_diff_ids, &src, err) < 0)
    return -1;
  bool all_kept = src.m != NULL;
  cleanup_json json_t *layers = json_array();
  for (size_t i = 0; i < cfg->n_diff_ids; i++) {
    int kept = 0;
    if (src.m != NULL) {
      const berth_descriptor *d = &src.m->layers[i];
      kept = reuse_layer(s, r, d, cfg->diff_ids[i], ref->domain, o, err);
      if (kept < 0)
        return -1;
      if (kept)
        json_array_append_new(layers, json_pack("{s:s, s:I, s:s}", "mediaType", layer_type, "size",
                                                (json_int_t)d->size, "digest", d->digest));
    }
    if (!kept) {
      all_kept = false;
      if (push_layer(s, r, berth_store_scratch_fd(sc), chains[i], cfg->diff_ids[i], repo_name, o,
                     layers, err)
          < 0)
        return -1;
    }
  }

  char config_digest[BERTH_DIGEST_LEN];
  berth_sha256_digest(config, config_len, config_digest);
  int has = push_blob_exists(r, config_digest, err);
  if (has < 0
      || (!has && push_blob_upload(r, config_digest, config, -1, (int64_t)config_len, err) < 0))
    return -1;

  if (all_kept) {
    /* Every blob is there: the manifest bytes as pulled, its digest kept. */
    const char *type = src.m->media_type ? src.m->media_type : BERTH_MT_OCI_MANIFEST;
    if (put_manifest(r, tag, type, src.data, src.len, err) < 0)
      return -1;
    memcpy(out->digest, src.digest, BERTH_DIGEST_LEN);
    out->size = src.len;
    return 0;
  }
  if (src.m != NULL) /* pulled, but a layer was compressed again: say so */
    memcpy(out->replaced, src.digest, BERTH_DIGEST_LEN);
  cleanup_json json_t *m
      = json_pack("{s:i, s:s, s:{s:s, s:I, s:s}, s:O}", "schemaVersion", 2, "mediaType",
                  manifest_type, "config", "mediaType", config_type, "size", (json_int_t)config_len,
                  "digest", config_digest, "layers", layers);
  /* Docker's distribution writes its manifests indented by three spaces. */
  cleanup_free char *text = json_dumps(m, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
  size_t len = strlen(text);
  if (put_manifest(r, tag, manifest_type, text, len, err) < 0)
    return -1;
  berth_sha256_digest(text, len, out->digest);
  out->size = len;
  if (berth_store_manifest_put(s, out->digest, text, len, err) < 0)
    return -1;
  return 0;
}
