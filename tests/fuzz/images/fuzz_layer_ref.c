/* Fuzz target: arbitrary bytes as an IMAGE@layer:N reference. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "images/rootfs_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  if (s == NULL)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  char *image = NULL;
  size_t n = 0;
  berth_error *err = NULL;
  int r = berth_rootfs_ref_parse(s, &image, &n, &err);
  if (r == 1 && (n == 0 || n > 9999 || image == NULL))
    abort();
  free(image);
  berth_error_free(err);
  free(s);
  return 0;
}
