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
 *   the same tree hashes the same; and, in the same walk, Docker 20.10's
 *   own hash of each source (tarsums), for CREATED BY.  File contents and
 *   tarsums go through a stat cache.
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

/* Docker's hashes of the sources, as Docker 20.10's classic builder writes
 * them in CREATED BY (builder/dockerfile/copy.go over the tarsums of the
 * context the CLI sends, context/tarsum.c): per source "file:<tarsum>" of
 * the followed path, or "dir:" + sha256 of the sorted, comma-joined hashes
 * of the directory and every entry under it (the context's root itself
 * left out), each symlink there by the hash of what it points to (its own
 * path when that is not in the context), an excluded directory entered for
 * an exception by its path.  digest is berth_context_hash's.  partial: the
 * Docker hash leaves out something the copy depends on (a symlink's own
 * target or name, the contents behind a hard link entry, the links of a
 * rootfs), so a cache key needs digest too. */
typedef struct berth_context_hashes {
  char digest[BERTH_DIGEST_LEN];
  char **each; /* one per source, NULL-terminated */
  size_t n;
  bool partial;
} berth_context_hashes;

void berth_context_hashes_clear(berth_context_hashes *h);

int berth_context_hash_all(berth_context *ctx, const berth_context_sources *s,
                           berth_context_hashes *out, berth_error **err);

/* Marks ctx as an image's rootfs (COPY --from), hashed as Docker's
 * lazySource does: owners as they are, with the user and group names this
 * host gives them (Docker's daemon looks them up in its own /etc/passwd
 * and /etc/group, and its WriteV1Header keeps them), every file with its
 * contents (no hard link entries), a symlink to nothing by the path it
 * points to. */
void berth_context_set_rootfs(berth_context *ctx);

/* One tar header as tarsum v1 selects it (context/tarsum.c). */
typedef struct berth_tarsum_header {
  const char *name;   /* a directory's ends in "/" */
  unsigned long mode; /* permissions, setuid/setgid/sticky and Go 1.8's type bits */
  unsigned long uid, gid;
  long long size;
  char typeflag; /* '0' '1' '2' '3' '4' '5' '6' */
  const char *linkname;
  const char *uname, *gname; /* NULL: "" */
  unsigned long devmajor, devminor;
  const char *cap; /* security.capability's value, cap_len bytes (NULL: none) */
  size_t cap_len;
} berth_tarsum_header;

/* Writes the header's part of the sum into h (then the data follows). */
void berth_tarsum_header_write(berth_sha256 *h, const berth_tarsum_header *t);

/* The header of st under name (not linkname, cap). */
void berth_tarsum_header_from_stat(berth_tarsum_header *t, const char *name, const struct stat *st);

/* The tarsum of one entry with its data. */
void berth_tarsum(const berth_tarsum_header *t, const void *data, size_t len,
                  char hex[BERTH_SHA256_HEX_LEN + 1]);

/* Docker's hashStringSlice: prefix + ":" + hex sha256 of v joined by ","
 * (sorted first when sorted). */
char *berth_tarsum_join(const char *prefix, char *const *v, size_t n, bool sorted);

/* The stat cache: dirfd/name (dirfd is dup'ed) holds, for each file hashed
 * before, its (dev, inode, size, mtime, ctime) and content digest, so an
 * unchanged file is not read again.  A missing or damaged file is an empty
 * cache.  An entry also keeps the file's tarsum and the name it was
 * computed under (valid for that name only).  Entries are only recorded for files whose ctime is
 * older than the timestamp granularity (racy ones, changed in the same tick as they were read, are
 * read again next time, as git does). */
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
