#include "images/layers.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "store/image_load.h"

/* The first distribution digest v2metadata records for diff_id (untrusted
 * JSON from the store: type-checked), "" when none. */
static int
distribution_digest(berth_store *s, const char *diff_id, char out[BERTH_DIGEST_LEN],
                    berth_error **err)
{
  cleanup_json json_t *list = berth_store_v2metadata(s, diff_id, err);
  if (list == NULL)
    return -1;
  out[0] = '\0';
  size_t i;
  json_t *entry;
  json_array_foreach(list, i, entry)
  {
    const char *d = json_string_value(json_object_get(entry, "Digest"));
    if (d != NULL && berth_digest_is_valid(d)) {
      memcpy(out, d, BERTH_DIGEST_LEN);
      break;
    }
  }
  return 0;
}

int
berth_image_layer_rows(berth_store *s, const char *id, berth_layer_row **rows, size_t *n,
                       berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  cleanup_free berth_layer *layers = NULL;
  size_t count = 0;
  if (berth_image_layers(s, c, &layers, &count, err) < 0)
    return -1;
  berth_layer_row *v = xcalloc(count + 1, sizeof(*v));
  size_t h = 0;
  for (size_t i = 0; i < count; i++) {
    berth_layer_row *r = &v[i];
    r->number = i + 1;
    memcpy(r->diff_id, layers[i].diff_id, BERTH_DIGEST_LEN);
    memcpy(r->chain_id, layers[i].chain_id, BERTH_DIGEST_LEN);
    memcpy(r->cache_id, layers[i].cache_id, sizeof(r->cache_id));
    r->size = layers[i].size;
    while (h < c->n_history && c->history[h].empty_layer)
      h++;
    const char *by = h < c->n_history ? c->history[h++].created_by : NULL;
    r->created_by = xstrdup(by != NULL ? by : "");
    if (distribution_digest(s, r->diff_id, r->digest, err) < 0) {
      berth_layer_rows_free(v, i + 1);
      return -1;
    }
  }
  *rows = v;
  *n = count;
  return 0;
}

void
berth_layer_rows_free(berth_layer_row *rows, size_t n)
{
  if (rows == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free(rows[i].created_by);
  free(rows);
}
