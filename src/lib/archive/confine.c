#include "archive/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
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

/* Opens the directory at path confined to rootfd; on failure errno is set
 * and *e holds it. */
static int
open_confined(int rootfd, const char *path, berth_confine_mode *mode, berth_error **e)
{
  return berth_safe_open_at(rootfd, *path ? path : ".", DIR_FLAGS, mode, e);
}

/* Creation of missing directories: each missing prefix is made with mkdirat
 * in its (confined) parent, then reopened confined, so a symlink in the way
 * is followed inside the root, never out of it. */
static int
open_create(int rootfd, const char *path, berth_confine_mode *mode, berth_error **err)
{
  cleanup_free char *prefix = xstrdup(path);
  cleanup_error berth_error *e = NULL;
  cleanup_close int parent = open_confined(rootfd, "", mode, &e);
  if (parent < 0)
    return berth_error_set(err, berth_error_errno(e), "open layer directory");
  const char *p = path;
  for (;;) {
    const char *end = strchrnul(p, '/');
    size_t plen = (size_t)(end - path);
    prefix[plen] = '\0';
    int fd = open_confined(rootfd, prefix, mode, &e);
    if (fd < 0 && berth_error_errno(e) == ENOENT) {
      if (mkdirat(parent, prefix + (p - path), 0755) < 0 && errno != EEXIST)
        return berth_error_set(err, errno, "mkdir '%.256s' in layer", prefix);
      berth_error_free(steal_pointer(&e));
      fd = open_confined(rootfd, prefix, mode, &e);
      if (fd < 0 && berth_error_errno(e) == ENOENT)
        return berth_error_set(
            err, 0, "cannot create directory '%.256s': a dangling symlink is in the way", prefix);
    }
    if (fd < 0)
      return berth_error_set(err, berth_error_errno(e), "open directory '%.256s' in layer", prefix);
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
  cleanup_error berth_error *e = NULL;
  int fd = open_confined(rootfd, path, mode, &e);
  if (fd >= 0)
    return fd;
  if (berth_error_errno(e) == ENOENT && create && *path != '\0')
    return open_create(rootfd, path, mode, err);
  return berth_error_set(err, berth_error_errno(e), "open directory '%.256s' in layer", path);
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
