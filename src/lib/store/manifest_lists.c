/* manifests/<hex>: the local manifest lists (see manifest_lists.h). */
#include "store/manifest_lists.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/internal.h"

#define MANIFEST_LISTS "manifests"

static char *
list_path(const char *ref)
{
  char d[BERTH_DIGEST_LEN];
  berth_sha256_digest(ref, strlen(ref), d);
  return xasprintf(MANIFEST_LISTS "/%s", berth_digest_hex(d));
}

int
berth_store_manifest_list_get(berth_store *s, const char *ref, char **data, size_t *len,
                              berth_error **err)
{
  cleanup_free char *path = list_path(ref);
  cleanup_error berth_error *local = NULL;
  if (berth_read_file_at(s->root_fd, path, data, len, &local) == 0)
    return 1;
  if (berth_error_errno(local) == ENOENT)
    return 0;
  berth_error_propagate(err, &local);
  return berth_error_prefix(err, "manifest list %s", ref);
}

int
berth_store_manifest_list_put(berth_store *s, const char *ref, const char *data, size_t len,
                              berth_error **err)
{
  /* Under the writer lock, as every atomic write the sweep looks at (gc.c
   * sweeps this directory's temp files). */
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_free char *path = list_path(ref);
  if (berth_mkdir_p_at(s->root_fd, MANIFEST_LISTS, 0700, err) < 0
      || berth_write_file_atomic_at(s->root_fd, path, data, len, 0600, err) < 0)
    return berth_error_prefix(err, "save manifest list %s", ref);
  return 0;
}

int
berth_store_manifest_list_remove(berth_store *s, const char *ref, berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_free char *path = list_path(ref);
  if (unlinkat(s->root_fd, path, 0) == 0)
    return 1;
  if (errno == ENOENT)
    return 0;
  return berth_error_set(err, errno, "remove manifest list %s", ref);
}
