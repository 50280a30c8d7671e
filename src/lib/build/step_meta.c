/* The metadata steps: CMD, ENTRYPOINT, ENV, ARG, LABEL, EXPOSE, STOPSIGNAL,
 * USER, VOLUME, SHELL, MAINTAINER, HEALTHCHECK, ONBUILD.  Each changes the
 * Config and writes an image with no layer; no container is made (Docker's
 * classic builder makes and removes one for each; nothing needs it). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/build_internal.h"
#include "common/cleanup.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "dockerfile/expand.h"
#include "image/change.h"
#include "image/config.h"
#include "image/time.h"
#include "store/image.h"
#include "store/lock.h"

json_t *
berth_build_container_config(const json_t *config, char *const *cmd)
{
  json_t *cc = json_deep_copy(config);
  json_t *a = json_array();
  for (char *const *p = cmd; *p != NULL; p++)
    json_array_append_new(a, json_string(*p));
  json_object_set_new(cc, "Cmd", a);
  return cc;
}

int
berth_build_write_nop_image(berth_build_state *st, json_t *config, json_t *container_config,
                            const char *created_by, berth_error **err)
{
  cleanup_json json_t *doc = json_deep_copy(st->image);
  json_object_set(doc, "config", config);
  json_object_set(doc, "container_config", container_config);
  json_object_del(doc, "container");
  json_object_del(doc, "comment");
  cleanup_free char *now = berth_time_now_rfc3339();
  json_object_set_new(doc, "created", json_string(now));
  json_t *h = json_pack("{s:s}", "created", now);
  if (st->maintainer != NULL) {
    json_object_set_new(doc, "author", json_string(st->maintainer));
    json_object_set_new(h, "author", json_string(st->maintainer));
  } else {
    json_object_del(doc, "author");
  }
  json_object_set_new(h, "created_by", json_string(created_by));
  json_object_set_new(h, "empty_layer", json_true());
  json_t *hist = json_object_get(doc, "history");
  if (!json_is_array(hist)) {
    hist = json_array();
    json_object_set_new(doc, "history", hist);
  }
  json_array_append_new(hist, h);
  cleanup_free char *bytes = berth_image_config_dumps(doc);
  if (bytes == NULL)
    return berth_error_set(err, 0, "image config is not valid JSON text (not UTF-8?)");
  char id[BERTH_DIGEST_LEN];
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(st->s, err);
  if (lock == NULL)
    return -1;
  if (berth_store_image_put(st->s, bytes, strlen(bytes), st->image_id[0] ? st->image_id : NULL, id,
                            err)
          < 0
      || berth_store_image_touch(st->s, id, err) < 0)
    return -1;
  return berth_build_set_image(st, id, err);
}

/* ---- the instructions ------------------------------------------------------ */

static json_t *
strv_json(char *const *v, size_t n)
{
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, json_string(v[i]));
  return a;
}

/* CMD, ENTRYPOINT: the exec form as written, the shell form through the
 * shell; not expanded (Docker does not). */
static char **
command_line(const berth_build_state *st, const berth_df_instruction *in, size_t first, size_t *n)
{
  if (in->json) {
    char **v = xcalloc(in->n_args - first + 1, sizeof *v);
    for (size_t i = first; i < in->n_args; i++)
      v[i - first] = xstrdup(in->args[i]);
    *n = in->n_args - first;
    return v;
  }
  char **sh = berth_build_shell(st);
  size_t k = 0;
  while (sh[k] != NULL)
    k++;
  sh = xrealloc(sh, (k + 2) * sizeof *sh);
  sh[k++] = xstrdup(in->n_args > first ? in->args[first] : "");
  sh[k] = NULL;
  *n = k;
  return sh;
}

static void
append(char **s, const char *add)
{
  char *n = xasprintf("%s%s", *s, add);
  free(*s);
  *s = n;
}

/* ENV and LABEL: (key, value, separator) triples, both words expanded
 * with the environment before the instruction (a later pair does not see
 * an earlier one, as in Docker). */
static int
pairs(berth_build_state *st, const berth_df_instruction *in, json_t *config, bool env,
      char **comment, berth_error **err)
{
  cleanup_strv char **xenv = berth_build_expand_env(st);
  for (size_t i = 0; i + 2 < in->n_args + 1 && i + 1 < in->n_args; i += 3) {
    cleanup_free char *k = berth_df_expand_word(in->args[i], st->escape, xenv, err);
    if (k == NULL)
      return -1;
    cleanup_free char *v = berth_df_expand_word(in->args[i + 1], st->escape, xenv, err);
    if (v == NULL)
      return -1;
    if (env && *k == '\0')
      return berth_error_set(err, 0, "ENV names can not be blank");
    if (env)
      berth_config_env_set(config, k, v);
    else
      json_object_set_new(berth_config_object_member(config, "Labels"), k, json_string(v));
    cleanup_free char *kv = xasprintf(" %s=%s", k, v);
    append(comment, kv);
  }
  return 0;
}

/* EXPOSE's ports as nat.ParsePortSpecs reads them: PORT[/PROTO], a range
 * LOW-HIGH giving each port. */
static int
expose(json_t *config, const char *spec, berth_error **err)
{
  const char *slash = strchr(spec, '/');
  cleanup_free char *ports = slash ? xstrndup(spec, (size_t)(slash - spec)) : xstrdup(spec);
  const char *proto = slash ? slash + 1 : "tcp";
  if (*proto == '\0')
    proto = "tcp";
  char *end;
  unsigned long lo = strtoul(ports, &end, 10), hi = lo;
  if (end == ports)
    return berth_error_set(err, 0, "invalid containerPort: %s", ports);
  if (*end == '-') {
    const char *h = end + 1;
    hi = strtoul(h, &end, 10);
    if (end == h)
      return berth_error_set(err, 0, "invalid containerPort: %s", ports);
  }
  if (*end != '\0' || lo > 65535 || hi > 65535 || hi < lo)
    return berth_error_set(err, 0, "invalid containerPort: %s", ports);
  json_t *set = berth_config_object_member(config, "ExposedPorts");
  /* nat.NewPort lowercases the protocol: 53/UDP is 53/udp */
  cleanup_free char *lower = xstrdup(proto);
  for (char *c = lower; *c != '\0'; c++)
    *c = (char)tolower((unsigned char)*c);
  for (unsigned long p = lo; p <= hi; p++) {
    cleanup_free char *k = xasprintf("%lu/%s", p, lower);
    json_object_set_new(set, k, json_object());
  }
  return 0;
}

static int
healthcheck(berth_build_state *st, const berth_df_instruction *in, json_t *config, char **comment,
            berth_error **err)
{
  cleanup_json json_t *prev = json_incref(json_object_get(config, "Healthcheck"));
  json_t *old = prev;
  json_t *old_test = json_object_get(old, "Test");
  if (json_array_size(old_test) > 0
      && strcmp(json_string_value(json_array_get(old_test, 0)) ?: "", "NONE") != 0) {
    size_t n = json_array_size(old_test);
    char **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
      v[i] = xstrdup(json_string_value(json_array_get(old_test, i)) ?: "");
    cleanup_strv char **ov = v;
    cleanup_free char *l = berth_build_go_list(ov, n);
    cleanup_free char *note = xasprintf("Note: overriding previous HEALTHCHECK: %s", l);
    berth_build_emit(st, BERTH_BUILD_NOTE, note, NULL);
  }
  if (in->n_args == 0)
    return berth_error_set(err, 0, "HEALTHCHECK requires an argument");
  const char *type = in->args[0];
  json_t *h = json_object();
  json_object_set_new(config, "Healthcheck", h);
  long long dur[3] = { 0, 0, 0 };
  long long retries = 0;
  if (strcasecmp(type, "NONE") == 0) {
    if (in->n_args > 1 || in->n_flags > 0)
      return berth_error_set(err, 0, "HEALTHCHECK NONE takes no arguments");
    json_object_set_new(h, "Test", json_pack("[s]", "NONE"));
  } else if (strcasecmp(type, "CMD") == 0) {
    static const char *const names[] = { "--interval=", "--timeout=", "--start-period=" };
    static const char *const keys[] = { "Interval", "Timeout", "StartPeriod" };
    for (size_t f = 0; f < in->n_flags; f++) {
      const char *fl = in->flags[f];
      bool known = false;
      for (int k = 0; k < 3; k++)
        if (strncmp(fl, names[k], strlen(names[k])) == 0) {
          known = true;
          const char *v = fl + strlen(names[k]);
          if (berth_build_parse_duration(v, &dur[k]) < 0)
            return berth_error_set(err, 0, "time: invalid duration \"%s\"", v);
          if (dur[k] != 0 && dur[k] < 1000000)
            return berth_error_set(err, 0, "%.*s cannot be less than 1ms",
                                   (int)strlen(names[k]) - 1, names[k]);
          if (dur[k] < 0)
            return berth_error_set(err, 0, "%.*s cannot be negative", (int)strlen(names[k]) - 1,
                                   names[k]);
          json_object_set_new(h, keys[k], json_integer(dur[k]));
        }
      if (strncmp(fl, "--retries=", 10) == 0) {
        known = true;
        char *end;
        retries = strtoll(fl + 10, &end, 10);
        if (end == fl + 10 || *end != '\0')
          return berth_error_set(err, 0, "strconv.ParseInt: parsing \"%s\": invalid syntax",
                                 fl + 10);
        if (retries < 0)
          return berth_error_set(err, 0, "--retries cannot be negative (%lld)", retries);
      }
      if (!known)
        return berth_error_set(err, 0, "Unknown flag: %s", fl);
    }
    size_t n = 0;
    cleanup_strv char **cmd = NULL;
    if (in->json) {
      cmd = command_line(st, in, 1, &n);
      cmd = xrealloc(cmd, (n + 2) * sizeof *cmd);
      memmove(cmd + 1, cmd, (n + 1) * sizeof *cmd);
      cmd[0] = xstrdup("CMD");
      n++;
    } else {
      cmd = xcalloc(3, sizeof *cmd);
      cmd[0] = xstrdup("CMD-SHELL");
      cmd[1] = xstrdup(in->n_args > 1 ? in->args[1] : "");
      n = 2;
    }
    json_object_set_new(h, "Test", strv_json(cmd, n));
    if (retries != 0)
      json_object_set_new(h, "Retries", json_integer(retries));
  } else {
    return berth_error_set(err, 0, "Unknown type \"%s\" in HEALTHCHECK (try CMD)", type);
  }
  json_t *test = json_object_get(h, "Test");
  size_t n = json_array_size(test);
  char **v = xcalloc(n + 1, sizeof *v);
  for (size_t i = 0; i < n; i++)
    v[i] = xstrdup(json_string_value(json_array_get(test, i)));
  cleanup_strv char **tv = v;
  cleanup_free char *q = berth_build_go_quote_list(tv, n);
  cleanup_free char *d0 = berth_build_go_duration(dur[0]);
  cleanup_free char *d1 = berth_build_go_duration(dur[1]);
  cleanup_free char *d2 = berth_build_go_duration(dur[2]);
  /* fmt's %q of a rune: Go escapes below space, the character otherwise */
  char rq[32];
  if (retries >= 7 && retries <= 13)
    snprintf(rq, sizeof rq, "'\\%c'", "abtnvfr"[retries - 7]);
  else if (retries < 0x20 || retries == 0x7f)
    snprintf(rq, sizeof rq, "'\\x%02llx'", retries);
  else if (retries == '\'' || retries == '\\')
    snprintf(rq, sizeof rq, "'\\%c'", (char)retries);
  else if (retries < 0x7f)
    snprintf(rq, sizeof rq, "'%c'", (char)retries);
  else
    snprintf(rq, sizeof rq, "'\\u%04llx'", retries);
  cleanup_free char *c = xasprintf("HEALTHCHECK &{%s \"%s\" \"%s\" \"%s\" %s}", q, d0, d1, d2, rq);
  free(*comment);
  *comment = steal_pointer(&c);
  /* Docker's quirk, kept: the container its builder makes for the step
   * merges the parent image's config into the step's, and shares the
   * Healthcheck with it, so what this HEALTHCHECK leaves 0 (CREATED BY
   * says "0s") the image gets from the one before */
  static const char *const keep[] = { "Interval", "Timeout", "StartPeriod", "Retries" };
  for (size_t i = 0; json_is_object(prev) && i < sizeof keep / sizeof keep[0]; i++) {
    json_t *pv = json_object_get(prev, keep[i]);
    if (json_integer_value(json_object_get(h, keep[i])) == 0 && json_integer_value(pv) != 0)
      json_object_set(h, keep[i], pv);
  }
  return 0;
}

/* The rest of ONBUILD's line, as Docker keeps it: `(?i)^\s*ONBUILD\s*`
 * removed; then, as BuildKit keeps them, each heredoc's body and
 * delimiter on the lines after it, so that the trigger parses again with
 * its heredocs. */
static char *
onbuild_expression(const berth_df_instruction *in)
{
  const char *original = in->original;
  const char *p = original;
  while (*p == ' ' || *p == '\t')
    p++;
  if (strncasecmp(p, "onbuild", 7) == 0)
    p += 7;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  char *e = xstrdup(p);
  for (size_t i = 0; i < in->n_heredocs; i++) {
    const berth_df_heredoc *h = &in->heredocs[i];
    char *n = xasprintf("%s\n%.*s%s", e, (int)h->content_len, h->content, h->name);
    free(e);
    e = n;
  }
  return e;
}

/* Changes config for in and sets *comment to what Docker's commit message
 * says of it ("ENV A=b"). */
static int
apply(berth_build_state *st, const berth_df_instruction *in, json_t *config, char **comment,
      berth_error **err)
{
  const char *k = in->keyword;
  cleanup_strv char **xenv = berth_build_expand_env(st);
  if (in->n_heredocs > 0 && strcmp(k, "onbuild") != 0)
    return berth_error_set(err, 0, "heredocs in %s are not yet supported", k);
  if (strcmp(k, "cmd") == 0 || strcmp(k, "entrypoint") == 0) {
    size_t n = 0;
    cleanup_strv char **cmd = command_line(st, in, 0, &n);
    bool is_cmd = k[0] == 'c';
    /* `ENTRYPOINT []` clears it: Docker's parser makes an empty one nil
     * (null), where `CMD []` stays [] */
    json_object_set_new(config, is_cmd ? "Cmd" : "Entrypoint",
                        !is_cmd && n == 0 ? json_null() : strv_json(cmd, n));
    if (is_cmd)
      st->cmd_set = true;
    else if (!st->cmd_set)
      json_object_set_new(config, "Cmd", json_null());
    cleanup_free char *q = berth_build_go_quote_list(cmd, n);
    *comment = xasprintf("%s %s", is_cmd ? "CMD" : "ENTRYPOINT", q);
    return 0;
  }
  if (strcmp(k, "env") == 0 || strcmp(k, "label") == 0) {
    *comment = xstrdup(k[0] == 'e' ? "ENV" : "LABEL");
    return pairs(st, in, config, k[0] == 'e', comment, err);
  }
  if (strcmp(k, "arg") == 0) {
    *comment = xstrdup("ARG");
    for (size_t i = 0; i < in->n_args; i++) {
      cleanup_free char *w = berth_df_expand_word(in->args[i], st->escape, xenv, err);
      if (w == NULL)
        return -1;
      char *eq = strchr(w, '=');
      st->args = xrealloc(st->args, (st->n_args + 1) * sizeof *st->args);
      berth_build_arg *a = &st->args[st->n_args++];
      a->name = eq ? xstrndup(w, (size_t)(eq - w)) : xstrdup(w);
      a->value = eq ? xstrdup(eq + 1) : NULL;
      append(comment, " ");
      append(comment, w);
    }
    return 0;
  }
  if (strcmp(k, "expose") == 0) {
    *comment = xstrdup("EXPOSE");
    /* Docker's parseExpose sorts the words as written (before expansion),
     * so CREATED BY lists them sorted: `EXPOSE 443 53/udp 80/tcp 8080` */
    char **sorted = xcalloc(in->n_args + 1, sizeof *sorted);
    cleanup_strv char **ports = sorted;
    for (size_t i = 0; i < in->n_args; i++)
      sorted[i] = xstrdup(in->args[i]);
    qsort(sorted, in->n_args, sizeof *sorted, berth_strcmp_qsort);
    for (size_t i = 0; i < in->n_args; i++) {
      cleanup_strv char **w = berth_df_expand_words(ports[i], st->escape, xenv, err);
      if (w == NULL)
        return -1;
      for (char **p = w; *p != NULL; p++) {
        if (expose(config, *p, err) < 0)
          return -1;
        append(comment, " ");
        append(comment, *p);
      }
    }
    return 0;
  }
  if (strcmp(k, "user") == 0 || strcmp(k, "stopsignal") == 0) {
    cleanup_free char *w
        = berth_df_expand_word(in->n_args ? in->args[0] : "", st->escape, xenv, err);
    if (w == NULL)
      return -1;
    json_object_set_new(config, k[0] == 'u' ? "User" : "StopSignal", json_string(w));
    *comment = xasprintf("%s %s", k[0] == 'u' ? "USER" : "STOPSIGNAL", w);
    return 0;
  }
  if (strcmp(k, "volume") == 0) {
    char **v = xcalloc(in->n_args + 1, sizeof *v);
    cleanup_strv char **vols = v;
    json_t *set = berth_config_object_member(config, "Volumes");
    for (size_t i = 0; i < in->n_args; i++) {
      if ((v[i] = berth_df_expand_word(in->args[i], st->escape, xenv, err)) == NULL)
        return -1;
      if (*v[i] == '\0')
        return berth_error_set(err, 0, "VOLUME specified can not be an empty string");
      json_object_set_new(set, v[i], json_object());
    }
    cleanup_free char *l = berth_build_go_list(v, in->n_args);
    *comment = xasprintf("VOLUME %s", l);
    return 0;
  }
  if (strcmp(k, "shell") == 0) {
    if (!in->json)
      return berth_error_set(err, 0, "SHELL requires the arguments to be in JSON form");
    if (in->n_args == 0)
      return berth_error_set(err, 0, "SHELL requires at least one argument");
    json_object_set_new(config, "Shell", strv_json(in->args, in->n_args));
    cleanup_free char *l = berth_build_go_list(in->args, in->n_args);
    *comment = xasprintf("SHELL %s", l);
    return 0;
  }
  if (strcmp(k, "maintainer") == 0) {
    free(st->maintainer);
    st->maintainer = xstrdup(in->n_args ? in->args[0] : "");
    *comment = xasprintf("MAINTAINER %s", st->maintainer);
    return 0;
  }
  if (strcmp(k, "healthcheck") == 0)
    return healthcheck(st, in, config, comment, err);
  if (strcmp(k, "onbuild") == 0) {
    cleanup_free char *expr = onbuild_expression(in);
    json_t *ob = json_object_get(config, "OnBuild");
    if (!json_is_array(ob)) {
      ob = json_array();
      json_object_set_new(config, "OnBuild", ob);
    }
    json_array_append_new(ob, json_string(expr));
    *comment = xasprintf("ONBUILD %s", expr);
    return 0;
  }
  return berth_error_set(err, 0, "unknown instruction: %s", k);
}

int
berth_build_step_meta(berth_build_state *st, const berth_df_instruction *in, berth_error **err)
{
  cleanup_json json_t *config = json_deep_copy(st->config);
  cleanup_free char *comment = NULL;
  /* the SHELL step's own entry already names the new shell, as Docker's */
  if (apply(st, in, config, &comment, err) < 0)
    return -1;
  cleanup_json json_t *saved = st->config;
  st->config = json_incref(config);
  cleanup_strv char **shell = berth_build_shell(st);
  json_decref(st->config);
  st->config = steal_pointer(&saved);
  size_t n = 0;
  while (shell[n] != NULL)
    n++;
  /* Docker's Cmd here: the shell, "#(nop) ", the comment; joined by
   * spaces that gives its two spaces */
  char **cmd = xcalloc(n + 3, sizeof *cmd);
  cleanup_strv char **cache_cmd = cmd;
  for (size_t i = 0; i < n; i++)
    cmd[i] = xstrdup(shell[i]);
  cmd[n] = xstrdup("#(nop) ");
  cmd[n + 1] = steal_pointer(&comment);
  cleanup_free char *by = NULL;
  for (size_t i = 0; i <= n + 1; i++) {
    char *b = by ? xasprintf("%s %s", by, cmd[i]) : xstrdup(cmd[i]);
    free(by);
    by = b;
  }
  int hit = berth_build_try_cache(st, by, config, err);
  if (hit != 0)
    return hit < 0 ? -1 : 0;
  cleanup_json json_t *cc = berth_build_container_config(config, cmd);
  if (berth_build_write_nop_image(st, config, cc, by, err) < 0)
    return -1;
  berth_build_emit(st, BERTH_BUILD_IMAGE, NULL, st->image_id);
  return 0;
}
