/* Image configs from a registry or an archive: parse, then derive the chain
 * IDs and timestamps the store would compute from them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/error.h"
#include "image/chain.h"
#include "image/config.h"
#include "image/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  cleanup_error berth_error *err = NULL;
  cleanup_image_config berth_image_config *c
      = berth_image_config_parse((const char *)data, size, &err);
  if (c == NULL) {
    if (err == NULL || berth_error_message(err) == NULL)
      __builtin_trap();
    return 0;
  }
  cleanup_strv char **chain = berth_chain_ids(c->diff_ids, c->n_diff_ids);
  for (size_t i = 0; i < c->n_diff_ids; i++)
    if (!berth_digest_is_valid(chain[i]))
      __builtin_trap();
  int64_t t;
  for (size_t i = 0; i < c->n_history; i++)
    if (c->history[i].created != NULL && berth_time_parse(c->history[i].created, &t) < 0)
      __builtin_trap();
  /* the time parser on its own, with the raw bytes as a NUL-terminated string */
  cleanup_free char *s = strndup((const char *)data, size < 64 ? size : 64);
  if (s != NULL)
    berth_time_parse(s, &t);
  return 0;
}
