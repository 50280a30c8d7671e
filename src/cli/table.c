#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

enum { MIN_WIDTH = 10, PADDING = 3 };

struct berth_table {
  size_t columns, rows, cap;
  char **cells;
};

berth_table *
berth_table_new(size_t columns)
{
  berth_table *t = xcalloc(1, sizeof(*t));
  t->columns = columns;
  return t;
}

void
berth_table_add(berth_table *t, const char *const *cells)
{
  if (t->rows == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->cells = xrealloc(t->cells, t->cap * t->columns * sizeof(char *));
  }
  for (size_t c = 0; c < t->columns; c++)
    t->cells[t->rows * t->columns + c] = xstrdup(cells[c] ? cells[c] : "");
  t->rows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t
width(const char *s)
{
  size_t w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80)
      w++;
  return w;
}

void
berth_table_print(const berth_table *t)
{
  size_t *widths = xcalloc(t->columns, sizeof(size_t));
  for (size_t r = 0; r < t->rows; r++)
    for (size_t c = 0; c < t->columns; c++) {
      size_t w = width(t->cells[r * t->columns + c]) + PADDING;
      if (w < MIN_WIDTH)
        w = MIN_WIDTH;
      if (w > widths[c])
        widths[c] = w;
    }
  for (size_t r = 0; r < t->rows; r++) {
    for (size_t c = 0; c < t->columns; c++) {
      const char *cell = t->cells[r * t->columns + c];
      if (c + 1 == t->columns) {
        printf("%s\n", cell);
        break;
      }
      printf("%s%*s", cell, (int)(widths[c] - width(cell)), "");
    }
  }
  free(widths);
}

void
berth_table_free(berth_table *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->rows * t->columns; i++)
    free(t->cells[i]);
  free(t->cells);
  free(t);
}
