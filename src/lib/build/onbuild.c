/* ONBUILD triggers in the child build, as Docker 20.10's classic builder
 * runs them (builder/dockerfile dispatchers.go: initializeStage,
 * dispatchTriggeredOnBuild): right after FROM, inside FROM's step, the base
 * image's Config.OnBuild is taken out of the stage's Config (set to null,
 * so neither the trigger steps' images nor the child's carry it) and each
 * trigger is parsed as a one-instruction Dockerfile and dispatched as a step
 * of its own, with the child's build context, escape character and build
 * args.  The output is "# Executing N build trigger(s)", then each step's
 * own lines (" ---> Running in …", " ---> Using cache") but no " ---> <id>"
 * and no "Step" line; FROM's " ---> <id>" after the last shows the image
 * they leave.  Each trigger step is an image of its own, found in the
 * cache as any step. */
#include <string.h>

#include "build/build_internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

/* Docker's refusals of a trigger, in its words. */
static int
check_trigger(const berth_df_instruction *in, berth_error **err)
{
  const char *k = in->keyword;
  if (strcmp(k, "onbuild") == 0)
    return berth_error_set(err, 0, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (strcmp(k, "from") == 0 || strcmp(k, "maintainer") == 0)
    return berth_error_set(err, 0, "%s isn't allowed as an ONBUILD trigger",
                           k[0] == 'f' ? "FROM" : "MAINTAINER");
  static const char *const known[] = {
    "add",   "arg", "cmd",   "copy",       "entrypoint", "env",    "expose",  "healthcheck",
    "label", "run", "shell", "stopsignal", "user",       "volume", "workdir",
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(known[i], k) == 0)
      return 0;
  cleanup_free char *up = xstrdup(k);
  for (char *c = up; *c != '\0'; c++)
    if (*c >= 'a' && *c <= 'z')
      *c = (char)(*c - 'a' + 'A');
  return berth_error_set(err, 0, "unknown instruction: %s", up);
}

/* One trigger (untrusted: text from the base image's config). */
static int
run_trigger(berth_build_state *st, const char *text, berth_error **err)
{
  cleanup_dockerfile berth_dockerfile *df
      = berth_dockerfile_parse(text, strlen(text), "ONBUILD trigger", err);
  if (df == NULL)
    return -1;
  if (df->n_instructions != 1)
    return berth_error_set(err, 0, "onbuild trigger should be a single expression");
  const berth_df_instruction *in = &df->instructions[0];
  if (check_trigger(in, err) < 0)
    return -1;
  berth_build_update_run_config(st);
  return berth_build_step_kind(in->keyword)(st, in, err);
}

int
berth_build_run_triggers(berth_build_state *st, berth_error **err)
{
  json_t *ob = json_object_get(st->config, "OnBuild");
  size_t n = json_array_size(ob);
  if (n == 0)
    return 0;
  cleanup_json json_t *triggers = json_incref(ob);
  json_object_set_new(st->config, "OnBuild", json_null());
  cleanup_free char *note = xasprintf("# Executing %zu build trigger%s", n, n > 1 ? "s" : "");
  berth_build_emit(st, BERTH_BUILD_NOTE, note, NULL);
  st->in_trigger = true;
  int r = 0;
  for (size_t i = 0; i < n && r == 0; i++) {
    const char *text = json_string_value(json_array_get(triggers, i));
    if (text == NULL)
      r = berth_error_set(err, 0, "the base image's OnBuild[%zu] is not a string", i);
    else
      r = run_trigger(st, text, err);
  }
  st->in_trigger = false;
  return r;
}
