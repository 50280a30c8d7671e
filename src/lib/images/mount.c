#include "images/mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/mount.h"
#include "common/random.h"
#include "common/xalloc.h"
#include "images/resolve.h"
#include "images/rootfs_ref.h"
#include "store/image_load.h"

#define MOUNTS_DIR BERTH_IMAGE_MOUNTS_DIR

/* "l/AAA:l/BBB", topmost first, for the first n layers. */
static char *
lower_links(const berth_layer *layers, size_t n)
{
  char *s = xstrdup("");
  for (size_t i = n; i > 0; i--) {
    char *next = xasprintf("%s%sl/%s", s, *s ? ":" : "", layers[i - 1].link);
    free(s);
    s = next;
  }
  return s;
}

/* Every image mount is nosuid,nodev: it is made on the host, at a path the
 * user chose, and a setuid-root file or a device node from a pulled image
 * must not become root or a device there.  Read-only but for --rw. */
static int
do_mount(berth_store *s, const berth_layer *layers, size_t n, const char *rec, const char *target,
         bool rw, berth_error **err)
{
  const unsigned safe = BERTH_MOUNT_NOSUID | BERTH_MOUNT_NODEV;
  if (!rw && n == 1) {
    cleanup_free char *diff = berth_store_layer_diff_path(s, &layers[0]);
    return berth_mount_bind(diff, target, BERTH_MOUNT_RDONLY | safe, err);
  }
  cleanup_free char *lower = lower_links(layers, n);
  cleanup_close int ofd
      = openat(berth_store_root_fd(s), "overlay2", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ofd < 0)
    return berth_error_set(err, errno, "open overlay2");
  cleanup_free char *dirpath = xasprintf("%s/overlay2", berth_store_root(s));
  cleanup_free char *upper = rw ? xasprintf("%s/upper", rec) : NULL;
  cleanup_free char *work = rw ? xasprintf("%s/work", rec) : NULL;
  berth_overlay o = { .dirfd = ofd,
                      .dirpath = dirpath,
                      .lower = lower,
                      .upper = upper,
                      .work = work,
                      .flags = safe | (rw ? 0 : BERTH_MOUNT_RDONLY) };
  return berth_mount_overlay(&o, target, err);
}

/* Creates tmp/image-mounts/<random>/ with its record files (see
 * store/mount_record.h); returns its absolute path.  Made under the writer
 * lock, where rmi and the collection look at records, and only once the
 * image is seen to be still there; *rec_lock gets the record dir's fd,
 * flock()ed, which keeps the record live until the mount is made. */
static char *
new_record(berth_store *s, const char *image_id, size_t n, const char *chain, const char *dir,
           bool rw, char **target, int *rec_lock, berth_error **err)
{
  int root = berth_store_root_fd(s);
  char rnd[17];
  berth_random_hex(rnd, 16);
  cleanup_free char *rel = xasprintf(MOUNTS_DIR "/%s", rnd);
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return NULL;
  cleanup_free char *config = NULL;
  int found = berth_store_image_get(s, image_id, &config, NULL, err);
  if (found <= 0) {
    if (found == 0)
      berth_error_set(err, ENOENT, "No such image: %s", image_id);
    return NULL;
  }
  if (berth_mkdir_p_at(root, rel, 0700, err) < 0)
    return NULL;
  *rec_lock = openat(root, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*rec_lock < 0 || flock(*rec_lock, LOCK_EX) < 0) {
    berth_error_set(err, errno, "lock %s", rel);
    berth_rm_rf_at(root, rel, NULL);
    return NULL;
  }
  char *abs = xasprintf("%s/%s", berth_store_root(s), rel);
  cleanup_free char *merged = xasprintf("%s/merged", abs);
  cleanup_free char *img = xasprintf("%s %zu\n", image_id, n);
  cleanup_free char *img_path = xasprintf("%s/image", rel), *tgt_path = xasprintf("%s/target", rel);
  cleanup_free char *chain_path = xasprintf("%s/chain", rel);
  const char *subdirs[] = { "merged", rw ? "upper" : NULL, rw ? "work" : NULL };
  for (size_t i = 0; i < 3; i++) {
    cleanup_free char *p = subdirs[i] ? xasprintf("%s/%s", rel, subdirs[i]) : NULL;
    if (p != NULL && mkdirat(root, p, 0755) < 0) {
      berth_error_set(err, errno, "mkdir %s", p);
      goto fail;
    }
  }
  *target = dir != NULL ? xstrdup(dir) : realpath(merged, NULL);
  if (*target == NULL) {
    berth_error_set(err, errno, "%s", merged);
    goto fail;
  }
  if (berth_write_file_atomic_at(root, img_path, img, strlen(img), 0600, err) < 0
      || berth_write_file_atomic_at(root, chain_path, chain, strlen(chain), 0600, err) < 0
      || berth_write_file_atomic_at(root, tgt_path, *target, strlen(*target), 0600, err) < 0)
    goto fail;
  return abs;
fail:
  berth_rm_rf_at(root, rel, NULL);
  free(abs);
  free(*target);
  *target = NULL;
  return NULL;
}

/* name is untrusted user input (resolved like any image name); dir is a
 * path the user chose, only mounted on. */
int
berth_image_mount(berth_store *s, const char *name, const char *dir, bool rw, char **path,
                  berth_error **err)
{
  char id[BERTH_DIGEST_LEN];
  size_t n = 0;
  if (berth_image_resolve_rootfs(s, name, id, &n, err) < 0)
    return -1;
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  cleanup_free berth_layer *layers = NULL;
  size_t total = 0;
  if (berth_image_layers(s, c, &layers, &total, err) < 0)
    return -1;
  if (n == 0)
    return berth_error_set(err, 0, "image %s has no layers to mount", name);
  cleanup_free char *real = NULL;
  if (dir != NULL) {
    real = realpath(dir, NULL);
    struct stat st;
    if (real == NULL || stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
      return berth_error_set(err, real == NULL ? errno : ENOTDIR, "mount point %s", dir);
  }
  cleanup_free char *target = NULL;
  cleanup_close int rec_lock = -1; /* held until the mount is made */
  cleanup_free char *rec
      = new_record(s, id, n, layers[n - 1].chain_id, real, rw, &target, &rec_lock, err);
  if (rec == NULL)
    return -1;
  if (do_mount(s, layers, n, rec, target, rw, err) < 0) {
    berth_rm_rf_at(AT_FDCWD, rec, NULL);
    return berth_error_prefix(err, "image mount %s", name);
  }
  *path = steal_pointer(&target);
  return 0;
}

/* Unmounts one record's mount (if still mounted) and removes the record. */
static int
release(berth_store *s, const char *rel, const char *target, berth_error **err)
{
  /* Not detached when busy: the record (and a --rw upper) is removed next,
   * and must not be while something still uses the mount. */
  if (berth_unmount(target, false, err) < 0)
    return -1;
  return berth_rm_rf_at(berth_store_root_fd(s), rel, err);
}

/* what is untrusted: compared with recorded targets, else resolved as an
 * image name. */
int
berth_image_umount(berth_store *s, const char *what, int *n, berth_error **err)
{
  *n = 0;
  cleanup_free char *real = realpath(what, NULL);
  char id[BERTH_DIGEST_LEN] = "";
  if (real == NULL) {
    size_t layers;
    if (berth_image_resolve_rootfs(s, what, id, &layers, err) < 0)
      return -1;
  }
  int root = berth_store_root_fd(s);
  cleanup_close int dfd = openat(root, MOUNTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = dfd < 0 ? NULL : fdopendir(steal_fd(&dfd));
  struct dirent *de;
  while (d != NULL && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    cleanup_free char *rel = xasprintf(MOUNTS_DIR "/%s", de->d_name);
    cleanup_free char *tp = xasprintf("%s/target", rel), *ip = xasprintf("%s/image", rel);
    cleanup_free char *target = NULL, *image = NULL;
    size_t len;
    if (berth_read_file_at(root, tp, &target, &len, NULL) < 0
        || berth_read_file_at(root, ip, &image, &len, NULL) < 0)
      continue;
    bool match = real != NULL ? strcmp(target, real) == 0
                              : strncmp(image, id, strlen(id)) == 0 && image[strlen(id)] == ' ';
    if (!match)
      continue;
    if (release(s, rel, target, err) < 0)
      return -1;
    (*n)++;
  }
  if (*n == 0)
    return berth_error_set(err, ENOENT, "%s is not mounted by berth image mount", what);
  return 0;
}
