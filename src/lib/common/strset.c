#include "common/strset.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

void
berth_strset_add(berth_strset *set, const char *s)
{
  if (berth_strset_has(set, s))
    return;
  if (set->n == set->cap) {
    set->cap = set->cap ? set->cap * 2 : 32;
    set->v = xrealloc(set->v, set->cap * sizeof(*set->v));
  }
  set->v[set->n++] = xstrdup(s);
}

bool
berth_strset_has(const berth_strset *set, const char *s)
{
  for (size_t i = 0; i < set->n; i++)
    if (strcmp(set->v[i], s) == 0)
      return true;
  return false;
}

void
berth_strset_clear(berth_strset *set)
{
  for (size_t i = 0; i < set->n; i++)
    free(set->v[i]);
  free(set->v);
  *set = (berth_strset){ 0 };
}

int
berth_strcmp_qsort(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}
