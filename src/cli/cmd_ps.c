#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_prune.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/network.h"
#include "container/ops.h"
#include "container/size.h"
#include "container_cli.h"
#include "filters.h"
#include "flags.h"
#include "format.h"
#include "image/time.h"
#include "units.h"

typedef struct ps_opts {
  bool all, quiet, no_trunc, latest;
  berth_filters filters; /* --filter */
  const char *format;    /* --format, NULL: Docker's default table */
  bool size;             /* -s, or a --format that shows .Size */
  berth_store *store;    /* for the sizes and the PORTS and NETWORKS cells; NULL: none */
} ps_opts;

/* Docker quotes an argument with spaces or shell characters in '…'. */
static void
append_arg(char **cmd, const char *arg)
{
  bool plain = arg[0] != '\0' && strpbrk(arg, " \t\n'\"\\$;&|<>()*?`") == NULL;
  char *next = xasprintf("%s%s%s%s%s", *cmd, (*cmd)[0] ? " " : "", plain ? "" : "'", arg,
                         plain ? "" : "'");
  free(*cmd);
  *cmd = next;
}

static char *
command_cell(const berth_container *c, bool no_trunc)
{
  char *cmd = xstrdup("");
  append_arg(&cmd, c->path);
  for (char **a = c->args; *a != NULL; a++)
    append_arg(&cmd, *a);
  char *shown = no_trunc ? xstrdup(cmd) : berth_ellipsis(cmd, 20);
  char *out = xasprintf("\"%s\"", shown);
  free(shown);
  free(cmd);
  return out;
}

static int64_t
parse_time(const char *s)
{
  int64_t t = 0;
  return berth_time_parse(s, &t) < 0 ? 0 : t;
}

static char *
status_cell(const berth_container *c, int64_t now)
{
  if (strcmp(c->status, "running") == 0) {
    cleanup_free char *d = berth_human_duration(now - parse_time(c->started_at));
    return xasprintf("Up %s%s", d, c->paused ? " (Paused)" : "");
  }
  if (strcmp(c->status, "exited") == 0) {
    cleanup_free char *d = berth_human_since(parse_time(c->finished_at), now);
    return xasprintf("Exited (%d) %s", c->exit_code, d);
  }
  return xstrdup("Created");
}

/* Records newest first. */
static int
by_created_desc(const void *a, const void *b)
{
  const berth_container *x = *(berth_container *const *)a, *y = *(berth_container *const *)b;
  return strcmp(y->created, x->created);
}

/* The image as Docker's ContainerContext.Image shows it: an image named
 * by its ID ("sha256:…", as build's containers are) short when its 12
 * characters are the ID's. */
static char *
image_cell(const berth_container *c, bool no_trunc)
{
  const char *image = c->image_name && c->image_name[0] ? c->image_name : c->image_id;
  const char *hex = strncmp(image, "sha256:", 7) == 0 ? image + 7 : image;
  const char *idhex = strncmp(c->image_id, "sha256:", 7) == 0 ? c->image_id + 7 : c->image_id;
  if (!no_trunc && strlen(hex) >= 12 && strncmp(hex, idhex, 12) == 0)
    return xstrndup(idhex, 12);
  return xstrdup(image);
}

static int
compare_strings(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "k=v,…" (Docker joins in Go's map order; sorted here, so it is stable). */
static char *
labels_cell(const json_t *labels)
{
  size_t n = json_object_size(labels), k = 0;
  char **v = xcalloc(n + 1, sizeof *v);
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)labels, key, val)
  {
    v[k++] = xasprintf("%s=%s", key, json_is_string(val) ? json_string_value(val) : "");
  }
  qsort(v, k, sizeof *v, compare_strings);
  char *out = xstrdup("");
  for (size_t i = 0; i < k; i++) {
    char *next = xasprintf("%s%s%s", out, i ? "," : "", v[i]);
    free(out);
    out = next;
    free(v[i]);
  }
  free(v);
  return out;
}

/* The sources of the binds (Docker shows a volume's name, a bind's
 * source), each cut at 15 unless --no-trunc. */
static char *
mounts_cell(const json_t *binds, bool no_trunc)
{
  char *out = xstrdup("");
  size_t i;
  json_t *b;
  json_array_foreach((json_t *)binds, i, b)
  {
    const char *spec = json_string_value(b);
    if (spec == NULL)
      continue;
    const char *colon = strchr(spec, ':');
    cleanup_free char *src = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
    cleanup_free char *shown = no_trunc ? xstrdup(src) : berth_ellipsis(src, 15);
    char *next = xasprintf("%s%s%s", out, out[0] ? "," : "", shown);
    free(out);
    out = next;
  }
  return out;
}

/* PORTS as Docker's DisplayablePorts prints NetworkSettings.Ports (empty
 * unless it runs), NETWORKS its networks' names. */
static void
network_cells(berth_store *s, const berth_container *c, char **ports, char **nets)
{
  const char *mode = json_string_value(json_object_get(c->hostconfig, "NetworkMode")) ?: "host";
  if (s == NULL || c->id[0] == '\0') {
    *ports = xstrdup("");
    *nets = xstrdup(strcmp(mode, "default") == 0 ? "bridge" : mode);
    return;
  }
  cleanup_json json_t *ns = berth_container_network_settings(s, c);
  *ports = berth_ports_ps_column(json_object_get(ns, "Ports"));
  char *names = xstrdup("");
  const char *key;
  json_t *v;
  json_object_foreach(json_object_get(ns, "Networks"), key, v)
  {
    char *next = xasprintf("%s%s%s", names, names[0] ? "," : "", key);
    free(names);
    names = next;
  }
  *nets = names;
}

/* Docker's SIZE: the container's own layer, and with its image's layers
 * "(virtual …)", at 3 significant digits; "0B" when sizes were not asked
 * for (Docker's zero SizeRw). */
static char *
size_cell(const berth_container *c, const ps_opts *o)
{
  long long rw = 0, rootfs = 0;
  if (o->size && o->store != NULL && c->id[0] != '\0')
    (void)berth_container_sizes(o->store, c, &rw, &rootfs, NULL);
  cleanup_free char *srw = berth_human_size_precision(rw, 3);
  if (rootfs <= 0)
    return xstrdup(srw);
  cleanup_free char *sv = berth_human_size_precision(rootfs, 3);
  return xasprintf("%s (virtual %s)", srw, sv);
}

/* One row as Docker's ContainerContext shows it: every column a string. */
static json_t *
ps_row(const berth_container *c, const ps_opts *o, int64_t now)
{
  cleanup_free char *id = o->no_trunc ? xstrdup(c->id) : xasprintf("%.12s", c->id);
  cleanup_free char *image = image_cell(c, o->no_trunc);
  cleanup_free char *cmd = command_cell(c, o->no_trunc);
  cleanup_free char *created_at = berth_go_time_string(parse_time(c->created));
  cleanup_free char *running_for = berth_human_since(parse_time(c->created), now);
  cleanup_free char *status = status_cell(c, now);
  cleanup_free char *labels = labels_cell(json_object_get(c->config, "Labels"));
  cleanup_free char *mounts = mounts_cell(json_object_get(c->hostconfig, "Binds"), o->no_trunc);
  cleanup_free char *size = size_cell(c, o);
  cleanup_free char *ports = NULL, *nets = NULL;
  network_cells(o->store, c, &ports, &nets);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID",
                   id, "Image", image, "Command", cmd, "CreatedAt", created_at, "RunningFor",
                   running_for, "Ports", ports, "State",
                   strcmp(c->status, "running") == 0 && c->paused ? "paused" : c->status, "Status",
                   status, "Size", size, "Names", c->name, "Labels", labels, "Mounts", mounts,
                   "Networks", nets, "LocalVolumes", "0");
}

/* Docker's .Label "k": the container's label k, "" when it has none. */
static int
label_method(void *ctx, const json_t *dot, const char *name, json_t *const *args, size_t n,
             json_t **out, berth_error **err)
{
  (void)dot;
  if (strcmp(name, "Label") != 0)
    return 0;
  if (n != 1 || !json_is_string(args[0]))
    return berth_error_set(err, 0, "wrong number of args for Label: want 1 got %zu", n);
  const berth_container *c = ctx;
  json_t *v = c != NULL ? json_object_get(json_object_get(c->config, "Labels"),
                                          json_string_value(args[0]))
                        : NULL;
  *out = json_string(json_is_string(v) ? json_string_value(v) : "");
  return 1;
}

static json_t *
ps_headers(void)
{
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID",
                   "CONTAINER ID", "Image", "IMAGE", "Command", "COMMAND", "CreatedAt",
                   "CREATED AT", "RunningFor", "CREATED", "Ports", "PORTS", "State", "STATE",
                   "Status", "STATUS", "Size", "SIZE", "Names", "NAMES", "Labels", "LABELS",
                   "Mounts", "MOUNTS", "Networks", "NETWORKS", "LocalVolumes", "LOCAL VOLUMES");
}

/* Docker's NewContainerFormat: a custom format wins over -q. */
static const char *
ps_format(const ps_opts *o)
{
  if (o->format != NULL && strcmp(o->format, "table") != 0)
    return o->format;
  if (o->quiet)
    return "{{.ID}}";
  if (o->size)
    return "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{."
           "Names}}\t{{.Size}}";
  return "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{."
         "Names}}";
}

/* Docker's runPs checks a --format before anything is listed: parsed, then
 * run once over an empty container, each failure in its own words. */
static berth_format *
ps_formatter(const ps_opts *o, berth_error **err)
{
  cleanup_json json_t *headers = ps_headers();
  berth_format *f
      = berth_format_new(ps_format(o), headers, "*formatter.ContainerContext", label_method, err);
  if (f == NULL) {
    berth_error_prefix(err, "failed to parse template");
    return NULL;
  }
  char *no_args[] = { NULL };
  berth_container empty = { .name = "", .status = "", .path = "", .created = "", .args = no_args };
  cleanup_json json_t *row = ps_row(&empty, o, 0);
  if (o->format != NULL && berth_format_probe(f, row, NULL, err) < 0) {
    berth_error_prefix(err, "failed to execute template");
    berth_format_free(f);
    return NULL;
  }
  return f;
}

static int
print_rows(berth_format *f, berth_container **v, size_t n, const ps_opts *o, berth_error **err)
{
  int64_t now = time(NULL);
  for (size_t i = 0; i < n; i++) {
    cleanup_json json_t *row = ps_row(v[i], o, now);
    if (berth_format_row(f, row, v[i], err) < 0)
      return -1;
  }
  berth_format_print(f);
  return 0;
}

/* The containers ps shows, newest first (*n of them). */
static berth_container **
collect(berth_store *s, const ps_opts *o, size_t *count, berth_error **err)
{
  cleanup_strv char **ids = berth_container_list_ids(s, err);
  if (ids == NULL)
    return NULL;
  size_t n = 0, total = 0;
  while (ids[total] != NULL)
    total++;
  berth_container **v = xcalloc(total + 1, sizeof(*v));
  for (size_t i = 0; i < total; i++) {
    berth_container *c = NULL;
    if (berth_container_load(s, ids[i], &c, NULL) != 1)
      continue;
    berth_container_refresh(s, c, NULL);
    v[n++] = c;
  }
  qsort(v, n, sizeof(*v), by_created_desc);
  berth_ps_filter flt;
  if (berth_ps_filter_init(&flt, s, &o->filters, err) < 0) {
    berth_ps_filter_clear(&flt);
    for (size_t i = 0; i < n; i++)
      berth_container_free(v[i]);
    free(v);
    return NULL;
  }
  size_t shown = 0;
  bool stop = false;
  for (size_t i = 0; i < n; i++) {
    int step = stop ? -1 : berth_ps_filter_step(&flt, v[i], o->all || o->latest);
    stop = step < 0;
    if (step > 0)
      v[shown++] = v[i];
    else
      berth_container_free(v[i]);
  }
  berth_ps_filter_clear(&flt);
  if (o->latest && shown > 1) {
    for (size_t i = 1; i < shown; i++)
      berth_container_free(v[i]);
    shown = 1;
  }
  *count = shown;
  return v;
}

int
berth_cmd_ps(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_FORMAT = BERTH_FLAG_LONG, OPT_NO_TRUNC };
  static const berth_flag flags[] = {
    { "all", 'a', NULL, "Show all containers (default shows just running)" },
    { "filter", 'f', "filter", "Filter output based on conditions provided" },
    { "format", OPT_FORMAT, "string", "Pretty-print containers using a Go template" },
    { "latest", 'l', NULL, "Show the latest created container (includes all states)" },
    { "no-trunc", OPT_NO_TRUNC, NULL, "Don't truncate output" },
    { "quiet", 'q', NULL, "Only display container IDs" },
    { "size", 's', NULL, "Display total file sizes" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth ps [OPTIONS]", "List containers", flags, .max_args = 0 };
  berth_flag_iter it = { 0 };
  ps_opts o = { 0 };
  cleanup_filters berth_filters *filters = &o.filters;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'f':
      if (berth_filters_add(cli, argv[0], filters, optarg) != 0)
        return 125;
      break;
    case 'a':
      o.all = true;
      break;
    case 'q':
      o.quiet = true;
      break;
    case 's':
      o.size = true;
      break;
    case OPT_NO_TRUNC:
      o.no_trunc = true;
      break;
    case 'l':
      o.latest = true;
      break;
    case OPT_FORMAT:
      o.format = optarg;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  /* Docker's runPs measures when the template uses .Size (its probe's
   * FieldsUsed); the template's text naming it stands for that here */
  if (o.format != NULL && strstr(o.format, ".Size") != NULL)
    o.size = true;
  cleanup_error berth_error *err = NULL;
  cleanup_format berth_format *f = ps_formatter(&o, &err);
  if (f == NULL)
    return berth_format_fail(NULL, err);
  berth_store *s = berth_cli_store(cli, &err);
  o.store = s;
  size_t n = 0;
  berth_container **v = s != NULL ? collect(s, &o, &n, &err) : NULL;
  if (v == NULL)
    return berth_cli_fail(cli, err);
  int status = print_rows(f, v, n, &o, &err) < 0 ? berth_format_fail(NULL, err) : 0;
  for (size_t i = 0; i < n; i++)
    berth_container_free(v[i]);
  free(v);
  return status;
}

json_t *
berth_ps_row_json(const berth_container *c, bool no_trunc, int64_t now)
{
  ps_opts o = { .no_trunc = no_trunc };
  return ps_row(c, &o, now);
}
