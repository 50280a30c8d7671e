/* The stat cache of the context's files: for each file hashed before, its
 * (dev, inode, size, mtime, ctime), content digest and tarsum (with the
 * tar name it is for), so that an unchanged file is not read again
 * (context.h: berth_context_cache_load).  The file is berth's own format:
 * a damaged or older one is an empty cache. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "context/internal.h"

struct berth_stat_entry {
  uint64_t dev, ino;
  int64_t size, mtime_s, mtime_ns, ctime_s, ctime_ns;
  char hex[BERTH_SHA256_HEX_LEN + 1];
  char tsum[BERTH_SHA256_HEX_LEN + 1]; /* "" when not computed */
  char *tname;                         /* the tar name tsum is for */
  bool used;                           /* looked up or added since the cache was loaded */
  bool set;
};

#define CACHE_MAGIC "berth-context-stat-cache 3\n"

static void
cache_clear(berth_context *ctx)
{
  for (size_t i = 0; i < ctx->cap; i++)
    free(ctx->tab[i].tname);
  free(ctx->tab);
  ctx->tab = NULL;
  ctx->cap = ctx->used = 0;
}

void
berth_ctx_cache_free(berth_context *ctx)
{
  cache_clear(ctx);
}

static size_t
slot_of(const berth_context *ctx, uint64_t dev, uint64_t ino)
{
  uint64_t h = (dev * 0x9e3779b97f4a7c15ull) ^ (ino * 0xc2b2ae3d27d4eb4full);
  h ^= h >> 29;
  size_t i = (size_t)h & (ctx->cap - 1);
  while (ctx->tab[i].set && !(ctx->tab[i].dev == dev && ctx->tab[i].ino == ino))
    i = (i + 1) & (ctx->cap - 1);
  return i;
}

static struct berth_stat_entry *
cache_slot(berth_context *ctx, uint64_t dev, uint64_t ino)
{
  if ((ctx->used + 1) * 4 >= ctx->cap * 3) {
    struct berth_stat_entry *old = ctx->tab;
    size_t oldcap = ctx->cap;
    ctx->cap = oldcap ? oldcap * 2 : 256;
    ctx->tab = xcalloc(ctx->cap, sizeof *ctx->tab);
    for (size_t i = 0; i < oldcap; i++)
      if (old[i].set)
        ctx->tab[slot_of(ctx, old[i].dev, old[i].ino)] = old[i];
    free(old);
  }
  return &ctx->tab[slot_of(ctx, dev, ino)];
}

static bool
same_stat(const struct berth_stat_entry *e, const struct stat *st)
{
  return e->set && e->size == (int64_t)st->st_size && e->mtime_s == (int64_t)st->st_mtim.tv_sec
         && e->mtime_ns == (int64_t)st->st_mtim.tv_nsec && e->ctime_s == (int64_t)st->st_ctim.tv_sec
         && e->ctime_ns == (int64_t)st->st_ctim.tv_nsec;
}

/* A file changed within the timestamp granularity of the moment it was read
 * could change again with the same ctime: such entries are not recorded.
 * A filesystem that keeps whole seconds gets a 2 s window, others 50 ms
 * (well above a kernel tick, the coarse clock that timestamps use). */
static bool
racy(const struct stat *st)
{
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t window = st->st_ctim.tv_nsec == 0 ? 2000000000ll : 50000000ll;
  int64_t age = ((int64_t)now.tv_sec - st->st_ctim.tv_sec) * 1000000000ll
                + (now.tv_nsec - st->st_ctim.tv_nsec);
  return age < window;
}

/* One line of the cache file: seven decimal numbers, the 64-hex content
 * digest, the 64-hex tarsum or "-", and the name the tarsum is for (`\`
 * and newline escaped as `\\` and `\n`), single spaces between.
 * (strtoull, not sscanf: a cached build reads thousands of these.) */
static bool
parse_entry(const char *line, struct berth_stat_entry *x)
{
  uint64_t *u[] = { &x->dev, &x->ino };
  int64_t *d[] = { &x->size, &x->mtime_s, &x->mtime_ns, &x->ctime_s, &x->ctime_ns };
  const char *p = line;
  char *end;
  for (size_t i = 0; i < 7; i++) {
    if ((*p < '0' || *p > '9') && !(i >= 2 && *p == '-')) /* times before 1970 */
      return false;
    errno = 0;
    if (i < 2)
      *u[i] = strtoull(p, &end, 10);
    else
      *d[i - 2] = strtoll(p, &end, 10);
    if (errno != 0 || *end != ' ')
      return false;
    p = end + 1;
  }
  const char *hexdig = "0123456789abcdef";
  if (strspn(p, hexdig) != BERTH_SHA256_HEX_LEN || p[BERTH_SHA256_HEX_LEN] != ' ')
    return false;
  memcpy(x->hex, p, BERTH_SHA256_HEX_LEN);
  x->hex[BERTH_SHA256_HEX_LEN] = '\0';
  p += BERTH_SHA256_HEX_LEN + 1;
  if (strcmp(p, "- ") == 0)
    return true;
  if (strspn(p, hexdig) != BERTH_SHA256_HEX_LEN || p[BERTH_SHA256_HEX_LEN] != ' ')
    return false;
  memcpy(x->tsum, p, BERTH_SHA256_HEX_LEN);
  x->tsum[BERTH_SHA256_HEX_LEN] = '\0';
  p += BERTH_SHA256_HEX_LEN + 1;
  char *name = xmalloc(strlen(p) + 1), *o = name;
  for (; *p != '\0'; p++) {
    if (*p == '\\') {
      p++;
      if (*p != '\\' && *p != 'n') {
        free(name);
        return false;
      }
      *o++ = *p == 'n' ? '\n' : '\\';
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
  if (name[0] == '\0') {
    free(name);
    return false;
  }
  x->tname = name;
  return true;
}

/* s with `\` and newline escaped, for a cache line. */
static char *
escape_name(const char *s)
{
  char *out = xmalloc(2 * strlen(s) + 1), *o = out;
  for (; *s != '\0'; s++) {
    if (*s == '\\' || *s == '\n') {
      *o++ = '\\';
      *o++ = *s == '\n' ? 'n' : '\\';
    } else {
      *o++ = *s;
    }
  }
  *o = '\0';
  return out;
}

int
berth_context_cache_load(berth_context *ctx, int dirfd, const char *name, berth_error **err)
{
  int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    return berth_error_set(err, errno, "stat cache");
  if (ctx->cache_dirfd >= 0)
    close(ctx->cache_dirfd);
  ctx->cache_dirfd = fd;
  free(ctx->cache_name);
  ctx->cache_name = xstrdup(name);
  cache_clear(ctx);
  ctx->dirty = false;

  cleanup_free char *data = NULL;
  size_t len = 0;
  berth_error *e = NULL;
  if (berth_read_file_at(dirfd, name, &data, &len, &e) < 0) {
    bool absent = berth_error_errno(e) == ENOENT;
    if (absent) {
      berth_error_free(e);
      return 0;
    }
    berth_error_propagate(err, &e);
    return berth_error_prefix(err, "stat cache");
  }
  /* Written by berth, but a crash or a user can leave anything: a line
   * that does not parse ends the cache there. */
  if (strncmp(data, CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0)
    return 0;
  char *line = data + strlen(CACHE_MAGIC);
  while (*line != '\0') {
    char *nl = strchr(line, '\n');
    if (nl == NULL)
      break;
    *nl = '\0';
    struct berth_stat_entry x = { 0 };
    if (!parse_entry(line, &x)) {
      free(x.tname);
      break;
    }
    x.set = true;
    struct berth_stat_entry *slot = cache_slot(ctx, x.dev, x.ino);
    if (!slot->set)
      ctx->used++;
    free(slot->tname);
    *slot = x;
    line = nl + 1;
  }
  return 0;
}

int
berth_context_cache_save(berth_context *ctx, berth_error **err)
{
  if (ctx->cache_dirfd < 0)
    return 0;
  /* Nothing recorded and every entry used: the file on disk is already
   * what would be written (a fully cached build writes nothing). */
  size_t n_used = 0;
  for (size_t i = 0; i < ctx->cap; i++)
    n_used += ctx->tab[i].set && ctx->tab[i].used;
  if (!ctx->dirty && n_used == ctx->used)
    return 0;
  size_t cap = strlen(CACHE_MAGIC) + 1 + ctx->used * 256, len = 0;
  cleanup_free char *buf = xmalloc(cap);
  len = (size_t)snprintf(buf, cap, "%s", CACHE_MAGIC);
  for (size_t i = 0; i < ctx->cap; i++) {
    const struct berth_stat_entry *e = &ctx->tab[i];
    if (!e->set || !e->used)
      continue;
    bool ts = e->tsum[0] != '\0' && e->tname != NULL;
    cleanup_free char *name = escape_name(ts ? e->tname : "");
    size_t need = 7 * 22 + 2 * BERTH_SHA256_HEX_LEN + strlen(name) + 16;
    if (cap - len < need) {
      cap = 2 * cap + need;
      buf = xrealloc(buf, cap);
    }
    len += (size_t)snprintf(buf + len, cap - len,
                            "%" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
                            " %" PRId64 " %s %s %s\n",
                            e->dev, e->ino, e->size, e->mtime_s, e->mtime_ns, e->ctime_s,
                            e->ctime_ns, e->hex, ts ? e->tsum : "-", name);
  }
  if (berth_write_file_atomic_at(ctx->cache_dirfd, ctx->cache_name, buf, len, 0600, err) < 0)
    return berth_error_prefix(err, "stat cache");
  ctx->dirty = false;
  return 0;
}

size_t
berth_context_files_read(const berth_context *ctx)
{
  return ctx->files_read;
}

/* The content digest (hex) of the regular file dirfd/name, lstat'ed as *st,
 * and, th not NULL, its tarsum with the header th: from the cache when its
 * stat matches (and the tarsum was computed for th's name), else read. */
int
berth_ctx_file_digest(berth_context *ctx, int dirfd, const char *name, const char *rel,
                      const struct stat *st, char hex[BERTH_SHA256_HEX_LEN + 1],
                      const berth_tarsum_header *th, char tsum[BERTH_SHA256_HEX_LEN + 1],
                      berth_error **err)
{
  if (ctx->cap > 0) {
    struct berth_stat_entry *e = &ctx->tab[slot_of(ctx, st->st_dev, st->st_ino)];
    if (same_stat(e, st)
        && (th == NULL
            || (e->tsum[0] != '\0' && e->tname != NULL && strcmp(e->tname, th->name) == 0))) {
      e->used = true;
      memcpy(hex, e->hex, BERTH_SHA256_HEX_LEN + 1);
      if (th != NULL)
        memcpy(tsum, e->tsum, BERTH_SHA256_HEX_LEN + 1);
      return 0;
    }
  }
  cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", rel);
  struct stat fst;
  if (fstat(fd, &fst) < 0)
    return berth_error_set(err, errno, "stat %s", rel);
  /* security.capability read here, by the fd, so that a file the cache
   * has costs no xattr lookup at all (setting one changes ctime) */
  char cap[512];
  ssize_t cap_len = fgetxattr(fd, "security.capability", cap, sizeof cap);
  if (cap_len < 0)
    cap_len = 0;
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  cleanup_sha256 berth_sha256 *t = th ? berth_sha256_new() : NULL;
  if (t != NULL) {
    berth_tarsum_header with_cap = *th;
    with_cap.cap = cap_len > 0 ? cap : NULL;
    with_cap.cap_len = (size_t)cap_len;
    berth_tarsum_header_write(t, &with_cap);
  }
  static __thread char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return berth_error_set(err, errno, "read %s", rel);
    }
    if (n == 0)
      break;
    berth_sha256_update(h, buf, (size_t)n);
    if (t != NULL)
      berth_sha256_update(t, buf, (size_t)n);
  }
  if (cap_len > 0) { /* berth's digest of the file: its bytes, then its capability */
    berth_sha256_update(h, "\0cap", 4);
    berth_sha256_update(h, cap, (size_t)cap_len);
  }
  char d[BERTH_DIGEST_LEN];
  berth_sha256_final(h, d);
  memcpy(hex, berth_digest_hex(d), BERTH_SHA256_HEX_LEN + 1);
  if (t != NULL) {
    berth_sha256_final(t, d);
    memcpy(tsum, berth_digest_hex(d), BERTH_SHA256_HEX_LEN + 1);
  }
  ctx->files_read++;
  /* Recorded with the stat taken before reading: a write during the read
   * changes ctime, so the entry will not match it. */
  if (ctx->cache_dirfd >= 0 && !racy(&fst) && fst.st_ino == st->st_ino
      && fst.st_dev == st->st_dev) {
    struct berth_stat_entry *e = cache_slot(ctx, fst.st_dev, fst.st_ino);
    if (!e->set)
      ctx->used++;
    free(e->tname);
    *e = (struct berth_stat_entry){ .dev = fst.st_dev,
                                    .ino = fst.st_ino,
                                    .size = fst.st_size,
                                    .mtime_s = fst.st_mtim.tv_sec,
                                    .mtime_ns = fst.st_mtim.tv_nsec,
                                    .ctime_s = fst.st_ctim.tv_sec,
                                    .ctime_ns = fst.st_ctim.tv_nsec,
                                    .used = true,
                                    .set = true };
    memcpy(e->hex, hex, BERTH_SHA256_HEX_LEN + 1);
    if (th != NULL) {
      memcpy(e->tsum, tsum, BERTH_SHA256_HEX_LEN + 1);
      e->tname = xstrdup(th->name);
    }
    ctx->dirty = true;
  }
  return 0;
}
