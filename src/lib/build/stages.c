/* Multi-stage builds: the stages of a Dockerfile, checked and planned
 * before any step runs, and COPY --from's source.
 *
 * As Docker's classic builder: a stage is named by `FROM … AS name`
 * (case-insensitive, ^[a-z][a-z0-9-_.]*$) or by its index; `FROM name`
 * of an earlier stage bases the stage on that stage's result; COPY
 * --from takes an earlier stage or, when no stage has that name, an
 * image (pulled when missing, as FROM).  Unlike the classic builder,
 * which builds every stage up to the target, only the stages the target
 * needs (through FROM and COPY --from) are built, as BuildKit does; the
 * steps keep their numbers over the whole file.  A name or index of the
 * current or a later stage is refused before anything is built (Docker
 * would look it up as an image, or fail midway). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/build_internal.h"
#include "build/run_mounts.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "dockerfile/expand.h"

void
berth_build_stages_free(berth_build_state *st)
{
  for (size_t i = 0; i < st->n_stages; i++) {
    free(st->stages[i].name);
    free(st->stages[i].base);
    free(st->stages[i].deps);
  }
  free(st->stages);
  st->stages = NULL;
  st->n_stages = 0;
}

char **
berth_build_meta_env(const berth_build_state *st)
{
  char **menv = xcalloc(st->n_meta + 1, sizeof *menv);
  size_t k = 0;
  for (size_t i = 0; i < st->n_meta; i++)
    if (st->meta[i].value != NULL)
      menv[k++] = xasprintf("%s=%s", st->meta[i].name, st->meta[i].value);
  return menv;
}

/* Docker's parseBuildStageName rule (name already lowercased). */
static bool
valid_stage_name(const char *n)
{
  if (!(n[0] >= 'a' && n[0] <= 'z'))
    return false;
  for (const char *p = n + 1; *p != '\0'; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'
          || *p == '.'))
      return false;
  return true;
}

static char *
lower(const char *s)
{
  char *l = xstrdup(s);
  for (char *p = l; *p != '\0'; p++)
    *p = (char)tolower((unsigned char)*p);
  return l;
}

static bool
all_digits(const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s != '\0'; s++)
    if (!isdigit((unsigned char)*s))
      return false;
  return true;
}

/* The stage ref names among all stages: its index, or -1 (none, an
 * image).  By name (case-insensitive) first, then as an index, as
 * Docker's stagesBuildResults.get. */
static long
find_stage(const berth_build_state *st, const char *ref)
{
  cleanup_free char *l = lower(ref);
  for (size_t i = 0; i < st->n_stages; i++)
    if (st->stages[i].name != NULL && strcmp(st->stages[i].name, l) == 0)
      return (long)i;
  if (all_digits(ref) && strlen(ref) < 10)
    return strtol(ref, NULL, 10);
  return -1;
}

/* A stage's FROM: its name checked and recorded. */
static int
plan_from(berth_build_state *st, const berth_df_instruction *in, berth_build_stage *sg,
          berth_error **err)
{
  if (in->n_args != 1 && !(in->n_args == 3 && strcasecmp(in->args[1], "as") == 0))
    return berth_error_set(err, 0, "FROM requires either one or three arguments");
  if (in->n_args == 3) {
    cleanup_free char *name = lower(in->args[2]);
    if (!valid_stage_name(name))
      return berth_error_set(err, 0,
                             "invalid name for build stage: \"%s\", name can't start with a "
                             "number or contain symbols",
                             name);
    for (size_t i = 0; i + 1 < st->n_stages; i++)
      if (st->stages[i].name != NULL && strcmp(st->stages[i].name, name) == 0)
        return berth_error_set(err, 0,
                               "duplicate name for build stage: \"%s\": the name of stage %zu "
                               "already",
                               name, i);
    sg->name = steal_pointer(&name);
  }
  cleanup_strv char **menv = berth_build_meta_env(st);
  cleanup_free char *base = berth_df_expand_word(in->args[0], st->escape, menv, err);
  if (base == NULL)
    return -1;
  if (*base == '\0')
    return berth_error_set(err, 0, "base name (%s) should not be blank", in->args[0]);
  sg->base = steal_pointer(&base);
  return 0;
}

/* The earlier stages a stage's FROM and COPY --from name, checked once
 * every stage's name is known. */
static int
plan_refs(berth_build_state *st, const berth_dockerfile *df, size_t k, const char *file,
          berth_error **err)
{
  berth_build_stage *sg = &st->stages[k];
  const berth_df_instruction *from = &df->instructions[sg->first];
  cleanup_free char *lbase = lower(sg->base);
  for (size_t i = 0; i < st->n_stages; i++) {
    if (st->stages[i].name == NULL || strcmp(st->stages[i].name, lbase) != 0)
      continue;
    if (i < k) {
      sg->base_stage = (int)i;
    } else if (i > k) { /* a cycle, or an image of that name Docker would pull */
      berth_error_set(err, 0,
                      "base name (%s) refers to build stage %zu, which comes later: a stage "
                      "can only be based on an earlier one",
                      sg->base, i);
      return berth_error_prefix(err, "%s:%d", file, from->start_line);
    }
    /* i == k: `FROM busybox AS busybox` is the image */
  }
  for (size_t j = sg->first + 1; j < sg->end; j++) {
    const berth_df_instruction *in = &df->instructions[j];
    bool run = strcmp(in->keyword, "run") == 0; /* RUN --mount=…,from= */
    if (strcmp(in->keyword, "copy") != 0 && !run)
      continue;
    for (size_t f = 0; f < in->n_flags; f++) {
      cleanup_free char *mfrom = run ? berth_build_run_mount_from(in->flags[f]) : NULL;
      if (run ? mfrom == NULL : strncmp(in->flags[f], "--from=", 7) != 0)
        continue;
      const char *v = run ? mfrom : in->flags[f] + 7;
      long ix = find_stage(st, v);
      if (ix < 0)
        continue; /* an image */
      const char *why = ix == (long)k  ? "refers to current build stage"
                        : ix > (long)k ? "refers to a future build stage"
                                       : NULL;
      if (why != NULL) {
        berth_error_set(err, 0, "invalid from flag value %s: %s", v, why);
        return berth_error_prefix(err, "%s:%d", file, in->start_line);
      }
      sg->deps = xrealloc(sg->deps, (sg->n_deps + 1) * sizeof *sg->deps);
      sg->deps[sg->n_deps++] = (int)ix;
    }
  }
  return 0;
}

int
berth_build_plan(berth_build_state *st, const berth_dockerfile *df, const char *file,
                 const char *target, berth_error **err)
{
  for (size_t i = 0; i < df->n_instructions; i++) {
    const berth_df_instruction *in = &df->instructions[i];
    if (strcmp(in->keyword, "from") == 0) {
      st->stages = xrealloc(st->stages, (st->n_stages + 1) * sizeof *st->stages);
      berth_build_stage *sg = &st->stages[st->n_stages++];
      *sg = (berth_build_stage){ .first = i, .end = df->n_instructions, .base_stage = -1 };
      if (st->n_stages > 1)
        st->stages[st->n_stages - 2].end = i;
      if (plan_from(st, in, sg, err) < 0)
        return berth_error_prefix(err, "%s:%d", file, in->start_line);
    } else if (st->n_stages == 0 && strcmp(in->keyword, "arg") == 0) {
      if (berth_build_meta_arg(st, in, err) < 0)
        return berth_error_prefix(err, "%s:%d", file, in->start_line);
    }
  }
  if (st->n_stages == 0)
    return berth_error_set(err, 0, "%s: no FROM instruction", file);
  for (size_t k = 0; k < st->n_stages; k++)
    if (plan_refs(st, df, k, file, err) < 0)
      return -1;
  st->target = st->n_stages - 1;
  if (target != NULL) {
    long t = -1;
    cleanup_free char *lt = lower(target);
    for (size_t i = 0; i < st->n_stages && t < 0; i++)
      if (st->stages[i].name != NULL && strcmp(st->stages[i].name, lt) == 0)
        t = (long)i;
    if (t < 0)
      return berth_error_set(err, 0, "failed to reach build target %s in Dockerfile", target);
    st->target = (size_t)t;
  }
  /* every reference points earlier: one pass from the target down */
  st->stages[st->target].needed = true;
  for (size_t k = st->target + 1; k-- > 0;) {
    berth_build_stage *sg = &st->stages[k];
    if (!sg->needed)
      continue;
    if (sg->base_stage >= 0)
      st->stages[sg->base_stage].needed = true;
    for (size_t d = 0; d < sg->n_deps; d++)
      st->stages[sg->deps[d]].needed = true;
  }
  return 0;
}

int
berth_build_from_source(berth_build_state *st, const char *from, char id[BERTH_DIGEST_LEN],
                        bool *scratch, berth_error **err)
{
  *scratch = false;
  long ix = find_stage(st, from);
  if (ix >= 0 && (size_t)ix < st->cur) {
    const berth_build_stage *sg = &st->stages[ix];
    if (!sg->built) /* the plan marks every stage COPY --from names */
      return berth_error_set(err, 0, "invalid from flag value %s: stage %ld was not built", from,
                             ix);
    if (sg->image_id[0] == '\0')
      *scratch = true;
    snprintf(id, BERTH_DIGEST_LEN, "%s", sg->image_id);
    return 0;
  }
  if (ix >= 0) /* the plan refuses these */
    return berth_error_set(err, 0, "invalid from flag value %s: refers to a future build stage",
                           from);
  if (st->o->resolve == NULL)
    return berth_error_set(err, ENOENT, "invalid from flag value %s: No such image: %s", from,
                           from);
  if (st->o->resolve(st->o->resolve_ctx, from, id, err) < 0)
    return berth_error_prefix(err, "invalid from flag value %s", from);
  return 0;
}
