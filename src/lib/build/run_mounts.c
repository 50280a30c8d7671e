/* The host side of RUN --mount for one step (run_mounts.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/run_mounts.h"
#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/safe_open.h"
#include "common/xalloc.h"
#include "container/mount.h"
#include "images/mount.h"
#include "store/rwlayer.h"
#include "store/scratch.h"

#define CACHE_DIR "builder/cache"

/* What one mount needs, found by _new and made by _prepare. */
typedef struct one {
  const berth_run_mount *m;
  berth_context_sources srcs;       /* bind from the context */
  char image[BERTH_DIGEST_LEN];     /* bind from a stage or an image */
  const berth_build_secret *secret; /* secret; NULL: optional and not given */
  char *host;                       /* the bind's source on the host */
  char *image_mount;                /* the image mount to release */
  int lock;                         /* a cache dir's flock */
  bool is_file;                     /* the mount point is a file */
  bool skip;                        /* an optional secret not given: no mount */
} one;

struct berth_run_mounts {
  one *v;
  size_t n;
  /* secrets, context copies, private caches: tmp/scratch-<random>, swept
   * by the next writer if this build dies (an image mount it held lives in
   * the build's own mount namespace and dies with it) */
  berth_store_scratch *run;
  int run_fd;
  berth_mount_spec *specs;
  size_t n_specs;
};

static const berth_build_secret *
find_secret(const berth_build_options *o, const char *id)
{
  for (size_t i = 0; i < o->n_secrets; i++)
    if (strcmp(o->secrets[i].id, id) == 0)
      return &o->secrets[i];
  return NULL;
}

static void
add_key(char ***key, char *entry)
{
  size_t n = 0;
  while (*key != NULL && (*key)[n] != NULL)
    n++;
  *key = xrealloc(*key, (n + 2) * sizeof **key);
  (*key)[n] = entry;
  (*key)[n + 1] = NULL;
}

/* The mounts' sources are the Dockerfile's (untrusted): a context source
 * is resolved inside the context by the context's own confined resolution
 * (a `../x` or a link out fails as COPY's would); a stage or image by
 * name. */
berth_run_mounts *
berth_build_run_mounts_new(berth_build_state *st, const berth_run_flags *f, char ***key,
                           berth_error **err)
{
  berth_run_mounts *r = xcalloc(1, sizeof *r);
  r->run_fd = -1;
  r->v = xcalloc(f->n_mounts + 1, sizeof *r->v);
  for (size_t i = 0; i < f->n_mounts; i++) {
    one *o = &r->v[r->n++];
    o->m = &f->mounts[i];
    o->lock = -1;
    const berth_run_mount *m = o->m;
    int rc = 0;
    if (m->type == BERTH_RUN_MOUNT_BIND && m->from == NULL) {
      char *src = (char *)(m->source[0] ? m->source : ".");
      char digest[BERTH_DIGEST_LEN];
      if (st->o->context == NULL)
        rc = berth_error_set(err, 0, "RUN --mount=type=bind: the build has no context");
      else if (berth_context_resolve(st->o->context, "RUN --mount=type=bind", &src, 1, &o->srcs,
                                     err)
                   < 0
               || berth_context_hash(st->o->context, &o->srcs, digest, err) < 0)
        rc = -1;
      else if (o->srcs.n != 1)
        rc = berth_error_set(err, 0, "RUN --mount=type=bind: source %s names %zu files", src,
                             o->srcs.n);
      else
        add_key(key, xasprintf("#(bind) %s context:%s", m->target, digest));
      o->is_file = rc == 0 && !S_ISDIR(o->srcs.v[0].st.st_mode);
    } else if (m->type == BERTH_RUN_MOUNT_BIND) {
      bool scratch = false;
      if (berth_build_from_source(st, m->from, o->image, &scratch, err) < 0)
        rc = -1;
      else if (scratch)
        rc = berth_error_set(err, 0, "RUN --mount from=%s: the stage has no filesystem", m->from);
      else
        add_key(key, xasprintf("#(bind) %s image:%s", m->target, o->image));
    } else if (m->type == BERTH_RUN_MOUNT_SECRET) {
      o->secret = find_secret(st->o, m->id);
      o->skip = o->secret == NULL;
      o->is_file = true;
      if (o->secret == NULL && m->required)
        rc = berth_error_set(err, ENOENT, "secret %s: not found", m->id);
    }
    if (rc < 0) {
      berth_build_run_mounts_free(st, r);
      return NULL;
    }
  }
  return r;
}

static char *
run_path(berth_run_mounts *r, const char *name)
{
  return xasprintf("%s/%s", berth_store_scratch_path(r->run), name);
}

/* The cache dir of id (any string: it names a directory only through its
 * digest, so no id is a path): builder/cache/<sha256 of id>, made with its
 * mode and owner in the scratch dir and renamed into place, then flock()ed
 * as its sharing says. */
static int
cache_dir(berth_store *s, berth_run_mounts *r, one *o, size_t i, berth_error **err)
{
  const berth_run_mount *m = o->m;
  /* the same cache twice in one step: one directory, locked once (a second
   * lock of our own would wait for the first forever) */
  for (size_t k = 0; k < i; k++)
    if (r->v[k].m->type == BERTH_RUN_MOUNT_CACHE && strcmp(r->v[k].m->id, m->id) == 0) {
      o->host = xstrdup(r->v[k].host);
      return 0;
    }
  char d[BERTH_DIGEST_LEN];
  berth_sha256_digest(m->id, strlen(m->id), d);
  cleanup_free char *rel = xasprintf(CACHE_DIR "/%s", d + 7);
  int root = berth_store_root_fd(s);
  cleanup_free char *fresh = xasprintf("cache-%zu", i);
  if (!berth_exists_at(root, rel)) {
    mode_t mode = m->has_mode ? (mode_t)(m->mode & 07777) : 0755;
    if (mkdirat(r->run_fd, fresh, 0700) < 0
        || fchownat(r->run_fd, fresh, m->has_uid ? (uid_t)m->uid : 0,
                    m->has_gid ? (gid_t)m->gid : 0, AT_SYMLINK_NOFOLLOW)
               < 0
        || fchmodat(r->run_fd, fresh, mode, 0) < 0)
      return berth_error_set(err, errno, "make the cache %s", m->id);
    cleanup_close int cache = openat(root, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cache < 0)
      return berth_error_set(err, errno, "open %s", CACHE_DIR);
    if (renameat(r->run_fd, fresh, cache, d + 7) < 0 && errno != EEXIST && errno != ENOTEMPTY)
      return berth_error_set(err, errno, "make the cache %s", m->id);
    fsync(cache);
    unlinkat(r->run_fd, fresh, AT_REMOVEDIR); /* another build made it first */
  }
  o->lock = openat(root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (o->lock < 0)
    return berth_error_set(err, errno, "open the cache %s", m->id);
  o->host = xasprintf("%s/%s", berth_store_root(s), rel);
  if (strcmp(m->sharing, "private") == 0) {
    if (flock(o->lock, LOCK_EX | LOCK_NB) == 0)
      return 0;
    /* another build uses it: this one gets a fresh one of its own */
    free(o->host);
    o->host = run_path(r, fresh);
    if (mkdirat(r->run_fd, fresh, m->has_mode ? (mode_t)(m->mode & 07777) : 0755) < 0
        || fchownat(r->run_fd, fresh, m->has_uid ? (uid_t)m->uid : 0,
                    m->has_gid ? (gid_t)m->gid : 0, AT_SYMLINK_NOFOLLOW)
               < 0)
      return berth_error_set(err, errno, "make a private cache %s", m->id);
    return 0;
  }
  if (flock(o->lock, strcmp(m->sharing, "locked") == 0 ? LOCK_EX : LOCK_SH) < 0)
    return berth_error_set(err, errno, "lock the cache %s", m->id);
  return 0;
}

/* A bind from an image: mounted (rw: with a throw-away upper), the source
 * resolved inside that mount (never out of it). */
static int
image_bind(berth_store *s, berth_run_mounts *r, one *o, berth_error **err)
{
  if (berth_image_mount(s, o->image, NULL, !o->m->readonly, &o->image_mount, err) < 0)
    return -1;
  cleanup_close int root = open(o->image_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return berth_error_set(err, errno, "open %s", o->image_mount);
  const char *src = o->m->source[0] ? o->m->source : "/";
  cleanup_close int fd = berth_safe_open_at(root, src, O_PATH, NULL, err);
  if (fd < 0)
    return berth_error_prefix(err, "RUN --mount from=%s: source", o->m->from);
  struct stat sb;
  char link[64], real[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, real, sizeof real - 1);
  if (n < 0 || fstat(fd, &sb) < 0)
    return berth_error_set(err, errno, "RUN --mount from=%s: %s", o->m->from, src);
  real[n] = '\0';
  size_t l = strlen(o->image_mount);
  if (strncmp(real, o->image_mount, l) != 0 || (real[l] != '\0' && real[l] != '/'))
    return berth_error_set(err, 0, "RUN --mount from=%s: %s is not inside the image", o->m->from,
                           src);
  o->host = xstrdup(real);
  o->is_file = !S_ISDIR(sb.st_mode);
  return 0;
}

static int
prepare_one(berth_build_state *st, berth_run_mounts *r, one *o, size_t i, berth_error **err)
{
  const berth_run_mount *m = o->m;
  cleanup_free char *name = xasprintf("mount-%zu", i);
  switch (m->type) {
  case BERTH_RUN_MOUNT_BIND:
    if (m->from != NULL)
      return image_bind(st->s, r, o, err);
    {
      /* a copy (only what .dockerignore lets through), so rw writes go
       * nowhere and the context is never written */
      cleanup_free char *dest = xasprintf("/%s", name);
      berth_context_copy_opts co = { .cmd = "RUN --mount=type=bind" };
      if (berth_context_copy(st->o->context, &o->srcs, r->run_fd, dest, &co, err) < 0)
        return -1;
      o->host = run_path(r, name);
    }
    return 0;
  case BERTH_RUN_MOUNT_CACHE:
    return cache_dir(st->s, r, o, i, err);
  case BERTH_RUN_MOUNT_TMPFS:
    return 0;
  case BERTH_RUN_MOUNT_SECRET: {
    if (o->skip)
      return 0;
    cleanup_close int fd = openat(r->run_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    size_t done = 0;
    while (fd >= 0 && done < o->secret->len) {
      ssize_t w = write(fd, o->secret->data + done, o->secret->len - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        break;
      done += (size_t)w;
    }
    if (fd < 0 || done < o->secret->len
        || fchown(fd, m->has_uid ? (uid_t)m->uid : 0, m->has_gid ? (gid_t)m->gid : 0) < 0
        || fchmod(fd, m->has_mode ? (mode_t)(m->mode & 07777) : 0400) < 0)
      return berth_error_set(err, errno, "write the secret %s", m->id);
    o->host = run_path(r, name);
    return 0;
  }
  }
  return 0;
}

int
berth_build_run_mounts_prepare(berth_build_state *st, berth_run_mounts *r,
                               const berth_mount_spec **specs, size_t *n, berth_error **err)
{
  int root = berth_store_root_fd(st->s);
  if (berth_mkdir_p_at(root, CACHE_DIR, 0700, err) < 0)
    return -1;
  r->run = berth_store_scratch_new(st->s, err);
  if (r->run == NULL)
    return -1;
  r->run_fd = berth_store_scratch_fd(r->run);
  r->specs = xcalloc(r->n + 1, sizeof *r->specs);
  for (size_t i = 0; i < r->n; i++) {
    one *o = &r->v[i];
    if (prepare_one(st, r, o, i, err) < 0)
      return -1;
    if (o->skip)
      continue;
    berth_mount_spec *sp = &r->specs[r->n_specs++];
    sp->type = o->m->type == BERTH_RUN_MOUNT_TMPFS ? "tmpfs" : "bind";
    sp->source = o->host;
    sp->target = o->m->target;
    sp->readonly = o->m->readonly;
    sp->size = o->m->size;
  }
  *specs = r->specs;
  *n = r->n_specs;
  return 0;
}

void
berth_build_run_mounts_free(berth_build_state *st, berth_run_mounts *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->n; i++) {
    one *o = &r->v[i];
    berth_context_sources_clear(&o->srcs);
    if (o->image_mount != NULL) {
      int n = 0;
      berth_image_umount(st->s, o->image_mount, &n, NULL);
    }
    if (o->lock >= 0)
      close(o->lock);
    free(o->host);
    free(o->image_mount);
  }
  berth_store_scratch_free(r->run); /* secrets, copies */
  free(r->specs);
  free(r->v);
  free(r);
}

/* ---- mount points in the init layer ------------------------------------ */

typedef struct point {
  char *rel;      /* inside the rootfs, no symlinks, no leading '/' */
  struct stat st; /* an existing directory's, copied to the init layer's */
  bool existing, file;
} point;

typedef struct points {
  point *v;
  size_t n;
} points;

static void
points_clear(points *p)
{
  for (size_t i = 0; i < p->n; i++)
    free(p->v[i].rel);
  free(p->v);
}

static void
add_point(points *p, char *rel, const struct stat *st, bool existing, bool file)
{
  p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
  p->v[p->n++] = (point){ rel, st ? *st : (struct stat){ 0 }, existing, file };
}

/* Where fd (opened inside the rootfs at merged) is, relative to it. */
static char *
where(int fd, const char *merged)
{
  char link[64], real[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, real, sizeof real - 1);
  size_t l = strlen(merged);
  if (n < 0)
    return NULL;
  real[n] = '\0';
  if (strncmp(real, merged, l) != 0 || (real[l] != '\0' && real[l] != '/'))
    return NULL;
  return xstrdup(real[l] == '/' ? real + l + 1 : "");
}

/* The points target needs: the directories of its existing part as the
 * image has them (symlinks resolved inside the rootfs, as the runtime
 * resolves them), then its missing part (directories, the last one a file
 * for a file mount).  None when the target exists. */
static int
find_points(int root, const char *merged, const char *target, bool file, points *out,
            berth_error **err)
{
  cleanup_free char *t = xstrdup(target);
  cleanup_free char *have = xstrdup(""); /* the resolved existing part */
  char *p = t + 1;
  for (;;) {
    char *slash = strchr(p, '/');
    if (slash != NULL)
      *slash = '\0';
    berth_error *e = NULL;
    cleanup_close int fd = berth_safe_open_at(root, t, O_PATH, NULL, &e);
    if (fd < 0 && errno != ENOENT)
      return berth_error_propagate(err, &e);
    berth_error_free(e);
    if (fd < 0) {
      /* p and what follows are missing */
      if (slash != NULL)
        *slash = '/';
      break;
    }
    free(have);
    have = where(fd, merged);
    struct stat sb;
    if (have == NULL || fstat(fd, &sb) < 0)
      return berth_error_set(err, errno, "RUN --mount: resolve %s", target);
    if (slash == NULL)
      return 0; /* it exists */
    if (!S_ISDIR(sb.st_mode))
      return 0; /* the runtime refuses it with its words */
    *slash = '/';
    p = slash + 1;
  }
  /* the existing part, each directory with the image's metadata */
  for (char *q = have; *q != '\0';) {
    char *s = strchr(q, '/');
    cleanup_free char *rel = s ? xstrndup(have, (size_t)(s - have)) : xstrdup(have);
    struct stat sb;
    cleanup_close int fd = berth_safe_open_at(root, rel, O_PATH, NULL, err);
    if (fd < 0 || fstat(fd, &sb) < 0)
      return -1;
    add_point(out, steal_pointer(&rel), &sb, true, false);
    if (s == NULL)
      break;
    q = s + 1;
  }
  for (char *q = p;;) {
    char *s = strchr(q, '/');
    cleanup_free char *missing = s ? xstrndup(p, (size_t)(s - p)) : xstrdup(p);
    char *rel = *have ? xasprintf("%s/%s", have, missing) : xstrdup(missing);
    add_point(out, rel, NULL, false, s == NULL && file);
    if (s == NULL)
      return 0;
    q = s + 1;
  }
}

/* Makes one point in the init layer initfd (the layer berth made: its
 * names hold no symlinks where these go). */
static int
make_point(int initfd, const point *pt, berth_error **err)
{
  char *slash = strrchr(pt->rel, '/');
  cleanup_free char *parent = slash ? xstrndup(pt->rel, (size_t)(slash - pt->rel)) : xstrdup(".");
  const char *name = slash ? slash + 1 : pt->rel;
  cleanup_close int pfd = berth_safe_open_at(initfd, parent, O_PATH | O_DIRECTORY, NULL, err);
  if (pfd < 0)
    return -1;
  if (pt->file) {
    int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST)
      return berth_error_set(err, errno, "make the mount point /%s", pt->rel);
    if (fd >= 0)
      close(fd);
    return 0;
  }
  if (mkdirat(pfd, name, pt->existing ? 0700 : 0755) < 0) {
    if (errno == EEXIST)
      return 0; /* the init layer's own (/etc, /dev…), or made for another mount */
    return berth_error_set(err, errno, "make the mount point /%s", pt->rel);
  }
  if (pt->existing
      && (fchownat(pfd, name, pt->st.st_uid, pt->st.st_gid, AT_SYMLINK_NOFOLLOW) < 0
          || fchmodat(pfd, name, pt->st.st_mode & 07777, 0) < 0))
    return berth_error_set(err, errno, "make the mount point /%s", pt->rel);
  return 0;
}

int
berth_build_run_mounts_points(berth_build_state *st, berth_run_mounts *r, berth_container *c,
                              berth_error **err)
{
  if (r->n_specs == 0)
    return 0;
  points pts = { 0 };
  int rc = 0;
  {
    cleanup_free char *merged = berth_container_mount(st->s, c, err);
    if (merged == NULL)
      return -1;
    cleanup_free char *real = realpath(merged, NULL);
    cleanup_close int root = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0 || real == NULL)
      rc = berth_error_set(err, errno, "open %s", merged);
    size_t k = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++)
      if (!r->v[i].skip)
        rc = find_points(root, real, r->specs[k++].target, r->v[i].is_file, &pts, err);
    /* the init layer is a lower layer: changed only while not mounted */
    if (berth_container_unmount(st->s, c, rc == 0 ? err : NULL) < 0)
      rc = -1;
  }
  cleanup_free char *init = berth_store_rwlayer_init_path(st->s, &c->layer);
  cleanup_close int initfd = rc == 0 ? open(init, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (rc == 0 && initfd < 0)
    rc = berth_error_set(err, errno, "open %s", init);
  for (size_t i = 0; i < pts.n && rc == 0; i++)
    rc = make_point(initfd, &pts.v[i], err);
  /* times last: making the children changed their parents' */
  for (size_t i = pts.n; i-- > 0 && rc == 0;)
    if (pts.v[i].existing) {
      struct timespec ts[2] = { pts.v[i].st.st_atim, pts.v[i].st.st_mtim };
      utimensat(initfd, pts.v[i].rel, ts, AT_SYMLINK_NOFOLLOW);
    }
  points_clear(&pts);
  return rc;
}
