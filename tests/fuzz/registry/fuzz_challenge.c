/* WWW-Authenticate parser: any bytes must give a list or an error, never a
 * crash, and the parsed list must be walkable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "registry/challenge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  if (s == NULL)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  berth_error *err = NULL;
  berth_challenges cs;
  if (berth_challenge_parse(s, &cs, &err) == 0) {
    for (size_t i = 0; i < cs.n; i++) {
      for (size_t j = 0; j < cs.items[i].n_params; j++)
        if (strlen(cs.items[i].params[j].value) > size)
          abort();
      (void)berth_challenge_param(&cs.items[i], "realm");
    }
    (void)berth_challenges_find(&cs, "bearer");
    berth_challenges_clear(&cs);
  } else if (err == NULL || cs.n != 0) {
    abort();
  }
  berth_error_free(err);
  free(s);
  return 0;
}
