#include "container/diff.h"

#include <fcntl.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/rwlayer.h"

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
  cleanup_close int upper = berth_open_dir_at(AT_FDCWD, upper_path, false, err);
  if (upper < 0)
    return -1;
  size_t cap = 1, k = 0;
  for (const char *p = lowerdir; *p != '\0'; p++)
    cap += *p == ':';
  int *fds = xcalloc(cap, sizeof *fds);
  char *save = NULL;
  for (char *tok = strtok_r(lowerdir, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save))
    if ((fds[k++] = berth_open_dir_at(AT_FDCWD, tok, false, err)) < 0) {
      berth_close_fds(fds, k);
      return -1;
    }
  int r = berth_changes_overlay(upper, fds, k, out, n, err);
  berth_close_fds(fds, k);
  return r;
}
