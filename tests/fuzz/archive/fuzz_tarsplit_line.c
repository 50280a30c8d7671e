/* Fuzz target: one tar-split line, read by both parsers.  Whatever the fast
 * parser of the canonical lines accepts, the JSON parser must accept too,
 * with the same entry; a line the JSON parser refuses the fast one must not
 * take (abort() otherwise). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/tarsplit_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same(const berth_tarsplit_entry *a, const berth_tarsplit_entry *b)
{
  return a->type == b->type && a->size == b->size && a->position == b->position
         && a->payload_len == b->payload_len
         && (a->payload_len == 0 || memcmp(a->payload, b->payload, a->payload_len) == 0)
         && (a->name == NULL) == (b->name == NULL)
         && (a->name == NULL || strcmp(a->name, b->name) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  berth_tarsplit_entry fast = { 0 }, json = { 0 };
  berth_error *err = NULL;
  int f = berth_tarsplit_parse_fast((const char *)data, size, &fast);
  int j = berth_tarsplit_parse_json((const char *)data, size, &json, &err);
  if (f == 1 && (j != 0 || !same(&fast, &json)))
    abort();
  if (f == 0 && (fast.name != NULL || fast.payload != NULL))
    abort();
  berth_error_free(err);
  berth_tarsplit_entry_clear(&fast);
  berth_tarsplit_entry_clear(&json);
  return 0;
}
