#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tabwriter.h"

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

void
berth_table_print(const berth_table *t)
{
  /* each row's cells tab-terminated but the last: Go's tabwriter aligns
   * them as Docker's tables are aligned */
  char *text = xstrdup("");
  size_t len = 0;
  for (size_t r = 0; r < t->rows; r++)
    for (size_t c = 0; c < t->columns; c++) {
      const char *cell = t->cells[r * t->columns + c];
      size_t l = strlen(cell);
      text = xrealloc(text, len + l + 2);
      memcpy(text + len, cell, l);
      len += l;
      text[len++] = c + 1 == t->columns ? '\n' : '\t';
      text[len] = '\0';
    }
  cleanup_free char *out = berth_tabwriter(text);
  free(text);
  fputs(out, stdout);
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
