/* Fuzz target: arbitrary bytes as a `commit -c` instruction, applied to a
 * small Docker Config object. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/change.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  if (s == NULL)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  json_t *config = json_pack("{s:[s], s:s, s:n}", "Env", "PATH=/bin", "WorkingDir", "/w", "Labels");
  berth_error *err = NULL;
  if (berth_config_apply_change(config, s, &err) < 0)
    berth_error_free(err);
  json_decref(config);
  free(s);
  return 0;
}
