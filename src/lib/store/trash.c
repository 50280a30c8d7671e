/* The trash: what a writer deletes is renamed into tmp/trash-<random>/
 * under the writer lock and removed from disk only after it (tmpdir.c). */

#include "common/cleanup.h"
#include "common/fs.h"
#include "store/internal.h"

void
berth_store_after_unlock(berth_store *s, int trash_fd, char *trash_name, bool sweep_tmp)
{
  berth_store_tmpdir_drop(s, &trash_fd, &trash_name);
  if (sweep_tmp)
    berth_store_sweep_tmpdirs(s);
}

int
berth_store_trash_locked(berth_store *s, int dirfd, const char *name, berth_error **err)
{
  if (s->trash_name == NULL) {
    s->trash_fd = berth_store_tmpdir_new(s, TMP_TRASH, &s->trash_name, err);
    if (s->trash_fd < 0)
      return berth_error_prefix(err, "make trash dir");
  }
  char to[16];
  snprintf(to, sizeof(to), "%u", s->trash_n++);
  if (renameat(dirfd, name, s->trash_fd, to) == 0 || errno == ENOENT)
    return 0;
  if (errno == EXDEV) /* tmp/ on a filesystem of its own: delete in place */
    return berth_rm_rf_at(dirfd, name, err);
  return berth_error_set(err, errno, "move %s to the trash", name);
}
