/* The step loop: parse, check, then one step per instruction, each on the
 * image the step before left (build_internal.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/build_internal.h"
#include "common/cleanup.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "dockerfile/expand.h"
#include "image/config.h"
#include "image/container_config.h"
#include "store/image.h"
#include "store/image_load.h"

void
berth_build_emit(berth_build_state *st, berth_build_event_kind kind, const char *text,
                 const char *id)
{
  if (st->o->on_event == NULL || (st->in_trigger && kind == BERTH_BUILD_IMAGE))
    return;
  berth_build_event ev
      = { .kind = kind, .step = st->step, .n_steps = st->n_steps, .text = text, .id = id };
  st->o->on_event(st->o->event_ctx, &ev);
}

char **
berth_build_shell(const berth_build_state *st)
{
  json_t *sh = json_object_get(st->config, "Shell");
  size_t n = json_array_size(sh);
  if (n == 0) {
    char **v = xcalloc(3, sizeof *v);
    v[0] = xstrdup("/bin/sh"), v[1] = xstrdup("-c");
    return v;
  }
  char **v = xcalloc(n + 1, sizeof *v);
  for (size_t i = 0; i < n; i++)
    v[i] = xstrdup(json_string_value(json_array_get(sh, i)) ?: "");
  return v;
}

/* The value --build-arg gives name: 1 with *value, 0 none. */
static int
option_arg(const berth_build_state *st, const char *name, const char **value)
{
  size_t l = strlen(name);
  for (char **a = st->o->build_args; a != NULL && *a != NULL; a++)
    if (strncmp(*a, name, l) == 0 && (*a)[l] == '=') {
      *value = *a + l + 1;
      return 1;
    }
  return 0;
}

/* An ARG's value as Docker's BuildArgs.getBuildArg gives it: --build-arg,
 * else its default, else (declared bare) the ARG before FROM's. */
static const char *
arg_value(const berth_build_state *st, const berth_build_arg *a, const berth_build_arg *meta,
          size_t n_meta)
{
  const char *v;
  if (option_arg(st, a->name, &v))
    return v;
  if (a->value != NULL)
    return a->value;
  for (size_t i = 0; i < n_meta; i++)
    if (strcmp(meta[i].name, a->name) == 0)
      return meta[i].value;
  return NULL;
}

static bool
env_has(const json_t *env, const char *name)
{
  size_t i, l = strlen(name);
  json_t *e;
  json_array_foreach(env, i, e)
  {
    const char *s = json_string_value(e);
    if (s != NULL && strncmp(s, name, l) == 0 && (s[l] == '=' || s[l] == '\0'))
      return true;
  }
  return false;
}

/* Docker's builtinAllowedBuildArgs: given with --build-arg they are in
 * scope without an ARG, and left out of CREATED BY unless declared. */
static const char *const builtin_args[]
    = { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
        "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy" };

static bool
declared(const berth_build_state *st, const char *name, size_t len)
{
  for (size_t i = 0; i < st->n_args; i++)
    if (strlen(st->args[i].name) == len && strncmp(st->args[i].name, name, len) == 0)
      return true;
  return false;
}

bool
berth_build_arg_in_history(const berth_build_state *st, const char *kv)
{
  const char *eq = strchr(kv, '=');
  size_t len = eq ? (size_t)(eq - kv) : strlen(kv);
  if (declared(st, kv, len))
    return true;
  for (size_t i = 0; i < sizeof builtin_args / sizeof builtin_args[0]; i++)
    if (strlen(builtin_args[i]) == len && strncmp(builtin_args[i], kv, len) == 0)
      return false;
  return true;
}

char **
berth_build_arg_env(const berth_build_state *st, size_t *n)
{
  size_t n_builtin = sizeof builtin_args / sizeof builtin_args[0];
  char **v = xcalloc(st->n_args + n_builtin + 1, sizeof *v);
  size_t k = 0;
  json_t *env = json_object_get(st->config, "Env");
  for (size_t i = 0; i < st->n_args; i++) {
    const char *val = arg_value(st, &st->args[i], st->meta, st->n_meta);
    bool dup = false;
    for (size_t j = i + 1; j < st->n_args; j++)
      dup = dup || strcmp(st->args[j].name, st->args[i].name) == 0;
    if (val == NULL || dup || env_has(env, st->args[i].name))
      continue;
    v[k++] = xasprintf("%s=%s", st->args[i].name, val);
  }
  for (size_t i = 0; i < n_builtin; i++) {
    const char *val;
    if (!declared(st, builtin_args[i], strlen(builtin_args[i]))
        && option_arg(st, builtin_args[i], &val) && !env_has(env, builtin_args[i]))
      v[k++] = xasprintf("%s=%s", builtin_args[i], val);
  }
  qsort(v, k, sizeof *v, berth_strcmp_qsort);
  if (n != NULL)
    *n = k;
  return v;
}

char **
berth_build_expand_env(const berth_build_state *st)
{
  json_t *env = json_object_get(st->config, "Env");
  size_t n_args = 0;
  cleanup_strv char **args = berth_build_arg_env(st, &n_args);
  char **v = xcalloc(json_array_size(env) + n_args + 1, sizeof *v);
  size_t k = 0, i;
  json_t *e;
  json_array_foreach(env, i, e) v[k++] = xstrdup(json_string_value(e) ?: "");
  for (i = 0; i < n_args; i++)
    v[k++] = steal_pointer(&args[i]);
  return v;
}

int
berth_build_set_image(berth_build_state *st, const char *id, berth_error **err)
{
  cleanup_free char *raw = NULL;
  size_t len = 0;
  int r = berth_store_image_get(st->s, id, &raw, &len, err);
  if (r <= 0)
    return r < 0 ? -1 : berth_error_set(err, ENOENT, "No such image: %s", id);
  json_t *doc = json_loadb(raw, len, 0, NULL);
  if (!json_is_object(doc)) {
    json_decref(doc);
    return berth_error_set(err, 0, "image %s: config is not a JSON object", id);
  }
  json_decref(st->image);
  json_decref(st->config);
  st->image = doc;
  /* as Docker's daemon re-encodes it (every key of its container.Config:
   * "User": "", "WorkingDir": "" …), so the steps write Docker's Config */
  st->config = berth_container_config_json(json_object_get(doc, "config"));
  snprintf(st->image_id, sizeof st->image_id, "%s", id);
  return 0;
}

void
berth_build_update_run_config(berth_build_state *st)
{
  json_object_set_new(st->config, "Image", json_string(st->image_id));
}

/* The default PATH Docker's builder adds to a stage's Env that has none. */
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* FROM's --platform (expanded with the ARGs before FROM, as Docker's
 * dispatchFrom), else build --platform: normalized, or NULL for none. */
static int
from_platform(berth_build_state *st, const berth_df_instruction *in, char **out, berth_error **err)
{
  const char *text = st->o->platform;
  cleanup_free char *expanded = NULL;
  for (size_t i = 0; i < in->n_flags; i++) {
    if (strncmp(in->flags[i], "--platform=", 11) != 0)
      return berth_error_set(err, 0, "Unknown flag: %s", in->flags[i] + 2);
    cleanup_strv char **menv = berth_build_meta_env(st);
    free(expanded);
    expanded = berth_df_expand_word(in->flags[i] + 11, st->escape, menv, err);
    if (expanded == NULL)
      return berth_error_prefix(err, "failed to process arguments for platform %s",
                                in->flags[i] + 11);
    text = expanded;
  }
  berth_error *local = NULL;
  *out = berth_build_platform(text, &local);
  if (*out == NULL && local != NULL)
    return berth_error_propagate(err, &local);
  return 0;
}

/* Starts stage st->cur at its FROM: the stage's state cleared, then its
 * base: an earlier stage's result, scratch, or the image (pulled by the
 * resolver when missing), its name expanded by the plan with the ARGs
 * before FROM. */
static int
step_from(berth_build_state *st, const berth_df_instruction *in, berth_error **err)
{
  const berth_build_stage *sg = &st->stages[st->cur];
  cleanup_free char *platform = NULL;
  if (from_platform(st, in, &platform, err) < 0)
    return -1;
  for (size_t i = 0; i < st->n_args; i++)
    free(st->args[i].name), free(st->args[i].value);
  st->n_args = 0;
  st->cmd_set = false;
  free(st->maintainer);
  st->maintainer = NULL;
  json_decref(st->image);
  json_decref(st->config);
  st->image = st->config = NULL;
  st->image_id[0] = '\0';
  const char *name = sg->base;
  char id[BERTH_DIGEST_LEN];
  if (sg->base_stage >= 0 && st->stages[sg->base_stage].image_id[0] != '\0') {
    snprintf(id, sizeof id, "%s", st->stages[sg->base_stage].image_id);
    if (berth_build_set_image(st, id, err) < 0)
      return -1;
  } else if (sg->base_stage >= 0 || strcasecmp(name, "scratch") == 0) {
    cleanup_image_config berth_image_config *empty = berth_image_load(st->s, "", err);
    if (empty == NULL)
      return -1;
    st->image = json_incref(empty->json);
    st->config = berth_container_config_json(NULL);
    berth_build_emit(st, BERTH_BUILD_IMAGE, NULL, "");
  } else {
    if (st->o->resolve_base != NULL) {
      if (st->o->resolve_base(st->o->resolve_ctx, name, platform, st->o->pull, id, err) < 0)
        return -1;
    } else if (st->o->resolve == NULL) {
      return berth_error_set(err, ENOENT, "No such image: %s", name);
    } else if (st->o->resolve(st->o->resolve_ctx, name, id, err) < 0) {
      return -1;
    }
    if (berth_build_set_image(st, id, err) < 0)
      return -1;
  }
  json_t *env = json_object_get(st->config, "Env");
  if (!json_is_array(env)) {
    env = json_array();
    json_object_set_new(st->config, "Env", env);
  }
  if (!env_has(env, "PATH"))
    json_array_append_new(env, json_string(DEFAULT_PATH));
  if (st->image_id[0] == '\0')
    return 0; /* scratch: announced above */
  /* the base's triggers, then the image they leave, as Docker's builder */
  if (berth_build_run_triggers(st, err) < 0)
    return -1;
  berth_build_emit(st, BERTH_BUILD_IMAGE, NULL, st->image_id);
  return 0;
}

/* An ARG before FROM: recorded for FROM and for a bare ARG after it. */
int
berth_build_meta_arg(berth_build_state *st, const berth_df_instruction *in, berth_error **err)
{
  for (size_t i = 0; i < in->n_args; i++) {
    cleanup_free char *w = berth_df_expand_word(in->args[i], st->escape, NULL, err);
    if (w == NULL)
      return -1;
    char *eq = strchr(w, '=');
    st->meta = xrealloc(st->meta, (st->n_meta + 1) * sizeof *st->meta);
    berth_build_arg *a = &st->meta[st->n_meta++];
    a->name = eq ? xstrndup(w, (size_t)(eq - w)) : xstrdup(w);
    const char *v;
    a->value = option_arg(st, a->name, &v) ? xstrdup(v) : eq ? xstrdup(eq + 1) : NULL;
  }
  return 0;
}

berth_build_step_fn
berth_build_step_kind(const char *keyword)
{
  if (strcmp(keyword, "from") == 0)
    return step_from;
  if (strcmp(keyword, "run") == 0)
    return berth_build_step_run;
  if (strcmp(keyword, "workdir") == 0)
    return berth_build_step_workdir;
  if (strcmp(keyword, "copy") == 0 || strcmp(keyword, "add") == 0)
    return berth_build_step_copy;
  return berth_build_step_meta;
}

/* --label K=V as Docker 20.10's builder adds them (buildLabelOptions):
 * one LABEL step per key (the last value of a key wins), sorted by key,
 * at the end of the target stage, shown and recorded as `LABEL K=V` and
 * never expanded.  The lines parsed here escape, with the Dockerfile's
 * escape character, every byte the word expansion would read. */
typedef struct label_opts {
  char **keys, **values;
  size_t n;
} label_opts;

static void
label_opts_clear(label_opts *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->keys[i]), free(l->values[i]);
  free(l->keys);
  free(l->values);
}

static void
escaped(char **line, const char *word, char escape)
{
  size_t n = strlen(*line), w = strlen(word);
  *line = xrealloc(*line, n + 2 * w + 1);
  for (const char *c = word; *c != '\0'; c++) {
    if (!isalnum((unsigned char)*c) && (unsigned char)*c < 0x80 && strchr("._-/:@,+%", *c) == NULL)
      (*line)[n++] = escape;
    (*line)[n++] = *c;
  }
  (*line)[n] = '\0';
}

static berth_dockerfile *
label_steps(char **labels, char escape, berth_error **err)
{
  label_opts l __attribute__((cleanup(label_opts_clear))) = { 0 };
  for (char **p = labels; p != NULL && *p != NULL; p++) {
    const char *eq = strchr(*p, '=');
    cleanup_free char *k = eq ? xstrndup(*p, (size_t)(eq - *p)) : xstrdup(*p);
    size_t i = 0;
    while (i < l.n && strcmp(l.keys[i], k) != 0)
      i++;
    if (i == l.n) {
      l.keys = xrealloc(l.keys, (l.n + 1) * sizeof *l.keys);
      l.values = xrealloc(l.values, (l.n + 1) * sizeof *l.values);
      l.keys[l.n] = steal_pointer(&k);
      l.values[l.n++] = NULL;
    }
    free(l.values[i]);
    l.values[i] = xstrdup(eq ? eq + 1 : "");
  }
  for (size_t i = 1; i < l.n; i++) /* insertion sort: a handful */
    for (size_t j = i; j > 0 && strcmp(l.keys[j - 1], l.keys[j]) > 0; j--) {
      char *t = l.keys[j];
      l.keys[j] = l.keys[j - 1], l.keys[j - 1] = t;
      t = l.values[j];
      l.values[j] = l.values[j - 1], l.values[j - 1] = t;
    }
  cleanup_free char *text = xasprintf("# escape=%c\n", escape);
  for (size_t i = 0; i < l.n; i++) {
    char *line = xstrdup("LABEL ");
    escaped(&line, l.keys[i], escape);
    cleanup_free char *eqv = xasprintf("%s=", line);
    free(line);
    line = steal_pointer(&eqv);
    escaped(&line, l.values[i], escape);
    char *t = xasprintf("%s%s\n", text, line);
    free(line);
    free(text);
    text = t;
  }
  berth_dockerfile *df = berth_dockerfile_parse(text, strlen(text), "--label", err);
  if (df == NULL)
    return NULL;
  if (df->n_instructions != l.n) {
    berth_dockerfile_free(df);
    berth_error_set(err, 0, "--label: a label with a line break is not supported");
    return NULL;
  }
  for (size_t i = 0; i < l.n; i++) {
    free(df->instructions[i].original);
    df->instructions[i].original = xasprintf("LABEL %s=%s", l.keys[i], l.values[i]);
  }
  return df;
}

static void
state_clear(berth_build_state *st)
{
  json_decref(st->image);
  json_decref(st->config);
  for (size_t i = 0; i < st->n_args; i++)
    free(st->args[i].name), free(st->args[i].value);
  for (size_t i = 0; i < st->n_meta; i++)
    free(st->meta[i].name), free(st->meta[i].value);
  free(st->args);
  free(st->meta);
  free(st->maintainer);
  berth_build_stages_free(st);
  berth_build_candidates_free(st);
}

/* The end of stage st->cur: its result recorded when it was built. */
static void
finish_stage(berth_build_state *st)
{
  berth_build_stage *sg = &st->stages[st->cur];
  if (sg->needed) {
    sg->built = true;
    snprintf(sg->image_id, BERTH_DIGEST_LEN, "%s", st->image_id);
  }
  if (st->cur + 1 < st->n_stages)
    st->cur++;
}

static bool
arg_declared_in(const berth_df_instruction *in, const char *name, size_t len)
{
  if (strcmp(in->keyword, "arg") != 0)
    return false;
  for (size_t i = 0; i < in->n_args; i++)
    if (strncmp(in->args[i], name, len) == 0
        && (in->args[i][len] == '\0' || in->args[i][len] == '='))
      return true;
  return false;
}

/* Docker's WarnOnUnusedBuildArgs, its line before "Successfully built":
 * the --build-arg names that no ARG of a stage built (or before FROM)
 * declares, proxies aside; sorted (Docker 20.10 lists them in its Go
 * map's order, which changes from run to run). */
static void
warn_unused_args(berth_build_state *st, const berth_dockerfile *df)
{
  size_t n = 0;
  for (char **a = st->o->build_args; a != NULL && *a != NULL; a++)
    n++;
  char **unused = xcalloc(n + 1, sizeof *unused);
  cleanup_strv char **names = unused;
  size_t k = 0;
  for (char **a = st->o->build_args; a != NULL && *a != NULL; a++) {
    const char *eq = strchr(*a, '=');
    size_t len = eq ? (size_t)(eq - *a) : strlen(*a);
    cleanup_free char *name = xstrndup(*a, len);
    bool used = !berth_build_arg_in_history(st, name); /* a proxy */
    for (size_t i = 0; i < st->n_meta && !used; i++)
      used = strcmp(st->meta[i].name, name) == 0;
    for (size_t i = 0; i < st->n_stages && !used; i++)
      for (size_t j = st->stages[i].first; st->stages[i].needed && j < st->stages[i].end && !used;
           j++)
        used = arg_declared_in(&df->instructions[j], name, len);
    for (size_t i = 0; i < k && !used; i++)
      used = strcmp(unused[i], name) == 0;
    if (!used)
      unused[k++] = steal_pointer(&name);
  }
  if (k == 0)
    return;
  qsort(unused, k, sizeof *unused, berth_strcmp_qsort);
  cleanup_free char *list = berth_build_join(unused);
  cleanup_free char *line
      = xasprintf("[Warning] One or more build-args [%s] were not consumed", list);
  berth_build_emit(st, BERTH_BUILD_NOTE, line, NULL);
}

/* The steps of the stages the target needs, numbered over the file up to
 * the target's end (the ARGs before FROM included, as Docker counts
 * them); --label's LABEL after the target's last step. */
static int
run_steps(berth_build_state *st, const berth_dockerfile *df, const berth_dockerfile *extra,
          berth_error **err)
{
  const char *name = st->o->dockerfile_name ?: "Dockerfile";
  size_t end = st->stages[st->target].end;
  size_t total = end + (extra ? extra->n_instructions : 0);
  st->n_steps = (int)total;
  bool started = false;
  for (size_t i = 0; i < total; i++) {
    const berth_df_instruction *in = i < end ? &df->instructions[i] : &extra->instructions[i - end];
    bool is_from = i < end && strcmp(in->keyword, "from") == 0;
    if (is_from) {
      if (started)
        finish_stage(st);
      started = true;
    }
    if (started && i < end && !st->stages[st->cur].needed)
      continue; /* a stage the target does not need: not built, not shown */
    st->step = (int)i + 1;
    berth_build_emit(st, BERTH_BUILD_STEP, in->original, NULL);
    if (!started && strcmp(in->keyword, "arg") == 0)
      continue; /* the plan recorded it */
    berth_build_step_fn fn = berth_build_step_kind(in->keyword);
    if (!is_from)
      berth_build_update_run_config(st);
    if (fn(st, in, err) < 0) {
      if (st->exit_code != 0)
        return -1; /* Docker's words alone: "The command … returned …" */
      return berth_error_prefix(err, "%s:%d", name, in->start_line);
    }
    berth_store_trace(st->s, "build: step %d/%d %s", st->step, st->n_steps, in->keyword);
  }
  finish_stage(st);
  if (st->image_id[0] == '\0')
    return berth_error_set(err, 0, "%s: no image was built (FROM scratch and nothing else)", name);
  warn_unused_args(st, df);
  return 0;
}

int
berth_build(berth_store *s, const berth_build_options *o, char id_out[BERTH_DIGEST_LEN],
            int *exit_code, berth_error **err)
{
  const char *name = o->dockerfile_name ?: "Dockerfile";
  if (exit_code != NULL)
    *exit_code = 0;
  cleanup_dockerfile berth_dockerfile *df
      = berth_dockerfile_parse(o->dockerfile, o->dockerfile_len, name, err);
  if (df == NULL || berth_dockerfile_check(df, name, err) < 0)
    return -1;
  cleanup_dockerfile berth_dockerfile *extra = NULL;
  if (o->labels != NULL && o->labels[0] != NULL) {
    extra = label_steps(o->labels, df->escape, err);
    if (extra == NULL)
      return -1;
  }
  berth_build_state st = { .s = s, .o = o, .escape = df->escape };
  /* the parser's warnings first, as Docker's builder prints them (its
   * CLI in red; plain here) */
  for (size_t i = 0; i < df->n_warnings; i++)
    berth_build_emit(&st, BERTH_BUILD_NOTE, df->warnings[i], NULL);
  int r = berth_build_plan(&st, df, name, o->target, err);
  if (r == 0)
    r = run_steps(&st, df, extra, err);
  if (r == 0)
    memcpy(id_out, st.image_id, BERTH_DIGEST_LEN);
  if (exit_code != NULL)
    *exit_code = st.exit_code;
  state_clear(&st);
  return r;
}
