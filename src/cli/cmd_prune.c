/* `image prune`, `container prune`, `builder prune`, `system prune`:
 * Docker 20.10's prompts, filters and report lines over images/prune.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_prune.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "filters.h"
#include "flags.h"
#include "image/time.h"
#include "images/prune.h"
#include "units.h"

typedef struct prune_opts {
  bool all, force;
  berth_filters filters;
} prune_opts;

/* Docker's PromptForConfirmation: the question on stdout, yes only for a
 * line "y" or "Y". */
static bool
confirm(const char *question)
{
  fputs(question, stdout);
  fputs(" [y/N] ", stdout);
  fflush(stdout);
  char line[64];
  if (fgets(line, sizeof line, stdin) == NULL)
    return false;
  line[strcspn(line, "\r\n")] = '\0';
  char *p = line;
  while (isspace((unsigned char)*p))
    p++;
  return (p[0] == 'y' || p[0] == 'Y') && p[1] == '\0';
}

/* Go's time.ParseDuration for what users write ("24h", "1h30m", "90s",
 * "1.5h"): 0 and the seconds, -1 when it is not one. */
static int
parse_duration(const char *s, double *out)
{
  static const struct {
    const char *unit;
    double secs;
  } units[] = { { "ns", 1e-9 }, { "us", 1e-6 }, { "µs", 1e-6 }, { "ms", 1e-3 },
                { "s", 1 },     { "m", 60 },    { "h", 3600 } };
  double total = 0;
  bool neg = *s == '-';
  s += *s == '-' || *s == '+';
  if (*s == '\0')
    return -1;
  if (strcmp(s, "0") == 0) {
    *out = 0;
    return 0;
  }
  while (*s != '\0') {
    char *end;
    if (!isdigit((unsigned char)*s) && *s != '.')
      return -1;
    double v = strtod(s, &end);
    if (end == s)
      return -1;
    s = end;
    size_t best = 0, bi = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
      size_t n = strlen(units[i].unit);
      if (strncmp(s, units[i].unit, n) == 0 && n > best) {
        best = n;
        bi = i;
      }
    }
    if (best == 0)
      return -1;
    total += v * units[bi].secs;
    s += best;
  }
  *out = neg ? -total : total;
  return 0;
}

/* Docker's timetypes.GetTimestamp for `until`: a duration back from now,
 * an RFC 3339 time or date, or unix seconds.  Outside input. */
static int
parse_until(const char *v, int64_t now, int64_t *out, berth_error **err)
{
  double d;
  if (parse_duration(v, &d) == 0) {
    *out = now - (int64_t)d;
    return 0;
  }
  if (berth_time_parse(v, out) == 0)
    return 0;
  struct tm tm = { 0 };
  const char *end = strptime(v, "%Y-%m-%d", &tm);
  if (end != NULL && *end == '\0') {
    *out = timegm(&tm);
    return 0;
  }
  char *e;
  double secs = strtod(v, &e);
  if (e != v && *e == '\0' && isdigit((unsigned char)v[0])) {
    *out = (int64_t)secs;
    return 0;
  }
  return berth_error_set_as(err, EINVAL, "failed to parse value as time or duration: \"%s\"", v);
}

/* The filters a prune accepts into the library's form (vectors of f's
 * strings). */
static int
prune_filter(const berth_filters *f, const char *const *accepted, berth_prune_filter *out,
             berth_error **err)
{
  *out = (berth_prune_filter){ 0 };
  if (berth_filters_validate(f, accepted, err) < 0)
    return -1;
  cleanup_free const char **until = berth_filters_values(f, "until");
  for (const char **p = until; *p != NULL; p++) {
    if (parse_until(*p, time(NULL), &out->until, err) < 0)
      return -1;
    out->has_until = true;
  }
  out->labels = (char **)berth_filters_values(f, "label");
  out->not_labels = (char **)berth_filters_values(f, "label!");
  return 0;
}

static void
prune_filter_clear(berth_prune_filter *f)
{
  free(f->labels);
  free(f->not_labels);
}

/* Docker's client adds dangling=true (false with -a) to image prune's
 * filters; the daemon prunes every image when false is among them. */
static bool
dangling_only(const prune_opts *o)
{
  return !o->all && !berth_strset_has(&o->filters.pairs, "dangling=false")
         && !berth_strset_has(&o->filters.pairs, "dangling=0");
}

static void
print_section(const char *title, const berth_prune_report *r)
{
  if (r->n_deleted == 0)
    return;
  printf("%s\n", title);
  for (size_t i = 0; i < r->n_deleted; i++)
    printf("%s\n", r->deleted[i]);
  putchar('\n');
}

static void
print_kept(const berth_prune_report *r)
{
  fflush(stdout);
  for (size_t i = 0; i < r->n_kept; i++)
    fprintf(stderr, "berth: %s\n", r->kept[i]);
}

static void
print_total(long long bytes)
{
  cleanup_free char *h = berth_human_size_precision(bytes, 4);
  printf("Total reclaimed space: %s\n", h);
}

static int
run_image_prune(berth_store *s, const prune_opts *o, long long *reclaimed, berth_error **err)
{
  static const char *const accepted[] = { "dangling", "label", "label!", "until", NULL };
  berth_prune_filter f;
  bool dangling = dangling_only(o);
  if (prune_filter(&o->filters, accepted, &f, err) < 0) {
    prune_filter_clear(&f);
    return -1;
  }
  berth_prune_report r = { 0 };
  int ret = berth_image_prune(s, !dangling, &f, &r, err);
  prune_filter_clear(&f);
  if (ret == 0) {
    print_section("Deleted Images:", &r);
    print_kept(&r);
    *reclaimed += r.reclaimed;
  }
  berth_prune_report_clear(&r);
  return ret;
}

static int
run_container_prune(berth_store *s, const prune_opts *o, long long *reclaimed, berth_error **err)
{
  static const char *const accepted[] = { "label", "label!", "until", NULL };
  berth_prune_filter f;
  if (prune_filter(&o->filters, accepted, &f, err) < 0) {
    prune_filter_clear(&f);
    return -1;
  }
  berth_prune_report r = { 0 };
  int ret = berth_container_prune(s, &f, &r, err);
  prune_filter_clear(&f);
  if (ret == 0) {
    print_section("Deleted Containers:", &r);
    *reclaimed += r.reclaimed;
  }
  berth_prune_report_clear(&r);
  return ret;
}

static int
run_builder_prune(berth_store *s, const prune_opts *o, long long *reclaimed, berth_error **err)
{
  static const char *const accepted[]
      = { "until",       "label", "label!", "id",      "parent", "type",
          "description", "inuse", "shared", "private", NULL };
  if (berth_filters_validate(&o->filters, accepted, err) < 0)
    return -1;
  berth_prune_report r = { 0 };
  int ret = berth_builder_prune(s, o->all, &r, err);
  if (ret == 0) {
    print_section("Deleted build cache objects:", &r);
    print_kept(&r);
    *reclaimed += r.reclaimed;
  }
  berth_prune_report_clear(&r);
  return ret;
}

typedef int (*prune_fn)(berth_store *s, const prune_opts *o, long long *reclaimed,
                        berth_error **err);

enum { OPT_FILTER = BERTH_FLAG_LONG, OPT_VOLUMES };

/* Options, the prompt unless -f, the pruning, the total.  spec: the
 * command's flags and --help. */
static int
prune_command(berth_cli *cli, int argc, char **argv, const char *cmd, const berth_cmd_spec *spec,
              const char *warning, const char *warning_all, prune_fn fn)
{
  berth_flag_iter it = { 0 };
  prune_opts o = { 0 };
  cleanup_filters berth_filters *filters = &o.filters;
  int c;
  while ((c = berth_flags_next(&it, cli, spec, argc, argv)) != -1) {
    switch (c) {
    case 'a':
      o.all = true;
      break;
    case 'f':
      o.force = true;
      break;
    case OPT_FILTER:
      if (berth_filters_add(cli, cmd, filters, optarg) != 0)
        return 125;
      break;
    case OPT_VOLUMES:
      break; /* berth has no volumes yet: nothing to prune */
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  if (!o.force && !confirm(o.all && warning_all ? warning_all : warning)) {
    if (fn != NULL)
      print_total(0); /* Docker's prune commands say so; system prune does not */
    return 0;
  }
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  long long reclaimed = 0;
  if (fn != NULL) {
    if (fn(s, &o, &reclaimed, &err) < 0)
      return berth_cli_fail(cli, err);
  } else if (run_container_prune(s, &o, &reclaimed, &err) < 0
             || run_image_prune(s, &o, &reclaimed, &err) < 0
             || run_builder_prune(s, &o, &reclaimed, &err) < 0) {
    return berth_cli_fail(cli, err);
  }
  print_total(reclaimed);
  return 0;
}

int
berth_cmd_image_prune(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "all", 'a', NULL, "Remove all unused images, not just dangling ones" },
    { "filter", OPT_FILTER, "filter", "Provide filter values (e.g. 'until=<timestamp>')" },
    { "force", 'f', NULL, "Do not prompt for confirmation" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth image prune [OPTIONS]", "Remove unused images", flags, .max_args = 0 };
  return prune_command(
      cli, argc, argv, "image prune", &spec,
      "WARNING! This will remove all dangling images.\nAre you sure you want to continue?",
      "WARNING! This will remove all images without at least one container associated to "
      "them.\nAre you sure you want to continue?",
      run_image_prune);
}

int
berth_cmd_container_prune(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "filter", OPT_FILTER, "filter", "Provide filter values (e.g. 'until=<timestamp>')" },
    { "force", 'f', NULL, "Do not prompt for confirmation" },
    { 0 },
  };
  static const berth_cmd_spec spec = { "berth container prune [OPTIONS]",
                                       "Remove all stopped containers", flags, .max_args = 0 };
  return prune_command(
      cli, argc, argv, "container prune", &spec,
      "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?", NULL,
      run_container_prune);
}

int
berth_cmd_builder_prune(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "all", 'a', NULL, "Remove all unused build cache, not just dangling ones" },
    { "filter", OPT_FILTER, "filter", "Provide filter values (e.g. 'until=24h')" },
    { "force", 'f', NULL, "Do not prompt for confirmation" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth builder prune", "Remove build cache", flags, .max_args = 0 };
  return prune_command(
      cli, argc, argv, "builder prune", &spec,
      "WARNING! This will remove all dangling build cache. Are you sure you want to continue?",
      "WARNING! This will remove all build cache. Are you sure you want to continue?",
      run_builder_prune);
}

int
berth_cmd_system_prune(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "all", 'a', NULL, "Remove all unused images not just dangling ones" },
    { "filter", OPT_FILTER, "filter", "Provide filter values (e.g. 'label=<key>=<value>')" },
    { "force", 'f', NULL, "Do not prompt for confirmation" },
    { "volumes", OPT_VOLUMES, NULL, "Prune volumes" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth system prune [OPTIONS]", "Remove unused data", flags, .max_args = 0 };
  return prune_command(cli, argc, argv, "system prune", &spec,
                       "WARNING! This will remove:\n"
                       "  - all stopped containers\n"
                       "  - all networks not used by at least one container\n"
                       "  - all dangling images\n"
                       "  - all dangling build cache\n\n"
                       "Are you sure you want to continue?",
                       "WARNING! This will remove:\n"
                       "  - all stopped containers\n"
                       "  - all networks not used by at least one container\n"
                       "  - all images without at least one container associated to them\n"
                       "  - all build cache\n\n"
                       "Are you sure you want to continue?",
                       NULL);
}
