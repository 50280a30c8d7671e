#include "images/history.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/time.h"
#include "store/image_load.h"

/* Fills rows newest first from the config's history; layers[k] is the k-th
 * non-empty entry's layer. */
static int
fill_rows(const berth_image_config *c, const berth_layer *layers, size_t n_layers,
          berth_history_row *rows, berth_error **err)
{
  size_t layer = 0;
  for (size_t i = 0; i < c->n_history; i++) {
    const berth_history *h = &c->history[i];
    berth_history_row *r = &rows[c->n_history - 1 - i];
    if (!h->empty_layer) {
      if (layer >= n_layers)
        return berth_error_set(err, 0, "too many non-empty layers in History section");
      r->size = layers[layer++].size;
    }
    if (h->created != NULL)
      berth_time_parse(h->created, &r->created);
    r->created_by = xstrdup(h->created_by != NULL ? h->created_by : "");
    r->comment = xstrdup(h->comment != NULL ? h->comment : "");
  }
  return 0;
}

/* Walks the local parent chain: row k gets the k-th ancestor's id. */
static void
fill_ids(berth_store *s, const char *id, berth_history_row *rows, size_t n)
{
  cleanup_free char *cur = xstrdup(id);
  for (size_t i = 0; i < n && cur != NULL; i++) {
    if (!berth_digest_is_valid(cur))
      break;
    cleanup_free char *config = NULL;
    size_t len;
    berth_error *err = NULL;
    int found = i == 0 ? 1 : berth_store_image_get(s, cur, &config, &len, &err);
    berth_error_free(err);
    if (found != 1)
      break;
    memcpy(rows[i].id, cur, BERTH_DIGEST_LEN);
    char *next = berth_store_image_parent(s, cur);
    free(cur);
    cur = next;
  }
}

int
berth_image_history(berth_store *s, const char *id, berth_history_row **rows, size_t *n,
                    berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  cleanup_free berth_layer *layers = NULL;
  size_t n_layers = 0;
  if (berth_image_layers(s, c, &layers, &n_layers, err) < 0)
    return -1;
  berth_history_row *v = xcalloc(c->n_history + 1, sizeof(*v));
  if (fill_rows(c, layers, n_layers, v, err) < 0) {
    berth_history_rows_free(v, c->n_history);
    return -1;
  }
  fill_ids(s, id, v, c->n_history);
  *rows = v;
  *n = c->n_history;
  return 0;
}

void
berth_history_rows_free(berth_history_row *rows, size_t n)
{
  if (rows == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    free(rows[i].created_by);
    free(rows[i].comment);
  }
  free(rows);
}
