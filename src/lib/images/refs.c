#include "images/refs.h"

#include <stdlib.h>
#include <string.h>

#include "common/strset.h"
#include "common/xalloc.h"

void
berth_image_refs_of(const berth_ref *refs, size_t n, const char *id, char ***tags, char ***digests)
{
  char **t = xcalloc(n + 1, sizeof(*t)), **d = xcalloc(n + 1, sizeof(*d));
  size_t nt = 0, nd = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(refs[i].image_id, id) != 0)
      continue;
    if (strchr(refs[i].name, '@') != NULL)
      d[nd++] = xstrdup(refs[i].name);
    else
      t[nt++] = xstrdup(refs[i].name);
  }
  qsort(t, nt, sizeof(*t), berth_strcmp_qsort);
  qsort(d, nd, sizeof(*d), berth_strcmp_qsort);
  *tags = t;
  *digests = d;
}

size_t
berth_image_refs_count(const berth_ref *refs, size_t n, const char *id)
{
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    count += strcmp(refs[i].image_id, id) == 0;
  return count;
}
