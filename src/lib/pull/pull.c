#include "pull/pull.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/config.h"
#include "image/manifest.h"
#include "image/media_type.h"
#include "image/platform.h"
#include "pull/events.h"
#include "pull/layer_fetch.h"
#include "store/lock.h"

/* Docker downloads three layers at a time; so do we, which also keeps the
 * "Waiting" lines of its output meaningful. */
enum { MAX_CONCURRENT_DOWNLOADS = 3 };
/* Image configs are small; anything bigger is not a config. */
enum { MAX_CONFIG_SIZE = 8 << 20 };

/* Everything one pull learns about the image before downloading layers. */
struct pull_plan {
  berth_fetched_manifest named;  /* what the reference named (maybe an index) */
  berth_fetched_manifest chosen; /* the image manifest for our platform, if named is an index */
  berth_manifest *manifest;      /* parsed image manifest */
  char *config;
  size_t config_len;
  berth_image_config *image;
  char **chain_ids;
};

static void
pull_plan_clear(struct pull_plan *p)
{
  berth_fetched_manifest_clear(&p->named);
  berth_fetched_manifest_clear(&p->chosen);
  berth_manifest_free(p->manifest);
  free(p->config);
  berth_image_config_free(p->image);
  berth_cleanup_strvp(&p->chain_ids);
}

static char *
not_found_name(const berth_reference *ref)
{
  cleanup_free char *name = berth_reference_familiar_name(ref);
  if (ref->digest != NULL)
    return xasprintf("%s@%s", name, ref->digest);
  return xasprintf("%s:%s", name, ref->tag != NULL ? ref->tag : "latest");
}

static void
short_id(const char *digest, char out[13])
{
  snprintf(out, 13, "%s", berth_digest_hex(digest));
}

struct retry_notice {
  berth_pull_events *events;
  atomic_bool *cancel;
};

/* Docker's words while a layer waits for another try, on the line of the
 * layer (or of the tag, for a manifest); a cancelled pull stops waiting. */
static bool
notify_retry(void *ctx, const char *what, int seconds)
{
  struct retry_notice *n = ctx;
  char id[13];
  if (berth_digest_is_valid(what))
    short_id(what, id);
  else
    snprintf(id, sizeof id, "%s", what);
  cleanup_free char *line = xasprintf("Retrying in %d second%s", seconds, seconds == 1 ? "" : "s");
  berth_pull_events_status(n->events, id, line);
  return !atomic_load(n->cancel);
}

/* Fetches the manifest the reference names; an index is resolved to the
 * entry for the requested (or host) platform. */
static int
resolve_manifest(berth_registry *reg, const berth_reference *ref, const char *platform,
                 struct pull_plan *p, berth_error **err)
{
  const char *wanted = ref->digest != NULL ? ref->digest : ref->tag;
  cleanup_error berth_error *local = NULL;
  if (berth_registry_get_manifest(reg, wanted, &p->named, &local) < 0) {
    bool absent = berth_error_errno(local) == ENOENT;
    berth_error_propagate(err, &local);
    if (absent) {
      cleanup_free char *name = not_found_name(ref);
      return berth_error_prefix(err, "manifest for %s not found", name);
    }
    return -1;
  }
  p->manifest = berth_manifest_parse(p->named.data, p->named.len, p->named.content_type, err);
  if (p->manifest == NULL)
    return berth_error_prefix(err, "manifest %s", p->named.digest);
  if (!p->manifest->is_index)
    return 0;

  const berth_descriptor *entry = berth_manifest_select(p->manifest, platform, err);
  if (entry == NULL)
    return -1;
  cleanup_free char *digest = xstrdup(entry->digest);
  cleanup_free char *media_type = xstrdup(entry->media_type);
  berth_manifest_free(p->manifest);
  p->manifest = NULL;
  if (berth_registry_get_manifest(reg, digest, &p->chosen, err) < 0)
    return -1;
  p->manifest = berth_manifest_parse(p->chosen.data, p->chosen.len, p->chosen.content_type, err);
  if (p->manifest == NULL)
    return berth_error_prefix(err, "manifest %s", digest);
  if (p->manifest->is_index)
    return berth_error_set(err, 0, "manifest %s: an index inside an index is not an image", digest);
  if (strcmp(p->manifest->media_type, media_type) != 0)
    return berth_error_set(err, 0, "manifest %s: the index says %s, the registry sent %s", digest,
                           media_type, p->manifest->media_type);
  return 0;
}

struct buffer_sink {
  char *data;
  size_t len;
};

static int
buffer_sink(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct buffer_sink *b = ctx;
  if (b->len + len > MAX_CONFIG_SIZE)
    return berth_error_set(err, EFBIG, "image config larger than %d bytes", MAX_CONFIG_SIZE);
  b->data = xrealloc(b->data, b->len + len + 1);
  memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

static int
check_platform(const berth_image_config *c, const char *platform, const char *name,
               berth_error **err)
{
  if (platform == NULL)
    return 0;
  cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
  if (berth_platform_parse(platform, &os, &arch, &variant, err) < 0)
    return -1;
  if (berth_platform_match_rank(os, arch, variant, c->os, c->architecture, c->variant) >= 0)
    return 0;
  cleanup_free char *actual = berth_platform_format(c->os, c->architecture, c->variant);
  return berth_error_set(err, 0,
                         "image with reference %s was found but does not match the specified "
                         "platform: wanted %s, actual: %s",
                         name, platform, actual);
}

static int
fetch_config(berth_registry *reg, const berth_reference *ref, const char *platform,
             struct pull_plan *p, berth_error **err)
{
  const berth_descriptor *cfg = &p->manifest->config;
  if (cfg->size > MAX_CONFIG_SIZE)
    return berth_error_set(err, EFBIG, "image config %s: %lld bytes is too large", cfg->digest,
                           (long long)cfg->size);
  struct buffer_sink b = { 0 };
  if (berth_registry_get_blob(reg, cfg->digest, cfg->size, buffer_sink, &b, err) < 0) {
    free(b.data);
    return -1;
  }
  p->config = b.data != NULL ? b.data : xstrdup("");
  p->config_len = b.len;
  p->image = berth_image_config_parse(p->config, p->config_len, err);
  if (p->image == NULL)
    return berth_error_prefix(err, "image config %s", cfg->digest);
  if (p->image->n_diff_ids != p->manifest->n_layers)
    return berth_error_set(err, 0, "image config %s lists %zu layers, the manifest %zu",
                           cfg->digest, p->image->n_diff_ids, p->manifest->n_layers);
  if (p->manifest->n_layers > BERTH_MAX_LAYERS)
    return berth_error_set(err, 0,
                           "max depth exceeded: the image has %zu layers, a container can "
                           "mount at most %d",
                           p->manifest->n_layers, BERTH_MAX_LAYERS);
  for (size_t i = 0; i < p->manifest->n_layers; i++) {
    enum berth_compression c;
    if (berth_media_type_layer_compression(p->manifest->layers[i].media_type, &c, err) < 0)
      return berth_error_prefix(err, "layer %s", p->manifest->layers[i].digest);
  }
  p->chain_ids = berth_chain_ids(p->image->diff_ids, p->image->n_diff_ids);
  cleanup_free char *name = berth_reference_familiar_string(ref);
  return check_platform(p->image, platform, name, err);
}

/* Layer downloads: a small pool of workers takes the missing layers in
 * order. */
struct download_pool {
  berth_layer_fetch **fetches;
  size_t n;
  atomic_size_t next;
};

static void *
download_worker(void *arg)
{
  struct download_pool *pool = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&pool->next, 1);
    if (i >= pool->n)
      return NULL;
    berth_layer_fetch_run(pool->fetches[i]);
  }
}

static int
download_all(berth_layer_fetch **fetches, size_t n, berth_error **err)
{
  struct download_pool pool = { .fetches = fetches, .n = n };
  pthread_t threads[MAX_CONCURRENT_DOWNLOADS];
  size_t started = 0;
  for (; started < MAX_CONCURRENT_DOWNLOADS && started < n; started++) {
    int r = pthread_create(&threads[started], NULL, download_worker, &pool);
    if (r != 0) {
      berth_error_set(err, r, "start download worker");
      break;
    }
  }
  if (started == 0)
    return -1;
  for (size_t i = 0; i < started; i++)
    pthread_join(threads[i], NULL);

  /* Report the first real failure, not the layers it cancelled. */
  berth_error *first = NULL;
  for (size_t i = 0; i < n; i++) {
    berth_error *e = fetches[i]->error;
    if (e == NULL)
      continue;
    if (first == NULL
        || (berth_error_errno(first) == ECANCELED && berth_error_errno(e) != ECANCELED))
      first = e;
  }
  if (first == NULL)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (fetches[i]->error != first)
      berth_error_free(fetches[i]->error);
  for (size_t i = 0; i < n; i++)
    fetches[i]->error = NULL;
  return berth_error_replace(err, &first);
}

/* Makes the pulled image visible: layers bottom first, then mappings, the
 * manifest bytes, the config and last the names.  Runs under the store lock
 * so concurrent pulls and removals see either none of it or all of it. */
static int
publish(berth_store *store, const berth_reference *ref, struct pull_plan *p,
        berth_layer_fetch *fetches, berth_pull_events *ev, berth_pull_result *out,
        berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(store, err);
  if (lock == NULL)
    return -1;
  const berth_manifest *m = p->manifest;
  for (size_t i = 0; i < m->n_layers; i++) {
    const char *parent = i > 0 ? p->chain_ids[i - 1] : NULL;
    berth_layer layer;
    if (fetches[i].stage != NULL) {
      if (berth_layer_stage_publish(store, fetches[i].stage, parent, p->image->diff_ids[i],
                                    fetches[i].size, &layer, err)
          < 0)
        return berth_error_prefix(err, "store layer %s", m->layers[i].digest);
      if (fetches[i].same_blob == NULL)
        berth_pull_events_status(ev, fetches[i].short_id, "Pull complete");
    } else {
      int found = berth_store_layer_get(store, p->chain_ids[i], &layer, err);
      if (found < 0)
        return -1;
      if (found == 0)
        return berth_error_set(err, 0, "layer %s was removed while pulling; pull again",
                               p->chain_ids[i]);
    }
  }

  cleanup_free char *source = berth_reference_name(ref);
  for (size_t i = 0; i < m->n_layers; i++)
    if (berth_store_distribution_put(store, m->layers[i].digest, p->image->diff_ids[i], source,
                                     m->layers[i].media_type, err)
        < 0)
      return -1;
  if (berth_store_manifest_put(store, p->named.digest, p->named.data, p->named.len, err) < 0)
    return -1;
  if (p->chosen.data != NULL
      && berth_store_manifest_put(store, p->chosen.digest, p->chosen.data, p->chosen.len, err) < 0)
    return -1;
  if (berth_store_image_put(store, p->config, p->config_len, NULL, out->image_id, err) < 0)
    return -1;

  cleanup_free char *repo = berth_reference_familiar_name(ref);
  cleanup_free char *by_digest = xasprintf("%s@%s", repo, p->named.digest);
  char before[BERTH_DIGEST_LEN] = "";
  out->updated = false;
  if (ref->digest == NULL) {
    cleanup_free char *tagged = xasprintf("%s:%s", repo, ref->tag != NULL ? ref->tag : "latest");
    int had = berth_store_ref_get(store, tagged, before, err);
    if (had < 0)
      return -1;
    out->updated = had == 0 || strcmp(before, out->image_id) != 0;
    if (berth_store_ref_set(store, repo, tagged, out->image_id, err) < 0)
      return -1;
  } else {
    int had = berth_store_ref_get(store, by_digest, before, err);
    if (had < 0)
      return -1;
    out->updated = had == 0;
  }
  return berth_store_ref_set(store, repo, by_digest, out->image_id, err);
}

/* Whether the image's config is in the store. */
static int
image_is_stored(berth_store *store, const struct pull_plan *p, berth_error **err)
{
  cleanup_free char *config = NULL;
  return berth_store_image_get(store, p->manifest->config.digest, &config, NULL, err);
}

/* The missing layer before i with the same blob, which a manifest may list
 * several times (one download serves them all), or NULL. */
static berth_layer_fetch *
earlier_fetch(berth_layer_fetch *fetches, const berth_manifest *m, size_t i)
{
  for (size_t j = 0; j < i; j++)
    if (fetches[j].store != NULL && fetches[j].same_blob == NULL
        && strcmp(m->layers[j].digest, m->layers[i].digest) == 0)
      return &fetches[j];
  return NULL;
}

static int
pull_layers(berth_store *store, berth_registry *reg, struct pull_plan *p,
            berth_layer_fetch *fetches, berth_pull_events *ev, atomic_bool *cancel,
            berth_error **err)
{
  const berth_manifest *m = p->manifest;
  /* Which layers the store lacks; a fetch with no store is one it has. */
  size_t missing = 0;
  for (size_t i = 0; i < m->n_layers; i++) {
    berth_layer existing;
    int found = berth_store_layer_get(store, p->chain_ids[i], &existing, err);
    if (found < 0)
      return -1;
    if (!found) {
      fetches[i] = (berth_layer_fetch){ .store = store,
                                        .registry = reg,
                                        .blob = &m->layers[i],
                                        .diff_id = p->image->diff_ids[i],
                                        .events = ev,
                                        .cancel = cancel,
                                        .same_blob = earlier_fetch(fetches, m, i) };
      missing += fetches[i].same_blob == NULL;
    }
    short_id(m->layers[i].digest, fetches[i].short_id);
  }
  /* Like Docker, say nothing per layer when the whole image is here. */
  int stored = missing == 0 ? image_is_stored(store, p, err) : 0;
  if (stored < 0)
    return -1;
  for (size_t i = 0; i < m->n_layers && !stored; i++)
    if (fetches[i].same_blob == NULL) /* a repeated blob is the same line */
      berth_pull_events_status(ev, fetches[i].short_id,
                               fetches[i].store != NULL ? "Pulling fs layer" : "Already exists");
  /* Compact the layers to download into a work list, keeping their order. */
  cleanup_free berth_layer_fetch **work = xcalloc(missing ? missing : 1, sizeof(*work));
  size_t w = 0;
  for (size_t i = 0; i < m->n_layers; i++)
    if (fetches[i].store != NULL && fetches[i].same_blob == NULL)
      work[w++] = &fetches[i];
  for (size_t i = MAX_CONCURRENT_DOWNLOADS; i < missing; i++)
    berth_pull_events_status(ev, work[i]->short_id, "Waiting");
  if (missing > 0 && download_all(work, missing, err) < 0)
    return -1;
  for (size_t i = 0; i < m->n_layers; i++)
    if (fetches[i].same_blob != NULL && berth_layer_fetch_copy(&fetches[i], err) < 0)
      return -1;
  return 0;
}

static void
free_stages(berth_layer_fetch *fetches, size_t n)
{
  for (size_t i = 0; i < n; i++)
    berth_layer_stage_free(fetches[i].stage);
}

int
berth_pull(berth_store *store, const berth_reference *ref, const berth_pull_options *opts,
           berth_pull_result *out, berth_error **err)
{
  berth_registry *reg = berth_registry_new(ref->domain, ref->path, opts->registry, err);
  if (reg == NULL)
    return -1;
  struct pull_plan plan = { 0 };
  berth_pull_events ev;
  berth_pull_events_init(&ev, opts->on_event, opts->event_ctx);
  atomic_bool cancel = false;
  struct retry_notice notice = { &ev, &cancel };
  berth_registry_set_retry(reg, notify_retry, &notice, 0);
  berth_layer_fetch *fetches = NULL;
  int ret = -1;

  if (resolve_manifest(reg, ref, opts->platform, &plan, err) < 0)
    goto out;
  berth_store_trace(store, "pull: manifest");
  {
    cleanup_free char *line = xasprintf("Pulling from %s", ref->path);
    berth_pull_events_status(&ev, ref->digest != NULL ? ref->digest : ref->tag, line);
  }
  if (fetch_config(reg, ref, opts->platform, &plan, err) < 0)
    goto out;
  berth_store_trace(store, "pull: config");
  fetches = xcalloc(plan.manifest->n_layers ? plan.manifest->n_layers : 1, sizeof(*fetches));
  if (pull_layers(store, reg, &plan, fetches, &ev, &cancel, err) < 0)
    goto out;
  berth_store_trace(store, "pull: %zu layers fetched and unpacked", plan.manifest->n_layers);
  memcpy(out->digest, plan.named.digest, BERTH_DIGEST_LEN);
  ret = publish(store, ref, &plan, fetches, &ev, out, err);
  berth_store_trace(store, "pull: publish");
  /* A publish that failed partway stored layers no image uses: collect them,
   * so that the store is as it was (pull.h). */
  berth_store_publish_done(store, ret < 0);
out:
  if (fetches != NULL)
    free_stages(fetches, plan.manifest ? plan.manifest->n_layers : 0);
  free(fetches);
  pull_plan_clear(&plan);
  berth_pull_events_destroy(&ev);
  berth_registry_free(reg);
  return ret;
}
