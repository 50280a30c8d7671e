/* Path resolution inside a root, returning the path found (the context needs
 * it to apply the ignore rules to what a symlink leads to, the copy to know
 * where a destination really is).  Opening is still done with
 * berth_safe_open_at or component by component with O_NOFOLLOW: this only
 * decides names. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "context/internal.h"

#define MAX_LINKS 40

/* Pops the last component of the clean relative path p (in place). */
static void
pop(char *p)
{
  char *slash = strrchr(p, '/');
  if (slash != NULL)
    *slash = '\0';
  else
    p[0] = '\0';
}

static void
push(char **p, size_t *cap, const char *comp, size_t n)
{
  size_t len = strlen(*p);
  size_t need = len + 1 + n + 1;
  if (need > *cap) {
    *cap = need * 2;
    *p = xrealloc(*p, *cap);
  }
  if (len > 0)
    (*p)[len++] = '/';
  memcpy(*p + len, comp, n);
  (*p)[len + n] = '\0';
}

/* Trusts nothing of path or of the links it meets: every step is one
 * component looked up with AT_SYMLINK_NOFOLLOW relative to rootfd. */
char *
berth_ctx_resolve(int rootfd, const char *path, bool follow_last, berth_ctx_visible_fn visible,
                  void *arg, bool *exists, berth_error **err)
{
  size_t cap = 64;
  cleanup_free char *canon = xcalloc(1, cap);
  cleanup_free char *rest = xstrdup(path);
  int links = 0;
  bool missing = false;
  size_t pos = 0;
  for (;;) {
    while (rest[pos] == '/')
      pos++;
    if (rest[pos] == '\0')
      break;
    size_t n = strcspn(rest + pos, "/");
    const char *comp = rest + pos;
    pos += n;
    bool last = true;
    for (size_t i = pos; rest[i] != '\0'; i++)
      if (rest[i] != '/') {
        last = false;
        break;
      }
    if (n == 1 && comp[0] == '.')
      continue;
    if (n == 2 && comp[0] == '.' && comp[1] == '.') {
      pop(canon);
      continue;
    }
    push(&canon, &cap, comp, n);
    if (missing)
      continue;
    struct stat st;
    if (fstatat(rootfd, canon, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno != ENOENT && errno != ENOTDIR)
        return berth_error_set(err, errno, "stat %s", canon), NULL;
      missing = true;
      continue;
    }
    if (visible != NULL && !visible(arg, canon, &st)) {
      missing = true;
      continue;
    }
    if (!S_ISLNK(st.st_mode) || (last && !follow_last))
      continue;
    if (++links > MAX_LINKS)
      return berth_error_set(err, ELOOP, "resolve %s", path), NULL;
    char target[PATH_MAX];
    ssize_t tn = readlinkat(rootfd, canon, target, sizeof target - 1);
    if (tn < 0)
      return berth_error_set(err, errno, "readlink %s", canon), NULL;
    target[tn] = '\0';
    pop(canon);
    if (target[0] == '/')
      canon[0] = '\0';
    char *next = xasprintf("%s/%s", target, rest + pos);
    free(rest);
    rest = next;
    pos = 0;
  }
  *exists = !missing;
  return steal_pointer(&canon);
}
