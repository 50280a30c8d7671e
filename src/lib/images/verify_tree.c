#include "images/verify_tree.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "archive/confine.h"
#include "archive/crc64.h"
#include "archive/extract.h"
#include "archive/tarsplit.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#define ZEROS (64 * 1024)
#define MAX_LINKS 40 /* the kernel's limit for one lookup */

/* ---- the tree ---- */

static size_t
hash_str(const char *s)
{
  size_t h = 1469598103934665603u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* The slot of path: the one holding its newest node, or the empty one. */
static size_t *
slot_of(const berth_verify_tree *t, const char *path)
{
  for (size_t i = hash_str(path) & (t->n_slots - 1);; i = (i + 1) & (t->n_slots - 1))
    if (t->slots[i] == 0 || strcmp(t->v[t->slots[i] - 1]->path, path) == 0)
      return &t->slots[i];
}

berth_verify_node *
berth_verify_tree_get(const berth_verify_tree *t, const char *path)
{
  if (t->n_slots == 0)
    return NULL;
  size_t s = *slot_of(t, path);
  return s != 0 && t->v[s - 1]->live ? t->v[s - 1] : NULL;
}

static void
node_free(berth_verify_node *n)
{
  for (size_t i = 0; i < n->n_xattrs; i++) {
    free(n->xattrs[i].name);
    free(n->xattrs[i].value);
  }
  free(n->xattrs);
  free(n->blocks);
  free(n->path);
  free(n->link);
  free(n->link_of);
  free(n);
}

void
berth_verify_tree_clear(berth_verify_tree *t)
{
  for (size_t i = 0; i < t->n; i++)
    node_free(t->v[i]);
  free(t->v);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

/* A new live node for path (taken), replacing any older one in the index. */
static berth_verify_node *
tree_add(berth_verify_tree *t, char *path, mode_t type)
{
  if ((t->n + 1) * 2 > t->n_slots) {
    size_t old = t->n_slots;
    size_t *olds = t->slots;
    t->n_slots = old ? old * 2 : 1024;
    t->slots = xcalloc(t->n_slots, sizeof *t->slots);
    for (size_t i = 0; i < old; i++)
      if (olds[i] != 0)
        *slot_of(t, t->v[olds[i] - 1]->path) = olds[i];
    free(olds);
  }
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 1024;
    t->v = xrealloc(t->v, t->cap * sizeof *t->v);
  }
  berth_verify_node *n = xcalloc(1, sizeof *n);
  n->path = path;
  n->type = type;
  n->live = true;
  n->inode = ++t->next_inode;
  t->v[t->n++] = n;
  *slot_of(t, path) = t->n;
  return n;
}

static void
kill_node(berth_verify_tree *t, berth_verify_node *n)
{
  n->live = false;
  if (n->type == S_IFREG && n->size > 0)
    t->lost++;
}

/* berth_rm_rf_at of path: the node and, for a directory, all below it.  A
 * scan of every node, but only a directory replaced by a non-directory
 * costs it. */
static void
tree_remove(berth_verify_tree *t, const char *path)
{
  berth_verify_node *n = berth_verify_tree_get(t, path);
  if (n == NULL)
    return;
  kill_node(t, n);
  if (n->type != S_IFDIR)
    return;
  size_t len = strlen(path);
  for (size_t i = 0; i < t->n; i++) {
    berth_verify_node *c = t->v[i];
    if (c->live && (len == 0 || (strncmp(c->path, path, len) == 0 && c->path[len] == '/')))
      kill_node(t, c);
  }
}

static char *
join(const char *dir, const char *base)
{
  return *dir ? xasprintf("%s/%s", dir, base) : xstrdup(base);
}

/* Resolves the clean directory path dir as openat2(RESOLVE_IN_ROOT) does
 * against the tree so far: a symlink met on the way is followed inside the
 * root (absolute targets from the root, ".." stops at the root); missing
 * directories are created when create is set, as berth_confine_open_dir
 * does.  Returns the resolved path, or NULL where extraction would fail. */
static char *
resolve_dir(berth_verify_tree *t, const char *dir, bool create)
{
  cleanup_free char *todo = xstrdup(dir);
  char *cur = xstrdup("");
  int links = 0;
  bool failed = false;
  while (*todo != '\0' && !failed) {
    char *slash = strchr(todo, '/');
    cleanup_free char *c = slash ? xstrndup(todo, (size_t)(slash - todo)) : xstrdup(todo);
    char *rest = xstrdup(slash ? slash + 1 : "");
    free(todo);
    todo = rest;
    if (*c == '\0' || strcmp(c, ".") == 0)
      continue;
    if (strcmp(c, "..") == 0) {
      char *up = strrchr(cur, '/');
      *(up ? up : cur) = '\0';
      continue;
    }
    char *cand = join(cur, c);
    berth_verify_node *n = berth_verify_tree_get(t, cand);
    if (n != NULL && n->type == S_IFLNK) {
      free(cand);
      if (++links > MAX_LINKS) {
        failed = true;
        continue;
      }
      if (n->link[0] == '/')
        *cur = '\0';
      char *next = *todo ? xasprintf("%s/%s", n->link, todo) : xstrdup(n->link);
      free(todo);
      todo = next;
      continue;
    }
    if (n == NULL && create)
      n = tree_add(t, xstrdup(cand), S_IFDIR);
    free(cur);
    cur = cand;
    failed = n == NULL || n->type != S_IFDIR;
  }
  if (failed) {
    free(cur);
    return NULL;
  }
  return cur;
}

/* The resolved path of a clean entry name: its parent resolved, its last
 * component kept (never followed). */
static char *
resolve_entry(berth_verify_tree *t, const char *path, bool create)
{
  const char *slash = strrchr(path, '/');
  cleanup_free char *dir = xstrndup(path, slash ? (size_t)(slash - path) : 0);
  cleanup_free char *rdir = resolve_dir(t, dir, create);
  return rdir ? join(rdir, slash ? slash + 1 : path) : NULL;
}

/* ---- the tar, re-read from the tar-split ----
 *
 * The stream handed to libarchive is the tar-split's raw segments with each
 * file's contents replaced by zeros: headers, PAX records and sparse files'
 * data are there byte for byte, so libarchive sees every entry as the pull
 * did; a regular file's contents are known by their crc64 instead. */

struct source {
  berth_tarsplit_reader *r;
  berth_tarsplit_entry out;  /* the segment last handed out (libarchive reads it) */
  berth_tarsplit_entry next; /* the next region, not yet handed out */
  long long next_off;        /* bytes of a FILE region already handed out */
  bool have_next;
  unsigned char *zeros;
  berth_error *err;
};

/* Loads the next region that has bytes (empty segments and files are
 * skipped: they add nothing to the stream). */
static int
source_advance(struct source *s)
{
  s->have_next = false;
  s->next_off = 0;
  int r;
  while ((r = berth_tarsplit_reader_next(s->r, &s->next, &s->err)) == 1)
    if ((s->next.type == BERTH_TARSPLIT_SEGMENT && s->next.payload_len > 0)
        || (s->next.type == BERTH_TARSPLIT_FILE && s->next.size > 0)) {
      s->have_next = true;
      break;
    }
  return r < 0 ? -1 : 0;
}

static la_ssize_t
source_read(struct archive *a, void *ud, const void **buf)
{
  struct source *s = ud;
  if (s->err != NULL)
    return -1;
  if (!s->have_next)
    return 0;
  la_ssize_t n;
  if (s->next.type == BERTH_TARSPLIT_FILE) {
    long long left = s->next.size - s->next_off;
    n = left < ZEROS ? (la_ssize_t)left : ZEROS;
    *buf = s->zeros;
    s->next_off += n;
    if (s->next_off < s->next.size)
      return n;
  } else {
    berth_tarsplit_entry_clear(&s->out);
    s->out = s->next;
    memset(&s->next, 0, sizeof s->next);
    *buf = s->out.payload;
    n = (la_ssize_t)s->out.payload_len;
  }
  if (source_advance(s) < 0) {
    archive_set_error(a, EIO, "%s", berth_error_message(s->err));
    return -1;
  }
  return n;
}

/* Skips only within a file's zeros; libarchive reads the rest. */
static la_int64_t
source_skip(struct archive *a, void *ud, la_int64_t request)
{
  struct source *s = ud;
  if (s->err != NULL || !s->have_next || s->next.type != BERTH_TARSPLIT_FILE)
    return 0;
  long long left = s->next.size - s->next_off;
  long long n = request < left ? request : left;
  s->next_off += n;
  if (s->next_off == s->next.size && source_advance(s) < 0) {
    archive_set_error(a, EIO, "%s", berth_error_message(s->err));
    return -1;
  }
  return n;
}

/* ---- entries, by extract.c's rules ---- */

static void
add_block(berth_verify_node *n, long long off, const void *p, size_t len)
{
  berth_verify_block *last = n->n_blocks ? &n->blocks[n->n_blocks - 1] : NULL;
  if (last == NULL || last->off + last->len != off) {
    n->blocks = xrealloc(n->blocks, (n->n_blocks + 1) * sizeof *n->blocks);
    last = &n->blocks[n->n_blocks++];
    *last = (berth_verify_block){ off, 0, 0 };
  }
  last->crc = berth_crc64_update(last->crc, p, len);
  last->len += (long long)len;
}

/* A regular file's contents: from the tar-split's crc64 when the next
 * region is this file's zeros (a header is always followed by its
 * contents), else through libarchive (a sparse file's data, in the raw
 * segments). */
static int
contents(struct archive *a, struct source *s, struct archive_entry *e, berth_verify_node *n,
         berth_error **err)
{
  n->size = archive_entry_size(e);
  n->sparse = archive_entry_sparse_count(e) > 0;
  if (!n->sparse && n->size > 0 && s->have_next && s->next.type == BERTH_TARSPLIT_FILE
      && s->next_off == 0 && s->next.size == n->size && s->next.payload_len == 8) {
    uint64_t crc = 0;
    for (int i = 0; i < 8; i++)
      crc = crc << 8 | s->next.payload[i];
    n->blocks = xmalloc(sizeof *n->blocks);
    n->blocks[0] = (berth_verify_block){ 0, n->size, crc };
    n->n_blocks = 1;
    if (archive_read_data_skip(a) < ARCHIVE_WARN)
      return berth_error_set(err, 0, "%s", archive_error_string(a));
    return 0;
  }
  n->sparse = true; /* whatever libarchive leaves out is a hole */
  for (;;) {
    const void *buf;
    size_t len;
    la_int64_t off;
    int r = archive_read_data_block(a, &buf, &len, &off);
    if (r == ARCHIVE_EOF)
      return 0;
    if (r < ARCHIVE_WARN)
      return berth_error_set(err, 0, "%s", archive_error_string(a));
    if (len > 0)
      add_block(n, (long long)off, buf, len);
  }
}

/* xattrs as apply_xattrs sets them: trusted.overlay.* skipped, a name set
 * again overwritten, earlier ones kept (a directory entry seen twice). */
static void
merge_xattrs(berth_verify_node *n, struct archive_entry *e)
{
  const char *name;
  const void *value;
  size_t size;
  archive_entry_xattr_reset(e);
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (strncmp(name, "trusted.overlay.", 16) == 0)
      continue;
    size_t i = 0;
    while (i < n->n_xattrs && strcmp(n->xattrs[i].name, name) != 0)
      i++;
    if (i == n->n_xattrs) {
      n->xattrs = xrealloc(n->xattrs, (n->n_xattrs + 1) * sizeof *n->xattrs);
      n->xattrs[n->n_xattrs++] = (berth_verify_xattr){ xstrdup(name), NULL, 0 };
    }
    free(n->xattrs[i].value);
    n->xattrs[i].value = size ? xmemdup(value, size) : NULL;
    n->xattrs[i].len = size;
  }
}

static void
set_header(berth_verify_node *n, struct archive_entry *e, bool xattrs)
{
  n->from_header = true;
  n->perm = archive_entry_perm(e) & 07777;
  n->uid = archive_entry_uid(e);
  n->gid = archive_entry_gid(e);
  if (xattrs)
    merge_xattrs(n, e);
}

/* A copy of target for a hard link at path: same inode, same everything. */
static void
hardlink(berth_verify_tree *t, char *path, const berth_verify_node *target)
{
  berth_verify_node *n = tree_add(t, path, target->type);
  n->from_header = target->from_header;
  n->sparse = target->sparse;
  n->perm = target->perm;
  n->uid = target->uid;
  n->gid = target->gid;
  n->size = target->size;
  n->link = target->link ? xstrdup(target->link) : NULL;
  n->major = target->major;
  n->minor = target->minor;
  n->xattrs = xcalloc(target->n_xattrs + 1, sizeof *n->xattrs);
  for (size_t i = 0; i < target->n_xattrs; i++) {
    const berth_verify_xattr *x = &target->xattrs[i];
    n->xattrs[i] = (berth_verify_xattr){ xstrdup(x->name),
                                         x->len ? xmemdup(x->value, x->len) : NULL, x->len };
  }
  n->n_xattrs = target->n_xattrs;
  if (target->n_blocks > 0)
    n->blocks = xmemdup(target->blocks, target->n_blocks * sizeof *n->blocks);
  n->n_blocks = target->n_blocks;
  n->inode = target->inode;
  n->link_of = xstrdup(target->path);
}

static int
whiteout(berth_verify_tree *t, const char *path, const char *base, struct archive_entry *e,
         berth_error **err)
{
  const char *slash = strrchr(path, '/');
  cleanup_free char *dir = xstrndup(path, slash ? (size_t)(slash - path) : 0);
  cleanup_free char *rdir = resolve_dir(t, dir, true);
  if (rdir == NULL)
    return berth_error_set(err, 0, "its directory cannot be resolved");
  if (strcmp(base, ".wh..wh..opq") == 0) {
    berth_verify_node *d = berth_verify_tree_get(t, rdir);
    if (d != NULL) /* resolve_dir made it if it was missing */
      d->opaque = true;
    return 0;
  }
  char *name = join(rdir, base + 4);
  tree_remove(t, name);
  berth_verify_node *n = tree_add(t, name, S_IFCHR);
  set_header(n, e, false);
  n->perm = 0;
  return 0;
}

static int
apply(berth_verify_tree *t, struct archive *a, struct source *s, struct archive_entry *e,
      const char *path, berth_error **err)
{
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *hard = archive_entry_hardlink(e);
  mode_t type = archive_entry_filetype(e);
  if (*path == '\0') {
    if (type != AE_IFDIR || hard != NULL)
      return berth_error_set(err, 0, "replaces the layer root with a non-directory");
    set_header(berth_verify_tree_get(t, ""), e, true);
    return 0;
  }
  if (berth_extract_is_aufs_meta(path)) {
    if (hard == NULL && type == AE_IFREG && archive_entry_size(e) > 0)
      t->lost++; /* skipped: its contents are nowhere on disk */
    return 0;
  }
  if (strncmp(base, ".wh.", 4) == 0)
    return whiteout(t, path, base, e, err);
  char *where = resolve_entry(t, path, true);
  if (where == NULL)
    return berth_error_set(err, 0, "its directory cannot be resolved");
  berth_verify_node *old = berth_verify_tree_get(t, where);
  bool is_dir = hard == NULL && type == AE_IFDIR;
  if (old != NULL && is_dir && old->type == S_IFDIR) {
    free(where);
    set_header(old, e, true);
    return 0;
  }
  tree_remove(t, where);
  if (hard != NULL) {
    cleanup_free char *clean = berth_confine_clean(hard, err);
    if (clean == NULL) {
      free(where);
      return -1;
    }
    cleanup_free char *target = *clean ? resolve_entry(t, clean, false) : NULL;
    berth_verify_node *tn = target ? berth_verify_tree_get(t, target) : NULL;
    if (tn == NULL || tn->type == S_IFDIR) {
      free(where);
      return berth_error_set(err, 0, "hard link target '%.256s' is not in the layer", hard);
    }
    hardlink(t, where, tn);
    return 0;
  }
  if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFCHR
      && type != AE_IFBLK && type != AE_IFIFO) {
    free(where);
    return berth_error_set(err, 0, "unsupported entry type 0%o", (unsigned)type);
  }
  berth_verify_node *n = tree_add(t, where, type);
  set_header(n, e, type == AE_IFREG || type == AE_IFDIR);
  if (type == AE_IFLNK) {
    const char *target = archive_entry_symlink(e);
    n->link = xstrdup(target ? target : "");
  } else if (type == AE_IFCHR || type == AE_IFBLK) {
    n->major = (unsigned long)archive_entry_rdevmajor(e);
    n->minor = (unsigned long)archive_entry_rdevminor(e);
  } else if (type == AE_IFREG) {
    return contents(a, s, e, n, err);
  }
  return 0;
}

static int
read_entries(berth_verify_tree *t, struct archive *a, struct source *s, berth_error **err)
{
  for (;;) {
    struct archive_entry *e;
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF)
      return 0;
    if (r < ARCHIVE_WARN)
      return berth_error_set(err, 0, "re-read layer tar: %s",
                             s->err ? berth_error_message(s->err) : archive_error_string(a));
    const char *name = archive_entry_pathname(e);
    if (name == NULL)
      return berth_error_set(err, 0, "re-read layer tar: an entry without a name");
    cleanup_free char *path = berth_confine_clean(name, err);
    if (path == NULL || apply(t, a, s, e, path, err) < 0)
      return berth_error_prefix(err, "re-read layer tar: entry '%.256s'", name);
  }
}

int
berth_verify_tree_build(int tsfd, berth_verify_tree *t, berth_error **err)
{
  memset(t, 0, sizeof *t);
  cleanup_tarsplit_reader berth_tarsplit_reader *r = berth_tarsplit_reader_new(tsfd);
  cleanup_free unsigned char *zeros = xcalloc(1, ZEROS);
  struct source s = { .r = r, .zeros = zeros };
  tree_add(t, xstrdup(""), S_IFDIR); /* the layer directory itself */
  int rc = source_advance(&s);
  if (rc == 0) {
    struct archive *a = archive_read_new();
    if (a == NULL)
      abort();
    /* as unpack.c's open_reader: the same formats, the same names */
    archive_read_support_format_tar(a);
    archive_read_support_format_empty(a);
    archive_read_support_filter_none(a);
    if (archive_read_open2(a, &s, NULL, source_read, source_skip, NULL) != ARCHIVE_OK)
      rc = berth_error_set(err, 0, "re-read layer tar: %s",
                           s.err ? berth_error_message(s.err) : archive_error_string(a));
    else
      rc = read_entries(t, a, &s, err);
    archive_read_free(a);
  } else {
    rc = berth_error_set(err, 0, "re-read layer tar: %s", berth_error_message(s.err));
  }
  berth_tarsplit_entry_clear(&s.out);
  berth_tarsplit_entry_clear(&s.next);
  berth_error_free(s.err);
  if (rc < 0)
    berth_verify_tree_clear(t);
  return rc;
}
