/* The store's own temporary dirs under tmp/: the trash a writer deletes
 * into, the pins that keep freshly published layers alive, and the sweep of
 * those whose owner died.  Each is flock()ed by its owner for as long as it
 * lives — a lock the kernel drops when the owner dies, so unlike a pid in
 * the name it cannot be fooled by PID reuse. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "store/gc.h"
#include "store/internal.h"

static bool
is_owned_tmpdir(const char *name)
{
  return strncmp(name, TMP_STAGE, strlen(TMP_STAGE)) == 0
         || strncmp(name, TMP_TRASH, strlen(TMP_TRASH)) == 0
         || strncmp(name, TMP_PINS, strlen(TMP_PINS)) == 0;
}

/* Removes the tmp/ dirs of ours that nobody holds a flock on.  Needs no
 * writer lock: taking the flock makes the dir ours (its creator rechecks
 * st_nlink after locking, see berth_store_tmpdir_new). */
static void
sweep_dead_tmpdirs(berth_store *s)
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
berth_store_after_unlock(berth_store *s, int trash_fd, char *trash_name, bool sweep_tmp)
{
  if (trash_name != NULL)
    berth_rm_rf_at(s->tmp_fd, trash_name, NULL); /* what fails is swept later */
  if (trash_fd >= 0)
    close(trash_fd); /* drops the flock after the dir is gone */
  free(trash_name);
  if (sweep_tmp)
    sweep_dead_tmpdirs(s);
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

int
berth_store_pin_locked(berth_store *s, const char *chain_id, berth_error **err)
{
  pthread_mutex_lock(&s->mutex);
  int ret = 0;
  if (s->pins_name == NULL) {
    s->pins_fd = berth_store_tmpdir_new(s, TMP_PINS, &s->pins_name, err);
    if (s->pins_fd < 0)
      ret = berth_error_prefix(err, "pin layer %s", chain_id);
  }
  if (ret == 0) {
    int fd = openat(s->pins_fd, berth_digest_hex(chain_id), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
      ret = berth_error_set(err, errno, "pin layer %s", chain_id);
    else
      close(fd);
  }
  pthread_mutex_unlock(&s->mutex);
  return ret;
}

bool
berth_store_pins_release(berth_store *s)
{
  pthread_mutex_lock(&s->mutex);
  bool had = s->pins_name != NULL;
  if (s->pins_name != NULL)
    berth_rm_rf_at(s->tmp_fd, s->pins_name, NULL); /* or swept once we are gone */
  if (s->pins_fd >= 0)
    close(s->pins_fd);
  free(s->pins_name);
  s->pins_name = NULL;
  s->pins_fd = -1;
  pthread_mutex_unlock(&s->mutex);
  return had;
}

void
berth_store_publish_done(berth_store *s, bool failed)
{
  if (berth_store_pins_release(s) && failed)
    berth_store_gc(s, NULL, NULL);
}

/* Adds the chain ids of every live pins dir (its owner holds its flock, or
 * it is this handle's own) to out; dead ones are trashed.  Caller holds the
 * writer lock, so no pin is being added meanwhile. */
int
berth_store_pinned_chains(berth_store *s, berth_strset *out, berth_error **err)
{
  cleanup_dir DIR *d = berth_store_opendir(s->tmp_fd, ".", err);
  if (d == NULL)
    return -1;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strncmp(de->d_name, TMP_PINS, strlen(TMP_PINS)) != 0)
      continue;
    cleanup_close int fd
        = openat(s->tmp_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      continue;
    bool own = s->pins_name != NULL && strcmp(s->pins_name, de->d_name) == 0;
    if (!own && flock(fd, LOCK_EX | LOCK_NB) == 0) {
      if (berth_store_trash_locked(s, s->tmp_fd, de->d_name, err) < 0)
        return -1;
      continue;
    }
    cleanup_dir DIR *pd = berth_store_opendir(fd, ".", err);
    if (pd == NULL)
      return -1;
    struct dirent *pe;
    while ((pe = readdir(pd)) != NULL) {
      if (!berth_store_is_hex64(pe->d_name))
        continue;
      cleanup_free char *chain = xasprintf("sha256:%s", pe->d_name);
      berth_strset_add(out, chain);
    }
  }
  return 0;
}
