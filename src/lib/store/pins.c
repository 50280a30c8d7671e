/* Pins: the layers a store handle has published and no image names yet
 * (tmp/pins-<random>/<chain-hex>), which no collection may remove. */
#include "store/gc.h"

#include <string.h>
#include <sys/file.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "store/internal.h"

int
berth_store_pins_open(berth_store *s, berth_error **err)
{
  pthread_mutex_lock(&s->mutex);
  int ret = 0;
  if (s->pins_name == NULL) {
    s->pins_fd = berth_store_tmpdir_new(s, TMP_PINS, &s->pins_name, err);
    ret = s->pins_fd < 0 ? berth_error_prefix(err, "make pins dir") : 1;
  }
  pthread_mutex_unlock(&s->mutex);
  return ret;
}

int
berth_store_pin_locked(berth_store *s, const char *chain_id, berth_error **err)
{
  if (berth_store_pins_open(s, err) < 0)
    return berth_error_prefix(err, "pin layer %s", chain_id);
  pthread_mutex_lock(&s->mutex);
  int fd = openat(s->pins_fd, berth_digest_hex(chain_id), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  int ret = fd < 0 ? berth_error_set(err, errno, "pin layer %s", chain_id) : 0;
  if (fd >= 0)
    close(fd);
  pthread_mutex_unlock(&s->mutex);
  return ret;
}

bool
berth_store_pins_release(berth_store *s)
{
  pthread_mutex_lock(&s->mutex);
  bool had = s->pins_name != NULL;
  berth_store_tmpdir_drop(s, &s->pins_fd, &s->pins_name);
  pthread_mutex_unlock(&s->mutex);
  return had;
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

bool
berth_store_dead_pins(berth_store *s)
{
  cleanup_dir DIR *d = berth_store_opendir(s->tmp_fd, ".", NULL);
  struct dirent *de;
  while (d != NULL && (de = readdir(d)) != NULL) {
    if (strncmp(de->d_name, TMP_PINS, strlen(TMP_PINS)) != 0
        || (s->pins_name != NULL && strcmp(s->pins_name, de->d_name) == 0))
      continue;
    cleanup_close int fd
        = openat(s->tmp_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
      return true; /* nobody holds it: its publisher died */
  }
  return false;
}
