/* The store's own temporary dirs under tmp/ (stages, trash, pins): each is
 * flock()ed by its owner for as long as it lives, a lock the kernel drops
 * when the owner dies, so unlike a pid in the name it cannot be fooled by
 * PID reuse. */
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/xalloc.h"
#include "store/internal.h"

/* The stage dir must be locked before anyone can see it unlocked, or a
 * concurrent sweep could take it: lock, then check it is still linked. */
int
berth_store_tmpdir_new(berth_store *s, const char *prefix, char **name, berth_error **err)
{
  for (;;) {
    char rnd[17];
    berth_random_hex(rnd, 16);
    cleanup_free char *n = xasprintf("%s%s", prefix, rnd);
    if (mkdirat(s->tmp_fd, n, 0700) < 0)
      return berth_error_set(err, errno, "create %s/tmp/%s", s->root, n);
    cleanup_close int fd = openat(s->tmp_fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT)
        continue; /* swept before we opened it */
      return berth_error_set(err, errno, "open %s/tmp/%s", s->root, n);
    }
    if (flock(fd, LOCK_EX) < 0)
      return berth_error_set(err, errno, "lock %s/tmp/%s", s->root, n);
    struct stat st;
    if (fstat(fd, &st) < 0)
      return berth_error_set(err, errno, "stat %s/tmp/%s", s->root, n);
    if (st.st_nlink == 0)
      continue; /* a sweeper locked and removed it first */
    *name = steal_pointer(&n);
    return steal_fd(&fd);
  }
}

static bool
is_owned_tmpdir(const char *name)
{
  /* Not pins-: a dead one is the sign that a publisher died and left
   * layers to collect; the collection trashes it (berth_store_dead_pins). */
  return strncmp(name, TMP_STAGE, strlen(TMP_STAGE)) == 0
         || strncmp(name, TMP_TRASH, strlen(TMP_TRASH)) == 0
         || strncmp(name, TMP_SCRATCH, strlen(TMP_SCRATCH)) == 0;
}

/* Removes the tmp/ dirs of ours that nobody holds a flock on.  Needs no
 * writer lock: taking the flock makes the dir ours (its creator rechecks
 * st_nlink after locking, see berth_store_tmpdir_new). */
void
berth_store_sweep_tmpdirs(berth_store *s)
{
  cleanup_dir DIR *d = berth_store_opendir(s->tmp_fd, ".", NULL);
  struct dirent *de;
  while (d != NULL && (de = readdir(d)) != NULL) {
    if (!is_owned_tmpdir(de->d_name))
      continue;
    cleanup_close int fd
        = openat(s->tmp_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
      continue; /* gone already, or alive */
    /* An error (a mount point inside, say) leaves it for a later sweep. */
    berth_rm_rf_at(s->tmp_fd, de->d_name, NULL);
  }
}

void
berth_store_tmpdir_drop(berth_store *s, int *fd, char **name)
{
  if (*name != NULL)
    berth_rm_rf_at(s->tmp_fd, *name, NULL); /* what fails is swept later */
  if (*fd >= 0)
    close(*fd); /* drops the flock after the dir is gone */
  free(*name);
  *name = NULL;
  *fd = -1;
}
