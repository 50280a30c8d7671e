/* Registry error bodies and token responses: outside JSON, any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "registry/errors.h"
#include "registry/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  long status = size > 0 ? 400 + data[0] % 200 : 404;
  char *msg = berth_registry_error_message(status, (const char *)data, size);
  for (char *c = msg; *c; c++)
    if ((unsigned char)*c < 0x20)
      abort(); /* messages stay on one line */
  free(msg);
  char *token = NULL;
  long expires = 0;
  berth_error *err = NULL;
  if (berth_token_parse((const char *)data, size, &token, &expires, &err) == 0 && expires < 60)
    abort();
  free(token);
  berth_error_free(err);
  return 0;
}
