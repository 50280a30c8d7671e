/* `push`: layers bottom-up, several at once, then the config, then the
 * manifest by tag. */
#include "push/push.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/config.h"
#include "image/media_type.h"
#include "push/blob.h"
#include "push/compress.h"
#include "push/relay.h"
#include "push/source.h"
#include "push/upload.h"
#include "reference/grammar.h"
#include "registry/client.h"
#include "registry/errors.h"
#include "store/distribution.h"
#include "store/image.h"
#include "store/layer.h"
#include "store/layer_tar.h"

/* Layers uploaded at once.  Docker's default is 5, for uploads that wait on
 * the network; here each one also compresses, and compression is what bounds
 * a push on this machine's two cores: two uploads keep both busy.  Measured
 * (bench/pull's image, every layer compressed, to an empty registry on
 * loopback, release build, 4 runs each): 2, 3 and 5 at once took the same
 * time within the noise (medians 1.17, 1.15, 1.10 s: the 121 MB rootfs layer
 * alone is most of it, and one layer compresses on one core), but peak RSS
 * was 27, 32 and 35 MB (a 4 MiB chunk and a compressor per upload): 2 keeps
 * push under its 32 MB. */
#define UPLOADS_AT_ONCE 2

static void
registry_cleanup(berth_registry **r)
{
  berth_registry_free(*r);
}
#define cleanup_registry __attribute__((cleanup(registry_cleanup)))

/* One push, shared by its threads: read-only once they start, but for
 * the fields under lock. */
struct run {
  berth_store *s;
  berth_registry *r;
  const berth_push_options *user; /* the caller's, called under lock */
  berth_push_options o;           /* what the layers see: events through the lock */
  const char *domain;
  const char *repo_name; /* "domain/path", as the store records sources */
  const push_source *src;
  char *const *diff_ids;
  char *const *chains;
  size_t n;
  struct layer_job *jobs;
  pthread_mutex_t lock; /* events, and the fields below */
  size_t next;          /* the next layer to take */
  bool failed;          /* stop taking layers */
};

struct layer_job {
  char digest[BERTH_DIGEST_LEN]; /* its blob's, and how long */
  int64_t size;
  bool made; /* made here (or found by its recorded digest): record it */
  berth_error *err;
};

static void
locked_event(void *ctx, berth_push_event_kind kind, const char *id, const char *detail)
{
  struct run *run = ctx;
  pthread_mutex_lock(&run->lock);
  if (run->user->on_event != NULL)
    run->user->on_event(run->user->event_ctx, kind, id, detail);
  pthread_mutex_unlock(&run->lock);
}

static void
locked_progress(void *ctx, const char *id, long long current, long long total)
{
  struct run *run = ctx;
  pthread_mutex_lock(&run->lock);
  if (run->user->on_progress != NULL)
    run->user->on_progress(run->user->event_ctx, id, current, total);
  pthread_mutex_unlock(&run->lock);
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

static const char *
layer_media_type(const berth_push_options *o)
{
  if (o->format != BERTH_PUSH_FORMAT_OCI)
    return BERTH_MT_DOCKER_LAYER_GZIP;
  return o->compression == BERTH_PUSH_ZSTD ? BERTH_MT_OCI_LAYER_ZSTD : BERTH_MT_OCI_LAYER_GZIP;
}

/* A blob of media type mt can stand for a layer of this push. */
static bool
layer_fits(const berth_push_options *o, const char *mt)
{
  if (o->compression == BERTH_PUSH_ZSTD)
    return strcmp(mt, BERTH_MT_OCI_LAYER_ZSTD) == 0;
  return push_source_layer_is_gzip(mt);
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
  if (!layer_fits(o, kept->media_type))
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

/* Whether a v2metadata entry is a blob of this push's compression: berth
 * records each blob's media type; an entry without one (Docker's, or
 * berth's before it recorded them) is a gzip blob, as Docker's are. */
static bool
entry_fits(const json_t *entry, berth_push_compression c)
{
  const char *mt = json_string_value(json_object_get(entry, "MediaType"));
  if (c == BERTH_PUSH_ZSTD)
    return mt != NULL && strcmp(mt, BERTH_MT_OCI_LAYER_ZSTD) == 0;
  return mt == NULL || push_source_layer_is_gzip(mt);
}

/* A blob the store recorded for this diffID (an earlier push of the same
 * compression, a pull), which the repository has or can mount: 1 with
 * job's digest and size set, 0 none.  A zstd blob pulled before berth
 * recorded media types is told apart by its kept manifest. */
static int
reuse_recorded(struct run *run, size_t i, struct layer_job *job, berth_error **err)
{
  const char *diff_id = run->diff_ids[i];
  const char *not_gzip = NULL;
  if (run->src->m != NULL && !push_source_layer_is_gzip(run->src->m->layers[i].media_type))
    not_gzip = run->src->m->layers[i].digest;
  cleanup_json json_t *list = berth_store_v2metadata(run->s, diff_id, err);
  if (list == NULL)
    return -1;
  const char *target = berth_registry_repository(run->r);
  for (size_t k = json_array_size(list); k-- > 0;) {
    const char *d = json_string_value(json_object_get(json_array_get(list, k), "Digest"));
    if (d == NULL || !berth_digest_is_valid(d) || (not_gzip && strcmp(d, not_gzip) == 0)
        || !entry_fits(json_array_get(list, k), run->o.compression))
      continue;
    bool seen = false; /* one try per digest, from its latest entry */
    for (size_t j = k + 1; j < json_array_size(list) && !seen; j++) {
      const char *dj = json_string_value(json_object_get(json_array_get(list, j), "Digest"));
      seen = dj != NULL && strcmp(dj, d) == 0;
    }
    char diff[BERTH_DIGEST_LEN];
    int known = seen ? 0 : berth_store_diffid_by_digest(run->s, d, diff, err);
    if (known < 0)
      return -1;
    if (known == 0 || strcmp(diff, diff_id) != 0)
      continue;
    int64_t size = -1;
    int has = push_blob_stat(run->r, d, &size, err);
    if (has < 0)
      return -1;
    berth_push_event_kind kind = BERTH_PUSH_EXISTS;
    cleanup_free char *from = NULL;
    if (!has) {
      from = mount_source(run->s, diff_id, d, run->domain, target, err);
      if (from == NULL && err != NULL && *err != NULL)
        return -1;
      int mounted = from == NULL ? 0 : push_blob_mount(run->r, d, from, err);
      if (mounted < 0)
        return -1;
      if (mounted == 0 || push_blob_stat(run->r, d, &size, err) != 1)
        continue;
      kind = BERTH_PUSH_MOUNTED;
    }
    if (size < 0)
      continue; /* the registry would not say its size: made again */
    memcpy(job->digest, d, BERTH_DIGEST_LEN);
    job->size = size;
    job->made = true;
    emit(&run->o, kind, diff_id, from);
    return 1;
  }
  return 0;
}

/* The layer tar, from the store, through the compressor, to the upload. */
struct produce {
  struct run *run;
  const char *chain_id;
  berth_push_compression compression;
  char id[13];
  long long size; /* the layer's, for progress */
  long long read; /* tar bytes so far */
  berth_write_fn sink;
  void *sink_ctx;
  push_compressor *pc;
};

static int
count_tar(void *ctx, const void *buf, size_t len, berth_error **err)
{
  struct produce *p = ctx;
  if (push_compressor_write(p->pc, buf, len, err) < 0)
    return -1;
  long long before = p->read;
  p->read += (long long)len;
  /* a step per MiB is enough for a bar */
  if (p->run->o.on_progress != NULL && (before >> 20) != (p->read >> 20))
    p->run->o.on_progress(p->run->o.event_ctx, p->id, p->read,
                          p->size > p->read ? p->size : p->read);
  return 0;
}

static int
produce_layer(void *ctx, berth_write_fn sink, void *sink_ctx, berth_error **err)
{
  struct produce *p = ctx;
  p->read = 0;
  cleanup_compressor push_compressor *pc = push_compressor_new(p->compression, sink, sink_ctx, err);
  if (pc == NULL)
    return -1;
  p->pc = pc;
  long long tar_len = 0;
  int rc = berth_store_layer_tar_write(p->run->s, p->chain_id, count_tar, p, &tar_len, err);
  if (rc == 0)
    rc = push_compressor_finish(pc, err);
  p->pc = NULL;
  return rc;
}

struct retry_ctx {
  struct run *run;
  const char *diff_id;
};

static void
layer_retry(void *ctx, int seconds)
{
  struct retry_ctx *rc = ctx;
  char words[48];
  snprintf(words, sizeof words, "Retrying in %d second%s", seconds, seconds == 1 ? "" : "s");
  emit(&rc->run->o, BERTH_PUSH_RETRYING, rc->diff_id, words);
}

/* One layer made here: compressed while it uploads, unless the registry
 * has its blob (a small one, found by HEAD once its digest is known). */
static int
push_layer(struct run *run, size_t i, struct layer_job *job, berth_error **err)
{
  const char *diff_id = run->diff_ids[i];
  int found = reuse_recorded(run, i, job, err);
  if (found != 0)
    return found < 0 ? -1 : 0;
  struct produce p = { .run = run, .chain_id = run->chains[i], .compression = run->o.compression };
  snprintf(p.id, sizeof p.id, "%.12s", berth_digest_hex(diff_id));
  berth_layer info;
  if (berth_store_layer_get(run->s, run->chains[i], &info, err) == 1)
    p.size = info.size;
  struct retry_ctx rc = { run, diff_id };
  cleanup_free char *name = xasprintf("blob of layer %s", diff_id);
  push_upload_opts uo = {
    .name = name,
    .on_retry = layer_retry,
    .retry_ctx = &rc,
    .first_delay_ms = run->o.retry_delay_ms,
  };
  bool existed = false;
  if (push_upload_stream(run->r, &uo, produce_layer, &p, job->digest, &job->size, &existed, err)
      < 0)
    return -1;
  job->made = true;
  emit(&run->o, existed ? BERTH_PUSH_EXISTS : BERTH_PUSH_PUSHED, diff_id, NULL);
  return 0;
}

/* Layer i: the kept manifest's blob where it can stand, else made here. */
static int
do_layer(struct run *run, size_t i, berth_error **err)
{
  struct layer_job *job = &run->jobs[i];
  if (run->src->m != NULL) {
    const berth_descriptor *d = &run->src->m->layers[i];
    int kept = reuse_layer(run->s, run->r, d, run->diff_ids[i], run->domain, &run->o, err);
    if (kept < 0)
      return -1;
    if (kept) {
      memcpy(job->digest, d->digest, BERTH_DIGEST_LEN);
      job->size = d->size;
      return 0;
    }
  }
  return push_layer(run, i, job, err);
}

static void *
worker(void *arg)
{
  struct run *run = arg;
  for (;;) {
    pthread_mutex_lock(&run->lock);
    size_t i = run->next;
    bool stop = run->failed || i >= run->n;
    if (!stop)
      run->next++;
    pthread_mutex_unlock(&run->lock);
    if (stop)
      return NULL;
    if (do_layer(run, i, &run->jobs[i].err) < 0) {
      pthread_mutex_lock(&run->lock);
      run->failed = true;
      pthread_mutex_unlock(&run->lock);
    }
  }
}

/* Every layer, UPLOADS_AT_ONCE at a time; the error of the lowest layer
 * that failed, if any. */
static int
push_layers(struct run *run, berth_error **err)
{
  size_t nthreads = run->n < UPLOADS_AT_ONCE ? run->n : UPLOADS_AT_ONCE;
  for (size_t i = nthreads; i < run->n; i++)
    emit(&run->o, BERTH_PUSH_WAITING, run->diff_ids[i], NULL);
  pthread_t threads[UPLOADS_AT_ONCE];
  size_t started = 0;
  for (; started < nthreads; started++)
    if (pthread_create(&threads[started], NULL, worker, run) != 0)
      break;
  if (started == 0 && run->n > 0)
    worker(run); /* no thread to be had: one at a time here */
  for (size_t t = 0; t < started; t++)
    pthread_join(threads[t], NULL);
  int rc = 0;
  for (size_t i = 0; i < run->n; i++) {
    if (run->jobs[i].err != NULL && rc == 0) {
      berth_error_propagate(err, &run->jobs[i].err);
      rc = -1;
    }
    berth_error_free(run->jobs[i].err);
    run->jobs[i].err = NULL;
  }
  return rc;
}

/* The kept manifest bytes go as they are unless another format was asked. */
static bool
kept_fits_format(const berth_push_options *o, const berth_manifest *m)
{
  const char *mt = m->media_type ? m->media_type : BERTH_MT_OCI_MANIFEST;
  if (o->format == BERTH_PUSH_FORMAT_DOCKER)
    return strcmp(mt, BERTH_MT_DOCKER_MANIFEST) == 0;
  if (o->format == BERTH_PUSH_FORMAT_OCI)
    return strcmp(mt, BERTH_MT_OCI_MANIFEST) == 0;
  return true;
}

static void
run_clear(struct run *run)
{
  free(run->jobs);
  pthread_mutex_destroy(&run->lock);
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
  if (o->compression == BERTH_PUSH_ZSTD && o->format != BERTH_PUSH_FORMAT_OCI)
    return berth_error_set(err, EINVAL,
                           "zstd layers need an OCI manifest (--format oci): Docker schema2 "
                           "has no zstd layer type");
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

  for (size_t i = cfg->n_diff_ids; i-- > 0;)
    emit(o, BERTH_PUSH_PREPARING, cfg->diff_ids[i], NULL);
  /* A pulled image: the layers of the manifest it came with, where the
   * registry has them or can mount them, go in as they are. */
  push_source src __attribute__((cleanup(push_source_clear))) = { 0 };
  if (push_source_find(s, image_id, cfg->diff_ids, cfg->n_diff_ids, &src, err) < 0)
    return -1;

  struct run run __attribute__((cleanup(run_clear))) = {
    .s = s,
    .r = r,
    .user = o,
    .o = *o,
    .domain = ref->domain,
    .repo_name = repo_name,
    .src = &src,
    .diff_ids = cfg->diff_ids,
    .chains = chains,
    .n = cfg->n_diff_ids,
    .jobs = xcalloc(cfg->n_diff_ids + 1, sizeof(struct layer_job)),
  };
  pthread_mutex_init(&run.lock, NULL);
  run.o.on_event = o->on_event ? locked_event : NULL;
  run.o.on_progress = o->on_progress ? locked_progress : NULL;
  run.o.event_ctx = &run;
  if (push_layers(&run, err) < 0)
    return -1;
  berth_store_trace(s, "push: %zu layers", run.n);

  /* Recorded as pull records it, with the blob's media type, so that later
   * pushes and pulls know the blob of this diffID. */
  bool all_kept = src.m != NULL && kept_fits_format(o, src.m);
  cleanup_json json_t *layers = json_array();
  for (size_t i = 0; i < run.n; i++) {
    struct layer_job *job = &run.jobs[i];
    if (all_kept && strcmp(job->digest, src.m->layers[i].digest) != 0)
      all_kept = false;
    if (job->made
        && berth_store_distribution_put(s, job->digest, cfg->diff_ids[i], repo_name,
                                        layer_media_type(o), err)
               < 0)
      return -1;
    json_array_append_new(layers, json_pack("{s:s, s:I, s:s}", "mediaType", layer_media_type(o),
                                            "size", (json_int_t)job->size, "digest", job->digest));
  }

  char config_digest[BERTH_DIGEST_LEN];
  berth_sha256_digest(config, config_len, config_digest);
  int has = push_blob_exists(r, config_digest, err);
  push_upload_opts uo = { .name = config_digest, .first_delay_ms = o->retry_delay_ms };
  if (has < 0
      || (!has && push_upload_bytes(r, &uo, config_digest, config, (int64_t)config_len, err) < 0))
    return -1;
  berth_store_trace(s, "push: config");

  if (all_kept) {
    /* Every blob is there: the manifest bytes as pulled, its digest kept. */
    const char *type = src.m->media_type ? src.m->media_type : BERTH_MT_OCI_MANIFEST;
    if (push_manifest_put(r, tag, type, src.data, src.len, err) < 0)
      return -1;
    memcpy(out->digest, src.digest, BERTH_DIGEST_LEN);
    out->size = src.len;
    return 0;
  }
  if (src.m != NULL) /* pulled, but a layer was compressed again: say so */
    memcpy(out->replaced, src.digest, BERTH_DIGEST_LEN);
  bool oci = o->format == BERTH_PUSH_FORMAT_OCI;
  const char *manifest_type = oci ? BERTH_MT_OCI_MANIFEST : BERTH_MT_DOCKER_MANIFEST;
  const char *config_type = oci ? BERTH_MT_OCI_CONFIG : BERTH_MT_DOCKER_CONFIG;
  cleanup_json json_t *m
      = json_pack("{s:i, s:s, s:{s:s, s:I, s:s}, s:O}", "schemaVersion", 2, "mediaType",
                  manifest_type, "config", "mediaType", config_type, "size", (json_int_t)config_len,
                  "digest", config_digest, "layers", layers);
  /* Docker's distribution writes its manifests indented by three spaces. */
  cleanup_free char *text = json_dumps(m, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
  size_t len = strlen(text);
  if (push_manifest_put(r, tag, manifest_type, text, len, err) < 0)
    return -1;
  berth_sha256_digest(text, len, out->digest);
  out->size = len;
  if (berth_store_manifest_put(s, out->digest, text, len, err) < 0)
    return -1;
  return 0;
}
