#include "system/df.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "container/ops.h"
#include "image/time.h"
#include "store/gc.h"
#include "store/image_load.h"
#include "store/layer.h"

/* Each distinct layer with the number of images whose rootfs has it. */
typedef struct layer_count {
  berth_strset chains;
  long long *size;
  int *images;
} layer_count;

static size_t
layer_index(layer_count *lc, const berth_layer *l)
{
  for (size_t i = 0; i < lc->chains.n; i++)
    if (strcmp(lc->chains.v[i], l->chain_id) == 0)
      return i;
  berth_strset_add(&lc->chains, l->chain_id);
  lc->size = xrealloc(lc->size, lc->chains.n * sizeof *lc->size);
  lc->images = xrealloc(lc->images, lc->chains.n * sizeof *lc->images);
  lc->size[lc->chains.n - 1] = l->size;
  lc->images[lc->chains.n - 1] = 0;
  return lc->chains.n - 1;
}

/* Sizes, shared sizes and the layers' total, as Docker's /system/df: a
 * layer is shared when more than one image has it. */
static int
image_sizes(berth_store *s, berth_df *d, berth_error **err)
{
  layer_count lc = { 0 };
  size_t **idx = xcalloc(d->n_images + 1, sizeof *idx);
  size_t *nidx = xcalloc(d->n_images + 1, sizeof *nidx);
  int ret = 0;
  for (size_t i = 0; i < d->n_images && ret == 0; i++) {
    cleanup_image_config berth_image_config *c = berth_image_load(s, d->images[i].id, err);
    cleanup_free berth_layer *layers = NULL;
    size_t n = 0;
    if (c == NULL || berth_image_layers(s, c, &layers, &n, err) < 0) {
      ret = -1;
      break;
    }
    idx[i] = xcalloc(n + 1, sizeof **idx);
    nidx[i] = n;
    for (size_t k = 0; k < n; k++) {
      size_t j = layer_index(&lc, &layers[k]);
      bool again = false; /* one image naming a layer twice counts once */
      for (size_t q = 0; q < k; q++)
        again |= idx[i][q] == j;
      idx[i][k] = j;
      if (!again)
        lc.images[j]++;
    }
  }
  for (size_t i = 0; i < d->n_images && ret == 0; i++)
    for (size_t k = 0; k < nidx[i]; k++) {
      d->image[i].size += lc.size[idx[i][k]];
      if (lc.images[idx[i][k]] > 1)
        d->image[i].shared += lc.size[idx[i][k]];
    }
  for (size_t j = 0; j < lc.chains.n; j++)
    d->layers_size += lc.size[j];
  for (size_t i = 0; i < d->n_images; i++)
    free(idx[i]);
  free(idx);
  free(nidx);
  berth_strset_clear(&lc.chains);
  free(lc.size);
  free(lc.images);
  return ret;
}

static int
by_created_desc(const void *a, const void *b)
{
  const berth_container *x = *(berth_container *const *)a, *y = *(berth_container *const *)b;
  return strcmp(y->created, x->created);
}

static int
containers(berth_store *s, berth_df *d, berth_error **err)
{
  cleanup_strv char **ids = berth_container_list_ids(s, err);
  if (ids == NULL)
    return -1;
  size_t total = 0;
  while (ids[total] != NULL)
    total++;
  d->containers = xcalloc(total + 1, sizeof *d->containers);
  d->size_rw = xcalloc(total + 1, sizeof *d->size_rw);
  for (size_t i = 0; i < total; i++) {
    berth_container *c = NULL;
    if (berth_container_load(s, ids[i], &c, NULL) != 1)
      continue;
    berth_container_refresh(s, c, NULL);
    d->containers[d->n_containers++] = c;
  }
  qsort(d->containers, d->n_containers, sizeof *d->containers, by_created_desc);
  for (size_t i = 0; i < d->n_containers; i++) {
    const berth_container *c = d->containers[i];
    cleanup_free char *diff = xasprintf("overlay2/%s/diff", c->layer.mount_id);
    if (c->layer.mount_id[0] == '\0'
        || berth_du_at(berth_store_root_fd(s), diff, &d->size_rw[i], NULL) < 0)
      d->size_rw[i] = 0;
    for (size_t k = 0; k < d->n_images; k++)
      if (strcmp(d->images[k].id, c->image_id) == 0)
        d->image[k].containers++;
  }
  return 0;
}

static void
add_cache(berth_df *d, char *id, const char *type, long long size, bool in_use, int64_t created)
{
  d->cache = xrealloc(d->cache, (d->n_cache + 1) * sizeof *d->cache);
  d->cache[d->n_cache++] = (berth_df_cache){ id, type, size, in_use, created };
}

/* What builder prune considers: intermediate images (their layers are
 * their children's: 0 bytes of their own) and cache mounts. */
static void
build_cache(berth_store *s, berth_df *d)
{
  for (size_t i = 0; i < d->n_images; i++) {
    const berth_image_summary *im = &d->images[i];
    if (!im->has_children || im->tags[0] != NULL || im->digests[0] != NULL)
      continue;
    add_cache(d, xstrdup(berth_digest_hex(im->id)), "regular", 0, d->image[i].containers > 0,
              im->created);
  }
  cleanup_close int fd
      = openat(berth_store_root_fd(s), "builder/cache", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *dir = fd < 0 ? NULL : fdopendir(dup(fd));
  struct dirent *de;
  while (dir != NULL && (de = readdir(dir)) != NULL) {
    struct stat st;
    long long size = 0;
    if (de->d_name[0] == '.' || fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
        || !S_ISDIR(st.st_mode) || berth_du_at(fd, de->d_name, &size, NULL) < 0)
      continue;
    add_cache(d, xstrdup(de->d_name), "exec.cachemount", size, false, st.st_mtime);
  }
}

static int
leftovers(berth_store *s, berth_df *d, berth_error **err)
{
  cleanup_strset berth_strset garbage = { 0 };
  if (berth_store_gc_scan(s, &garbage, err) < 0)
    return -1;
  d->leftovers = xcalloc(garbage.n + 1, sizeof *d->leftovers);
  for (size_t i = 0; i < garbage.n; i++) {
    long long size = 0;
    struct stat st;
    int root = berth_store_root_fd(s);
    if (fstatat(root, garbage.v[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
      berth_du_at(root, garbage.v[i], &size, NULL);
    else if (fstatat(root, garbage.v[i], &st, AT_SYMLINK_NOFOLLOW) == 0)
      size = st.st_size;
    d->leftovers[d->n_leftovers++] = (berth_df_leftover){ xstrdup(garbage.v[i]), size };
  }
  return 0;
}

int
berth_system_df(berth_store *s, berth_df *d, berth_error **err)
{
  *d = (berth_df){ 0 };
  if (berth_image_list(s, &d->images, &d->n_images, err) < 0)
    return -1;
  d->image = xcalloc(d->n_images + 1, sizeof *d->image);
  if (image_sizes(s, d, err) < 0 || containers(s, d, err) < 0)
    return -1;
  build_cache(s, d);
  return leftovers(s, d, err);
}

void
berth_df_clear(berth_df *d)
{
  berth_image_summaries_free(d->images, d->n_images);
  free(d->image);
  for (size_t i = 0; i < d->n_containers; i++)
    berth_container_free(d->containers[i]);
  free(d->containers);
  free(d->size_rw);
  for (size_t i = 0; i < d->n_cache; i++)
    free(d->cache[i].id);
  free(d->cache);
  for (size_t i = 0; i < d->n_leftovers; i++)
    free(d->leftovers[i].path);
  free(d->leftovers);
  *d = (berth_df){ 0 };
}
