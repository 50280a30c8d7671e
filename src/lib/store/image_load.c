#include "store/image_load.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/platform.h"

/* The empty image: what Docker's builder starts `FROM scratch` with. */
static berth_image_config *
scratch(berth_error **err)
{
  cleanup_free char *host = berth_platform_host();
  cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
  if (berth_platform_parse(host, &os, &arch, &variant, err) < 0)
    return NULL;
  cleanup_json json_t *doc = json_pack("{s:s, s:s, s:{s:s, s:[]}, s:{}}", "architecture", arch,
                                       "os", os, "rootfs", "type", "layers", "diff_ids", "config");
  if (variant != NULL)
    json_object_set_new(doc, "variant", json_string(variant));
  cleanup_free char *raw = berth_image_config_dumps(doc);
  return berth_image_config_parse(raw, strlen(raw), err);
}

/* The config bytes come from the store, which checks them against their id;
 * they are still parsed as untrusted JSON. */
berth_image_config *
berth_image_load(berth_store *s, const char *id, berth_error **err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (id[0] == '\0')
    return scratch(err);
  int r = berth_store_image_get(s, id, &data, &len, err);
  if (r < 0)
    return NULL;
  if (r == 0) {
    berth_error_set_as(err, ENOENT, "No such image: %s", id);
    return NULL;
  }
  berth_image_config *c = berth_image_config_parse(data, len, err);
  if (c == NULL)
    berth_error_prefix(err, "image %s", id);
  return c;
}

int
berth_image_layers(berth_store *s, const berth_image_config *c, berth_layer **out, size_t *n,
                   berth_error **err)
{
  cleanup_free berth_layer *layers = xcalloc(c->n_diff_ids + 1, sizeof(*layers));
  cleanup_strv char **chains = berth_chain_ids(c->diff_ids, c->n_diff_ids);
  for (size_t i = 0; i < c->n_diff_ids; i++) {
    int r = berth_store_layer_get(s, chains[i], &layers[i], err);
    if (r < 0)
      return -1;
    if (r == 0)
      return berth_error_set(err, 0, "layer %s (diff id %s) is missing from the store", chains[i],
                             c->diff_ids[i]);
  }
  *out = steal_pointer(&layers);
  *n = c->n_diff_ids;
  return 0;
}

long long
berth_image_layers_size(const berth_layer *layers, size_t n)
{
  long long total = 0;
  for (size_t i = 0; i < n; i++)
    total += layers[i].size;
  return total;
}
