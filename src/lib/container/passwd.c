#include "container/passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/confine.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

static bool
parse_id(const char *s, unsigned long *out)
{
  if (s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
    return false;
  *out = strtoul(s, NULL, 10);
  return *out <= 0xfffffffeUL;
}

/* Finds the line of `file` whose field 0 is name (or, when by_id, whose
 * field 2 is the number in name) and returns its fields 2 and 3. */
static bool
find_entry(const char *file, const char *name, bool by_id, unsigned long *f2, unsigned long *f3)
{
  if (file == NULL)
    return false;
  cleanup_free char *copy = xstrdup(file);
  char *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *fields[4] = { 0 };
    char *p = line;
    for (int i = 0; i < 4 && p != NULL; i++) {
      fields[i] = p;
      p = strchr(p, ':');
      if (p != NULL)
        *p++ = '\0';
    }
    if (fields[2] == NULL || line[0] == '#')
      continue;
    bool match = by_id ? strcmp(fields[2], name) == 0 : strcmp(fields[0], name) == 0;
    unsigned long a, b = 0;
    if (!match || !parse_id(fields[2], &a))
      continue;
    if (fields[3] != NULL && !parse_id(fields[3], &b))
      b = 0;
    *f2 = a;
    *f3 = b;
    return true;
  }
  return false;
}

static int
resolve_group(const char *group, const char *spec, gid_t *gid, berth_error **err)
{
  unsigned long id, unused;
  if (parse_id(spec, &id)) {
    *gid = (gid_t)id;
    return 0;
  }
  if (!find_entry(group, spec, false, &id, &unused))
    return berth_error_set(err, 0, "unable to find group %s: no matching entries in group file",
                           spec);
  *gid = (gid_t)id;
  return 0;
}

int
berth_passwd_resolve(const char *passwd, const char *group, const char *spec, uid_t *uid,
                     gid_t *gid, berth_error **err)
{
  cleanup_free char *user = xstrdup(spec);
  char *grp = strchr(user, ':');
  if (grp != NULL)
    *grp++ = '\0';
  unsigned long u = 0, g = 0;
  if (user[0] == '\0') {
    u = 0;
    g = 0;
  } else if (parse_id(user, &u)) {
    unsigned long same;
    if (!find_entry(passwd, user, true, &same, &g))
      g = 0;
  } else if (!find_entry(passwd, user, false, &u, &g)) {
    return berth_error_set(err, 0, "unable to find user %s: no matching entries in passwd file",
                           user);
  }
  *uid = (uid_t)u;
  *gid = (gid_t)g;
  if (grp != NULL && grp[0] != '\0')
    return resolve_group(group, grp, gid, err);
  return 0;
}

/* Reads a file inside rootfd without leaving it; absent gives NULL. */
static char *
read_confined(int rootfd, const char *path)
{
  berth_confine_mode mode = BERTH_CONFINE_AUTO;
  const char *base = NULL;
  cleanup_close int dfd = berth_confine_open_parent(rootfd, path, false, &mode, &base, NULL);
  if (dfd < 0)
    return NULL;
  cleanup_close int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t cap = 4096, n = 0;
  char *data = xmalloc(cap);
  ssize_t r;
  while ((r = read(fd, data + n, cap - n - 1)) > 0) {
    n += (size_t)r;
    if (cap - n < 2) {
      if (cap > (1 << 24))
        break;
      cap *= 2;
      data = xrealloc(data, cap);
    }
  }
  data[n] = '\0';
  return data;
}

int
berth_passwd_resolve_in(int rootfd, const char *spec, uid_t *uid, gid_t *gid, berth_error **err)
{
  cleanup_free char *passwd = read_confined(rootfd, "etc/passwd");
  cleanup_free char *group = read_confined(rootfd, "etc/group");
  return berth_passwd_resolve(passwd, group, spec, uid, gid, err);
}
