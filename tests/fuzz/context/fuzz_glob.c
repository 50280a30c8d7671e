/* Fuzz target: COPY/ADD source patterns come from the Dockerfile.  The
 * input is "PATTERN\nNAME"; the pattern is also matched against a few
 * context-shaped names and against itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "context/glob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *buf = malloc(size + 1);
  if (buf == NULL)
    abort();
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *name = strchr(buf, '\n');
  if (name != NULL)
    *name++ = '\0';
  else
    name = buf;
  bool bad;
  (void)berth_glob_has_wildcards(buf);
  bool m = berth_glob_match(buf, name, &bad);
  if (m && bad)
    abort(); /* a malformed pattern matches nothing */
  static const char *const names[] = { "", "a", "a.txt", "sub/d.txt", "[", "\\", "é/ü" };
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    (void)berth_glob_match(buf, names[i], NULL);
  (void)berth_glob_match(buf, buf, NULL);
  free(buf);
  return 0;
}
