/* The state of a build between its steps (build.c), shared by the step
 * kinds: step_meta.c (no container), step_run.c (RUN, WORKDIR: a container
 * and a commit), step_copy.c (COPY, ADD: the context copied into a
 * container's rootfs, then a commit) and cache.c. */
#pragma once

#include <jansson.h>

#include "build/build.h"
#include "container/container.h"
#include "context/context.h"
#include "dockerfile/parser.h"
#include "store/scratch.h"

typedef struct berth_build_arg {
  char *name;
  char *value; /* NULL: declared without a value */
} berth_build_arg;

/* One stage of a multi-stage Dockerfile (stages.c): a FROM and the
 * instructions after it up to the next FROM. */
typedef struct berth_build_stage {
  char *name;        /* `AS name`, lowercased; NULL: none */
  size_t first, end; /* its instructions [first, end) in the file; first is FROM */
  char *base;        /* FROM's image name, expanded with the ARGs before FROM */
  int base_stage;    /* FROM an earlier stage: its index; else -1 */
  int *deps;         /* the earlier stages its COPY --from name */
  size_t n_deps;
  bool needed; /* the target is or needs it */
  bool built;
  char image_id[BERTH_DIGEST_LEN]; /* its result once built; "" scratch alone */
} berth_build_stage;

/* The images a build may take layers from (cache_from.c). */
typedef struct berth_build_candidates berth_build_candidates;

typedef struct berth_build_state {
  berth_store *s;
  const berth_build_options *o;
  char escape;
  char image_id[BERTH_DIGEST_LEN]; /* the current image; "" before one exists */
  json_t *image;                   /* its whole config document */
  json_t *config;                  /* its Config, the step's working copy */
  berth_build_arg *args;           /* ARGs declared in this stage */
  size_t n_args;
  berth_build_arg *meta; /* ARGs before the first FROM */
  size_t n_meta;
  bool cmd_set; /* a CMD in this stage: ENTRYPOINT keeps Cmd */
  char *maintainer;
  int step, n_steps;
  int exit_code; /* a failed RUN's */
  berth_build_stage *stages;
  size_t n_stages;
  size_t cur;      /* the stage being built */
  size_t target;   /* the last stage built (--target's, else the last) */
  bool in_trigger; /* running FROM's ONBUILD triggers: no " ---> <id>" per step */
  berth_build_candidates *candidates; /* indexed at the first miss; NULL before */
} berth_build_state;

/* ---- stages (stages.c) ------------------------------------------------- */

/* An ARG before the first FROM: recorded for FROM and for a bare ARG after
 * it (build.c). */
int berth_build_meta_arg(berth_build_state *st, const berth_df_instruction *in, berth_error **err);
/* The "K=V" of the ARGs before FROM that have a value (NULL-terminated). */
char **berth_build_meta_env(const berth_build_state *st);
/* Splits the parsed file into stages, records the ARGs before the first
 * FROM, checks every FROM (`AS name`: valid, not used twice) and every
 * COPY --from that names a stage (an earlier one), finds target (NULL:
 * the last stage) and marks the stages it needs.  Errors carry
 * file:line (untrusted df). */
int berth_build_plan(berth_build_state *st, const berth_dockerfile *df, const char *file,
                     const char *target, berth_error **err);
void berth_build_stages_free(berth_build_state *st);
/* COPY --from's value (untrusted): an earlier stage by name or index (its
 * result), else an image name (resolved, pulled when missing, as FROM's).
 * 0 with id (*scratch: the stage has no image, an empty filesystem). */
int berth_build_from_source(berth_build_state *st, const char *from, char id[BERTH_DIGEST_LEN],
                            bool *scratch, berth_error **err);

typedef int (*berth_build_step_fn)(berth_build_state *st, const berth_df_instruction *in,
                                   berth_error **err);

void berth_build_emit(berth_build_state *st, berth_build_event_kind kind, const char *text,
                      const char *id);
/* The step function of an instruction keyword (lowercased). */
berth_build_step_fn berth_build_step_kind(const char *keyword);

/* The shell SHELL set, or ["/bin/sh", "-c"]: NULL-terminated, owned. */
char **berth_build_shell(const berth_build_state *st);
/* The "K=V" of every ARG in scope that has a value and no ENV of its name,
 * and of the proxy args --build-arg gives (Docker's builtins, in scope
 * with no ARG), sorted (NULL-terminated, owned); *n their number. */
char **berth_build_arg_env(const berth_build_state *st, size_t *n);
/* Whether the "K=V" of berth_build_arg_env goes into a RUN's CREATED BY:
 * a proxy arg (Docker's builtins) only when an ARG declares it. */
bool berth_build_arg_in_history(const berth_build_state *st, const char *kv);
/* Config.Env plus berth_build_arg_env: what the words of a step expand
 * with. */
char **berth_build_expand_env(const berth_build_state *st);

/* The metadata steps (step_meta.c). */
int berth_build_step_meta(berth_build_state *st, const berth_df_instruction *in, berth_error **err);
/* RUN and WORKDIR (step_run.c). */
int berth_build_step_run(berth_build_state *st, const berth_df_instruction *in, berth_error **err);
int berth_build_step_workdir(berth_build_state *st, const berth_df_instruction *in,
                             berth_error **err);

/* COPY and ADD (step_copy.c). */
int berth_build_step_copy(berth_build_state *st, const berth_df_instruction *in, berth_error **err);

/* A step that changes the rootfs without running anything (WORKDIR, COPY,
 * ADD): a container of the current image, never started, its rootfs
 * mounted and given to fn as a dirfd, then committed with created_by
 * (container_config's Cmd = cache_cmd, NULL-terminated) and removed, as
 * Docker's builder prints it: only " ---> <id>".  The new image is made
 * current. */
typedef int (*berth_build_fs_fn)(void *arg, int rootfd, berth_error **err);
int berth_build_fs_step(berth_build_state *st, char **cache_cmd, const char *created_by,
                        berth_build_fs_fn fn, void *arg, berth_error **err);
/* The strings of v joined by single spaces (NULL-terminated v). */
char *berth_build_join(char *const *v);

/* Writes the image of a step that adds no layer: the current image with
 * config, container_config (config with Cmd = cache_cmd), author and an
 * empty_layer history entry created_by; makes it current. */
int berth_build_write_nop_image(berth_build_state *st, json_t *config, json_t *container_config,
                                const char *created_by, berth_error **err);
/* Docker's updateRunConfig before every step (a trigger's too): the
 * Config's Image is the image the step starts from. */
void berth_build_update_run_config(berth_build_state *st);
/* Makes id the current image (loads it). */
int berth_build_set_image(berth_build_state *st, const char *id, berth_error **err);
/* container_config as Docker writes it for a step: config with Cmd = cmd
 * (NULL-terminated). */
json_t *berth_build_container_config(const json_t *config, char *const *cmd);

/* The cache (cache.c): a kept image whose parent is the current image,
 * whose last history entry was created_by and whose Config is config.
 * 1 with id set, 0 none. */
int berth_build_cache_find(berth_build_state *st, const char *created_by, const json_t *config,
                           char id[BERTH_DIGEST_LEN], berth_error **err);
/* The cache key's part that is not the parent: created_by plus the Config
 * (canonical JSON), for tests and the lookup. */
char *berth_build_cache_key(const char *created_by, const json_t *config);
/* A step's end: the cache when it has the image (" ---> Using cache"),
 * 1 then; 0 to build. */
int berth_build_try_cache(berth_build_state *st, const char *created_by, const json_t *config,
                          berth_error **err);

/* What a cached image must also match, beyond CREATED BY and Config. */
typedef struct berth_build_cache_want {
  char *const *cmd; /* its container_config.Cmd (NULL: not compared); COPY's
                     * names --from's source image there */
  bool from_image;  /* COPY --from (and RUN with flags): CREATED BY does not say it all, so only the
                     * kept images (whose Cmd tells) may serve it */
  bool root_owned;  /* COPY/ADD without --chown: an image built elsewhere
                     * serves only when every entry of its layer is 0:0 (or a
                     * directory the layers below have with its owner), for
                     * a COPY --from of files owned by others has the same
                     * CREATED BY */
} berth_build_cache_want;
int berth_build_try_cache_want(berth_build_state *st, const char *created_by, const json_t *config,
                               const berth_build_cache_want *want, berth_error **err);

/* The images built elsewhere as cache (cache_from.c): a candidate whose
 * history and layers start with exactly the current image's and whose
 * next history entry was created_by gives the step's image: the current
 * image + that layer (reused by chain ID) + config + that entry, or the
 * candidate itself when it is exactly that image.  Made current: 1; 0
 * none.  The candidates are indexed once per build. */
int berth_build_cache_from(berth_build_state *st, const char *created_by, const json_t *config,
                           bool root_owned, berth_error **err);
/* Whether a kept image may serve as cache: always, unless --cache-from
 * names the candidates; then only they and their ancestors. */
bool berth_build_cache_allowed(berth_build_state *st, const char *id);
void berth_build_candidates_free(berth_build_state *st);

/* ---- ONBUILD triggers (onbuild.c) -------------------------------------- */

/* Right after FROM: the triggers of the base image's Config.OnBuild run in
 * order as steps of their own (Docker 20.10's dispatchTriggeredOnBuild:
 * "# Executing 2 build triggers", each step's own lines but no " ---> <id>"
 * until the last), and OnBuild is cleared (null) in the stage's Config.
 * 0 when there is none. */
int berth_build_run_triggers(berth_build_state *st, berth_error **err);

/* ---- heredocs (heredoc.c) ---------------------------------------------- */

/* How a shell-form RUN with heredocs runs. */
typedef struct berth_build_run_heredoc {
  char *command;                /* the shell's command string */
  char *saved;                  /* what CREATED BY and the cache key have in its place */
  const berth_df_heredoc *pipe; /* a lone `#!` heredoc: run from
                                 * /dev/pipes/<name> (command is that path) */
} berth_build_run_heredoc;
/* The plan for RUN's line (untrusted: the shell form's text after the
 * flags) and its heredocs (see heredoc.c). */
int berth_build_run_heredoc_plan(const char *line, const berth_df_heredoc *docs, size_t n,
                                 berth_build_run_heredoc *out, berth_error **err);
void berth_build_run_heredoc_clear(berth_build_run_heredoc *h);
/* The pipe of a `#!` heredoc for container c (created, not yet prepared):
 * its file written into a scratch dir (*sc: the caller frees it after the
 * run) and bound read-only at /dev/pipes. */
int berth_build_heredoc_pipe(berth_build_state *st, berth_container *c, const berth_df_heredoc *doc,
                             berth_store_scratch **sc, berth_error **err);
/* A COPY body's expansion as BuildKit's (variables with env; quotes kept
 * as they are; `\` escapes).  Untrusted body. */
char *berth_build_heredoc_expand(const char *body, size_t len, char *const *env, berth_error **err);
/* Whether word, an argument of in, is one of its heredocs: true with *out
 * (name owned, content in's). */
bool berth_build_heredoc_word(const berth_df_instruction *in, const char *word,
                              berth_df_heredoc *out);

/* The heredoc sources of a COPY/ADD, as files in a context of their own. */
typedef struct berth_build_copy_heredocs {
  berth_store_scratch *scratch; /* their files; NULL none */
  berth_context *ctx;
  berth_context_sources srcs;
  size_t n;
} berth_build_copy_heredocs;
/* Marks in is_doc (n_args entries, zeroed) the source words of in that are
 * heredocs and writes their files (expanded with env unless quoted); an
 * error when the destination is a heredoc.  out->n: how many. */
int berth_build_copy_heredocs_open(berth_build_state *st, const berth_df_instruction *in,
                                   const char *cmd, char *const *env, bool *is_doc,
                                   berth_build_copy_heredocs *out, berth_error **err);
void berth_build_copy_heredocs_clear(berth_build_copy_heredocs *h);
