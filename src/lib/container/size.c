/* Docker's SizeRw and SizeRootFs (size.h). */
#include "container/size.h"

#include <stdlib.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/image_load.h"

int
berth_container_sizes(berth_store *s, const berth_container *c, long long *rw, long long *rootfs,
                      berth_error **err)
{
  *rw = *rootfs = 0;
  if (c->layer.mount_id[0] != '\0') {
    cleanup_free char *diff = xasprintf("overlay2/%s/diff", c->layer.mount_id);
    if (berth_du_at(berth_store_root_fd(s), diff, rw, NULL) < 0)
      *rw = 0;
  }
  cleanup_image_config berth_image_config *ic = berth_image_load(s, c->image_id, err);
  if (ic == NULL)
    return -1;
  cleanup_free berth_layer *layers = NULL;
  size_t n = 0;
  if (berth_image_layers(s, ic, &layers, &n, err) < 0)
    return -1;
  *rootfs = *rw;
  for (size_t i = 0; i < n; i++)
    *rootfs += layers[i].size;
  return 0;
}
