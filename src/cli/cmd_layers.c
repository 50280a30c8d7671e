#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "images/layers.h"
#include "images/resolve.h"
#include "table.h"
#include "units.h"

static char *
short_digest(const char *d, bool no_trunc)
{
  if (d[0] == '\0')
    return xstrdup("<none>");
  return no_trunc ? xstrdup(d) : xstrndup(berth_digest_hex(d), 12);
}

static void
add_row(berth_table *t, const berth_layer_row *r, bool no_trunc)
{
  cleanup_free char *n = xasprintf("%zu", r->number);
  cleanup_free char *digest = short_digest(r->digest, no_trunc);
  cleanup_free char *diff = short_digest(r->diff_id, no_trunc);
  cleanup_free char *chain = short_digest(r->chain_id, no_trunc);
  cleanup_free char *cache = no_trunc ? xstrdup(r->cache_id) : xstrndup(r->cache_id, 12);
  cleanup_free char *size = berth_human_size(r->size);
  cleanup_free char *by = no_trunc ? xstrdup(r->created_by) : berth_ellipsis(r->created_by, 45);
  const char *cells[] = { n, digest, diff, chain, cache, size, by };
  berth_table_add(t, cells);
}

int
berth_cmd_layers(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_NO_TRUNC = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "no-trunc", OPT_NO_TRUNC, NULL, "Don't truncate output" },
    { 0 },
  };
  static const berth_cmd_spec spec = { "berth layers [OPTIONS] IMAGE",
                                       "Show every layer of an image with all its IDs (1 = bottom)",
                                       flags, .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  bool no_trunc = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case OPT_NO_TRUNC:
      no_trunc = true;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  char id[BERTH_DIGEST_LEN];
  berth_layer_row *rows = NULL;
  size_t n = 0;
  if (store == NULL || berth_image_resolve(store, argv[optind], id, &err) < 0
      || berth_image_layer_rows(store, id, &rows, &n, &err) < 0)
    return berth_cli_fail(cli, err);
  berth_table *t = berth_table_new(7);
  const char *header[] = { "N", "DIGEST", "DIFF ID", "CHAIN ID", "CACHE ID", "SIZE", "CREATED BY" };
  berth_table_add(t, header);
  for (size_t i = 0; i < n; i++)
    add_row(t, &rows[i], no_trunc);
  berth_table_print(t);
  berth_table_free(t);
  berth_layer_rows_free(rows, n);
  return 0;
}
