#include "archive/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)

/* name is untrusted. */
char *
berth_confine_clean(const char *name, berth_error **err)
{
  size_t n = strlen(name);
  cleanup_free char *out = xmalloc(n + 1);
  size_t len = 0;
  const char *p = name;
  while (*p != '\0') {
    while (*p == '/')
      p++;
    const char *end = strchrnul(p, '/');
    size_t clen = (size_t)(end - p);
    if (clen == 0 || (clen == 1 && p[0] == '.')) {
      /* skip */
    } else if (clen == 2 && p[0] == '.' && p[1] == '.') {
      if (len == 0) {
        berth_error_set(err, 0, "path '%.256s' escapes the layer directory", name);
        return NULL;
      }
      char *slash = memrchr(out, '/', len);
      len = slash ? (size_t)(slash - out) : 0;
    } else {
      if (len > 0)
        out[len++] = '/';
      memcpy(out + len, p, clen);
      len += clen;
    }
    p = end;
  }
  out[len] = '\0';
  return steal_pointer(&out);
}

static int
openat2_in_root(int rootfd, const char *path)
{
  struct open_how how = {
    .flags = DIR_FLAGS,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  long fd;
  do
    fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
  while (fd < 0 && errno == EINTR);
  return (int)fd;
}

/* The fallback: one component at a time, never following a symlink. */
static int
walk_open(int rootfd, const char *path, bool create, berth_error **err)
{
  cleanup_close int cur = openat(rootfd, ".", DIR_FLAGS);
  if (cur < 0)
    return berth_error_set(err, errno, "open layer directory");
  cleanup_free char *copy = xstrdup(path);
  char *save = NULL;
  for (char *c = strtok_r(copy, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
    int fd = openat(cur, c, DIR_FLAGS | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT && create) {
      if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
        return berth_error_set(err, errno, "mkdir '%.256s' in layer", path);
      fd = openat(cur, c, DIR_FLAGS | O_NOFOLLOW);
    }
    if (fd < 0) {
      int e = errno;
      struct stat st;
      if ((e == ELOOP || e == ENOTDIR) && fstatat(cur, c, &st, AT_SYMLINK_NOFOLLOW) == 0
          && S_ISLNK(st.st_mode))
        return berth_error_set(err, 0, "path '%.256s' goes through a symlink (refused)", path);
      return berth_error_set(err, e, "open directory '%.256s' in layer", path);
    }
    close(cur);
    cur = fd;
  }
  return steal_fd(&cur);
}

/* openat2 with creation of missing directories: each missing prefix is made
 * with mkdirat in its (confined) parent, then reopened confined. */
static int
openat2_create(int rootfd, const char *path, berth_error **err)
{
  cleanup_free char *prefix = xstrdup(path);
  cleanup_close int parent = openat2_in_root(rootfd, "");
  if (parent < 0)
    return berth_error_set(err, errno, "open layer directory");
  const char *p = path;
  for (;;) {
    const char *end = strchrnul(p, '/');
    size_t plen = (size_t)(end - path);
    prefix[plen] = '\0';
    int fd = openat2_in_root(rootfd, prefix);
    if (fd < 0 && errno == ENOENT) {
      if (mkdirat(parent, prefix + (p - path), 0755) < 0 && errno != EEXIST)
        return berth_error_set(err, errno, "mkdir '%.256s' in layer", prefix);
      fd = openat2_in_root(rootfd, prefix);
      if (fd < 0 && errno == ENOENT)
        return berth_error_set(
            err, 0, "cannot create directory '%.256s': a dangling symlink is in the way", prefix);
    }
    if (fd < 0)
      return berth_error_set(err, errno, "open directory '%.256s' in layer", prefix);
    close(parent);
    parent = fd;
    if (*end == '\0')
      break;
    prefix[plen] = '/';
    p = end + 1;
  }
  return steal_fd(&parent);
}

int
berth_confine_open_dir(int rootfd, const char *path, bool create, berth_confine_mode *mode,
                       berth_error **err)
{
  if (*mode != BERTH_CONFINE_WALK) {
    int fd = openat2_in_root(rootfd, path);
    if (fd >= 0)
      return fd;
    if (errno == ENOSYS && *mode == BERTH_CONFINE_AUTO) {
      *mode = BERTH_CONFINE_WALK;
    } else if (errno == ENOENT && create && *path != '\0') {
      return openat2_create(rootfd, path, err);
    } else {
      return berth_error_set(err, errno, "open directory '%.256s' in layer", path);
    }
  }
  return walk_open(rootfd, path, create, err);
}

int
berth_confine_open_parent(int rootfd, const char *path, bool create, berth_confine_mode *mode,
                          const char **base, berth_error **err)
{
  const char *slash = strrchr(path, '/');
  if (slash == NULL) {
    *base = path;
    return berth_confine_open_dir(rootfd, "", create, mode, err);
  }
  *base = slash + 1;
  cleanup_free char *dir = xstrndup(path, (size_t)(slash - path));
  return berth_confine_open_dir(rootfd, dir, create, mode, err);
}
