#include "engine/diff.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "engine/image_load.h"
#include "engine/rootfs_ref.h"

static void
close_all(int *fds, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  free(fds);
}

static int
open_dir(const char *path, berth_error **err)
{
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", path);
  return fd;
}

int
berth_image_open_layers(berth_store *s, const char *id, size_t n_layers, int **fds,
                        berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  cleanup_free berth_layer *layers = NULL;
  size_t n = 0;
  if (berth_image_layers(s, c, &layers, &n, err) < 0)
    return -1;
  if (n_layers > n)
    return berth_error_set(err, 0, "image %s has %zu layers", id, n);
  int *v = xcalloc(n_layers + 1, sizeof *v);
  for (size_t i = 0; i < n_layers; i++)
    v[i] = -1;
  for (size_t i = 0; i < n_layers; i++) {
    cleanup_free char *path = berth_store_layer_diff_path(s, &layers[n_layers - 1 - i]);
    if ((v[i] = open_dir(path, err)) < 0) {
      close_all(v, n_layers);
      return -1;
    }
  }
  *fds = v;
  return 0;
}

int
berth_container_diff(berth_store *s, const berth_container *c, berth_change **out, size_t *n,
                     berth_error **err)
{
  berth_rwlayer rw;
  int found = berth_store_rwlayer_get(s, c->id, &rw, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set(err, ENOENT, "container %.12s has no layer", c->id);
  cleanup_free char *upper_path = berth_store_rwlayer_upper_path(s, &rw);
  cleanup_free char *lowerdir = berth_store_rwlayer_lowerdir(s, &rw);
  if (upper_path == NULL || lowerdir == NULL)
    return berth_error_set(err, 0, "container %.12s has no layer", c->id);
  cleanup_close int upper = open_dir(upper_path, err);
  if (upper < 0)
    return -1;
  size_t cap = 1, k = 0;
  for (const char *p = lowerdir; *p != '\0'; p++)
    cap += *p == ':';
  int *fds = xcalloc(cap, sizeof *fds);
  char *save = NULL;
  for (char *tok = strtok_r(lowerdir, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save))
    if ((fds[k++] = open_dir(tok, err)) < 0) {
      close_all(fds, k);
      return -1;
    }
  int r = berth_changes_overlay(upper, fds, k, out, n, err);
  close_all(fds, k);
  return r;
}

int
berth_image_diff(berth_store *s, const char *from, const char *to, berth_change **out, size_t *n,
                 berth_error **err)
{
  char a_id[BERTH_DIGEST_LEN], b_id[BERTH_DIGEST_LEN];
  size_t na = 0, nb = 0;
  if (berth_image_resolve_rootfs(s, from, a_id, &na, err) < 0
      || berth_image_resolve_rootfs(s, to, b_id, &nb, err) < 0)
    return -1;
  int *a = NULL, *b = NULL;
  if (berth_image_open_layers(s, a_id, na, &a, err) < 0)
    return -1;
  if (berth_image_open_layers(s, b_id, nb, &b, err) < 0) {
    close_all(a, na);
    return -1;
  }
  int r = berth_changes_trees(a, na, b, nb, out, n, err);
  close_all(a, na);
  close_all(b, nb);
  return r;
}
