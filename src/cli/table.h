/* Rows of cells printed through Go's tabwriter as Docker configures it (minimum width
 * 10, padding 3): every column but the last is padded to its widest cell. */
#pragma once

#include <stddef.h>

typedef struct berth_table berth_table;

berth_table *berth_table_new(size_t columns);
/* Adds a row of `columns` cells (copied). */
void berth_table_add(berth_table *t, const char *const *cells);
void berth_table_print(const berth_table *t);
void berth_table_free(berth_table *t);
