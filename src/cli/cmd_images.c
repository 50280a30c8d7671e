#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "filters.h"
#include "flags.h"
#include "format.h"
#include "images/list.h"
#include "reference/reference.h"
#include "units.h"

typedef struct images_opts {
  bool all, quiet, digests, no_trunc;
  const char *filter;    /* the REPOSITORY[:TAG] argument */
  berth_filters filters; /* --filter */
  const char *format;    /* --format, NULL: Docker's default table */
} images_opts;

/* Keeps the names in v (tags or digest refs) that match one of the
 * REPO[:TAG] patterns; -1 on a bad pattern. */
static int
filter_names(char **v, const char **patterns, berth_error **err)
{
  size_t kept = 0;
  for (size_t i = 0; v[i] != NULL; i++) {
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(v[i], NULL);
    int m = 0;
    for (const char **p = patterns; ref != NULL && *p != NULL && m == 0; p++)
      m = berth_reference_familiar_match(*p, ref, err);
    if (m < 0)
      return -1;
    if (m == 1)
      v[kept++] = v[i];
    else
      free(v[i]);
  }
  v[kept] = NULL;
  return 0;
}

static char *
short_id(const char *id, bool no_trunc)
{
  return no_trunc ? xstrdup(id) : xstrndup(berth_digest_hex(id), 12);
}

/* One row as Docker's imageContext shows it: every column a string. */
static int
add_row(berth_format *f, const images_opts *o, const berth_image_summary *im, const char *repo,
        const char *tag, const char *digest, int64_t now, berth_error **err)
{
  cleanup_free char *id = short_id(im->id, o->no_trunc);
  cleanup_free char *created = berth_human_since(im->created, now);
  cleanup_free char *at = berth_go_time_string(im->created);
  cleanup_free char *size = berth_human_size(im->size);
  cleanup_free char *virtual_size = berth_human_size_precision(im->size, 4);
  cleanup_json json_t *row = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "Repository", repo,
      "Tag", tag, "Digest", digest, "CreatedSince", created, "CreatedAt", at, "Size", size,
      "Containers", "N/A", "VirtualSize", virtual_size, "SharedSize", "N/A", "UniqueSize", "N/A");
  return berth_format_row(f, row, NULL, err);
}

/* Docker's imageFormatTaggedAndDigest: a row per tag (per tag and digest
 * with --digests), then rows for repositories named only by digest. */
static int
add_named_rows(berth_format *f, const images_opts *o, const berth_image_summary *im, int64_t now,
               berth_error **err)
{
  for (char **tag = im->tags; *tag != NULL; tag++) {
    cleanup_free char *repo = xstrndup(*tag, (size_t)(strrchr(*tag, ':') - *tag));
    const char *tagname = strrchr(*tag, ':') + 1;
    bool any = false;
    for (char **d = im->digests; o->digests && *d != NULL; d++) {
      const char *at = strchr(*d, '@');
      if ((size_t)(at - *d) == strlen(repo) && strncmp(*d, repo, strlen(repo)) == 0) {
        if (add_row(f, o, im, repo, tagname, at + 1, now, err) < 0)
          return -1;
        any = true;
      }
    }
    if (!any && add_row(f, o, im, repo, tagname, "<none>", now, err) < 0)
      return -1;
  }
  for (char **d = im->digests; *d != NULL; d++) {
    const char *at = strchr(*d, '@');
    cleanup_free char *repo = xstrndup(*d, (size_t)(at - *d));
    bool tagged = false;
    for (char **tag = im->tags; *tag != NULL && !tagged; tag++)
      tagged = strncmp(*tag, repo, strlen(repo)) == 0 && (*tag)[strlen(repo)] == ':'
               && strchr(*tag + strlen(repo) + 1, ':') == NULL;
    if (tagged)
      continue;
    bool seen = false; /* without --digests one row per repository */
    for (char **e = im->digests; e != d && !o->digests && !seen; e++)
      seen = strncmp(*e, repo, strlen(repo)) == 0 && (*e)[strlen(repo)] == '@';
    if (!seen && add_row(f, o, im, repo, "<none>", o->digests ? at + 1 : "", now, err) < 0)
      return -1;
  }
  return 0;
}

/* Docker's NewImageFormat: "table" (or no --format) is the default table,
 * with a DIGEST column under --digests; a custom table gets the digest
 * column added under --digests. */
static char *
image_format(const images_opts *o, bool digests_flag)
{
  if (o->format == NULL || strcmp(o->format, "table") == 0)
    return xstrdup(o->digests
                       ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{."
                         "CreatedSince}}\t{{.Size}}"
                       : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}");
  if (digests_flag && strncmp(o->format, "table", 5) == 0
      && strstr(o->format, "{{.Digest}}") == NULL)
    return xasprintf("%s\t{{.Digest}}", o->format);
  return xstrdup(o->format);
}

static json_t *
image_headers(void)
{
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "IMAGE ID",
                   "Repository", "REPOSITORY", "Tag", "TAG", "Digest", "DIGEST", "CreatedSince",
                   "CREATED", "CreatedAt", "CREATED AT", "Size", "SIZE", "Containers", "CONTAINERS",
                   "VirtualSize", "VIRTUAL SIZE", "SharedSize", "SHARED SIZE", "UniqueSize",
                   "UNIQUE SIZE");
}

static int
list(berth_cli *cli, const images_opts *o)
{
  cleanup_error berth_error *err = NULL;
  /* -q prints the IDs alone unless a template is given (Docker's order) */
  bool quiet = o->quiet && o->format == NULL;
  /* Docker shows the digests to a template that names {{.Digest}} even
   * without --digests */
  images_opts eff = *o;
  eff.digests = o->digests || (o->format != NULL && strstr(o->format, "{{.Digest}}") != NULL);
  o = &eff;
  cleanup_free char *format = image_format(o, o->digests);
  cleanup_json json_t *headers = image_headers();
  cleanup_format berth_format *f
      = berth_format_new(format, headers, "*formatter.imageContext", NULL, &err);
  if (f == NULL)
    return berth_format_fail("template parsing error", err);
  berth_store *store = berth_cli_store(cli, &err);
  berth_image_summary *v = NULL;
  size_t n = 0;
  berth_image_filter flt = { 0 };
  if (store == NULL || berth_image_filter_init(&flt, store, &o->filters, o->filter, &err) < 0
      || berth_image_list(store, &v, &n, &err) < 0) {
    berth_image_filter_clear(&flt);
    return berth_cli_fail(cli, err);
  }
  int64_t now = time(NULL);
  int status = 0;
  char **seen_ids = xcalloc(n + 1, sizeof(char *));
  size_t n_seen = 0;
  for (size_t i = 0; i < n && status == 0; i++) {
    berth_image_summary *im = &v[i];
    bool named = im->tags[0] != NULL || im->digests[0] != NULL;
    if (!berth_image_filter_keep(&flt, store, im))
      continue;
    if (flt.refs != NULL
        && (filter_names(im->tags, flt.refs, &err) < 0
            || filter_names(im->digests, flt.refs, &err) < 0)) {
      status = berth_cli_fail(cli, err);
      break;
    }
    bool still_named = im->tags[0] != NULL || im->digests[0] != NULL;
    if (!still_named
        && (named || flt.refs != NULL || flt.dangling == 0 || (!o->all && im->has_children)))
      continue;
    if (flt.dangling == 1 && im->tags[0] != NULL)
      continue;
    if (quiet) {
      bool dup = false;
      for (size_t k = 0; k < n_seen; k++)
        dup |= strcmp(seen_ids[k], im->id) == 0;
      if (!dup) {
        seen_ids[n_seen++] = im->id;
        cleanup_free char *id = short_id(im->id, o->no_trunc);
        puts(id);
      }
      continue;
    }
    int rc = !still_named ? add_row(f, o, im, "<none>", "<none>", "<none>", now, &err)
                          : add_named_rows(f, o, im, now, &err);
    if (rc < 0)
      status = berth_format_fail(NULL, err);
  }
  free(seen_ids);
  if (!quiet && status == 0)
    berth_format_print(f);
  berth_image_summaries_free(v, n);
  berth_image_filter_clear(&flt);
  return status;
}

int
berth_cmd_images(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_DIGESTS = BERTH_FLAG_LONG, OPT_FORMAT, OPT_NO_TRUNC };
  static const berth_flag flags[] = {
    { "all", 'a', NULL, "Show all images (default hides intermediate images)" },
    { "digests", OPT_DIGESTS, NULL, "Show digests" },
    { "filter", 'f', "filter", "Filter output based on conditions provided" },
    { "format", OPT_FORMAT, "string", "Pretty-print images using a Go template" },
    { "no-trunc", OPT_NO_TRUNC, NULL, "Don't truncate output" },
    { "quiet", 'q', NULL, "Only show image IDs" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth images [OPTIONS] [REPOSITORY[:TAG]]", "List images", flags, .max_args = 1 };
  berth_flag_iter it = { 0 };
  images_opts o = { 0 };
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
    case OPT_DIGESTS:
      o.digests = true;
      break;
    case OPT_NO_TRUNC:
      o.no_trunc = true;
      break;
    case OPT_FORMAT:
      o.format = optarg;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  o.filter = argc - optind == 1 ? argv[optind] : NULL;
  return list(cli, &o);
}
