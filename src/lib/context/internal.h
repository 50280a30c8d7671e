/* Shared between the context's files; not part of its API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/safe_open.h"
#include "context/context.h"

struct berth_stat_entry;

/* A regular file with more links: its first name in the walk of the CLI's
 * tar (the later ones are hard link entries naming it). */
typedef struct berth_ctx_link {
  dev_t dev;
  ino_t ino;
  char *name;
} berth_ctx_link;

struct berth_context {
  int dirfd;
  berth_ignore *ign;
  berth_safe_open_mode mode;
  /* the stat cache: open addressing on (dev, ino) */
  struct berth_stat_entry *tab;
  size_t cap, used;
  bool dirty; /* an entry was recorded since the cache was loaded or saved */
  int cache_dirfd;
  char *cache_name;
  size_t files_read;
  bool rootfs; /* berth_context_set_rootfs */
  /* the last owner names looked up for a rootfs's tarsum */
  long last_uid, last_gid;
  char *last_uname, *last_gname;
  /* the first names of the files with more links, walked once when a hash
   * first meets one (berth_ctx_first_link) */
  bool links_done;
  berth_ctx_link *links;
  size_t n_links;
};

/* Resolves path (untrusted) inside rootfd as FollowSymlinkInScope does:
 * symlinks are followed inside the root (the last one too when
 * follow_last), ".." stops at the root, the part that does not exist is
 * kept as written (cleaned).  visible (may be NULL) hides existing paths
 * (they count as absent).  Returns the clean relative path ("" the root);
 * *exists says whether it exists. */
typedef bool (*berth_ctx_visible_fn)(void *arg, const char *rel, const struct stat *st);
char *berth_ctx_resolve(int rootfd, const char *path, bool follow_last,
                        berth_ctx_visible_fn visible, void *arg, bool *exists, berth_error **err);

/* One visible entry of a directory of the context. */
typedef struct berth_ctx_entry {
  char *name;
  struct stat st;
  bool implicit; /* an excluded directory entered only for an exception:
                  * in Docker's context it exists (made 0755 by the
                  * untar) only when something under it is visible */
} berth_ctx_entry;

/* The visible entries of dirfd (the context's directory rel), sorted by
 * name (byte order, as Go's Walk). */
int berth_ctx_list(berth_context *ctx, int dirfd, const char *rel, berth_ctx_entry **out, size_t *n,
                   berth_error **err);
void berth_ctx_entries_free(berth_ctx_entry *v, size_t n);

/* True when the implicit directory rel (dirfd open on it) holds something
 * visible. */
bool berth_ctx_has_visible(berth_context *ctx, int dirfd, const char *rel);

/* "a" + "/" + "b", or "b" when a is "". */
char *berth_ctx_join(const char *a, const char *b);

/* The name the CLI's tar gives first to the inode of st (*first NULL when
 * it is not a visible regular file with more links); the whole context is
 * walked (stat only) the first time. */
int berth_ctx_first_link(berth_context *ctx, const struct stat *st, const char **first,
                         berth_error **err);

/* Frees the stat cache's entries (hash.c). */
void berth_ctx_cache_free(berth_context *ctx);

/* berth's digest (hex) of the regular file dirfd/name (rel in the
 * context), lstat'ed as *st: its contents and security.capability; and, th
 * not NULL, its tarsum with the header th (its capability filled in here):
 * from the stat cache when its stat matches (and the tarsum was computed
 * for th's name), else read (stat_cache.c). */
int berth_ctx_file_digest(berth_context *ctx, int dirfd, const char *name, const char *rel,
                          const struct stat *st, char hex[BERTH_SHA256_HEX_LEN + 1],
                          const berth_tarsum_header *th, char tsum[BERTH_SHA256_HEX_LEN + 1],
                          berth_error **err);
