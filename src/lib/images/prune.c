#include "images/prune.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "container/container.h"
#include "images/list.h"
#include "images/rmi.h"
#include "store/gc.h"
#include "store/image.h"
#include "store/image_load.h"
#include "store/layer.h"
#include "store/lock.h"
#include "store/mount_record.h"

static void
add_line(char ***v, size_t *n, char *line)
{
  *v = xrealloc(*v, (*n + 2) * sizeof **v);
  (*v)[(*n)++] = line;
  (*v)[*n] = NULL;
}

void
berth_prune_report_clear(berth_prune_report *r)
{
  for (size_t i = 0; i < r->n_deleted; i++)
    free(r->deleted[i]);
  free(r->deleted);
  for (size_t i = 0; i < r->n_kept; i++)
    free(r->kept[i]);
  free(r->kept);
  *r = (berth_prune_report){ 0 };
}

/* MatchKVList: every k[=v] of want among labels (none wanted: true). */
static bool
match_all(char **want, const json_t *labels)
{
  for (char **w = want; w != NULL && *w != NULL; w++) {
    const char *eq = strchr(*w, '=');
    cleanup_free char *k = eq ? xstrndup(*w, (size_t)(eq - *w)) : xstrdup(*w);
    const json_t *v = json_object_get(labels, k);
    if (v == NULL || (eq != NULL && (!json_is_string(v) || strcmp(json_string_value(v), eq + 1))))
      return false;
  }
  return true;
}

bool
berth_prune_filter_match(const berth_prune_filter *f, const void *labels_json)
{
  const json_t *labels = labels_json;
  if (f->labels != NULL && f->labels[0] != NULL
      && (json_object_size(labels) == 0 || !match_all(f->labels, labels)))
    return false;
  if (f->not_labels != NULL && f->not_labels[0] != NULL && json_object_size(labels) > 0
      && match_all(f->not_labels, labels))
    return false;
  return true;
}

/* The image ids containers are made from, and those live mounts hold. */
static int
images_in_use(berth_store *s, berth_strset *used, berth_strset *mounted, berth_error **err)
{
  cleanup_strv char **ids = berth_container_list_ids(s, err);
  if (ids == NULL)
    return -1;
  for (char **id = ids; *id != NULL; id++) {
    cleanup_container berth_container *c = NULL;
    if (berth_container_load(s, *id, &c, NULL) == 1)
      berth_strset_add(used, c->image_id);
  }
  berth_mount_record *recs = NULL;
  size_t n = 0;
  if (berth_store_mount_records(s, &recs, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (recs[i].live)
      berth_strset_add(mounted, recs[i].image_id);
  berth_mount_records_free(recs, n);
  return 0;
}

typedef struct layer_sizes {
  berth_strset chains;
  long long *size; /* by index in chains */
} layer_sizes;

static int
layer_sizes_load(berth_store *s, layer_sizes *ls, berth_error **err)
{
  cleanup_strv char **chains = berth_store_layer_list(s, err);
  if (chains == NULL)
    return -1;
  size_t n = 0;
  while (chains[n] != NULL)
    n++;
  ls->size = xcalloc(n + 1, sizeof *ls->size);
  for (size_t i = 0; i < n; i++) {
    berth_layer l;
    if (berth_store_layer_get(s, chains[i], &l, NULL) != 1)
      continue;
    berth_strset_add(&ls->chains, chains[i]);
    ls->size[ls->chains.n - 1] = l.size;
  }
  return 0;
}

static long long
layer_size(const layer_sizes *ls, const char *chain)
{
  for (size_t i = 0; i < ls->chains.n; i++)
    if (strcmp(ls->chains.v[i], chain) == 0)
      return ls->size[i];
  return 0;
}

/* rmi's records as prune prints them ("untagged: …", "deleted: …"); a
 * deleted layer's size counts as reclaimed. */
static void
take_records(char **records, const layer_sizes *ls, berth_prune_report *r)
{
  for (char **p = records; p != NULL && *p != NULL; p++) {
    const char *colon = strchr(*p, ':');
    if (strncmp(*p, "Deleted: ", 9) == 0)
      r->reclaimed += layer_size(ls, *p + 9);
    add_line(&r->deleted, &r->n_deleted,
             xasprintf("%c%s", (char)((**p) | 0x20), colon ? *p + 1 : *p));
    free(*p);
  }
  free(records);
}

static bool
wanted(berth_store *s, const berth_image_summary *im, bool all, const berth_prune_filter *f)
{
  bool named = im->tags[0] != NULL || im->digests[0] != NULL;
  if (all ? !named && im->has_children : im->has_children || im->tags[0] != NULL)
    return false;
  if (f->has_until && im->created > f->until)
    return false;
  if ((f->labels == NULL || f->labels[0] == NULL)
      && (f->not_labels == NULL || f->not_labels[0] == NULL))
    return true;
  cleanup_image_config berth_image_config *c = berth_image_load(s, im->id, NULL);
  return c != NULL
         && berth_prune_filter_match(f,
                                     json_object_get(json_object_get(c->json, "config"), "Labels"));
}

/* One image: by each of its names, or by id when it has none. */
static void
prune_one(berth_store *s, const berth_image_summary *im, const layer_sizes *ls,
          berth_prune_report *r)
{
  const berth_rmi_options opts = { 0 };
  size_t n_names = 0;
  for (char **t = im->tags; *t != NULL; t++)
    n_names++;
  for (char **d = im->digests; *d != NULL; d++)
    n_names++;
  char **names = xcalloc(n_names + 2, sizeof *names);
  size_t k = 0;
  for (char **t = im->tags; *t != NULL; t++)
    names[k++] = *t;
  for (char **d = im->digests; *d != NULL; d++)
    names[k++] = *d;
  if (k == 0)
    names[k++] = (char *)im->id + 7;
  for (size_t i = 0; i < k; i++) {
    char **records = NULL;
    cleanup_error berth_error *local = NULL;
    /* Docker ignores a conflict (an image some other image needs): so
     * does prune; what was removed before it is still reported */
    berth_image_remove(s, names[i], &opts, &records, &local);
    take_records(records, ls, r);
  }
  free(names);
}

int
berth_image_prune(berth_store *s, bool all, const berth_prune_filter *f, berth_prune_report *r,
                  berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_strset berth_strset used = { 0 }, mounted = { 0 };
  layer_sizes ls = { 0 };
  berth_image_summary *v = NULL;
  size_t n = 0;
  int ret = -1;
  if (images_in_use(s, &used, &mounted, err) < 0 || layer_sizes_load(s, &ls, err) < 0
      || berth_image_list(s, &v, &n, err) < 0)
    goto out;
  for (size_t i = 0; i < n; i++) {
    if (!wanted(s, &v[i], all, f) || berth_strset_has(&used, v[i].id))
      continue;
    if (berth_strset_has(&mounted, v[i].id)) {
      add_line(
          &r->kept, &r->n_kept,
          xasprintf("image %.12s is mounted (berth image mount): kept", berth_digest_hex(v[i].id)));
      continue;
    }
    prune_one(s, &v[i], &ls, r);
  }
  /* rmi collected what it removed; this sweeps what crashes left */
  ret = berth_store_gc(s, NULL, err);
out:
  berth_image_summaries_free(v, n);
  berth_strset_clear(&ls.chains);
  free(ls.size);
  return ret;
}

/* The cache mounts (builder/cache/<hex>) no build holds: each is taken
 * with its flock (a build holds it shared or exclusive while it runs). */
static int
prune_cache_mounts(berth_store *s, berth_prune_report *r, berth_error **err)
{
  int root = berth_store_root_fd(s);
  cleanup_close int fd = openat(root, "builder/cache", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  cleanup_dir DIR *d = fdopendir(dup(fd));
  if (d == NULL)
    return berth_error_set(err, errno, "open builder/cache");
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    cleanup_close int lock
        = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
      add_line(&r->kept, &r->n_kept,
               xasprintf("build cache mount %.12s is in use by a build: kept", de->d_name));
      continue;
    }
    long long bytes = 0;
    if (berth_du_at(fd, de->d_name, &bytes, err) < 0 || berth_rm_rf_at(fd, de->d_name, err) < 0)
      return berth_error_prefix(err, "build cache mount %s", de->d_name);
    r->reclaimed += bytes;
    add_line(&r->deleted, &r->n_deleted, xasprintf("%.25s", de->d_name));
  }
  return 0;
}

/* The build contexts' stat caches (builder/context-*). */
static void
prune_context_caches(berth_store *s, berth_prune_report *r)
{
  cleanup_close int fd
      = openat(berth_store_root_fd(s), "builder", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd < 0 ? NULL : fdopendir(dup(fd));
  struct dirent *de;
  while (d != NULL && (de = readdir(d)) != NULL) {
    struct stat st;
    if (strncmp(de->d_name, "context-", 8) != 0
        || fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)
        || unlinkat(fd, de->d_name, 0) < 0)
      continue;
    r->reclaimed += st.st_size;
    add_line(&r->deleted, &r->n_deleted, xasprintf("%.25s", de->d_name + 8));
  }
}

int
berth_builder_prune(berth_store *s, bool all, berth_prune_report *r, berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_strset berth_strset used = { 0 }, mounted = { 0 };
  berth_image_summary *v = NULL;
  size_t n = 0;
  int ret = -1;
  if (images_in_use(s, &used, &mounted, err) < 0 || berth_image_list(s, &v, &n, err) < 0)
    goto out;
  for (size_t i = 0; i < n; i++) {
    const berth_image_summary *im = &v[i];
    bool intermediate = im->has_children && im->tags[0] == NULL && im->digests[0] == NULL;
    if (!intermediate || berth_strset_has(&used, im->id))
      continue;
    if (berth_strset_has(&mounted, im->id)) {
      add_line(
          &r->kept, &r->n_kept,
          xasprintf("image %.12s is mounted (berth image mount): kept", berth_digest_hex(im->id)));
      continue;
    }
    /* its layers stay: its children's rootfs names them; a child's
     * parent link then names an image that is gone, as after a load */
    if (berth_store_image_delete(s, im->id, err) < 0)
      goto out;
    add_line(&r->deleted, &r->n_deleted, xasprintf("%s", im->id));
  }
  if (prune_cache_mounts(s, r, err) < 0)
    goto out;
  if (all)
    prune_context_caches(s, r);
  ret = berth_store_gc(s, NULL, err);
out:
  berth_image_summaries_free(v, n);
  return ret;
}
