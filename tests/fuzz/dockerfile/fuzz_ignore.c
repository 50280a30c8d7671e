/* Fuzz target: arbitrary bytes as a .dockerignore.  The first line is also
 * the path asked about, so that the patterns meet paths shaped like them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  berth_error *err = NULL;
  berth_ignore *ign = berth_ignore_parse((const char *)data, size, ".dockerignore", &err);
  if (ign == NULL) {
    berth_error_free(err);
    return 0;
  }
  const uint8_t *nl = memchr(data, '\n', size);
  size_t n = nl ? (size_t)(nl - data) : size;
  char *path = malloc(n + 1);
  if (path == NULL)
    abort();
  memcpy(path, data, n);
  path[n] = '\0';
  if (strlen(path) == n) {
    (void)berth_ignore_excluded(ign, path);
    (void)berth_ignore_excluded_exact(ign, path);
    (void)berth_ignore_must_walk(ign, path);
  }
  static const char *const paths[] = { "a", "a/b", "dir/file.txt", "x/y/z/w.go", "/", "" };
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
    (void)berth_ignore_excluded(ign, paths[i]);
  for (size_t i = 0; i < berth_ignore_count(ign); i++)
    (void)berth_ignore_excluded(ign, berth_ignore_pattern(ign, i, NULL, NULL));
  free(path);
  berth_ignore_free(ign);
  return 0;
}
