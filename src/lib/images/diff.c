#include "images/diff.h"

#include <fcntl.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "images/rootfs_ref.h"
#include "store/image_load.h"

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
    if ((v[i] = berth_open_dir_at(AT_FDCWD, path, false, err)) < 0) {
      berth_close_fds(v, n_layers);
      return -1;
    }
  }
  *fds = v;
  return 0;
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
    berth_close_fds(a, na);
    return -1;
  }
  int r = berth_changes_trees(a, na, b, nb, out, n, err);
  berth_close_fds(a, na);
  berth_close_fds(b, nb);
  return r;
}
