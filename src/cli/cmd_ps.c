#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/ops.h"
#include "container_cli.h"
#include "image/time.h"
#include "table.h"
#include "units.h"

typedef struct ps_opts {
  bool all, quiet, no_trunc, latest;
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
    return xasprintf("Up %s", d);
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

static void
print_rows(berth_container **v, size_t n, const ps_opts *o)
{
  int64_t now = time(NULL);
  berth_table *t = berth_table_new(7);
  const char *head[]
      = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES" };
  if (!o->quiet)
    berth_table_add(t, head);
  for (size_t i = 0; i < n; i++) {
    berth_container *c = v[i];
    cleanup_free char *id = o->no_trunc ? xstrdup(c->id) : xasprintf("%.12s", c->id);
    if (o->quiet) {
      puts(id);
      continue;
    }
    cleanup_free char *cmd = command_cell(c, o->no_trunc);
    cleanup_free char *created = berth_human_since(parse_time(c->created), now);
    cleanup_free char *status = status_cell(c, now);
    const char *image = c->image_name && c->image_name[0] ? c->image_name : c->image_id;
    /* an image named by its ID ("sha256:…", as build's containers are)
     * is shown short, as Docker's: when its 12 characters are the ID's */
    const char *hex = strncmp(image, "sha256:", 7) == 0 ? image + 7 : image;
    const char *idhex = strncmp(c->image_id, "sha256:", 7) == 0 ? c->image_id + 7 : c->image_id;
    cleanup_free char *short_image
        = !o->no_trunc && strlen(hex) >= 12 && strncmp(hex, idhex, 12) == 0 ? xstrndup(idhex, 12)
                                                                            : NULL;
    const char *row[]
        = { id, short_image ? short_image : image, cmd, created, status, "", c->name };
    berth_table_add(t, row);
  }
  if (!o->quiet)
    berth_table_print(t);
  berth_table_free(t);
}

static int
list(berth_store *s, const ps_opts *o, berth_error **err)
{
  cleanup_strv char **ids = berth_container_list_ids(s, err);
  if (ids == NULL)
    return -1;
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
  size_t shown = 0;
  for (size_t i = 0; i < n; i++)
    if (o->all || o->latest || strcmp(v[i]->status, "running") == 0)
      v[shown++] = v[i];
    else
      berth_container_free(v[i]);
  if (o->latest && shown > 1) {
    for (size_t i = 1; i < shown; i++)
      berth_container_free(v[i]);
    shown = 1;
  }
  print_rows(v, shown, o);
  for (size_t i = 0; i < shown; i++)
    berth_container_free(v[i]);
  free(v);
  return 0;
}

int
berth_cmd_ps(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "all", no_argument, NULL, 'a' },      { "quiet", no_argument, NULL, 'q' },
    { "no-trunc", no_argument, NULL, 'T' }, { "latest", no_argument, NULL, 'l' },
    { "help", no_argument, NULL, 'h' },     { 0 },
  };
  ps_opts o = { 0 };
  int c;
  while ((c = getopt_long(argc, argv, "+:aqlh", options, NULL)) != -1) {
    switch (c) {
    case 'a':
      o.all = true;
      break;
    case 'q':
      o.quiet = true;
      break;
    case 'T':
      o.no_trunc = true;
      break;
    case 'l':
      o.latest = true;
      break;
    case 'h':
      puts("Usage:  berth ps [OPTIONS]\n\n"
           "List containers\n\n"
           "Options:\n"
           "  -a, --all        Show all containers (default shows just running)\n"
           "  -l, --latest     Show the latest created container (includes all states)\n"
           "      --no-trunc   Don't truncate output\n"
           "  -q, --quiet      Only display container IDs");
      return 0;
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL || list(s, &o, &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
