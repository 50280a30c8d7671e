/* The build context: a directory read in place (never copied), seen through
 * its .dockerignore as Docker's classic builder sees the tar the CLI sends.
 *
 * - Visibility: a path is in the context when the ignore rules do not
 *   exclude it (berth_ignore_excluded), or when it is an excluded directory
 *   the CLI's walk still enters for an exception (berth_ignore_must_walk).
 *   The Dockerfile and .dockerignore follow the same rule: the builder reads
 *   the Dockerfile itself, but an excluded one is not copied (Docker's
 *   daemon removes them from the context after reading them).
 * - Sources (COPY/ADD): Docker 20.10's copier.  A leading `/` and one `./`
 *   are dropped; a path whose lexical cleaning climbs out of the root is
 *   "forbidden path outside the build context: ../x ()"; symlinks are
 *   followed inside the context (a link to /etc means <context>/etc, as
 *   FollowSymlinkInScope does), so a link pointing out finds nothing there
 *   and fails as absent: "file not found in build context or excluded by
 *   .dockerignore: stat x: file does not exist".  A source with wildcards
 *   is matched with filepath.Match against every visible path of a sorted
 *   walk; no source at all is "no source files were specified".
 * - Hash: a SHA-256 over what a copy of the sources depends on (names,
 *   types, modes, owners, link targets, device numbers, security.capability,
 *   hard link structure, file contents), never times, so a fresh clone of
 *   the same tree hashes the same.  File contents go through a stat cache.
 * - Copy: Docker's rules for the destination, confined to a root dirfd. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/digest.h"
#include "common/error.h"
#include "dockerfile/ignore.h"

typedef struct berth_context berth_context;

/* Opens the context directory dirfd (dup'ed; the caller keeps its fd) with
 * the ignore file berth_ignore_load finds (dockerfile_dirfd and
 * dockerfile_name as there; dockerfile_dirfd < 0: dirfd). */
berth_context *berth_context_open(int dirfd, int dockerfile_dirfd, const char *dockerfile_name,
                                  berth_error **err);

/* The same with a matcher already made (taken over; NULL: nothing is
 * excluded). */
berth_context *berth_context_open_with(int dirfd, berth_ignore *ign, berth_error **err);

void berth_context_free(berth_context *ctx);
void berth_context_cleanup(berth_context **ctx);
#define cleanup_context __attribute__((cleanup(berth_context_cleanup)))

/* True when rel (relative, `/`-separated, clean, as a walk makes it; ""
 * the root) is in the context as Docker's builder would see it. */
bool berth_context_visible(const berth_context *ctx, const char *rel, bool is_dir);

/* One resolved COPY/ADD source. */
typedef struct berth_context_source {
  char *arg;      /* as written in the Dockerfile */
  char *path;     /* where it is in the context, symlinks followed ("" the root) */
  char *name;     /* the base name it gets in a directory destination (Docker's
                   * Base(source.path): the name written, not a link's target) */
  struct stat st; /* of path */
} berth_context_source;

typedef struct berth_context_sources {
  berth_context_source *v;
  size_t n;
} berth_context_sources;

void berth_context_sources_clear(berth_context_sources *s);

/* Resolves the sources of one COPY/ADD (args untrusted: straight from the
 * Dockerfile), appending to *out in Docker's order.  cmd ("COPY", "ADD")
 * starts the error messages as Docker's do: "COPY failed: ...". */
int berth_context_resolve(berth_context *ctx, const char *cmd, char *const *args, size_t nargs,
                          berth_context_sources *out, berth_error **err);

/* The digest of the sources for the cache key ("sha256:..."). */
int berth_context_hash(berth_context *ctx, const berth_context_sources *s,
                       char out[BERTH_DIGEST_LEN], berth_error **err);

/* The stat cache: dirfd/name (dirfd is dup'ed) holds, for each file hashed
 * before, its (dev, inode, size, mtime, ctime) and content digest, so an
 * unchanged file is not read again.  A missing or damaged file is an empty
 * cache.  Entries are only recorded for files whose ctime is older than
 * the timestamp granularity (racy ones, changed in the same tick as they
 * were read, are read again next time, as git does). */
int berth_context_cache_load(berth_context *ctx, int dirfd, const char *name, berth_error **err);

/* Writes the entries used since the cache was loaded, atomically. */
int berth_context_cache_save(berth_context *ctx, berth_error **err);

/* How many files' contents were read for hashing (tests). */
size_t berth_context_files_read(const berth_context *ctx);

/* The bytes Docker's client would send for this context as its tar
 * (context/tar_size.c): every entry it sees, plus the names in always
 * (NULL-terminated; the Dockerfile and .dockerignore, which the client
 * sends even when excluded) and, outside_len >= 0, a Dockerfile of that
 * size from outside the context. */
int berth_context_tar_size(berth_context *ctx, char *const *always, long long outside_len,
                           unsigned long long *size, berth_error **err);

typedef struct berth_context_copy_opts {
  const char *cmd; /* "COPY" (NULL) or "ADD", for messages */
  bool chown;      /* else everything copied is owned by 0:0, as in Docker */
  uid_t uid;
  gid_t gid;
  bool chmod; /* --chmod: mode for every file and directory copied */
  mode_t mode;
  bool unpack;     /* ADD: a local tar (plain, gzip, bzip2, xz, zstd) is unpacked */
  bool keep_owner; /* COPY --from without --chown: every copied entry keeps
                    * the owner it has in the source (Docker's
                    * preserveOwnership); made parents are still chown's */
} berth_context_copy_opts;

/* Docker's check before any copy: several sources need a destination that
 * ends in `/`: "When using COPY with more than one source file, the
 * destination must be a directory and end with a /". */
int berth_context_check_dest(const char *cmd, size_t nsources, const char *dest, berth_error **err);

/* Copies the sources to dest (a path in the image, untrusted, already
 * joined with WORKDIR by the caller, its trailing `/` kept) inside destroot,
 * every name resolved and written inside destroot.  Docker's rules: a
 * directory source copies its contents into dest (created); a file goes to
 * dest/NAME when dest ends in `/` or is a directory, else to dest; missing
 * parents are made 0755, a file's with the copy's owner, a directory's
 * and an archive's root's (a directory's destination itself the copy's
 * owner's), as Docker 20.10's copier makes them; modes (setuid too), times,
 * symlinks (as links), hard links within a source, fifos, devices and
 * security.capability are kept; owners become 0:0 or --chown's. */
int berth_context_copy(berth_context *ctx, const berth_context_sources *s, int destroot,
                       const char *dest, const berth_context_copy_opts *opts, berth_error **err);
