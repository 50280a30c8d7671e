/* Fuzz target: what an HTTP server sends about a file ADD downloads.  The
 * input is "LAST-MODIFIED\nURL\nCONTENT-DISPOSITION": the date parsed as
 * Go's http.ParseTime, the name found as Docker's getFilenameForDownload
 * (never one that could leave its directory). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build/remote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *buf = malloc(size + 1);
  if (buf == NULL)
    abort();
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *url = strchr(buf, '\n');
  if (url != NULL)
    *url++ = '\0';
  char *cd = url ? strchr(url, '\n') : NULL;
  if (cd != NULL)
    *cd++ = '\0';
  int64_t t;
  if (berth_build_parse_http_time(buf, &t) == 0 && (t < -62135596800ll || t > 253402300799ll))
    abort(); /* four-digit years only */
  char *name = berth_build_url_filename(url ? url : buf, cd);
  if (name != NULL
      && (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0
          || strcmp(name, "..") == 0))
    abort();
  free(name);
  free(buf);
  return 0;
}
