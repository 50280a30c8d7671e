#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "format.h"
#include "images/history.h"
#include "images/resolve.h"
#include "units.h"

typedef struct history_opts {
  bool human, no_trunc, quiet;
  const char *format; /* --format, NULL: Docker's default */
} history_opts;

/* Go's time.RFC3339 in the local zone, as Docker's -H=false prints it. */
static char *
rfc3339_local(int64_t t)
{
  time_t tt = (time_t)t;
  struct tm tm;
  localtime_r(&tt, &tm);
  char base[32], zone[48];
  strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
  long off = tm.tm_gmtoff;
  if (off == 0)
    return xasprintf("%sZ", base);
  snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
           labs(off) % 3600 / 60);
  return xasprintf("%s%s", base, zone);
}

static char *
row_id(const berth_history_row *r, bool no_trunc)
{
  if (r->id[0] == '\0')
    return xstrdup("<missing>");
  return no_trunc ? xstrdup(r->id) : xstrndup(berth_digest_hex(r->id), 12);
}

/* One row as Docker's historyContext shows it: every column a string. */
static int
add_row(berth_format *f, const history_opts *o, const berth_history_row *r, int64_t now,
        berth_error **err)
{
  cleanup_free char *id = row_id(r, o->no_trunc);
  cleanup_free char *at = rfc3339_local(r->created);
  cleanup_free char *since = o->human ? berth_human_since(r->created, now) : xstrdup(at);
  cleanup_free char *by = xstrdup(r->created_by);
  for (char *p = by; *p; p++)
    if (*p == '\t')
      *p = ' ';
  cleanup_free char *by_cut = o->no_trunc ? xstrdup(by) : berth_ellipsis(by, 45);
  cleanup_free char *size = o->human ? berth_human_size(r->size) : xasprintf("%lld", r->size);
  cleanup_json json_t *row
      = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "CreatedSince", since, "CreatedAt",
                  at, "CreatedBy", by_cut, "Size", size, "Comment", r->comment);
  return berth_format_row(f, row, NULL, err);
}

/* Docker's NewHistoryFormat: the quiet one, or the table with CREATED
 * (human) or CREATED AT (-H=false); a custom format wins over -q. */
static const char *
history_format(const history_opts *o)
{
  if (o->format != NULL && strcmp(o->format, "table") != 0)
    return o->format;
  if (o->quiet)
    return "{{.ID}}";
  return o->human ? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
                  : "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
}

static bool
parse_bool(const char *s, bool *out)
{
  if (s == NULL) {
    *out = true;
    return true;
  }
  if (*s == '=')
    s++;
  if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "t") == 0)
    *out = true;
  else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcmp(s, "f") == 0)
    *out = false;
  else
    return false;
  return true;
}

int
berth_cmd_history(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_FORMAT = BERTH_FLAG_LONG, OPT_NO_TRUNC };
  static const berth_flag flags[] = {
    { "format", OPT_FORMAT, "string", "Pretty-print images using a Go template" },
    { "human", 'H', berth_flag_bool,
      "Print sizes and dates in human readable format (default true)" },
    { "no-trunc", OPT_NO_TRUNC, NULL, "Don't truncate output" },
    { "quiet", 'q', NULL, "Only show image IDs" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth history [OPTIONS] IMAGE", "Show the history of an image", flags, .min_args = 1,
          .max_args = 1 };
  berth_flag_iter it = { 0 };
  history_opts o = { .human = true };
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'H':
      if (!parse_bool(optarg, &o.human))
        return berth_cli_usage_error(cli, argv[0], "invalid argument \"%s\" for \"-H, --human\"",
                                     optarg);
      break;
    case OPT_NO_TRUNC:
      o.no_trunc = true;
      break;
    case 'q':
      o.quiet = true;
      break;
    case OPT_FORMAT:
      o.format = optarg;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  cleanup_error berth_error *err = NULL;
  cleanup_json json_t *headers = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "IMAGE", "CreatedSince", "CREATED", "CreatedAt",
      "CREATED AT", "CreatedBy", "CREATED BY", "Size", "SIZE", "Comment", "COMMENT");
  cleanup_format berth_format *f
      = berth_format_new(history_format(&o), headers, "*image.historyContext", NULL, &err);
  if (f == NULL)
    return berth_format_fail("template parsing error", err);
  berth_store *store = berth_cli_store(cli, &err);
  char id[BERTH_DIGEST_LEN];
  berth_history_row *rows = NULL;
  size_t n = 0;
  if (store == NULL || berth_image_resolve(store, argv[optind], id, &err) < 0
      || berth_image_history(store, id, &rows, &n, &err) < 0)
    return berth_cli_fail(cli, err);
  int64_t now = time(NULL);
  int status = 0;
  for (size_t i = 0; i < n && status == 0; i++)
    if (add_row(f, &o, &rows[i], now, &err) < 0)
      status = berth_format_fail(NULL, err);
  if (status == 0)
    berth_format_print(f);
  berth_history_rows_free(rows, n);
  return status;
}
