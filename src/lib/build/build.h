/* `build`: a Dockerfile to an image, step by step, as Docker 20.10's
 * classic builder does it (SPEC §5): every step runs on the image of the
 * step before and leaves an image of its own (imagedb parent = that image),
 * which is also the build cache.  RUN is a container plus a commit; the
 * metadata steps (CMD, ENV, LABEL, …) write an image with no layer and need
 * no container at all. */
#pragma once

#include "network/network.h"

#include <stdbool.h>

#include "common/digest.h"
#include "common/error.h"
#include "context/context.h"
#include "store/store.h"

typedef enum berth_build_event_kind {
  BERTH_BUILD_STEP,     /* "Step 2/5 : RUN …" (text: the instruction) */
  BERTH_BUILD_IMAGE,    /* " ---> <id>": a step's resulting image (id) */
  BERTH_BUILD_CACHED,   /* " ---> Using cache" */
  BERTH_BUILD_RUNNING,  /* " ---> Running in <id>" (id: the container) */
  BERTH_BUILD_REMOVING, /* "Removing intermediate container <id>" */
  BERTH_BUILD_NOTE,     /* a line of its own (text) */
} berth_build_event_kind;

typedef struct berth_build_event {
  berth_build_event_kind kind;
  int step, n_steps; /* 1-based */
  const char *text;
  const char *id; /* full image id "sha256:…" or container id */
} berth_build_event;

typedef void (*berth_build_event_fn)(void *ctx, const berth_build_event *ev);

/* Resolves FROM's image name to a local image id, pulling it when missing
 * (the CLI's part: pull prints its progress). */
typedef int (*berth_build_resolve_fn)(void *ctx, const char *name, char id[BERTH_DIGEST_LEN],
                                      berth_error **err);

/* FROM's image for a platform (the CLI's part, as resolve): platform is
 * normalized "os/arch[/variant]" or NULL (any local image; the host's when
 * pulled); pull: pull even when present (--pull).  A local image of
 * another platform is pulled for the one asked. */
typedef int (*berth_build_base_fn)(void *ctx, const char *name, const char *platform, bool pull,
                                   char id[BERTH_DIGEST_LEN], berth_error **err);

/* A --secret the CLI read (id=X,src=FILE): RUN --mount=type=secret,id=X
 * sees data as a file; it is never in an image, its history or the cache
 * key. */
typedef struct berth_build_secret {
  const char *id;
  const char *data;
  size_t len;
} berth_build_secret;

typedef struct berth_build_options {
  const char *dockerfile;      /* its bytes ... */
  size_t dockerfile_len;       /* ... (untrusted) */
  const char *dockerfile_name; /* as errors call it: "Dockerfile" */
  berth_context *context;      /* COPY/ADD's sources (the caller's, opened once,
                                * its stat cache loaded); NULL: none */
  char **build_args;           /* "K=V", NULL-terminated (the CLI resolves bare K) */
  char **labels;               /* --label "K=V", NULL-terminated */
  const char *target;          /* --target STAGE (untrusted); NULL: the last */
  bool no_cache;
  char **cache_from;    /* --cache-from image ids, NULL-terminated: the only
                         * candidates; NULL: every image with no local parent */
  bool keep_containers; /* --rm=false */
  bool force_rm;        /* also remove the container of a failed step */
  bool quiet;           /* the commands' own output is not shown */
  const char *runtime;  /* NULL: the default */

  /* the steps' default seccomp profile (the seccomp-profile key); NULL:
   * seccomp.h's */
  const char *seccomp_profile;

  /* RUN's --network (create.h's network modes; NULL: host) and the
   * configuration's bridge, and --secret's */
  const char *network;
  const berth_network_config *network_config;
  const berth_build_secret *secrets;
  size_t n_secrets;

  berth_build_event_fn on_event;
  void *event_ctx;
  berth_build_resolve_fn resolve;
  void *resolve_ctx;
  const char *platform;             /* --platform (untrusted): FROM's unless it has its own */
  bool pull;                        /* --pull: FROM's images always pulled */
  berth_build_base_fn resolve_base; /* FROM's image (resolve_ctx); NULL: resolve */
} berth_build_options;

/* The platform a FROM asks for (untrusted text, already expanded): parsed
 * and normalized as Docker's platforms.Parse ("failed to parse platform
 * P: …"); NULL with no error for "". */
char *berth_build_platform(const char *text, berth_error **err);

/* Whether image id (in s) is of platform (normalized, or a compatible
 * older one, as containerd's platforms.Only); *actual gets the image's
 * "os/arch[/variant]". 1 yes, 0 no, -1 error. */
int berth_build_image_platform_is(berth_store *s, const char *id, const char *platform,
                                  char **actual, berth_error **err);

/* Builds; id_out gets the final image's id.  A RUN that exits non-zero
 * fails the build with Docker's words ("The command '/bin/sh -c exit 3'
 * returned a non-zero code: 3") and *exit_code set to its code (else 0);
 * the images of the steps before stay. */
int berth_build(berth_store *s, const berth_build_options *o, char id_out[BERTH_DIGEST_LEN],
                int *exit_code, berth_error **err);

/* ---- pieces the steps share (build_internal.h has the state) ------------ */

/* Go's fmt %q of a []string: ["a" "b\n"] (strconv.Quote per element). */
char *berth_build_go_quote_list(char *const *v, size_t n);
/* Go's fmt %v of a []string: [a b]. */
char *berth_build_go_list(char *const *v, size_t n);
/* Go's time.Duration.String() of ns: "1m30s", "0s", "1.5s", "500ms". */
char *berth_build_go_duration(long long ns);
/* Go's time.ParseDuration: 0 with *ns, or -1 (untrusted s). */
int berth_build_parse_duration(const char *s, long long *ns);
