/* `container prune`: every container that is not running, removed as `rm`
 * removes it (runtime state, mounts, RW layer, record). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "container/container.h"
#include "container/ops.h"
#include "image/time.h"
#include "images/prune.h"
#include "store/store.h"

/* The container's own layer, as Docker's SizeRw: overlay2/<mount-id>/diff. */
static long long
rw_size(berth_store *s, const berth_container *c)
{
  long long bytes = 0;
  cleanup_free char *diff = xasprintf("overlay2/%s/diff", c->layer.mount_id);
  if (c->layer.mount_id[0] == '\0' || berth_du_at(berth_store_root_fd(s), diff, &bytes, NULL) < 0)
    return 0;
  return bytes;
}

int
berth_container_prune(berth_store *s, const berth_prune_filter *f, berth_prune_report *r,
                      berth_error **err)
{
  cleanup_strv char **ids = berth_container_list_ids(s, err);
  if (ids == NULL)
    return -1;
  for (char **id = ids; *id != NULL; id++) {
    cleanup_container berth_container *c = NULL;
    if (berth_container_load(s, *id, &c, NULL) != 1)
      continue;
    berth_container_refresh(s, c, NULL);
    if (strcmp(c->status, "running") == 0)
      continue;
    int64_t created = 0;
    if (f->has_until && (berth_time_parse(c->created, &created) < 0 || created > f->until))
      continue;
    if (!berth_prune_filter_match(f, json_object_get(c->config, "Labels")))
      continue;
    long long bytes = rw_size(s, c);
    cleanup_error berth_error *local = NULL;
    /* one that started meanwhile, or that another process removed, is
     * not an error of the prune: Docker skips it as well */
    cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
    if (berth_container_remove(s, rt, c, false, &local) < 0)
      continue;
    r->reclaimed += bytes;
    r->deleted = xrealloc(r->deleted, (r->n_deleted + 2) * sizeof *r->deleted);
    r->deleted[r->n_deleted++] = xstrdup(c->id);
    r->deleted[r->n_deleted] = NULL;
  }
  return 0;
}
