/* .dockerignore: which paths of a build context are left out, as Docker
 * decides it (moby/patternmatcher and its ignorefile reader).
 *
 * A file is read as ignorefile.ReadAll reads it: a UTF-8 BOM is dropped, a
 * line starting with `#` is a comment (only in the first column), every other
 * line is trimmed of white space, blank lines are skipped, and each pattern
 * (after a leading `!`, itself trimmed) is cleaned like Go's filepath.Clean
 * with one leading `/` removed, so `/a/./b/` and `a/b` are the same pattern.
 *
 * The patterns are then compiled as patternmatcher.New does: `!` alone is an
 * error, a malformed pattern is "syntax error in pattern".  Matching follows
 * Docker's: `*` is any run of characters but `/`, `?` one character but `/`,
 * `[a-z]` / `[^a-z]` a character class, `\x` the character x, `**` any number
 * of directories (`**` at the start matches any suffix, at the end any
 * prefix); later patterns override earlier ones, `!` exceptions re-include,
 * and a pattern that matches a parent directory excludes everything under it.
 *
 * Where Docker's regexp translation leaks regexp syntax into patterns (`\d`,
 * `*` inside brackets, `[[:alpha:]]`), berth keeps filepath.Match's meaning
 * instead; see ignore.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef struct berth_ignore berth_ignore;

/* How a pattern is matched, as patternmatcher classifies it. */
typedef enum berth_ignore_kind {
  BERTH_IGNORE_EXACT,  /* no wildcards: the path equals the pattern */
  BERTH_IGNORE_PREFIX, /* `dir/` then `**`: the path starts with `dir/` */
  BERTH_IGNORE_SUFFIX, /* `**` then `/name`: the path ends with `/name` (or is `name`) */
  BERTH_IGNORE_GLOB,   /* anything else */
} berth_ignore_kind;

/* The patterns of a .dockerignore's bytes (untrusted: any bytes, any
 * length) as ignorefile.ReadAll returns them, `!` exceptions still prefixed,
 * `!` alone kept (berth_ignore_new refuses it): a NULL-terminated array,
 * *n (may be NULL) its length.  Errors: a NUL byte or a line over 64 KiB
 * (Go's bufio.Scanner limit), named as "NAME line N". */
char **berth_ignore_read(const char *data, size_t len, const char *name, size_t *n,
                         berth_error **err);

/* A matcher from n patterns (untrusted) as patternmatcher.New takes them:
 * each trimmed and cleaned, empty ones skipped, a leading `!` an exception.
 * Every pattern is compiled here, so matching never fails. */
berth_ignore *berth_ignore_new(char *const *patterns, size_t n, berth_error **err);

/* berth_ignore_read then berth_ignore_new; errors name NAME and the line. */
berth_ignore *berth_ignore_parse(const char *data, size_t len, const char *name, berth_error **err);

void berth_ignore_free(berth_ignore *ign);
void berth_ignore_cleanup(berth_ignore **ign);
#define cleanup_ignore __attribute__((cleanup(berth_ignore_cleanup)))

/* True when path (relative to the context root, `/`-separated, as a walk
 * produces it) is excluded: the last pattern that matches it or one of its
 * parent directories decides (MatchesOrParentMatches). */
bool berth_ignore_excluded(const berth_ignore *ign, const char *path);

/* The same without parent matching (MatchesExact). */
bool berth_ignore_excluded_exact(const berth_ignore *ign, const char *path);

/* True when some pattern is a `!` exception (Exclusions()). */
bool berth_ignore_has_exceptions(const berth_ignore *ign);

/* For an excluded directory dir: true when the context walk must still
 * descend into it because an exception may re-include something below, by
 * Docker's own test (pkg/archive): some exception, plus "/", starts with
 * "dir/".  As in Docker, an exception with a wildcard before dir's depth
 * (`!*\/keep`, `!**\/keep`) does not count, so what it would re-include in
 * an excluded directory stays out. */
bool berth_ignore_must_walk(const berth_ignore *ign, const char *dir);

/* The compiled patterns: their number, and pattern i as cleaned (without its
 * `!`), whether it is an exception and how it is matched. */
size_t berth_ignore_count(const berth_ignore *ign);
const char *berth_ignore_pattern(const berth_ignore *ign, size_t i, bool *exception,
                                 berth_ignore_kind *kind);

/* The ignore file BuildKit reads beside a Dockerfile named `name` before the
 * context's .dockerignore: "NAME.dockerignore". */
char *berth_ignore_dockerfile_specific(const char *dockerfile_name);

/* The matcher of a build: dockerfile_dirfd/NAME.dockerignore where it
 * exists (NAME is dockerfile_name, a path relative to dockerfile_dirfd;
 * NULL: "Dockerfile"), else context_dirfd/.dockerignore, else no patterns.
 * Both are opened inside their directory (a symlink cannot lead out) and
 * must be regular files of at most 16 MiB.  *used (may be NULL) gets the
 * name of the file read, or NULL. */
berth_ignore *berth_ignore_load(int context_dirfd, int dockerfile_dirfd,
                                const char *dockerfile_name, char **used, berth_error **err);
