/* The build context as a build opens it: the directory read in place, its
 * ignore file, and its stat cache kept in the store under
 * builder/context-<sha256 of the context's absolute path>. */
#include "build/context_cache.h"

#include <fcntl.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

/* The stat cache of the context at path, in the store:
 * builder/context-<sha256 of its absolute path> (one file per context, so
 * that two contexts do not push each other's entries out). */
static char *
stat_cache_name(const char *path)
{
  cleanup_free char *abs = realpath(path, NULL);
  char d[BERTH_DIGEST_LEN];
  const char *p = abs ? abs : path;
  berth_sha256_digest(p, strlen(p), d);
  return xasprintf("builder/context-%s", d + 7);
}

/* Opens the context once for the whole build: the directory read in place
 * with the ignore file beside the Dockerfile (NAME.dockerignore) or the
 * context's .dockerignore, and its stat cache loaded from the store. */
berth_context *
berth_build_context_open(berth_store *s, const char *context, const char *dockerfile,
                         berth_error **err)
{
  cleanup_close int cfd = open(context, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cfd < 0)
    return berth_error_set(err, errno, "unable to prepare context: %s", context), NULL;
  const char *slash = strrchr(dockerfile, '/');
  cleanup_free char *dir
      = slash ? xstrndup(dockerfile, (size_t)(slash - dockerfile) + 1) : xstrdup(".");
  cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_error_set(err, errno, "open %s", dir), NULL;
  cleanup_context berth_context *ctx
      = berth_context_open(cfd, dfd, slash ? slash + 1 : dockerfile, err);
  if (ctx == NULL)
    return NULL;
  cleanup_free char *name = stat_cache_name(context);
  if (berth_context_cache_load(ctx, berth_store_root_fd(s), name, err) < 0)
    return NULL;
  return steal_pointer(&ctx);
}

/* Under the writer lock, as every atomic write in the store is, so that
 * the collection may sweep a killed save's temp file (store/gc.c). */
int
berth_build_context_save(berth_store *s, berth_context *ctx, berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  if (mkdirat(berth_store_root_fd(s), "builder", 0700) < 0 && errno != EEXIST)
    return berth_error_set(err, errno, "mkdir builder");
  return berth_context_cache_save(ctx, err);
}
