#include "filters.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/time.h"
#include "images/resolve.h"
#include "store/image_load.h"

/* Trusts nothing in arg: it is split at its first '=' as Docker's
 * filters.ParseFlag does (key lower-cased, both sides trimmed). */
int
berth_filters_add(berth_cli *cli, const char *cmd, berth_filters *f, const char *arg)
{
  const char *eq = strchr(arg, '=');
  if (eq == NULL)
    return berth_cli_usage_error(
        cli, cmd,
        "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected "
        "name=value)",
        arg);
  const char *k = arg, *ke = eq, *v = eq + 1, *ve = arg + strlen(arg);
  while (k < ke && isspace((unsigned char)*k))
    k++;
  while (ke > k && isspace((unsigned char)ke[-1]))
    ke--;
  while (v < ve && isspace((unsigned char)*v))
    v++;
  while (ve > v && isspace((unsigned char)ve[-1]))
    ve--;
  cleanup_free char *pair = xasprintf("%.*s=%.*s", (int)(ke - k), k, (int)(ve - v), v);
  for (char *p = pair; *p != '='; p++)
    *p = (char)tolower((unsigned char)*p);
  berth_strset_add(&f->pairs, pair);
  return 0;
}

void
berth_filters_clear(berth_filters *f)
{
  berth_strset_clear(&f->pairs);
}

void
berth_filters_cleanup(berth_filters **f)
{
  if (*f != NULL)
    berth_filters_clear(*f);
}

/* The value of pair when its key is key, else NULL. */
static const char *
value_of(const char *pair, const char *key)
{
  size_t n = strlen(key);
  return strncmp(pair, key, n) == 0 && pair[n] == '=' ? pair + n + 1 : NULL;
}

bool
berth_filters_has(const berth_filters *f, const char *key)
{
  for (size_t i = 0; i < f->pairs.n; i++)
    if (value_of(f->pairs.v[i], key) != NULL)
      return true;
  return false;
}

const char **
berth_filters_values(const berth_filters *f, const char *key)
{
  const char **v = xcalloc(f->pairs.n + 1, sizeof *v);
  size_t n = 0;
  for (size_t i = 0; i < f->pairs.n; i++)
    if (value_of(f->pairs.v[i], key) != NULL)
      v[n++] = value_of(f->pairs.v[i], key);
  return v;
}

int
berth_filters_validate(const berth_filters *f, const char *const *accepted, berth_error **err)
{
  for (size_t i = 0; i < f->pairs.n; i++) {
    const char *pair = f->pairs.v[i];
    size_t klen = (size_t)(strchr(pair, '=') - pair);
    bool ok = false;
    for (const char *const *a = accepted; *a != NULL && !ok; a++)
      ok = strlen(*a) == klen && strncmp(*a, pair, klen) == 0;
    if (!ok)
      return berth_error_set_as(err, EINVAL, "Invalid filter '%.*s'", (int)klen, pair);
  }
  return 0;
}

bool
berth_filters_match_labels(const berth_filters *f, const char *key, const json_t *labels)
{
  cleanup_free const char **want = berth_filters_values(f, key);
  if (want[0] == NULL)
    return true;
  if (json_object_size(labels) == 0)
    return false;
  for (const char **w = want; *w != NULL; w++) {
    const char *eq = strchr(*w, '=');
    cleanup_free char *k = eq ? xstrndup(*w, (size_t)(eq - *w)) : xstrdup(*w);
    const json_t *v = json_object_get(labels, k);
    if (v == NULL)
      return false;
    if (eq != NULL && (!json_is_string(v) || strcmp(json_string_value(v), eq + 1) != 0))
      return false;
  }
  return true;
}

bool
berth_filters_match(const berth_filters *f, const char *key, const char *s)
{
  cleanup_free const char **want = berth_filters_values(f, key);
  if (want[0] == NULL)
    return true;
  for (const char **w = want; *w != NULL; w++) {
    if (strcmp(*w, s) == 0)
      return true;
    regex_t re;
    if (regcomp(&re, *w, REG_EXTENDED | REG_NOSUB) != 0)
      continue;
    bool found = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    if (found)
      return true;
  }
  return false;
}

/* The creation time of the image a before/since filter names. */
static int
image_created(berth_store *s, const char *name, int64_t *out, berth_error **err)
{
  char id[BERTH_DIGEST_LEN];
  if (berth_image_resolve(s, name, id, err) < 0)
    return -1;
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  *out = 0;
  if (c->created != NULL)
    berth_time_parse(c->created, out);
  return 0;
}

/* Docker's daemon (images.go): keys, then dangling's value, then the images
 * before and since name. */
int
berth_image_filter_init(berth_image_filter *flt, berth_store *s, const berth_filters *f,
                        const char *positional, berth_error **err)
{
  static const char *const accepted[]
      = { "dangling", "label", "before", "since", "reference", NULL };
  *flt = (berth_image_filter){ .f = f, .dangling = -1 };
  if (berth_filters_validate(f, accepted, err) < 0)
    return -1;
  if (berth_filters_has(f, "dangling")) {
    if (berth_strset_has(&f->pairs, "dangling=true"))
      flt->dangling = 1;
    else if (berth_strset_has(&f->pairs, "dangling=false"))
      flt->dangling = 0;
    else {
      cleanup_free const char **v = berth_filters_values(f, "dangling");
      cleanup_free char *list = xstrdup("");
      for (const char **p = v; *p != NULL; p++) {
        char *next = xasprintf("%s%s%s", list, p == v ? "" : " ", *p);
        free(list);
        list = next;
      }
      return berth_error_set_as(err, EINVAL, "Invalid filter 'dangling=[%s]'", list);
    }
  }
  cleanup_free const char **before = berth_filters_values(f, "before");
  cleanup_free const char **since = berth_filters_values(f, "since");
  for (const char **p = before; *p != NULL; p++)
    if (image_created(s, *p, &flt->before, err) < 0)
      return -1;
  for (const char **p = since; *p != NULL; p++)
    if (image_created(s, *p, &flt->since, err) < 0)
      return -1;
  flt->has_before = before[0] != NULL;
  flt->has_since = since[0] != NULL;
  if (berth_filters_has(f, "reference") || positional != NULL) {
    flt->refs = berth_filters_values(f, "reference");
    size_t n = 0;
    while (flt->refs[n] != NULL)
      n++;
    if (positional != NULL) {
      flt->refs = xrealloc(flt->refs, (n + 2) * sizeof *flt->refs);
      flt->refs[n] = positional;
      flt->refs[n + 1] = NULL;
    }
  }
  return 0;
}

void
berth_image_filter_clear(berth_image_filter *flt)
{
  free(flt->refs);
  flt->refs = NULL;
}

bool
berth_image_filter_keep(const berth_image_filter *flt, berth_store *s,
                        const berth_image_summary *im)
{
  if (flt->has_before && im->created >= flt->before)
    return false;
  if (flt->has_since && im->created <= flt->since)
    return false;
  if (!berth_filters_has(flt->f, "label"))
    return true;
  cleanup_image_config berth_image_config *c = berth_image_load(s, im->id, NULL);
  if (c == NULL)
    return false;
  return berth_filters_match_labels(flt->f, "label",
                                    json_object_get(json_object_get(c->json, "config"), "Labels"));
}

/* Go's strconv.Atoi: an optional sign and decimal digits, within int. */
static int
parse_exit_code(const char *v, int *out, berth_error **err)
{
  const char *p = v + (*v == '+' || *v == '-');
  bool digits = *p != '\0';
  for (; *p != '\0'; p++)
    digits &= isdigit((unsigned char)*p) != 0;
  errno = 0;
  long n = digits ? strtol(v, NULL, 10) : 0;
  if (!digits)
    return berth_error_set_as(err, EINVAL, "strconv.Atoi: parsing \"%s\": invalid syntax", v);
  if (errno == ERANGE || n > INT_MAX || n < INT_MIN)
    return berth_error_set_as(err, EINVAL, "strconv.Atoi: parsing \"%s\": value out of range", v);
  *out = (int)n;
  return 0;
}

static int
container_id(berth_store *s, const char *name, char out[65], berth_error **err)
{
  cleanup_container berth_container *c = NULL;
  if (berth_container_find(s, name, &c, err) < 0)
    return -1;
  memcpy(out, c->id, 65);
  return 0;
}

/* The images an ancestor filter names and all their descendants (their
 * children through imagedb parent links, as Docker walks them). */
static void
add_ancestors(berth_ps_filter *flt, berth_store *s)
{
  cleanup_free const char **v = berth_filters_values(flt->f, "ancestor");
  for (const char **p = v; *p != NULL; p++) {
    char id[BERTH_DIGEST_LEN];
    if (berth_image_resolve(s, *p, id, NULL) == 0)
      berth_strset_add(&flt->images, id);
  }
  berth_image_summary *im = NULL;
  size_t n = 0;
  if (flt->images.n == 0 || berth_image_list(s, &im, &n, NULL) < 0)
    return;
  for (bool more = true; more;) {
    more = false;
    for (size_t i = 0; i < n; i++)
      if (im[i].parent[0] != '\0' && berth_strset_has(&flt->images, im[i].parent)
          && !berth_strset_has(&flt->images, im[i].id)) {
        berth_strset_add(&flt->images, im[i].id);
        more = true;
      }
  }
  berth_image_summaries_free(im, n);
}

int
berth_ps_filter_init(berth_ps_filter *flt, berth_store *s, const berth_filters *f,
                     berth_error **err)
{
  static const char *const accepted[]
      = { "ancestor", "before",  "exited", "expose", "health", "id",        "label",   "name",
          "network",  "publish", "since",  "status", "volume", "isolation", "is-task", NULL };
  *flt = (berth_ps_filter){ .f = f };
  if (berth_filters_validate(f, accepted, err) < 0)
    return -1;
  cleanup_free const char **exited = berth_filters_values(f, "exited");
  for (const char **p = exited; *p != NULL; p++) {
    flt->exited = xrealloc(flt->exited, (flt->n_exited + 1) * sizeof *flt->exited);
    if (parse_exit_code(*p, &flt->exited[flt->n_exited], err) < 0)
      return -1;
    flt->n_exited++;
  }
  static const char *const states[]
      = { "paused", "restarting", "removing", "running", "dead", "created", "exited", NULL };
  cleanup_free const char **status = berth_filters_values(f, "status");
  for (const char **p = status; *p != NULL; p++) {
    bool ok = false;
    for (const char *const *st = states; *st != NULL && !ok; st++)
      ok = strcmp(*st, *p) == 0;
    if (!ok)
      return berth_error_set_as(err, EINVAL, "Invalid filter 'status=%s'", *p);
    flt->all = true;
  }
  cleanup_free const char **before = berth_filters_values(f, "before");
  cleanup_free const char **since = berth_filters_values(f, "since");
  for (const char **p = before; *p != NULL; p++)
    if (container_id(s, *p, flt->before, err) < 0)
      return -1;
  for (const char **p = since; *p != NULL; p++)
    if (container_id(s, *p, flt->since, err) < 0)
      return -1;
  flt->ancestor = berth_filters_has(f, "ancestor");
  if (flt->ancestor)
    add_ancestors(flt, s);
  return 0;
}

void
berth_ps_filter_clear(berth_ps_filter *flt)
{
  free(flt->exited);
  flt->exited = NULL;
  berth_strset_clear(&flt->images);
}

/* A bind "src:dst[:opts]" names src or dst. */
static bool
volume_matches(const berth_ps_filter *flt, const berth_container *c)
{
  cleanup_free const char **want = berth_filters_values(flt->f, "volume");
  const json_t *binds = json_object_get(c->hostconfig, "Binds");
  size_t i;
  json_t *b;
  json_array_foreach((json_t *)binds, i, b)
  {
    const char *spec = json_string_value(b);
    if (spec == NULL)
      continue;
    const char *colon = strchr(spec, ':');
    size_t srclen = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *dst = colon ? colon + 1 : spec;
    size_t dstlen = strcspn(dst, ":");
    for (const char **w = want; *w != NULL; w++)
      if ((strlen(*w) == srclen && strncmp(*w, spec, srclen) == 0)
          || (strlen(*w) == dstlen && strncmp(*w, dst, dstlen) == 0))
        return true;
  }
  return false;
}

/* Docker 20.10's includeContainerInList, in its order. */
int
berth_ps_filter_step(berth_ps_filter *flt, const berth_container *c, bool all)
{
  if (flt->before[0] != '\0') {
    if (strcmp(c->id, flt->before) == 0)
      flt->before[0] = '\0';
    return 0;
  }
  if (flt->since[0] != '\0' && strcmp(c->id, flt->since) == 0)
    return -1;
  bool running = strcmp(c->status, "running") == 0;
  if (!running && !all && !flt->all)
    return 0;
  cleanup_free char *slashed = xasprintf("/%s", c->name);
  if (!berth_filters_match(flt->f, "name", slashed)
      && !berth_filters_match(flt->f, "name", c->name))
    return 0;
  if (!berth_filters_match(flt->f, "id", c->id))
    return 0;
  if (!berth_filters_match_labels(flt->f, "label", json_object_get(c->config, "Labels")))
    return 0;
  if (flt->n_exited > 0) {
    bool started = c->started_at != NULL && strncmp(c->started_at, "0001-", 5) != 0;
    bool ok = false;
    for (size_t i = 0; i < flt->n_exited && !ok; i++)
      ok = flt->exited[i] == c->exit_code && !running && started;
    if (!ok)
      return 0;
  }
  cleanup_free const char **status = berth_filters_values(flt->f, "status");
  bool status_ok = status[0] == NULL;
  for (const char **p = status; *p != NULL && !status_ok; p++)
    status_ok = strcmp(*p, c->status) == 0;
  if (!status_ok)
    return 0;
  if (berth_filters_has(flt->f, "volume") && !volume_matches(flt, c))
    return 0;
  if (flt->ancestor && !berth_strset_has(&flt->images, c->image_id))
    return 0;
  return 1;
}
