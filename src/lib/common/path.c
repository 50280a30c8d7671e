#include "common/path.h"

#include <string.h>

#include "common/xalloc.h"

char *
berth_path_clean_abs(const char *p)
{
  char *out = xmalloc(strlen(p) + 2);
  size_t n = 0;
  out[n++] = '/';
  while (*p != '\0') {
    while (*p == '/')
      p++;
    const char *e = strchr(p, '/');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if (l == 0)
      break;
    if (l == 1 && p[0] == '.') {
    } else if (l == 2 && p[0] == '.' && p[1] == '.') {
      while (n > 1 && out[n - 1] != '/')
        n--;
      if (n > 1)
        n--;
    } else {
      if (n > 1)
        out[n++] = '/';
      memcpy(out + n, p, l);
      n += l;
    }
    p += l;
  }
  out[n] = '\0';
  return out;
}
