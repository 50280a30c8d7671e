#include "images/load.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "archive/decompress.h"
#include "archive/stream.h"
#include "archive/unpack.h"
#include "common/cleanup.h"
#include "common/testpoint.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/config.h"
#include "images/load_internal.h"
#include "images/tag.h"
#include "reference/reference.h"
#include "store/gc.h"
#include "store/lock.h"
#include "store/scratch.h"
#include "store/stage.h"

/* manifest.json and configs are small; anything bigger is not one. */
enum { MAX_JSON_SIZE = 8 << 20 };
/* Symlinks to symlinks in the archive: Docker writes one level at most. */
enum { MAX_LINK_HOPS = 8 };
enum { COPY_BUFFER = 256 << 10 };
/* Layers unpacked at once (two cores here: one big layer and the rest). */
enum { UNPACK_WORKERS = 2 };

static void
archive_copy_clear(struct archive_copy *c)
{
  for (size_t i = 0; i < c->n; i++) {
    free(c->entries[i].name);
    free(c->entries[i].target);
  }
  free(c->entries);
  berth_store_scratch_free(c->scratch);
}

/* A path of the archive cleaned: "./" and empty components dropped; NULL
 * when it is absolute or, with climb, when a ".." climbs above the top of
 * the archive; without climb any ".." is refused (manifest.json's paths). */
static char *
path_clean(const char *path, bool climb)
{
  if (path == NULL || path[0] == '/')
    return NULL;
  cleanup_free char *copy = xstrdup(path);
  char *out = xcalloc(1, strlen(path) + 1);
  char *save = NULL;
  for (char *part = strtok_r(copy, "/", &save); part != NULL; part = strtok_r(NULL, "/", &save)) {
    if (strcmp(part, ".") == 0)
      continue;
    if (strcmp(part, "..") == 0) {
      char *slash = strrchr(out, '/');
      if (!climb || out[0] == '\0') {
        free(out);
        return NULL;
      }
      *(slash != NULL ? slash : out) = '\0';
      continue;
    }
    if (out[0] != '\0')
      strcat(out, "/");
    strcat(out, part);
  }
  return out;
}

char *
load_path_clean(const char *path)
{
  return path_clean(path, false);
}

/* A symlink's target as a path of the archive, from the link's directory. */
char *
load_link_target(const char *link_name, const char *target)
{
  if (target[0] == '/')
    return NULL;
  const char *slash = strrchr(link_name, '/');
  cleanup_free char *joined
      = slash != NULL ? xasprintf("%.*s/%s", (int)(slash - link_name), link_name, target)
                      : xstrdup(target);
  return path_clean(joined, true);
}

struct outer_source {
  berth_decompress *d;
  berth_error *err;
  char buf[COPY_BUFFER];
};

static la_ssize_t
outer_read(struct archive *a, void *ctx, const void **buf)
{
  (void)a;
  struct outer_source *src = ctx;
  ssize_t n = berth_decompress_read(src->d, src->buf, sizeof src->buf, &src->err);
  *buf = src->buf;
  return n < 0 ? -1 : n;
}

static int
outer_fail(struct outer_source *src, struct archive *a, bool any_entry, berth_error **err)
{
  if (src->err != NULL)
    return berth_error_propagate(err, &src->err);
  if (!any_entry)
    return berth_error_set(err, 0, "the input is not a tar archive (plain, gzip or zstd)");
  const char *why = archive_error_string(a);
  return berth_error_set(err, 0, "read archive: %s", why != NULL ? why : "unknown error");
}

struct entry *
load_add_entry(struct archive_copy *c, const char *name)
{
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 16;
    c->entries = xrealloc(c->entries, c->cap * sizeof(*c->entries));
  }
  struct entry *e = &c->entries[c->n];
  *e = (struct entry){ .name = xstrdup(name), .index = c->n };
  c->n++;
  return e;
}

static int
copy_contents(struct archive_copy *c, struct archive *a, struct archive_entry *ae,
              struct outer_source *src, size_t index, berth_error **err)
{
  char name[32];
  snprintf(name, sizeof name, "e%zu", index);
  cleanup_close int fd = openat(berth_store_scratch_fd(c->scratch), name,
                                O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return berth_error_set(err, errno, "create %s in %s", name,
                           berth_store_scratch_path(c->scratch));
  for (;;) {
    const void *buf;
    size_t len;
    la_int64_t off;
    int r = archive_read_data_block(a, &buf, &len, &off);
    if (r == ARCHIVE_EOF) {
      if (ftruncate(fd, archive_entry_size(ae)) < 0) /* a sparse tail is no write */
        return berth_error_set(err, errno, "size %s", name);
      c->entries[index].size = archive_entry_size(ae);
      return 0;
    }
    if (r < ARCHIVE_WARN)
      return outer_fail(src, a, true, err);
    /* sparse entries come with gaps: keep them as holes */
    if (lseek(fd, off, SEEK_SET) < 0)
      return berth_error_set(err, errno, "seek in %s", name);
    if (berth_fd_write(&fd, buf, len, err) < 0)
      return -1;
  }
}

/* Copies every regular file of the archive read from fd into the scratch
 * directory and records links; trusts nothing of it (names are only keys
 * here, never paths on disk). */
static int
copy_archive(struct archive_copy *c, int fd, berth_error **err)
{
  cleanup_decompress berth_decompress *d = berth_decompress_new(berth_fd_read, &fd);
  struct outer_source *src = xcalloc(1, sizeof(*src));
  src->d = d;
  struct archive *a = archive_read_new();
  if (a == NULL)
    abort();
  archive_read_support_format_tar(a);
  archive_read_support_filter_none(a);
  int ret = 0;
  bool any = false;
  if (archive_read_open(a, src, NULL, outer_read, NULL) != ARCHIVE_OK) {
    ret = outer_fail(src, a, any, err);
    goto out;
  }
  for (;;) {
    struct archive_entry *ae;
    int r = archive_read_next_header(a, &ae);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = outer_fail(src, a, any, err);
      goto out;
    }
    any = true;
    struct entry *e = load_note_entry(c, ae);
    if (e != NULL && copy_contents(c, a, ae, src, e->index, err) < 0) {
      ret = -1;
      goto out;
    }
  }
out:
  archive_read_free(a);
  berth_error_free(src->err);
  free(src);
  return ret;
}

void
load_image_add_tag(struct load_image *im, char *tag)
{
  for (size_t i = 0; i < im->n_tags; i++)
    if (strcmp(im->tags[i], tag) == 0) {
      free(tag);
      return;
    }
  im->tags = xrealloc(im->tags, (im->n_tags + 1) * sizeof *im->tags);
  im->tags[im->n_tags++] = tag;
}

struct entry *
load_note_entry(struct archive_copy *c, struct archive_entry *ae)
{
  cleanup_free char *name = load_path_clean(archive_entry_pathname(ae));
  const char *hard = archive_entry_hardlink(ae);
  if (name == NULL || name[0] == '\0')
    return NULL; /* outside the archive: nothing may name it */
  if (hard != NULL || archive_entry_filetype(ae) == AE_IFLNK) {
    struct entry *e = load_add_entry(c, name);
    e->is_link = true;
    e->target
        = hard != NULL ? load_path_clean(hard) : load_link_target(name, archive_entry_symlink(ae));
    return NULL;
  }
  return archive_entry_filetype(ae) == AE_IFREG ? load_add_entry(c, name) : NULL;
}

const struct entry *
load_lookup(const struct archive_copy *c, const char *source, const char *what, const char *path,
            berth_error **err)
{
  cleanup_free char *clean = load_path_clean(path);
  if (clean == NULL || clean[0] == '\0')
    return berth_error_set(err, 0, "%s: %s %s points outside the archive", source, what, path),
           NULL;
  for (int hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const struct entry *found = NULL;
    for (size_t i = c->n; i-- > 0;) /* a later entry replaces an earlier one, as tar does */
      if (strcmp(c->entries[i].name, clean) == 0) {
        found = &c->entries[i];
        break;
      }
    if (found == NULL)
      break;
    if (!found->is_link)
      return found;
    if (found->target == NULL)
      return berth_error_set(err, 0, "%s: %s %s is a link pointing outside the archive", source,
                             what, path),
             NULL;
    free(clean);
    clean = xstrdup(found->target);
  }
  return berth_error_set(err, 0, "%s names %s %s, which the archive does not contain", source, what,
                         path),
         NULL;
}

int
load_reader_open(const struct archive_copy *c, const struct entry *e, load_reader *r,
                 berth_error **err)
{
  if (c->input >= 0) {
    *r = (load_reader){ .fd = c->input, .pos = e->offset, .end = e->offset + e->size };
    return 0;
  }
  char name[32];
  snprintf(name, sizeof name, "e%zu", e->index);
  int fd = openat(berth_store_scratch_fd(c->scratch), name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open the copy of %s", e->name);
  *r = (load_reader){ .fd = fd, .owned = true, .end = e->size };
  return 0;
}

ssize_t
load_reader_read(void *ctx, void *buf, size_t len, berth_error **err)
{
  load_reader *r = ctx;
  if (r->pos >= r->end)
    return 0;
  if ((off_t)len > r->end - r->pos)
    len = (size_t)(r->end - r->pos);
  for (;;) {
    ssize_t n = pread(r->fd, buf, len, r->pos);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return berth_error_set(err, errno, "read archive"), -1;
    if (n == 0)
      return berth_error_set(err, 0, "read archive: Truncated tar archive"), -1;
    r->pos += n;
    return n;
  }
}

void
load_reader_close(load_reader *r)
{
  if (r->owned && r->fd >= 0)
    close(r->fd);
  r->fd = -1;
}

char *
load_read_small(const struct archive_copy *c, const struct entry *e, size_t *len, berth_error **err)
{
  if (e->size > MAX_JSON_SIZE)
    return berth_error_set(err, EFBIG, "%s: %lld bytes is too large", e->name, (long long)e->size),
           NULL;
  load_reader r;
  if (load_reader_open(c, e, &r, err) < 0)
    return NULL;
  char *data = xmalloc((size_t)e->size + 1);
  size_t got = 0;
  while (got < (size_t)e->size) {
    ssize_t n = load_reader_read(&r, data + got, (size_t)e->size - got, err);
    if (n <= 0) {
      free(data);
      load_reader_close(&r);
      return n == 0 ? berth_error_set(err, EIO, "read %s", e->name), NULL : NULL;
    }
    got += (size_t)n;
  }
  load_reader_close(&r);
  data[e->size] = '\0';
  *len = (size_t)e->size;
  return data;
}

int
load_image_config(struct load_image *im, const char *config_name, const char *source, size_t n,
                  berth_error **err)
{
  im->image = berth_image_config_parse(im->config, im->config_len, err);
  if (im->image == NULL)
    return berth_error_prefix(err, "image config %s", config_name);
  if (im->image->n_diff_ids != n)
    return berth_error_set(err, 0, "image config %s lists %zu layers, %s %zu", config_name,
                           im->image->n_diff_ids, source, n);
  if (n > BERTH_MAX_LAYERS)
    return berth_error_set(err, 0,
                           "max depth exceeded: the image has %zu layers, a container can "
                           "mount at most %d",
                           n, BERTH_MAX_LAYERS);
  im->n_layers = n;
  im->layers = xcalloc(n ? n : 1, sizeof(*im->layers));
  im->layer_names = xcalloc(n ? n : 1, sizeof(*im->layer_names));
  im->stages = xcalloc(n ? n : 1, sizeof(*im->stages));
  im->sizes = xcalloc(n ? n : 1, sizeof(*im->sizes));
  return 0;
}

void
load_image_clear(struct load_image *im)
{
  free(im->config);
  berth_image_config_free(im->image);
  berth_cleanup_strvp(&im->chain_ids);
  for (size_t i = 0; i < im->n_layers; i++) {
    berth_layer_stage_free(im->stages ? im->stages[i] : NULL);
    free(im->layer_names ? im->layer_names[i] : NULL);
  }
  free(im->layers);
  free(im->layer_names);
  free(im->stages);
  free(im->sizes);
  for (size_t i = 0; i < im->n_tags; i++)
    free(im->tags[i]);
  free(im->tags);
}

/* Reads one manifest.json item (untrusted JSON): its config, layers and
 * RepoTags, each checked before any layer is unpacked. */
static int
plan_image(const struct archive_copy *c, json_t *item, struct load_image *im, berth_error **err)
{
  const char *config_path = json_string_value(json_object_get(item, "Config"));
  json_t *layers = json_object_get(item, "Layers");
  json_t *tags = json_object_get(item, "RepoTags");
  if (!json_is_object(item) || config_path == NULL || !json_is_array(layers)
      || (tags != NULL && !json_is_null(tags) && !json_is_array(tags)))
    return berth_error_set(err, 0, "manifest.json: an entry without Config and Layers");
  const struct entry *ce = load_lookup(c, "manifest.json", "config", config_path, err);
  if (ce == NULL)
    return -1;
  im->config = load_read_small(c, ce, &im->config_len, err);
  if (im->config == NULL)
    return -1;
  size_t n = json_array_size(layers);
  if (load_image_config(im, config_path, "manifest.json", n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    const char *path = json_string_value(json_array_get(layers, i));
    if (path == NULL)
      return berth_error_set(err, 0, "manifest.json: layer %zu is not a path", i + 1);
    im->layer_names[i] = xstrdup(path);
    im->layers[i] = load_lookup(c, "manifest.json", "layer", path, err);
    if (im->layers[i] == NULL)
      return -1;
  }
  im->chain_ids = berth_chain_ids(im->image->diff_ids, n);
  size_t nt = json_is_array(tags) ? json_array_size(tags) : 0;
  im->tags = xcalloc(nt ? nt : 1, sizeof(*im->tags));
  for (size_t i = 0; i < nt; i++) {
    const char *t = json_string_value(json_array_get(tags, i));
    if (t == NULL)
      return berth_error_set(err, 0, "manifest.json: RepoTags holds a non-string");
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(t, err);
    if (ref == NULL)
      return berth_error_prefix(err, "manifest.json: RepoTags");
    if (ref->digest != NULL)
      return berth_error_set(err, 0, "manifest.json: RepoTags %s is a digest, not a tag", t);
    im->tags[im->n_tags++] = berth_reference_familiar_string(ref);
  }
  return 0;
}

/* Whether an image before im (or a layer of im below i) stages chain_id. */
static bool
staged_before(struct load_image *ims, size_t im, size_t i)
{
  const char *chain = ims[im].chain_ids[i];
  for (size_t a = 0; a <= im; a++)
    for (size_t l = 0; l < (a == im ? i : ims[a].n_layers); l++)
      if (ims[a].stages[l] != NULL && strcmp(ims[a].chain_ids[l], chain) == 0)
        return true;
  return false;
}

/* Unpacks layer i of im from its copy (or in place) into its stage, made
 * beforehand: confined, and its diffID must be the config's.  Runs in a
 * worker thread: touches only this layer's slots of im. */
static int
unpack_layer(const struct archive_copy *c, struct load_image *im, size_t i, berth_error **err)
{
  load_reader r;
  if (load_reader_open(c, im->layers[i], &r, err) < 0)
    return -1;
  berth_unpack_result res;
  int u = berth_layer_unpack(load_reader_read, &r, berth_layer_stage_diff_fd(im->stages[i]),
                             berth_layer_stage_tarsplit_fd(im->stages[i]), &res, err);
  load_reader_close(&r);
  berth_test_point("load-unpacked"); /* in its stage, not yet checked nor visible */
  if (u < 0)
    return berth_error_prefix(err, "layer %s", im->layer_names[i]);
  if (strcmp(res.diff_id, im->image->diff_ids[i]) != 0)
    return berth_error_set(err, 0, "layer %s: content has diffID %s, the image config says %s",
                           im->layer_names[i], res.diff_id, im->image->diff_ids[i]);
  im->sizes[i] = res.size;
  return 0;
}

/* The layers to unpack, shared by the workers: each takes the next one;
 * after a failure the others start no new one. */
struct unpack_job {
  struct load_image *im;
  size_t i;
  berth_error *err;
};

struct unpack_pool {
  const struct archive_copy *c;
  struct unpack_job *jobs;
  size_t n;
  atomic_size_t next;
  atomic_bool failed;
};

static void *
unpack_worker(void *arg)
{
  struct unpack_pool *p = arg;
  for (;;) {
    size_t j = atomic_fetch_add(&p->next, 1);
    if (j >= p->n || atomic_load(&p->failed))
      return NULL;
    if (unpack_layer(p->c, p->jobs[j].im, p->jobs[j].i, &p->jobs[j].err) < 0)
      atomic_store(&p->failed, true);
  }
}

static int
job_cmp(const void *a, const void *b)
{
  const struct unpack_job *x = a, *y = b;
  off_t sx = x->im->layers[x->i]->size, sy = y->im->layers[y->i]->size;
  return sx < sy ? 1 : sx > sy ? -1 : 0;
}

/* Every layer the store lacks (once, however many images list it), each
 * in a stage made here, unpacked by up to UNPACK_WORKERS threads, the
 * biggest first: the two cores a load gets are both busy while a big layer
 * and the small ones unpack side by side. */
static int
unpack_missing(berth_store *s, const struct archive_copy *c, struct load_image *ims, size_t n,
               berth_error **err)
{
  struct unpack_pool p = { .c = c };
  size_t cap = 0;
  int ret = 0;
  for (size_t k = 0; k < n && ret == 0; k++)
    for (size_t i = 0; i < ims[k].n_layers; i++) {
      berth_layer existing;
      int found = berth_store_layer_get(s, ims[k].chain_ids[i], &existing, err);
      if (found < 0) {
        ret = -1;
        break;
      }
      if (found || staged_before(ims, k, i))
        continue; /* in the store, or published from another stage first */
      ims[k].stages[i] = berth_layer_stage_new(s, err);
      if (ims[k].stages[i] == NULL) {
        ret = -1;
        break;
      }
      if (p.n == cap)
        p.jobs = xrealloc(p.jobs, (cap = cap ? 2 * cap : 8) * sizeof *p.jobs);
      p.jobs[p.n++] = (struct unpack_job){ .im = &ims[k], .i = i };
    }
  if (ret == 0 && p.n > 0) {
    qsort(p.jobs, p.n, sizeof *p.jobs, job_cmp);
    pthread_t threads[UNPACK_WORKERS];
    size_t started = 0;
    for (; started < UNPACK_WORKERS && started < p.n; started++)
      if (pthread_create(&threads[started], NULL, unpack_worker, &p) != 0)
        break;
    if (started == 0)
      unpack_worker(&p); /* no thread to be had: this one does it all */
    for (size_t t = 0; t < started; t++)
      pthread_join(threads[t], NULL);
    /* the failure of the first layer in archive order among those that
     * failed (the sort put the biggest first) */
    struct unpack_job *first = NULL;
    for (size_t j = 0; j < p.n; j++)
      if (p.jobs[j].err != NULL
          && (first == NULL || p.jobs[j].im < first->im
              || (p.jobs[j].im == first->im && p.jobs[j].i < first->i)))
        first = &p.jobs[j];
    if (first != NULL)
      ret = berth_error_propagate(err, &first->err);
  }
  for (size_t j = 0; j < p.n; j++)
    berth_error_free(p.jobs[j].err);
  free(p.jobs);
  return ret;
}

/* Layers bottom first, then each config and its names, under the writer
 * lock (as pull publishes). */
static int
publish(berth_store *s, struct load_image *ims, size_t n, berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  for (size_t k = 0; k < n; k++) {
    struct load_image *im = &ims[k];
    for (size_t i = 0; i < im->n_layers; i++) {
      const char *parent = i > 0 ? im->chain_ids[i - 1] : NULL;
      berth_layer layer;
      if (im->stages[i] != NULL) {
        if (berth_layer_stage_publish(s, im->stages[i], parent, im->image->diff_ids[i],
                                      im->sizes[i], &layer, err)
            < 0)
          return berth_error_prefix(err, "store layer %s", im->layer_names[i]);
        continue;
      }
      int found = berth_store_layer_get(s, im->chain_ids[i], &layer, err);
      if (found < 0)
        return -1;
      if (found == 0)
        return berth_error_set(err, 0, "layer %s was removed while loading; load again",
                               im->chain_ids[i]);
    }
    if (berth_store_image_put(s, im->config, im->config_len, im->parent ? im->parent->id : NULL,
                              im->id, err)
        < 0)
      return -1;
    for (size_t t = 0; t < im->n_tags; t++)
      if (berth_image_add_tag(s, im->id, im->tags[t], err) < 0)
        return -1;
  }
  return 0;
}

static bool
has_entry(const struct archive_copy *c, const char *name)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->entries[i].name, name) == 0)
      return true;
  return false;
}

int
berth_image_load_archive(berth_store *s, int fd, berth_load_fn on_loaded, void *ctx,
                         berth_error **err)
{
  struct archive_copy c = { .input = -1 };
  struct load_image *ims = NULL;
  size_t n = 0;
  int ret = -1;
  cleanup_json json_t *manifest = NULL;

  /* a plain tar in a file is read in place; anything else is copied */
  int indexed = load_index_archive(&c, fd, err);
  if (indexed < 0)
    goto out;
  if (indexed == 0) {
    c.scratch = berth_store_scratch_new(s, err);
    if (c.scratch == NULL || copy_archive(&c, fd, err) < 0)
      goto out;
  }
  {
    const struct entry *me = NULL;
    for (size_t i = c.n; i-- > 0 && me == NULL;)
      if (strcmp(c.entries[i].name, "manifest.json") == 0)
        me = &c.entries[i];
    if (me == NULL && has_entry(&c, "index.json") && has_entry(&c, "oci-layout")) {
      if (load_oci_plan(&c, &ims, &n, err) < 0)
        goto out;
      goto planned; /* an OCI image layout */
    }
    if (me == NULL && load_legacy_is(&c)) {
      if (load_legacy_plan(&c, &ims, &n, err) < 0)
        goto out;
      goto planned; /* docker save before 1.10 */
    }
    if (me == NULL) {
      berth_error_set(err, 0,
                      "the archive has no manifest.json (not a docker-archive tarball) and no "
                      "index.json and oci-layout (not an OCI layout)");
      goto out;
    }
    me = load_lookup(&c, "manifest.json", "file", "manifest.json", err);
    if (me == NULL)
      goto out;
    size_t len;
    cleanup_free char *text = load_read_small(&c, me, &len, err);
    if (text == NULL)
      goto out;
    json_error_t jerr;
    manifest = json_loadb(text, len, 0, &jerr);
    if (!json_is_array(manifest)) {
      berth_error_set(err, 0, "manifest.json: %s",
                      manifest == NULL ? jerr.text : "not an array of images");
      goto out;
    }
  }
  n = json_array_size(manifest);
  ims = xcalloc(n ? n : 1, sizeof(*ims));
  for (size_t k = 0; k < n; k++)
    if (plan_image(&c, json_array_get(manifest, k), &ims[k], err) < 0)
      goto out;
planned:
  if (unpack_missing(s, &c, ims, n, err) < 0)
    goto out;
  ret = publish(s, ims, n, err);
  berth_store_publish_done(s, ret < 0); /* layers no image uses are collected */
  if (ret == 0 && on_loaded != NULL)
    for (size_t k = 0; k < n; k++) {
      for (size_t t = 0; t < ims[k].n_tags; t++)
        on_loaded(ctx, ims[k].tags[t], ims[k].id);
      if (ims[k].n_tags == 0 && !ims[k].intermediate)
        on_loaded(ctx, NULL, ims[k].id);
    }
out:
  for (size_t k = 0; k < n && ims != NULL; k++)
    load_image_clear(&ims[k]);
  free(ims);
  archive_copy_clear(&c);
  if (ret < 0)
    berth_error_prefix(err, "load");
  return ret;
}
