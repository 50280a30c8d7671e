/* A small set of strings: the store's bookkeeping of which layers and
 * directories are still referenced.  Linear lookup: these sets hold one
 * entry per layer or image, a few hundred at most. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct berth_strset {
  char **v;
  size_t n, cap;
} berth_strset;

/* Adds a copy of s unless it is already there. */
void berth_strset_add(berth_strset *set, const char *s);
bool berth_strset_has(const berth_strset *set, const char *s);
void berth_strset_clear(berth_strset *set);
#define cleanup_strset __attribute__((cleanup(berth_strset_clear)))

/* qsort's comparator for an array of strings (char *), in strcmp order. */
int berth_strcmp_qsort(const void *a, const void *b);
