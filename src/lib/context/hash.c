/* The content hash of COPY/ADD sources (file contents through the stat
 * cache, stat_cache.c).
 *
 * The digest is SHA-256 over records, one per source then one per entry of
 * a sorted walk, each field NUL-terminated so no two trees give the same
 * bytes: "S" kind name (a file's name matters for a directory destination,
 * a directory's own name and metadata do not: only its contents are copied),
 * then for every entry its path relative to the source, type, mode bits
 * (07777), uid, gid, and per type the content digest, the link target, the
 * device number, or the first path of a hard link already seen; plus
 * security.capability, the one xattr Docker's context keeps.  No times.
 *
 * The same walk makes Docker's hashes (berth_context_hash_all): the tarsum
 * of each entry (context/tarsum.c) as Docker 20.10's builder looks it up
 * for a path, symlinks followed.  A file's tarsum mixes its header and its
 * contents in one SHA-256, so the stat cache keeps it beside the content
 * digest, with the name it was computed under. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "context/internal.h"

static void
put(berth_sha256 *h, const char *s)
{
  berth_sha256_update(h, s, strlen(s) + 1);
}

static void putf(berth_sha256 *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
putf(berth_sha256 *h, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  cleanup_free char *s = xvasprintf(fmt, ap);
  va_end(ap);
  put(h, s);
}

/* Hard links seen in one source: (dev, ino) -> first path. */
typedef struct {
  struct {
    dev_t dev;
    ino_t ino;
    char *path;
  } * v;
  size_t n;
} link_set;

static const char *
link_seen(link_set *ls, const struct stat *st, const char *path)
{
  for (size_t i = 0; i < ls->n; i++)
    if (ls->v[i].dev == st->st_dev && ls->v[i].ino == st->st_ino)
      return ls->v[i].path;
  ls->v = xrealloc(ls->v, (ls->n + 1) * sizeof *ls->v);
  ls->v[ls->n].dev = st->st_dev;
  ls->v[ls->n].ino = st->st_ino;
  ls->v[ls->n++].path = xstrdup(path);
  return NULL;
}

static void
link_set_free(link_set *ls)
{
  for (size_t i = 0; i < ls->n; i++)
    free(ls->v[i].path);
  free(ls->v);
}

/* security.capability of dirfd/name (0: none). */
static ssize_t
read_cap(int dirfd, const char *name, char *cap, size_t size)
{
  cleanup_free char *p = xasprintf("/proc/self/fd/%d/%s", dirfd, name);
  ssize_t n = lgetxattr(p, "security.capability", cap, size);
  return n > 0 ? n : 0;
}

/* This host's name of uid (gid: group), "" when it has none: Docker's
 * daemon fills a rootfs's tar headers so (Go's os/user), the last one kept. */
static const char *
owner_name(berth_context *ctx, bool group, unsigned long id)
{
  long *last = group ? &ctx->last_gid : &ctx->last_uid;
  char **name = group ? &ctx->last_gname : &ctx->last_uname;
  if (*name != NULL && *last == (long)id)
    return *name;
  char buf[4096];
  const char *found = NULL;
  if (group) {
    struct group gr, *res = NULL;
    if (getgrgid_r((gid_t)id, &gr, buf, sizeof buf, &res) == 0 && res != NULL)
      found = res->gr_name;
  } else {
    struct passwd pw, *res = NULL;
    if (getpwuid_r((uid_t)id, &pw, buf, sizeof buf, &res) == 0 && res != NULL)
      found = res->pw_name;
  }
  free(*name);
  *name = xstrdup(found ? found : "");
  *last = (long)id;
  return *name;
}

/* Docker's hashes of one source's entries, being collected. */
typedef struct docker_acc {
  char **v;
  size_t n;
  bool partial;
} docker_acc;

static void
acc_push(docker_acc *a, char *s)
{
  a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
  a->v[a->n++] = s;
}

static void
acc_clear(docker_acc *a)
{
  for (size_t i = 0; i < a->n; i++)
    free(a->v[i]);
  free(a->v);
  *a = (docker_acc){ 0 };
}

/* The tarsum of the entry dirfd/name (not a symlink), rel in the context,
 * as Docker has it: the CLI's tar entry (0:0, a later hard link a '1'
 * entry naming the first), or a rootfs's header (real owners).  For a
 * regular file read here, chex gets its content digest too (*have). */
static int
docker_sum(berth_context *ctx, docker_acc *a, int dirfd, const char *name, const char *rel,
           const struct stat *st, char hex[BERTH_SHA256_HEX_LEN + 1],
           char chex[BERTH_SHA256_HEX_LEN + 1], bool *have, berth_error **err)
{
  cleanup_free char *tname = S_ISDIR(st->st_mode) ? xasprintf("%s/", rel) : xstrdup(rel);
  berth_tarsum_header th;
  berth_tarsum_header_from_stat(&th, tname, st);
  if (!ctx->rootfs) {
    th.uid = th.gid = 0; /* the CLI sends the context as 0:0 */
  } else {
    th.uname = owner_name(ctx, false, th.uid);
    th.gname = owner_name(ctx, true, th.gid);
  }
  /* a regular file's capability is read with its contents, only when the
   * stat cache does not have it (berth_ctx_file_digest) */
  char cap[512];
  if (!S_ISREG(st->st_mode) || st->st_nlink > 1) {
    th.cap_len = (size_t)read_cap(dirfd, name, cap, sizeof cap);
    th.cap = th.cap_len > 0 ? cap : NULL;
  }
  if (S_ISREG(st->st_mode) && st->st_nlink > 1) {
    /* Docker's hash shows neither the links of a rootfs's files nor what
     * is behind a '1' entry */
    a->partial = true;
    const char *first = NULL;
    if (!ctx->rootfs && berth_ctx_first_link(ctx, st, &first, err) < 0)
      return -1;
    if (first != NULL && strcmp(first, rel) != 0) {
      th.typeflag = '1';
      th.linkname = first;
      th.size = 0;
      berth_tarsum(&th, NULL, 0, hex);
      return 0;
    }
  }
  if (!S_ISREG(st->st_mode)) {
    berth_tarsum(&th, NULL, 0, hex);
    return 0;
  }
  if (berth_ctx_file_digest(ctx, dirfd, name, rel, st, chex, &th, hex, err) < 0)
    return -1;
  *have = true;
  return 0;
}

static bool
visible_cb(void *arg, const char *rel, const struct stat *st)
{
  return berth_context_visible(arg, rel, S_ISDIR(st->st_mode));
}

/* The directory of path (in the context) opened, *base its last part. */
static int
open_parent(berth_context *ctx, const char *path, const char **base, berth_error **err)
{
  cleanup_free char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  *base = path;
  if (slash != NULL) {
    *slash = '\0';
    *base = path + (slash - dir) + 1;
  } else {
    dir[0] = '\0';
  }
  return berth_safe_open_at(ctx->dirfd, dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY, &ctx->mode,
                            err);
}

/* Docker's hash of the entry at rel (a symlink: of what it points to,
 * followed in the context; when that is not in the context, the link's
 * path, or in a rootfs the path it points to), pushed on a. */
static int
docker_entry(berth_context *ctx, docker_acc *a, int dirfd, const char *name, const char *rel,
             const struct stat *st, bool implicit, char chex[BERTH_SHA256_HEX_LEN + 1], bool *have,
             berth_error **err)
{
  char hex[BERTH_SHA256_HEX_LEN + 1];
  if (implicit) {
    /* not in the CLI's tar: Docker's Hash falls back to the path */
    acc_push(a, xstrdup(rel));
    return 0;
  }
  if (!S_ISLNK(st->st_mode)) {
    if (docker_sum(ctx, a, dirfd, name, rel, st, hex, chex, have, err) < 0)
      return -1;
    acc_push(a, xstrdup(hex));
    return 0;
  }
  a->partial = true; /* the link's own target is not in Docker's hash */
  bool exists = false;
  cleanup_free char *target
      = berth_ctx_resolve(ctx->dirfd, rel, true, visible_cb, ctx, &exists, err);
  if (target == NULL)
    return -1;
  struct stat tst;
  /* an excluded directory entered for an exception is not in the CLI's
   * tar: Docker falls back to the link's path */
  if (exists && target[0] != '\0' && fstatat(ctx->dirfd, target, &tst, AT_SYMLINK_NOFOLLOW) == 0
      && !(S_ISDIR(tst.st_mode) && ctx->ign != NULL && berth_ignore_excluded(ctx->ign, target))) {
    const char *base;
    cleanup_close int fd = open_parent(ctx, target, &base, err);
    if (fd < 0)
      return -1;
    bool unused = false;
    char c[BERTH_SHA256_HEX_LEN + 1];
    if (docker_sum(ctx, a, fd, base, target, &tst, hex, c, &unused, err) < 0)
      return -1;
    acc_push(a, xstrdup(hex));
  } else {
    /* a link to nothing: the context's Hash falls back to the link's own
     * path, a rootfs's (lazySource) to the path it points to */
    acc_push(a, xstrdup(ctx->rootfs ? target : rel));
  }
  return 0;
}

/* One entry: dirfd/name, at rel in the context, at path in the source;
 * a (may be NULL) collects Docker's hash of it. */
static int
hash_entry(berth_context *ctx, berth_sha256 *h, link_set *ls, docker_acc *a, int dirfd,
           const char *name, const char *rel, const char *path, const struct stat *st,
           bool implicit, berth_error **err)
{
  char chex[BERTH_SHA256_HEX_LEN + 1];
  bool have = false;
  if (a != NULL && docker_entry(ctx, a, dirfd, name, rel, st, implicit, chex, &have, err) < 0)
    return -1;
  put(h, "E");
  put(h, path);
  if (implicit) {
    put(h, "implicit-dir");
    return 0;
  }
  putf(h, "%o", (unsigned)(st->st_mode & S_IFMT));
  putf(h, "%o", (unsigned)(st->st_mode & 07777));
  putf(h, "%u:%u", (unsigned)st->st_uid, (unsigned)st->st_gid);
  if (S_ISREG(st->st_mode)) {
    const char *first = st->st_nlink > 1 ? link_seen(ls, st, path) : NULL;
    if (first != NULL) {
      put(h, "hardlink");
      put(h, first);
      return 0;
    }
    if (!have && berth_ctx_file_digest(ctx, dirfd, name, rel, st, chex, NULL, NULL, err) < 0)
      return -1;
    put(h, chex);
  } else if (S_ISLNK(st->st_mode)) {
    char target[PATH_MAX];
    ssize_t n = readlinkat(dirfd, name, target, sizeof target - 1);
    if (n < 0)
      return berth_error_set(err, errno, "readlink %s", rel);
    target[n] = '\0';
    put(h, target);
  } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
    putf(h, "%u,%u", major(st->st_rdev), minor(st->st_rdev));
  }
  if (!S_ISLNK(st->st_mode) && !S_ISREG(st->st_mode)) { /* a file's is in chex */
    char cap[512];
    ssize_t n = read_cap(dirfd, name, cap, sizeof cap);
    if (n > 0) {
      put(h, "cap");
      berth_sha256_update(h, cap, (size_t)n);
    }
  }
  return 0;
}

/* The contents of the directory dirfd (rel in the context, path in the
 * source), sorted, depth first. */
static int
hash_dir(berth_context *ctx, berth_sha256 *h, link_set *ls, docker_acc *a, int dirfd,
         const char *rel, const char *path, berth_error **err)
{
  berth_ctx_entry *v = NULL;
  size_t n = 0;
  if (berth_ctx_list(ctx, dirfd, rel, &v, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    cleanup_free char *crel = berth_ctx_join(rel, v[i].name);
    cleanup_free char *cpath = berth_ctx_join(path, v[i].name);
    cleanup_close int fd = -1;
    if (S_ISDIR(v[i].st.st_mode)) {
      fd = openat(dirfd, v[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        rc = berth_error_set(err, errno, "open %s", crel);
        break;
      }
      if (v[i].implicit && !berth_ctx_has_visible(ctx, fd, crel))
        continue;
    }
    rc = hash_entry(ctx, h, ls, a, dirfd, v[i].name, crel, cpath, &v[i].st, v[i].implicit, err);
    if (rc == 0 && fd >= 0)
      rc = hash_dir(ctx, h, ls, a, fd, crel, cpath, err);
  }
  berth_ctx_entries_free(v, n);
  return rc;
}

/* One source into h and, out not NULL, its Docker hash into out->each. */
static int
hash_source(berth_context *ctx, berth_sha256 *h, const berth_context_source *src,
            berth_context_hashes *out, berth_error **err)
{
  link_set ls __attribute__((cleanup(link_set_free))) = { 0 };
  docker_acc a __attribute__((cleanup(acc_clear))) = { 0 };
  docker_acc *ap = out != NULL ? &a : NULL;
  if (S_ISDIR(src->st.st_mode)) {
    put(h, "S");
    put(h, "dir");
    cleanup_close int fd = berth_safe_open_at(ctx->dirfd, src->path[0] ? src->path : ".",
                                              O_RDONLY | O_DIRECTORY, &ctx->mode, err);
    if (fd < 0)
      return -1;
    /* the directory itself (not the root: Docker skips "."), then all
     * under it */
    if (ap != NULL && src->path[0] != '\0') {
      bool implicit = ctx->ign != NULL && berth_ignore_excluded(ctx->ign, src->path);
      char c[BERTH_SHA256_HEX_LEN + 1];
      bool have = false;
      if (docker_entry(ctx, ap, fd, ".", src->path, &src->st, implicit, c, &have, err) < 0)
        return -1;
    }
    if (hash_dir(ctx, h, &ls, ap, fd, src->path, "", err) < 0)
      return -1;
    if (ap != NULL)
      out->each[out->n++] = berth_tarsum_join("dir", a.v, a.n, true);
  } else {
    put(h, "S");
    put(h, "file");
    put(h, src->name);
    /* the file itself, by its parent directory (opened in the context) */
    const char *base;
    cleanup_close int fd = open_parent(ctx, src->path, &base, err);
    struct stat cur;
    if (fd < 0)
      return -1;
    if (fstatat(fd, base, &cur, AT_SYMLINK_NOFOLLOW) < 0)
      return berth_error_set(err, errno, "stat %s", src->path);
    if (hash_entry(ctx, h, &ls, ap, fd, base, src->path, src->name, &cur, false, err) < 0)
      return -1;
    if (ap != NULL) {
      /* a source named by a symlink copies under the link's name, which
       * Docker's hash (of the followed path) does not show */
      a.partial |= strcmp(base, src->name) != 0;
      out->each[out->n++] = a.n == 1 ? xasprintf("file:%s", a.v[0]) : xstrdup("file:");
    }
  }
  if (out != NULL)
    out->partial |= a.partial;
  return 0;
}

static int
hash_sources(berth_context *ctx, const berth_context_sources *s, char digest[BERTH_DIGEST_LEN],
             berth_context_hashes *out, berth_error **err)
{
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  put(h, "berth-context-hash 1");
  for (size_t i = 0; i < s->n; i++)
    if (hash_source(ctx, h, &s->v[i], out, err) < 0)
      return berth_error_prefix(err, "hash %s", s->v[i].arg);
  berth_sha256_final(h, digest);
  return 0;
}

int
berth_context_hash(berth_context *ctx, const berth_context_sources *s, char out[BERTH_DIGEST_LEN],
                   berth_error **err)
{
  return hash_sources(ctx, s, out, NULL, err);
}

void
berth_context_hashes_clear(berth_context_hashes *h)
{
  for (size_t i = 0; i < h->n; i++)
    free(h->each[i]);
  free(h->each);
  *h = (berth_context_hashes){ 0 };
}

int
berth_context_hash_all(berth_context *ctx, const berth_context_sources *s,
                       berth_context_hashes *out, berth_error **err)
{
  berth_context_hashes_clear(out);
  out->each = xcalloc(s->n + 1, sizeof *out->each);
  if (hash_sources(ctx, s, out->digest, out, err) < 0) {
    berth_context_hashes_clear(out);
    return -1;
  }
  return 0;
}

void
berth_context_set_rootfs(berth_context *ctx)
{
  ctx->rootfs = true;
}
