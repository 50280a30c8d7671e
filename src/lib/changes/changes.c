#include "changes/changes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strset.h"
#include "common/xalloc.h"

/* Layer directories read as one overlay level, topmost first (fds owned). */
struct stack {
  int *fds;
  size_t n;
};

struct list {
  berth_change *v;
  size_t n, cap;
};

/* A directory listing entry of one layer. */
struct entry {
  char *name;
  size_t layer;
  bool whiteout;
};

static void
stack_clear(struct stack *s)
{
  for (size_t i = 0; i < s->n; i++)
    close(s->fds[i]);
  free(s->fds);
  s->fds = NULL;
  s->n = 0;
}

static void
list_add(struct list *l, char kind, char *path)
{
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->v = xrealloc(l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n].kind = kind;
  l->v[l->n].path = path;
  l->n++;
}

static void
list_pop(struct list *l)
{
  free(l->v[--l->n].path);
}

void
berth_changes_free(berth_change *c, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(c[i].path);
  free(c);
}

static bool
is_whiteout(const struct stat *st)
{
  return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* An opaque directory, by the xattr overlayfs sets on it.  Only the
 * trusted.overlay.* namespace is overlay metadata (berth mounts as root,
 * without userxattr): a container can set user.overlay.opaque on its own
 * files, and that must not hide anything. */
static bool
is_opaque(int dirfd)
{
  char v[4];
  ssize_t r = fgetxattr(dirfd, "trusted.overlay.opaque", v, sizeof v);
  return r == 1 && v[0] == 'y';
}

static int
stat_at(int dirfd, const char *name, struct stat *st, berth_error **err)
{
  if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == 0)
    return 1;
  if (errno == ENOENT || errno == ENOTDIR)
    return 0;
  return berth_error_set(err, errno, "stat %s", name);
}

static int
open_subdir(int dirfd, const char *name, berth_error **err)
{
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", name);
  return fd;
}

static int
cmp_entry(const void *a, const void *b)
{
  const struct entry *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c != 0)
    return c;
  return x->layer < y->layer ? -1 : x->layer > y->layer;
}

/* Appends the entries of one directory (not "." or ".."). */
static int
read_entries(int dirfd, size_t layer, struct entry **v, size_t *n, size_t *cap, berth_error **err)
{
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open directory");
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return berth_error_set(err, errno, "open directory");
  }
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    bool wh = false;
    if (de->d_type == DT_CHR || de->d_type == DT_UNKNOWN) {
      struct stat st;
      if (stat_at(dirfd, de->d_name, &st, err) < 0)
        return -1;
      wh = is_whiteout(&st);
    }
    if (*n == *cap) {
      *cap = *cap ? *cap * 2 : 64;
      *v = xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[(*n)++] = (struct entry){ xstrdup(de->d_name), layer, wh };
    errno = 0;
  }
  if (errno != 0)
    return berth_error_set(err, errno, "read directory");
  return 0;
}

static void
entries_free(struct entry *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i].name);
  free(v);
}

/* The visible names of a stack (or of one plain directory when the stack
 * holds just it), sorted bytewise, NULL-terminated; a name whose topmost
 * entry is a whiteout is not visible.  keep_whiteouts lists those too. */
static char **
stack_names(const struct stack *s, bool keep_whiteouts, berth_error **err)
{
  struct entry *v = NULL;
  size_t n = 0, cap = 0;
  for (size_t i = 0; i < s->n; i++)
    if (read_entries(s->fds[i], i, &v, &n, &cap, err) < 0) {
      entries_free(v, n);
      return NULL;
    }
  if (n > 0)
    qsort(v, n, sizeof *v, cmp_entry);
  char **names = xcalloc(n + 1, sizeof *names);
  size_t k = 0;
  const char *prev = NULL;
  for (size_t i = 0; i < n; i++) {
    bool dup = prev != NULL && strcmp(v[i].name, prev) == 0;
    prev = v[i].name;
    if (dup || (v[i].whiteout && !keep_whiteouts))
      continue;
    names[k++] = xstrdup(v[i].name);
  }
  entries_free(v, n);
  return names;
}

/* Looks name up through the stack: 1 with *st and *layer set when visible,
 * 0 when absent or whited out. */
static int
stack_lookup(const struct stack *s, const char *name, struct stat *st, size_t *layer,
             berth_error **err)
{
  for (size_t i = 0; i < s->n; i++) {
    int r = stat_at(s->fds[i], name, st, err);
    if (r < 0)
      return -1;
    if (r == 0)
      continue;
    if (is_whiteout(st))
      return 0;
    if (layer != NULL)
      *layer = i;
    return 1;
  }
  return 0;
}

/* The stack of directory `name` below s: each layer's directory of that
 * name, down to the first layer where it is opaque, a whiteout or not a
 * directory. */
static int
stack_child(const struct stack *s, const char *name, struct stack *out, berth_error **err)
{
  out->fds = xcalloc(s->n + 1, sizeof *out->fds);
  out->n = 0;
  for (size_t i = 0; i < s->n; i++) {
    struct stat st;
    int r = stat_at(s->fds[i], name, &st, err);
    if (r < 0)
      goto fail;
    if (r == 0)
      continue;
    if (!S_ISDIR(st.st_mode))
      break;
    int fd = open_subdir(s->fds[i], name, err);
    if (fd < 0)
      goto fail;
    out->fds[out->n++] = fd;
    if (is_opaque(fd))
      break;
  }
  return 0;
fail:
  stack_clear(out);
  return -1;
}

static bool
same_meta(const struct stat *a, const struct stat *b)
{
  return a->st_mode == b->st_mode && a->st_uid == b->st_uid && a->st_gid == b->st_gid
         && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static char *
join(const char *prefix, const char *name)
{
  return xasprintf("%s/%s", prefix, name);
}

static int walk_upper(int upper, const struct stack *lower, char **hidden, const char *prefix,
                      struct list *out, berth_error **err);

/* One directory of the upper: recurses and decides whether it is A, C or
 * nothing (unchanged, copied up only). */
static int
upper_dir(int upper, const char *name, const struct stat *st, const struct stack *lower,
          bool existed, const struct stat *lst, const char *prefix, struct list *out,
          berth_error **err)
{
  cleanup_close int fd = open_subdir(upper, name, err);
  if (fd < 0)
    return -1;
  char *path = join(prefix, name);
  bool was_dir = existed && lst != NULL && S_ISDIR(lst->st_mode);
  list_add(out, existed ? 'C' : 'A', path);
  size_t mark = out->n;
  struct stack child = { NULL, 0 };
  cleanup_strv char **hidden = NULL;
  bool opaque = is_opaque(fd);
  if (was_dir) {
    if (stack_child(lower, name, &child, err) < 0)
      return -1;
    if (opaque) { /* the lower contents are hidden: list them, walk none */
      hidden = stack_names(&child, false, err);
      stack_clear(&child);
      if (hidden == NULL)
        return -1;
    }
  }
  int r = walk_upper(fd, &child, hidden, path, out, err);
  stack_clear(&child);
  if (r < 0)
    return -1;
  if (was_dir && !opaque && out->n == mark && same_meta(st, lst))
    list_pop(out);
  return 0;
}

/* Walks one upper directory against the lower stack (empty below an added
 * or opaque directory); hidden are the lower names an opaque directory
 * hides, reported as D unless the upper has them again. */
static int
walk_upper(int upper, const struct stack *lower, char **hidden, const char *prefix,
           struct list *out, berth_error **err)
{
  struct stack one = { &upper, 1 };
  cleanup_strv char **names = stack_names(&one, true, err);
  if (names == NULL)
    return -1;
  char **h = hidden;
  for (char **p = names;; p++) {
    /* hidden names sorting before this upper name are deletions */
    while (h != NULL && *h != NULL && (*p == NULL || strcmp(*h, *p) < 0))
      list_add(out, 'D', join(prefix, *h++));
    if (*p == NULL)
      break;
    bool in_hidden = h != NULL && *h != NULL && strcmp(*h, *p) == 0;
    if (in_hidden)
      h++;
    struct stat st, lst;
    int found = stat_at(upper, *p, &st, err);
    if (found <= 0) /* gone since it was listed (errno is fstatat's), or failed */
      return found < 0 ? berth_error_prefix(err, "in '%s'", prefix)
                       : berth_error_set(err, errno, "stat %s/%s", prefix, *p);
    int in_lower = stack_lookup(lower, *p, &lst, NULL, err);
    if (in_lower < 0)
      return -1;
    if (is_whiteout(&st)) {
      if (in_lower || in_hidden)
        list_add(out, 'D', join(prefix, *p));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (upper_dir(upper, *p, &st, lower, in_lower || in_hidden, in_lower ? &lst : NULL, prefix,
                    out, err)
          < 0)
        return -1;
      continue;
    }
    list_add(out, in_lower || in_hidden ? 'C' : 'A', join(prefix, *p));
  }
  return 0;
}

static int
dup_stack(const int *fds, size_t n, struct stack *out, berth_error **err)
{
  out->fds = xcalloc(n + 1, sizeof *out->fds);
  out->n = 0;
  for (size_t i = 0; i < n; i++) {
    int fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      stack_clear(out);
      return berth_error_set(err, errno, "dup");
    }
    out->fds[out->n++] = fd;
  }
  return 0;
}

static void
list_out(struct list *l, berth_change **out, size_t *n_out)
{
  *out = l->v;
  *n_out = l->n;
  l->v = NULL;
  l->n = l->cap = 0;
}

int
berth_changes_overlay(int upper_dirfd, const int *lower_dirfds, size_t n, berth_change **out,
                      size_t *n_out, berth_error **err)
{
  struct stack lower;
  if (dup_stack(lower_dirfds, n, &lower, err) < 0)
    return -1;
  struct list l = { NULL, 0, 0 };
  int r = walk_upper(upper_dirfd, &lower, NULL, "", &l, err);
  stack_clear(&lower);
  if (r < 0) {
    berth_changes_free(l.v, l.n);
    return berth_error_prefix(err, "changes");
  }
  list_out(&l, out, n_out);
  return 0;
}

/* The names of path's xattrs into *list (*len bytes; NULL when none or the
 * filesystem has no xattrs); a list that grows between the size query and
 * the read is read again. */
static int
list_xattrs(const char *path, const char *name, char **list, ssize_t *len, berth_error **err)
{
  *list = NULL;
  *len = 0;
  for (int tries = 0; tries < 8; tries++) {
    ssize_t n = llistxattr(path, NULL, 0);
    if (n < 0 && (errno == ENOTSUP || errno == ENODATA))
      return 0;
    if (n <= 0)
      return n == 0 ? 0 : berth_error_set(err, errno, "list xattrs of %s", name);
    cleanup_free char *buf = xmalloc((size_t)n);
    n = llistxattr(path, buf, (size_t)n);
    if (n >= 0) {
      *len = n;
      *list = n > 0 ? steal_pointer(&buf) : NULL;
      return 0;
    }
    if (errno != ERANGE)
      break;
  }
  return berth_error_set(err, errno, "list xattrs of %s", name);
}

/* One value as hex into *hex; 0 with "" when it went away since listed. */
static int
xattr_hex(const char *path, const char *name, const char *attr, char **hex, berth_error **err)
{
  for (int tries = 0; tries < 8; tries++) {
    ssize_t vl = lgetxattr(path, attr, NULL, 0);
    if (vl < 0 && errno == ENODATA)
      return *hex = xstrdup(""), 0;
    if (vl < 0)
      break;
    cleanup_free char *val = xmalloc(vl > 0 ? (size_t)vl : 1);
    ssize_t got = vl > 0 ? lgetxattr(path, attr, val, (size_t)vl) : 0;
    if (got < 0 && errno == ERANGE)
      continue;
    if (got < 0)
      break;
    *hex = xcalloc((size_t)got * 2 + 1, 1);
    for (ssize_t k = 0; k < got; k++)
      snprintf(*hex + k * 2, 3, "%02x", (unsigned char)val[k]);
    return 0;
  }
  return berth_error_set(err, errno, "read xattr %.100s of %s", attr, name);
}

/* Canonical bytes of a file's xattrs (sorted "name=hex;"), overlay's own
 * attributes (trusted.overlay.*) left out, into *out ("" when none).  A
 * read that fails is an error, never "no xattrs": a diff must not hide a
 * changed security.capability. */
static int
xattrs_of(int dirfd, const char *name, char **out, berth_error **err)
{
  cleanup_free char *path = xasprintf("/proc/self/fd/%d/%s", dirfd, name);
  cleanup_free char *list = NULL;
  ssize_t len = 0;
  *out = NULL;
  if (list_xattrs(path, name, &list, &len, err) < 0)
    return -1;
  cleanup_free const char **names = xcalloc((size_t)len + 1, sizeof *names);
  size_t n = 0;
  for (ssize_t i = 0; i < len; i += (ssize_t)strlen(list + i) + 1)
    if (strncmp(list + i, "trusted.overlay.", 16) != 0)
      names[n++] = list + i;
  qsort(names, n, sizeof *names, berth_strcmp_qsort);
  char *acc = xstrdup("");
  for (size_t i = 0; i < n; i++) {
    cleanup_free char *hex = NULL;
    if (xattr_hex(path, name, names[i], &hex, err) < 0) {
      free(acc);
      return -1;
    }
    char *next = xasprintf("%s%s=%s;", acc, names[i], hex);
    free(acc);
    acc = next;
  }
  *out = acc;
  return 0;
}

/* 1 when both have the same xattrs, 0 when not, -1 error. */
static int
same_xattrs(int a_dir, int b_dir, const char *name, berth_error **err)
{
  cleanup_free char *a = NULL, *b = NULL;
  if (xattrs_of(a_dir, name, &a, err) < 0 || xattrs_of(b_dir, name, &b, err) < 0)
    return -1;
  return strcmp(a, b) == 0;
}

/* 1 same bytes, 0 different, -1 error. */
static int
same_contents(int a_dir, int b_dir, const char *name, berth_error **err)
{
  cleanup_close int a = openat(a_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int b = openat(b_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (a < 0 || b < 0)
    return berth_error_set(err, errno, "open %s", name);
  static const size_t bufsz = 65536;
  cleanup_free char *x = xmalloc(bufsz), *y = xmalloc(bufsz);
  for (;;) {
    ssize_t ra = read(a, x, bufsz);
    if (ra < 0)
      return berth_error_set(err, errno, "read %s", name);
    size_t got = 0;
    while (got < (size_t)ra) {
      ssize_t rb = read(b, y + got, (size_t)ra - got);
      if (rb < 0)
        return berth_error_set(err, errno, "read %s", name);
      if (rb == 0)
        return 0;
      got += (size_t)rb;
    }
    if (memcmp(x, y, (size_t)ra) != 0)
      return 0;
    if (ra == 0) {
      char c;
      return read(b, &c, 1) == 0;
    }
  }
}

static int
same_target(int a_dir, int b_dir, const char *name, berth_error **err)
{
  char x[4097], y[4097];
  ssize_t a = readlinkat(a_dir, name, x, sizeof x - 1);
  ssize_t b = readlinkat(b_dir, name, y, sizeof y - 1);
  if (a < 0 || b < 0)
    return berth_error_set(err, errno, "readlink %s", name);
  return a == b && memcmp(x, y, (size_t)a) == 0;
}

/* 1 when a non-directory is the same in both trees, 0 when changed. */
static int
same_file(int a_dir, const struct stat *a, int b_dir, const struct stat *b, const char *name,
          berth_error **err)
{
  if ((a->st_mode & S_IFMT) != (b->st_mode & S_IFMT) || a->st_mode != b->st_mode
      || a->st_uid != b->st_uid || a->st_gid != b->st_gid || a->st_rdev != b->st_rdev
      || a->st_size != b->st_size)
    return 0;
  int x = same_xattrs(a_dir, b_dir, name, err);
  if (x <= 0)
    return x;
  if (S_ISLNK(a->st_mode))
    return same_target(a_dir, b_dir, name, err);
  bool same_time
      = a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
  if (same_time || !S_ISREG(a->st_mode))
    return same_time || S_ISFIFO(a->st_mode) || S_ISCHR(a->st_mode) || S_ISBLK(a->st_mode)
           || S_ISSOCK(a->st_mode);
  return same_contents(a_dir, b_dir, name, err);
}

static int walk_trees(const struct stack *from, const struct stack *to, const char *prefix,
                      struct list *out, berth_error **err);

/* A name in both trees. */
static int
tree_both(const struct stack *from, const struct stack *to, const char *name, const char *prefix,
          struct list *out, berth_error **err)
{
  struct stat a, b;
  size_t la = 0, lb = 0;
  int found = stack_lookup(from, name, &a, &la, err);
  if (found > 0)
    found = stack_lookup(to, name, &b, &lb, err);
  if (found <= 0)
    return found < 0 ? berth_error_prefix(err, "lookup %s/%s", prefix, name)
                     : berth_error_set(err, ENOENT, "lookup %s/%s", prefix, name);
  char *path = join(prefix, name);
  if (!S_ISDIR(b.st_mode)) {
    int r = same_file(from->fds[la], &a, to->fds[lb], &b, name, err);
    if (r < 0) {
      free(path);
      return -1;
    }
    if (r == 0)
      list_add(out, 'C', path);
    else
      free(path);
    return 0;
  }
  list_add(out, 'C', path);
  size_t mark = out->n;
  struct stack fc = { NULL, 0 }, tc = { NULL, 0 };
  if ((S_ISDIR(a.st_mode) && stack_child(from, name, &fc, err) < 0)
      || stack_child(to, name, &tc, err) < 0) {
    stack_clear(&fc);
    return -1;
  }
  int r = walk_trees(&fc, &tc, path, out, err);
  stack_clear(&fc);
  stack_clear(&tc);
  if (r < 0)
    return -1;
  if (out->n == mark && S_ISDIR(a.st_mode) && same_meta(&a, &b)) {
    int x = same_xattrs(from->fds[la], to->fds[lb], name, err);
    if (x < 0)
      return -1;
    if (x == 1)
      list_pop(out);
  }
  return 0;
}

/* A name only in `to`: A, with everything below it. */
static int
tree_added(const struct stack *to, const char *name, const char *prefix, struct list *out,
           berth_error **err)
{
  struct stat st;
  int found = stack_lookup(to, name, &st, NULL, err);
  if (found <= 0)
    return found < 0 ? berth_error_prefix(err, "lookup %s/%s", prefix, name)
                     : berth_error_set(err, ENOENT, "lookup %s/%s", prefix, name);
  char *path = join(prefix, name);
  list_add(out, 'A', path);
  if (!S_ISDIR(st.st_mode))
    return 0;
  struct stack tc = { NULL, 0 };
  if (stack_child(to, name, &tc, err) < 0)
    return -1;
  struct stack none = { NULL, 0 };
  int r = walk_trees(&none, &tc, path, out, err);
  stack_clear(&tc);
  return r;
}

static int
walk_trees(const struct stack *from, const struct stack *to, const char *prefix, struct list *out,
           berth_error **err)
{
  cleanup_strv char **a = stack_names(from, false, err);
  if (a == NULL)
    return -1;
  cleanup_strv char **b = stack_names(to, false, err);
  if (b == NULL)
    return -1;
  char **p = a, **q = b;
  while (*p != NULL || *q != NULL) {
    int c = *p == NULL ? 1 : *q == NULL ? -1 : strcmp(*p, *q);
    int r = 0;
    if (c < 0)
      list_add(out, 'D', join(prefix, *p++));
    else if (c > 0)
      r = tree_added(to, *q++, prefix, out, err);
    else {
      r = tree_both(from, to, *q, prefix, out, err);
      p++, q++;
    }
    if (r < 0)
      return -1;
  }
  return 0;
}

int
berth_changes_trees(const int *from_fds, size_t n_from, const int *to_fds, size_t n_to,
                    berth_change **out, size_t *n_out, berth_error **err)
{
  struct stack from, to;
  if (dup_stack(from_fds, n_from, &from, err) < 0)
    return -1;
  if (dup_stack(to_fds, n_to, &to, err) < 0) {
    stack_clear(&from);
    return -1;
  }
  struct list l = { NULL, 0, 0 };
  int r = walk_trees(&from, &to, "", &l, err);
  stack_clear(&from);
  stack_clear(&to);
  if (r < 0) {
    berth_changes_free(l.v, l.n);
    return berth_error_prefix(err, "changes");
  }
  list_out(&l, out, n_out);
  return 0;
}

char *
berth_changes_format(const berth_change *c, size_t n)
{
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen(c[i].path) + 3;
  char *s = xmalloc(len), *p = s;
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(c[i].path);
    *p++ = c[i].kind;
    *p++ = ' ';
    memcpy(p, c[i].path, l);
    p += l;
    *p++ = '\n';
  }
  *p = '\0';
  return s;
}
