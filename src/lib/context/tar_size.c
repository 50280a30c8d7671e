/* The size of the tar Docker's client would send for the context, for the
 * "Sending build context to … 2.048kB" line.  berth sends nothing (the
 * directory is read in place), but users compare the figure with Docker's,
 * so it is what Docker's client writes: Go's archive/tar in PAX format
 * (moby's pkg/archive), one header block per entry and the contents padded
 * to 512, a PAX header before an entry whose name or link target is over
 * 100 bytes or not ASCII, or whose owner or size does not fit the octal
 * fields, no entry for the root, and the 1,024-byte end of archive. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "archive/ustar.h"
#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "context/internal.h"

#define BLOCK 512ULL

static unsigned long long
padded(unsigned long long n)
{
  return (n + BLOCK - 1) / BLOCK * BLOCK;
}

/* Bytes of the PAX records a header needs for a string field of this
 * width (0 when it fits). */
static unsigned long long
pax_string(const char *key, const char *s, size_t width)
{
  size_t l = strlen(s);
  return l > width || !berth_ascii(s) ? berth_pax_record_len(key, l) : 0;
}

static unsigned long long
pax_number(const char *key, unsigned long long v, unsigned long long max)
{
  return v > max ? berth_pax_record_len(key, (size_t)snprintf(NULL, 0, "%llu", v)) : 0;
}

/* The bytes one entry adds: name as Docker writes it (a directory's with
 * its trailing `/`), link the symlink's or hard link's target (NULL: none),
 * data_size the contents written (0 but for a regular file's first link). */
static unsigned long long
entry_size(const char *name, const char *link, const struct stat *st, unsigned long long data_size)
{
  size_t prefix_len;
  unsigned long long pax
      = berth_ustar_split(name, &prefix_len) ? 0 : berth_pax_record_len("path", strlen(name));
  if (link != NULL)
    pax += pax_string("linkpath", link, 100);
  pax += pax_number("uid", st->st_uid, 07777777) + pax_number("gid", st->st_gid, 07777777);
  pax += pax_number("size", data_size, 077777777777ULL);
  return (pax > 0 ? BLOCK + padded(pax) : 0) + BLOCK + padded(data_size);
}

/* The regular files with more links, seen once each: the next ones are
 * hard link entries (no contents) naming the first. */
typedef berth_ctx_link seen_inode;

typedef struct tar_walk {
  berth_context *ctx;
  seen_inode *seen;
  size_t n_seen;
  unsigned long long total;
} tar_walk;

static const char *
first_link(tar_walk *w, const struct stat *st, const char *name)
{
  for (size_t i = 0; i < w->n_seen; i++)
    if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
      return w->seen[i].name;
  w->seen = xrealloc(w->seen, (w->n_seen + 1) * sizeof *w->seen);
  w->seen[w->n_seen++] = (seen_inode){ st->st_dev, st->st_ino, xstrdup(name) };
  return NULL;
}

static int
add_entry(tar_walk *w, int dirfd, const char *rel, const char *base, const struct stat *st,
          berth_error **err)
{
  if (S_ISDIR(st->st_mode)) {
    cleanup_free char *name = xasprintf("%s/", rel);
    w->total += entry_size(name, NULL, st, 0);
  } else if (S_ISLNK(st->st_mode)) {
    char target[4096];
    ssize_t n = readlinkat(dirfd, base, target, sizeof target - 1);
    if (n < 0)
      return berth_error_set(err, errno, "readlink %s", rel);
    target[n] = '\0';
    w->total += entry_size(rel, target, st, 0);
  } else if (S_ISREG(st->st_mode)) {
    const char *first = st->st_nlink > 1 ? first_link(w, st, rel) : NULL;
    w->total += entry_size(rel, first, st, first ? 0 : (unsigned long long)st->st_size);
  } else {
    w->total += entry_size(rel, NULL, st, 0); /* fifo, device */
  }
  return 0;
}

static int
walk(tar_walk *w, int dirfd, const char *rel, berth_error **err)
{
  berth_ctx_entry *v = NULL;
  size_t n = 0;
  if (berth_ctx_list(w->ctx, dirfd, rel, &v, &n, err) < 0)
    return -1;
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++) {
    cleanup_free char *child = berth_ctx_join(rel, v[i].name);
    if (!v[i].implicit) /* an excluded dir walked for an exception has no entry */
      r = add_entry(w, dirfd, child, v[i].name, &v[i].st, err);
    if (r == 0 && S_ISDIR(v[i].st.st_mode)) {
      cleanup_close int fd
          = openat(dirfd, v[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        r = berth_error_set(err, errno, "open %s", child);
      else
        r = walk(w, fd, child, err);
    }
  }
  berth_ctx_entries_free(v, n);
  return r;
}

int
berth_context_tar_size(berth_context *ctx, char *const *always, long long outside_len,
                       unsigned long long *size, berth_error **err)
{
  tar_walk w = { .ctx = ctx };
  int r = walk(&w, ctx->dirfd, "", err);
  /* the client sends the Dockerfile and .dockerignore even when the
   * .dockerignore excludes them */
  for (char *const *a = always; r == 0 && a != NULL && *a != NULL; a++) {
    struct stat st;
    if (fstatat(ctx->dirfd, *a, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)
        && !berth_context_visible(ctx, *a, false))
      w.total += entry_size(*a, NULL, &st, (unsigned long long)st.st_size);
  }
  for (size_t i = 0; i < w.n_seen; i++)
    free(w.seen[i].name);
  free(w.seen);
  if (r < 0)
    return -1;
  if (outside_len < 0) {
    *size = w.total + 2 * BLOCK;
    return 0;
  }
  /* AddDockerfileToBuildContext: the Dockerfile added at the end as
   * ".dockerfile.<20 hex>" and "\n<that name>\n" added to the
   * .dockerignore, which is made (at the end too) when there is none.  Its
   * ReplaceFileTarWrapper closes the stream before the tar writer: the
   * last entry's padding and the end of archive are never sent.  (With no
   * .dockerignore, which of the two is last is Go's map order, so
   * Docker's figure changes from run to run by the difference; here the
   * Dockerfile comes first.) */
  const unsigned long long line = 1 + 12 + 20 + 1;
  struct stat st;
  if (fstatat(ctx->dirfd, ".dockerignore", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
    unsigned long long had = (unsigned long long)st.st_size;
    w.total += padded(had + line) - padded(had);
    w.total += BLOCK + (unsigned long long)outside_len;
  } else {
    w.total += BLOCK + padded((unsigned long long)outside_len);
    w.total += BLOCK + strlen(".dockerignore") + line;
  }
  *size = w.total;
  return 0;
}

int
berth_ctx_first_link(berth_context *ctx, const struct stat *st, const char **first,
                     berth_error **err)
{
  if (!ctx->links_done) {
    tar_walk w = { .ctx = ctx };
    int r = walk(&w, ctx->dirfd, "", err);
    if (r < 0) {
      for (size_t i = 0; i < w.n_seen; i++)
        free(w.seen[i].name);
      free(w.seen);
      return -1;
    }
    ctx->links = w.seen;
    ctx->n_links = w.n_seen;
    ctx->links_done = true;
  }
  *first = NULL;
  for (size_t i = 0; i < ctx->n_links; i++)
    if (ctx->links[i].dev == st->st_dev && ctx->links[i].ino == st->st_ino)
      *first = ctx->links[i].name;
  return 0;
}
