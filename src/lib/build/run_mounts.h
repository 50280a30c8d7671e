/* RUN's flags (BuildKit's, which Docker's classic builder lacks):
 * --mount=type=bind|cache|tmpfs|secret,… and --network=default|none|host.
 *
 * run_flags.c parses them as BuildKit's Dockerfile frontend does (a CSV
 * line of key=value fields, each value expanded with the step's variables;
 * its option names, defaults and words for bad ones).  run_mounts.c makes
 * what each mount needs on the host for one step, and undoes it:
 * - bind: from the context (the default), a copy of the source (resolved
 *   inside the context, .dockerignore applied) in the step's scratch dir,
 *   so a `rw` mount's writes are discarded with it; from a stage or an
 *   image, that image mounted (image/mount.h: read-only, or with a
 *   throw-away upper for rw) and the source resolved inside it;
 * - cache: a directory kept in the store, builder/cache/<sha256 of id>/,
 *   made in the scratch dir with its mode and owner and renamed into place
 *   (a crash never leaves a half-made one); sharing=locked holds an flock
 *   on it for the step, private uses a fresh one when another build holds
 *   it;
 * - tmpfs: a tmpfs of the given size (the runtime mounts it);
 * - secret: the --secret's bytes in a 0400 file of the scratch dir, gone
 *   after the step.
 * The scratch dir is the store's tmp/scratch-<random>/, flock()ed while the
 * step runs; one left by a killed build is removed by the next writer.
 * The mount points a mount needs but the image lacks are made in the
 * container's init layer (never in its upperdir), so nothing mounted, not
 * even an empty directory for it, can end up in the step's layer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "build/build_internal.h"
#include "container/container.h"
#include "container/create.h"

typedef enum berth_run_mount_type {
  BERTH_RUN_MOUNT_BIND,
  BERTH_RUN_MOUNT_CACHE,
  BERTH_RUN_MOUNT_TMPFS,
  BERTH_RUN_MOUNT_SECRET,
} berth_run_mount_type;

typedef struct berth_run_mount {
  berth_run_mount_type type;
  char *target;  /* absolute and clean (a relative one joined with WORKDIR) */
  char *source;  /* bind: in the context or the image, as written ("" the root) */
  char *from;    /* bind: a stage or image; NULL the context */
  char *id;      /* cache: its id (default: the target as written); secret: the id */
  char *sharing; /* cache: "shared" (default), "private", "locked" */
  bool readonly, required;
  bool has_mode, has_uid, has_gid;
  unsigned long mode, uid, gid;
  unsigned long long size; /* tmpfs: bytes, 0 no limit */
} berth_run_mount;

typedef struct berth_run_flags {
  berth_run_mount *mounts;
  size_t n_mounts;
  char *network; /* "default" (NULL too), "none", "host" */
} berth_run_flags;

/* Parses RUN's flags (in->flags, untrusted: straight from the Dockerfile),
 * each mount value expanded with env (the step's variables) and a relative
 * target joined with workdir.  Errors in BuildKit's words ("unsupported
 * mount type \"x\"", "invalid mount target \"/\"", "invalid network mode
 * \"x\""); a flag other than --mount and --network is "RUN --x is not yet
 * supported". */
int berth_build_run_flags_parse(char *const *flags, size_t n_flags, char escape, char *const *env,
                                const char *workdir, berth_run_flags *out, berth_error **err);
void berth_build_run_flags_clear(berth_run_flags *f);
/* The from= of a "--mount=…" flag as written (the plan's dependency on a
 * stage), NULL when it has none or is no --mount. */
char *berth_build_run_mount_from(const char *flag);

/* The words CREATED BY gets for the flags: "--mount=type=cache,target=/x
 * --network=none" (the parsed values, normalized); "" for none. */
char *berth_build_run_flags_words(const berth_run_flags *f);

/* One step's host side of its mounts. */
typedef struct berth_run_mounts berth_run_mounts;

/* Checks and resolves the step's mounts before anything is made: secrets
 * (a required one that --secret does not give fails: "secret X: not
 * found"), the bind sources (inside the context or the image: "../x" or a
 * link out fails as COPY's sources do), and appends to *key what the cache
 * key needs beyond the words: each context bind's content hash, each
 * from-image's id.  Nothing on disk yet. */
berth_run_mounts *berth_build_run_mounts_new(berth_build_state *st, const berth_run_flags *f,
                                             char ***key, berth_error **err);
/* Makes the host side (scratch dir, copies, image mounts, cache dirs,
 * secret files) and the mount list for berth_create_options. */
int berth_build_run_mounts_prepare(berth_build_state *st, berth_run_mounts *m,
                                   const berth_mount_spec **specs, size_t *n, berth_error **err);
/* Makes, in the container's init layer, the mount points the image lacks
 * (its rootfs mounted to resolve them, then unmounted). */
int berth_build_run_mounts_points(berth_build_state *st, berth_run_mounts *m, berth_container *c,
                                  berth_error **err);
/* Undoes prepare (secret files and copies removed, image mounts released,
 * cache locks dropped); frees m. */
void berth_build_run_mounts_free(berth_build_state *st, berth_run_mounts *m);
