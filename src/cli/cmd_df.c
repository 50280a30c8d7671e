/* `system df [-v] [--format]`: Docker 20.10's disk usage tables, plus
 * berth's line for what nothing in the store references. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_prune.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "format.h"
#include "system/df.h"
#include "units.h"

/* Docker's "1.2MB (50%)": the share when there is a total at all. */
static char *
with_percent(long long part, long long total)
{
  cleanup_free char *h = berth_human_size_precision(part, 4);
  if (total <= 0)
    return xstrdup(h);
  return xasprintf("%s (%lld%%)", h, part * 100 / total);
}

static int
summary_row(berth_format *f, const char *type, size_t total, size_t active, long long size,
            char *reclaimable, berth_error **err)
{
  cleanup_free char *reclaim = reclaimable;
  cleanup_free char *t = xasprintf("%zu", total), *a = xasprintf("%zu", active);
  cleanup_free char *sz = berth_human_size_precision(size, 4);
  cleanup_json json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s}", "Type", type, "TotalCount", t,
                                       "Active", a, "Size", sz, "Reclaimable", reclaim);
  return berth_format_row(f, row, NULL, err);
}

static int
summary(const berth_df *d, const char *format)
{
  cleanup_error berth_error *err = NULL;
  cleanup_json json_t *headers
      = json_pack("{s:s, s:s, s:s, s:s, s:s}", "Type", "TYPE", "TotalCount", "TOTAL", "Active",
                  "ACTIVE", "Size", "SIZE", "Reclaimable", "RECLAIMABLE");
  cleanup_format berth_format *f
      = berth_format_new(format && strcmp(format, "table") != 0
                             ? format
                             : "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{."
                               "Reclaimable}}",
                         headers, "*formatter.diskUsageImagesContext", NULL, &err);
  if (f == NULL)
    return berth_format_fail("template parsing error", err);
  size_t active = 0;
  long long used = 0;
  for (size_t i = 0; i < d->n_images; i++)
    if (d->image[i].containers > 0) {
      active++;
      used += d->image[i].size - d->image[i].shared; /* Docker's count */
    }
  size_t running = 0;
  long long rw = 0, stopped_rw = 0;
  for (size_t i = 0; i < d->n_containers; i++) {
    rw += d->size_rw[i];
    if (strcmp(d->containers[i]->status, "running") == 0)
      running++;
    else
      stopped_rw += d->size_rw[i];
  }
  size_t cache_active = 0;
  long long cache = 0, cache_used = 0;
  for (size_t i = 0; i < d->n_cache; i++) {
    cache += d->cache[i].size;
    cache_active += d->cache[i].in_use;
    cache_used += d->cache[i].in_use ? d->cache[i].size : 0;
  }
  long long left = 0;
  for (size_t i = 0; i < d->n_leftovers; i++)
    left += d->leftovers[i].size;
  if (summary_row(f, "Images", d->n_images, active, d->layers_size,
                  with_percent(d->layers_size - used, d->layers_size), &err)
          < 0
      || summary_row(f, "Containers", d->n_containers, running, rw, with_percent(stopped_rw, rw),
                     &err)
             < 0
      || summary_row(f, "Local Volumes", 0, 0, 0, xstrdup("0B"), &err) < 0
      || summary_row(f, "Build Cache", d->n_cache, cache_active, cache,
                     berth_human_size_precision(cache - cache_used, 4), &err)
             < 0
      /* berth's own: only when there is something, so a clean store's
       * table is Docker's */
      || (d->n_leftovers > 0
          && summary_row(f, "Unreferenced", d->n_leftovers, 0, left, with_percent(left, left), &err)
                 < 0))
    return berth_format_fail(NULL, err);
  berth_format_print(f);
  return 0;
}

static int
table(const char *format, json_t *headers, json_t *rows)
{
  cleanup_error berth_error *err = NULL;
  cleanup_json json_t *h = headers, *r = rows;
  cleanup_format berth_format *f
      = berth_format_new(format, h, "*formatter.diskUsageContext", NULL, &err);
  if (f == NULL)
    return berth_format_fail("template parsing error", err);
  size_t i;
  json_t *row;
  json_array_foreach(r, i, row)
  {
    if (berth_format_row(f, row, NULL, &err) < 0)
      return berth_format_fail(NULL, err);
  }
  berth_format_print(f);
  return 0;
}

static json_t *
image_rows(const berth_df *d, int64_t now)
{
  json_t *rows = json_array();
  for (size_t i = 0; i < d->n_images; i++) {
    const berth_image_summary *im = &d->images[i];
    const berth_df_image *di = &d->image[i];
    /* Docker shows the first tag only */
    cleanup_free char *repo
        = im->tags[0] ? xstrndup(im->tags[0], (size_t)(strrchr(im->tags[0], ':') - im->tags[0]))
                      : xstrdup("<none>");
    const char *tag = im->tags[0] ? strrchr(im->tags[0], ':') + 1 : "<none>";
    cleanup_free char *id = xstrndup(berth_digest_hex(im->id), 12);
    cleanup_free char *created = berth_human_since(im->created, now);
    cleanup_free char *size = berth_human_size_precision(di->size, 4);
    cleanup_free char *shared = berth_human_size_precision(di->shared, 4);
    cleanup_free char *unique = berth_human_size_precision(di->size - di->shared, 4);
    cleanup_free char *containers = xasprintf("%d", di->containers);
    json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Repository",
                                          repo, "Tag", tag, "ID", id, "CreatedSince", created,
                                          "Size", size, "SharedSize", shared, "UniqueSize", unique,
                                          "Containers", containers));
  }
  return rows;
}

static json_t *
container_rows(const berth_df *d, int64_t now)
{
  json_t *rows = json_array();
  for (size_t i = 0; i < d->n_containers; i++) {
    json_t *row = berth_ps_row_json(d->containers[i], false, now);
    cleanup_free char *size = berth_human_size_precision(d->size_rw[i], 3);
    json_object_set_new(row, "Size", json_string(size));
    json_array_append_new(rows, row);
  }
  return rows;
}

static json_t *
cache_rows(const berth_df *d, int64_t now, long long *total)
{
  json_t *rows = json_array();
  *total = 0;
  for (size_t i = 0; i < d->n_cache; i++) {
    const berth_df_cache *c = &d->cache[i];
    *total += c->size;
    cleanup_free char *id = xstrndup(c->id, 12);
    cleanup_free char *size = berth_human_size_precision(c->size, 4);
    cleanup_free char *created = berth_human_since(c->created, now);
    json_array_append_new(rows,
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "CacheType",
                                    c->type, "Size", size, "CreatedSince", created, "LastUsedSince",
                                    "", "UsageCount", "0", "Shared", "false"));
  }
  return rows;
}

static json_t *
leftover_rows(const berth_df *d)
{
  json_t *rows = json_array();
  for (size_t i = 0; i < d->n_leftovers; i++) {
    cleanup_free char *size = berth_human_size_precision(d->leftovers[i].size, 4);
    json_array_append_new(rows,
                          json_pack("{s:s, s:s}", "Path", d->leftovers[i].path, "Size", size));
  }
  return rows;
}

static int
verbose(const berth_df *d)
{
  int64_t now = time(NULL);
  long long cache = 0;
  fputs("Images space usage:\n\n", stdout);
  int rc = table("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{."
                 "SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Repository", "REPOSITORY",
                           "Tag", "TAG", "ID", "IMAGE ID", "CreatedSince", "CREATED", "Size",
                           "SIZE", "SharedSize", "SHARED SIZE", "UniqueSize", "UNIQUE SIZE",
                           "Containers", "CONTAINERS"),
                 image_rows(d, now));
  fputs("\nContainers space usage:\n\n", stdout);
  rc |= table("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{."
              "RunningFor}}\t{{.Status}}\t{{.Names}}",
              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "CONTAINER ID", "Image",
                        "IMAGE", "Command", "COMMAND", "LocalVolumes", "LOCAL VOLUMES", "Size",
                        "SIZE", "RunningFor", "CREATED", "Status", "STATUS", "Names", "NAMES"),
              container_rows(d, now));
  fputs("\nLocal Volumes space usage:\n\n", stdout);
  rc |= table("table {{.Name}}\t{{.Links}}\t{{.Size}}",
              json_pack("{s:s, s:s, s:s}", "Name", "VOLUME NAME", "Links", "LINKS", "Size", "SIZE"),
              json_array());
  json_t *rows = cache_rows(d, now, &cache);
  cleanup_free char *h = berth_human_size_precision(cache, 4);
  printf("\nBuild cache usage: %s\n\n", h);
  rc |= table("table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{"
              "{.UsageCount}}\t{{.Shared}}",
              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "CACHE ID", "CacheType",
                        "CACHE TYPE", "Size", "SIZE", "CreatedSince", "CREATED", "LastUsedSince",
                        "LAST USED", "UsageCount", "USAGE", "Shared", "SHARED"),
              rows);
  if (d->n_leftovers > 0) {
    fputs("\nUnreferenced in the store (berth; `berth system prune` removes them):\n\n", stdout);
    rc |= table("table {{.Path}}\t{{.Size}}",
                json_pack("{s:s, s:s}", "Path", "PATH", "Size", "SIZE"), leftover_rows(d));
  }
  return rc;
}

int
berth_cmd_system_df(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_FORMAT = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "format", OPT_FORMAT, "string", "Pretty-print images using a Go template" },
    { "verbose", 'v', NULL, "Show detailed information on space usage" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth system df [OPTIONS]", "Show docker disk usage", flags, .max_args = 0 };
  berth_flag_iter it = { 0 };
  bool verbose_flag = false;
  const char *format = NULL;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'v':
      verbose_flag = true;
      break;
    case OPT_FORMAT:
      format = optarg;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  if (verbose_flag && format != NULL)
    return berth_cli_usage_error(cli, "system df",
                                 "berth does not run a --format over --verbose's tables");
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  berth_df d = { 0 };
  if (s == NULL || berth_system_df(s, &d, &err) < 0) {
    berth_df_clear(&d);
    return berth_cli_fail(cli, err);
  }
  int rc = verbose_flag ? verbose(&d) : summary(&d, format);
  berth_df_clear(&d);
  return rc;
}
