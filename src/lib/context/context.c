/* Opening a context, what is visible in it, and COPY/ADD source resolution
 * as Docker 20.10's builder/dockerfile/copy.go does it. */
#include "context/context.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "context/glob.h"
#include "context/internal.h"

berth_context *
berth_context_open_with(int dirfd, berth_ignore *ign, berth_error **err)
{
  struct stat st;
  if (fstat(dirfd, &st) < 0) {
    berth_ignore_free(ign);
    return berth_error_set(err, errno, "build context"), NULL;
  }
  if (!S_ISDIR(st.st_mode)) {
    berth_ignore_free(ign);
    return berth_error_set(err, ENOTDIR, "build context"), NULL;
  }
  int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0) {
    berth_ignore_free(ign);
    return berth_error_set(err, errno, "build context"), NULL;
  }
  berth_context *ctx = xcalloc(1, sizeof *ctx);
  ctx->dirfd = fd;
  ctx->ign = ign;
  ctx->mode = BERTH_SAFE_OPEN_AUTO;
  ctx->cache_dirfd = -1;
  ctx->last_uid = ctx->last_gid = -1;
  return ctx;
}

berth_context *
berth_context_open(int dirfd, int dockerfile_dirfd, const char *dockerfile_name, berth_error **err)
{
  berth_ignore *ign = berth_ignore_load(dirfd, dockerfile_dirfd >= 0 ? dockerfile_dirfd : dirfd,
                                        dockerfile_name, NULL, err);
  if (ign == NULL)
    return berth_error_prefix(err, "build context"), NULL;
  return berth_context_open_with(dirfd, ign, err);
}

void
berth_context_free(berth_context *ctx)
{
  if (ctx == NULL)
    return;
  if (ctx->dirfd >= 0)
    close(ctx->dirfd);
  if (ctx->cache_dirfd >= 0)
    close(ctx->cache_dirfd);
  berth_ignore_free(ctx->ign);
  berth_ctx_cache_free(ctx);
  free(ctx->last_uname);
  free(ctx->last_gname);
  for (size_t i = 0; i < ctx->n_links; i++)
    free(ctx->links[i].name);
  free(ctx->links);
  free(ctx->cache_name);
  free(ctx);
}

void
berth_context_cleanup(berth_context **ctx)
{
  berth_context_free(*ctx);
  *ctx = NULL;
}

bool
berth_context_visible(const berth_context *ctx, const char *rel, bool is_dir)
{
  if (rel[0] == '\0' || ctx->ign == NULL || !berth_ignore_excluded(ctx->ign, rel))
    return true;
  return is_dir && berth_ignore_must_walk(ctx->ign, rel);
}

char *
berth_ctx_join(const char *a, const char *b)
{
  return a[0] == '\0' ? xstrdup(b) : xasprintf("%s/%s", a, b);
}

void
berth_ctx_entries_free(berth_ctx_entry *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i].name);
  free(v);
}

static int
entry_cmp(const void *a, const void *b)
{
  return strcmp(((const berth_ctx_entry *)a)->name, ((const berth_ctx_entry *)b)->name);
}

int
berth_ctx_list(berth_context *ctx, int dirfd, const char *rel, berth_ctx_entry **out, size_t *n,
               berth_error **err)
{
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", rel[0] ? rel : ".");
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return berth_error_set(err, errno, "open %s", rel[0] ? rel : ".");
  }
  berth_ctx_entry *v = NULL;
  size_t len = 0, cap = 0;
  struct dirent *de;
  for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    struct stat st;
    if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT)
        continue;
      berth_ctx_entries_free(v, len);
      return berth_error_set(err, errno, "stat %s/%s", rel, de->d_name);
    }
    /* Sockets never reach Docker's context: the CLI's tar skips them. */
    if (S_ISSOCK(st.st_mode))
      continue;
    cleanup_free char *child = berth_ctx_join(rel, de->d_name);
    bool implicit = false;
    if (ctx->ign != NULL && berth_ignore_excluded(ctx->ign, child)) {
      if (!S_ISDIR(st.st_mode) || !berth_ignore_must_walk(ctx->ign, child))
        continue;
      implicit = true;
    }
    if (len == cap) {
      cap = cap ? cap * 2 : 16;
      v = xrealloc(v, cap * sizeof *v);
    }
    v[len++] = (berth_ctx_entry){ xstrdup(de->d_name), st, implicit };
  }
  if (errno != 0) {
    berth_ctx_entries_free(v, len);
    return berth_error_set(err, errno, "read directory %s", rel[0] ? rel : ".");
  }
  if (len > 0)
    qsort(v, len, sizeof *v, entry_cmp);
  *out = v;
  *n = len;
  return 0;
}

bool
berth_ctx_has_visible(berth_context *ctx, int dirfd, const char *rel)
{
  berth_ctx_entry *v = NULL;
  size_t n = 0;
  if (berth_ctx_list(ctx, dirfd, rel, &v, &n, NULL) < 0)
    return false;
  bool found = false;
  for (size_t i = 0; i < n && !found; i++) {
    if (!v[i].implicit) {
      found = true;
      continue;
    }
    cleanup_close int fd
        = openat(dirfd, v[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_free char *child = berth_ctx_join(rel, v[i].name);
    found = fd >= 0 && berth_ctx_has_visible(ctx, fd, child);
  }
  berth_ctx_entries_free(v, n);
  return found;
}

void
berth_context_sources_clear(berth_context_sources *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].arg);
    free(s->v[i].path);
    free(s->v[i].name);
  }
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

static bool
visible_cb(void *arg, const char *rel, const struct stat *st)
{
  return berth_context_visible(arg, rel, S_ISDIR(st->st_mode));
}

/* True when the lexical cleaning of p (relative) climbs above its root, as
 * filepath.Join(root, p) then leaves root. */
static bool
climbs_out(const char *p)
{
  long depth = 0;
  for (const char *c = p; *c != '\0';) {
    while (*c == '/')
      c++;
    size_t n = strcspn(c, "/");
    if (n == 2 && c[0] == '.' && c[1] == '.') {
      if (--depth < 0)
        return true;
    } else if (n > 0 && !(n == 1 && c[0] == '.')) {
      depth++;
    }
    c += n;
  }
  return false;
}

/* Go's filepath.Base. */
static char *
base_name(const char *p)
{
  size_t n = strlen(p);
  while (n > 0 && p[n - 1] == '/')
    n--;
  if (n == 0)
    return xstrdup(p[0] == '/' ? "/" : ".");
  size_t s = n;
  while (s > 0 && p[s - 1] != '/')
    s--;
  return xstrndup(p + s, n - s);
}

static void
add_source(berth_context_sources *out, const char *arg, char *path, const char *orig,
           const struct stat *st)
{
  out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
  out->v[out->n++] = (berth_context_source){ xstrdup(arg), path, base_name(orig), *st };
}

/* copyInfoForFile: one path without wildcards (orig untrusted). */
static int
resolve_one(berth_context *ctx, const char *cmd, const char *arg, const char *orig,
            berth_context_sources *out, berth_error **err)
{
  if (climbs_out(orig))
    return berth_error_set_as(
        err, EPERM, "%s failed: forbidden path outside the build context: %s ()", cmd, orig);
  bool exists = false;
  cleanup_free char *path
      = berth_ctx_resolve(ctx->dirfd, orig, true, visible_cb, ctx, &exists, err);
  if (path == NULL)
    return berth_error_prefix(err, "%s failed", cmd);
  struct stat st;
  if (exists && fstatat(ctx->dirfd, path[0] ? path : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
    exists = false;
  /* An excluded directory kept only for exceptions exists in Docker's
   * context only when something in it is re-included. */
  if (exists && path[0] != '\0' && ctx->ign != NULL && berth_ignore_excluded(ctx->ign, path)) {
    cleanup_close int fd
        = openat(ctx->dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    exists = fd >= 0 && berth_ctx_has_visible(ctx, fd, path);
  }
  if (!exists || S_ISSOCK(st.st_mode))
    return berth_error_set_as(err, ENOENT,
                              "%s failed: file not found in build context or excluded by "
                              ".dockerignore: stat %s: file does not exist",
                              cmd, orig);
  add_source(out, arg, steal_pointer(&path), orig, &st);
  return 0;
}

/* copyWithWildcards: every visible path under dirfd (the context's rel)
 * that matches pattern, in Walk's order (pre-order, sorted). */
static int
walk_match(berth_context *ctx, const char *cmd, const char *arg, const char *pattern, int dirfd,
           const char *rel, berth_context_sources *out, berth_error **err)
{
  berth_ctx_entry *v = NULL;
  size_t n = 0;
  if (berth_ctx_list(ctx, dirfd, rel, &v, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    cleanup_free char *child = berth_ctx_join(rel, v[i].name);
    cleanup_close int fd = -1;
    if (S_ISDIR(v[i].st.st_mode))
      fd = openat(dirfd, v[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    bool present = !v[i].implicit || (fd >= 0 && berth_ctx_has_visible(ctx, fd, child));
    if (present && berth_glob_match(pattern, child, NULL))
      rc = resolve_one(ctx, cmd, arg, child, out, err);
    if (rc == 0 && fd >= 0)
      rc = walk_match(ctx, cmd, arg, pattern, fd, child, out, err);
  }
  berth_ctx_entries_free(v, n);
  return rc;
}

int
berth_context_resolve(berth_context *ctx, const char *cmd, char *const *args, size_t nargs,
                      berth_context_sources *out, berth_error **err)
{
  size_t before = out->n;
  for (size_t i = 0; i < nargs; i++) {
    const char *orig = args[i];
    if (orig[0] == '/' && orig[1] != '\0')
      orig++;
    if (strncmp(orig, "./", 2) == 0)
      orig += 2;
    int rc;
    if (berth_glob_has_wildcards(orig))
      rc = walk_match(ctx, cmd, args[i], orig, ctx->dirfd, "", out, err);
    else
      rc = resolve_one(ctx, cmd, args[i], orig, out, err);
    if (rc < 0)
      return -1;
  }
  if (out->n == before)
    return berth_error_set_as(err, ENOENT, "%s failed: no source files were specified", cmd);
  return 0;
}
