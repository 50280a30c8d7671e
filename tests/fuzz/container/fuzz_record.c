/* Fuzzes the container record parser (config.v2.json, read back from disk
 * where anything may have written it). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "container/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_t *doc = json_loadb((const char *)data, size, 0, NULL);
  if (doc == NULL)
    return 0;
  berth_error *err = NULL;
  berth_container *c = berth_container_from_json(doc, NULL, &err);
  if (c != NULL) {
    json_t *again = berth_container_to_json(c);
    json_decref(again);
  }
  berth_container_free(c);
  berth_error_free(err);
  json_decref(doc);
  return 0;
}
