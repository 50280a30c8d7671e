#include "common/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

/* The ways to hand overlayfs its layers, best first; a step that the kernel
 * refuses (EINVAL for the key or the fd, ENOSYS for the syscall) moves on to
 * the next. */
typedef enum {
  API_FD,     /* lowerdir+ with FSCONFIG_SET_FD (Linux 6.13) */
  API_PATHS,  /* lowerdir+ with one absolute path each (Linux 6.8) */
  API_STRING, /* one lowerdir string of absolute paths; fsconfig takes 256 bytes */
  API_LEGACY, /* mount(2) from inside the layers dir */
} mount_api;

/* The test override, read here only: where the ladder starts. */
static mount_api
first_api(void)
{
  static const char *const names[] = { "fd", "paths", "string", "legacy" };
  const char *v = getenv("BERTH_TEST_MOUNT_API");
  for (int i = 0; v != NULL && i < 4; i++)
    if (strcmp(v, names[i]) == 0)
      return (mount_api)i;
  return API_FD;
}

/* Appends what the kernel logged on the fs context (overlayfs says which
 * layer it could not use there) to the error already set. */
static int
fs_error(int fs, berth_error **err, int errnum, const char *what)
{
  char log[512];
  ssize_t n = read(fs, log, sizeof(log) - 1);
  if (n > 2) {
    log[n] = 0;
    log[strcspn(log, "\n")] = 0;
    return berth_error_set(err, errnum, "%s (%s)", what, log + 2);
  }
  return berth_error_set(err, errnum, "%s", what);
}

/* Empties the fs context's log of messages about steps that were allowed
 * to fail, so that fs_error reports the one that matters. */
static void
drain_log(int fs)
{
  char log[512];
  while (read(fs, log, sizeof(log)) > 0)
    ;
}

static char *
abs_path(const berth_overlay *o, const char *name)
{
  return name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", o->dirpath, name);
}

static unsigned
mount_attrs(unsigned flags)
{
  return (flags & BERTH_MOUNT_RDONLY ? MOUNT_ATTR_RDONLY : 0)
         | (flags & BERTH_MOUNT_NOSUID ? MOUNT_ATTR_NOSUID : 0)
         | (flags & BERTH_MOUNT_NODEV ? MOUNT_ATTR_NODEV : 0);
}

/* One directory for key, by fd or by path as api says; 1 when the kernel
 * does not take it that way (try the next api). */
static int
set_dir(int fs, const berth_overlay *o, const char *key, const char *name, mount_api api,
        berth_error **err)
{
  int r;
  if (api == API_FD) {
    cleanup_close int fd = openat(o->dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      return berth_error_set(err, errno, "open %s", name);
    r = fsconfig(fs, FSCONFIG_SET_FD, key, NULL, fd);
  } else {
    cleanup_free char *p = abs_path(o, name);
    r = fsconfig(fs, FSCONFIG_SET_STRING, key, p, 0);
  }
  if (r == 0)
    return 0;
  if (errno == EINVAL)
    return 1;
  return fs_error(fs, err, errno, key);
}

/* The lowers as one "a:b:c" string of absolute paths; NULL when that cannot
 * be said in the 256 bytes fsconfig takes (or a path has a ':'). */
static char *
lower_string(const berth_overlay *o)
{
  char *s = xstrdup("");
  cleanup_free char *names = xstrdup(o->lower);
  for (char *save = NULL, *n = strtok_r(names, ":", &save); n != NULL;
       n = strtok_r(NULL, ":", &save)) {
    cleanup_free char *p = abs_path(o, n);
    char *next = xasprintf("%s%s%s", s, *s ? ":" : "", p);
    free(s);
    s = next;
    if (strchr(p, ':') != NULL || strlen(s) > 255) {
      free(s);
      return NULL;
    }
  }
  return s;
}

/* The overlay through fsopen with the layers given the api way.  Returns 1
 * when the kernel wants a later api. */
static int
overlay_new_api(const berth_overlay *o, const char *target, mount_api api, berth_error **err)
{
  cleanup_close int fs = fsopen("overlay", FSOPEN_CLOEXEC);
  if (fs < 0)
    return errno == ENOSYS ? 1 : berth_error_set(err, errno, "fsopen overlay");
  /* A kernel whose overlayfs predates the new API takes any key here and
   * parses the lot as one legacy string at create: use mount(2) for it. */
  if (fsconfig(fs, FSCONFIG_SET_STRING, "berth-probe", "1", 0) == 0)
    return 1;
  drain_log(fs);
  if (fsconfig(fs, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
    return fs_error(fs, err, errno, "overlay source");
  /* Options the kernel may not have: EINVAL means it has not. */
  static const char *const off[] = { "index", "redirect_dir", "metacopy" };
  for (size_t i = 0; i < 3; i++)
    if (fsconfig(fs, FSCONFIG_SET_STRING, off[i], "off", 0) < 0 && errno != EINVAL)
      return fs_error(fs, err, errno, off[i]);
  if ((o->flags & BERTH_MOUNT_VOLATILE) && o->upper != NULL
      && fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0 && errno != EINVAL)
    return fs_error(fs, err, errno, "volatile");
  drain_log(fs);
  int r = 0;
  if (api == API_STRING) {
    cleanup_free char *lower = lower_string(o);
    if (lower == NULL)
      return 1;
    if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
      return errno == EINVAL ? 1 : fs_error(fs, err, errno, "lowerdir");
  }
  cleanup_free char *names = xstrdup(api == API_STRING ? "" : o->lower);
  for (char *save = NULL, *n = strtok_r(names, ":", &save); n != NULL && r == 0;
       n = strtok_r(NULL, ":", &save))
    r = set_dir(fs, o, "lowerdir+", n, api, err);
  if (r == 0 && o->upper != NULL)
    r = set_dir(fs, o, "upperdir", o->upper, api, err);
  if (r == 0 && o->work != NULL)
    r = set_dir(fs, o, "workdir", o->work, api, err);
  if (r != 0)
    return r;
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fs_error(fs, err, errno, "create overlay");
  cleanup_close int mnt = fsmount(fs, FSMOUNT_CLOEXEC, mount_attrs(o->flags));
  if (mnt < 0)
    return fs_error(fs, err, errno, "fsmount overlay");
  if (move_mount(mnt, "", o->dirfd, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return berth_error_set(err, errno, "mount overlay on %s", target);
  return 0;
}

/* mount(2) needs every option in one string of at most a page, so the
 * lowers are the short relative l/ names and the mount is made from inside
 * the layers dir: the process's cwd changes for the call and comes back. */
static int
overlay_legacy(const berth_overlay *o, const char *target, berth_error **err)
{
  cleanup_free char *opts = xasprintf("lowerdir=%s", o->lower);
  if (o->upper != NULL) {
    char *next = xasprintf("%s,upperdir=%s,workdir=%s", opts, o->upper, o->work);
    free(opts);
    opts = next;
  }
  /* Best first; a kernel without an option refuses the whole string. */
  const char *extra[] = { ",index=off,redirect_dir=off,metacopy=off,volatile",
                          ",index=off,redirect_dir=off,metacopy=off", "" };
  bool vol = (o->flags & BERTH_MOUNT_VOLATILE) && o->upper != NULL;
  unsigned long flags = (o->flags & BERTH_MOUNT_RDONLY ? MS_RDONLY : 0)
                        | (o->flags & BERTH_MOUNT_NOSUID ? MS_NOSUID : 0)
                        | (o->flags & BERTH_MOUNT_NODEV ? MS_NODEV : 0);
  cleanup_close int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cwd < 0 || fchdir(o->dirfd) < 0)
    return berth_error_set(err, errno, "chdir to the layers dir");
  int r = -1, saved = 0;
  for (size_t i = vol ? 0 : 1; i < 3 && r < 0; i++) {
    cleanup_free char *all = xasprintf("%s%s", opts, extra[i]);
    r = mount("overlay", target, "overlay", flags, all);
    saved = errno;
  }
  if (fchdir(cwd) < 0) {
    int e = errno;
    if (r == 0)
      umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW);
    return berth_error_set(err, e, "chdir back");
  }
  if (r < 0)
    return berth_error_set(err, saved, "mount overlay on %s", target);
  return 0;
}

int
berth_mount_overlay(const berth_overlay *o, const char *target, berth_error **err)
{
  for (mount_api api = first_api(); api < API_LEGACY; api++) {
    int r = overlay_new_api(o, target, api, err);
    if (r <= 0)
      return r;
  }
  return overlay_legacy(o, target, err);
}

int
berth_mount_bind(const char *src, const char *target, unsigned flags, berth_error **err)
{
  if (first_api() != API_LEGACY) {
    cleanup_close int tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    struct mount_attr attr = { .attr_set = mount_attrs(flags) };
    if (tree >= 0 && mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) == 0) {
      if (move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return berth_error_set(err, errno, "bind %s on %s", src, target);
      return 0;
    }
    if (errno != ENOSYS)
      return berth_error_set(err, errno, "bind %s", src);
  }
  /* The flags of a bind mount can only be set by remounting it. */
  if (mount(src, target, NULL, MS_BIND, NULL) < 0)
    return berth_error_set(err, errno, "bind %s on %s", src, target);
  unsigned long ms = (flags & BERTH_MOUNT_RDONLY ? MS_RDONLY : 0)
                     | (flags & BERTH_MOUNT_NOSUID ? MS_NOSUID : 0)
                     | (flags & BERTH_MOUNT_NODEV ? MS_NODEV : 0);
  if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | ms, NULL) < 0) {
    int e = errno;
    umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW);
    return berth_error_set(err, e, "remount %s", target);
  }
  return 0;
}

int
berth_unmount(const char *path, bool detach_when_busy, berth_error **err)
{
  if (umount2(path, UMOUNT_NOFOLLOW) == 0)
    return 0;
  if (errno == EBUSY && detach_when_busy && umount2(path, UMOUNT_NOFOLLOW | MNT_DETACH) == 0)
    return 0;
  /* EINVAL: not a mount point; ENOENT: not there at all. */
  if (errno == EINVAL || errno == ENOENT)
    return 0;
  return berth_error_set(err, errno, "unmount %s", path);
}

/* /proc/self/mountinfo opened before berth_mount_namespace_own's unshare:
 * a mountinfo file shows the namespace it was opened in, read again from
 * its start. */
static int start_mountinfo = -1;

bool
berth_mount_namespace_own(void)
{
  int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (unshare(CLONE_NEWNS) < 0) {
    if (fd >= 0)
      close(fd);
    return false;
  }
  if (start_mountinfo >= 0)
    close(fd); /* the first namespace's stays */
  else
    start_mountinfo = fd;
  /* Nothing mounted here may show outside (the host's still come in where
   * its mounts are shared); a failure leaves the copy shared, as if there
   * were none. */
  return mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) == 0;
}

FILE *
berth_mountinfo_open(void)
{
  if (start_mountinfo < 0)
    return fopen("/proc/self/mountinfo", "re");
  int fd = fcntl(start_mountinfo, F_DUPFD_CLOEXEC, 0);
  if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
    if (fd >= 0)
      close(fd);
    return NULL;
  }
  FILE *f = fdopen(fd, "r");
  if (f == NULL)
    close(fd);
  return f;
}
