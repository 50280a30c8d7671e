/* Go's tabwriter.Writer.format, for one whole text (tabwriter.h). */
#include "tabwriter.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

enum { MIN_WIDTH = 10, PADDING = 3 };

typedef struct cell {
  const char *text;
  size_t size;  /* bytes */
  size_t width; /* runes, as Go counts them */
} cell;

typedef struct line {
  cell *cells;
  size_t n;
} line;

typedef struct tw {
  line *lines;
  size_t n_lines;
  size_t *widths; /* the widths of the columns to the left, a stack */
  size_t n_widths;
  char *out;
  size_t len, cap;
} tw;

static void
put(tw *w, const char *s, size_t n)
{
  if (w->len + n + 1 > w->cap) {
    w->cap = (w->len + n + 1) * 2;
    w->out = xrealloc(w->out, w->cap);
  }
  memcpy(w->out + w->len, s, n);
  w->len += n;
  w->out[w->len] = '\0';
}

static void
pad(tw *w, size_t n)
{
  for (size_t i = 0; i < n; i++)
    put(w, " ", 1);
}

static size_t
runes(const char *s, size_t n)
{
  size_t r = 0;
  for (size_t i = 0; i < n; i++)
    r += ((unsigned char)s[i] & 0xC0) != 0x80;
  return r;
}

/* writeLines: each cell, padded to its column's width where it has one. */
static void
write_lines(tw *w, size_t from, size_t to)
{
  for (size_t i = from; i < to; i++) {
    const line *l = &w->lines[i];
    for (size_t j = 0; j < l->n; j++) {
      put(w, l->cells[j].text, l->cells[j].size);
      if (j < w->n_widths && j + 1 < l->n)
        pad(w, w->widths[j] - l->cells[j].width);
    }
    if (i + 1 < w->n_lines)
      put(w, "\n", 1);
  }
}

/* format: the column block of this column starts at the first line with
 * a cell in it (not counting the last, unterminated cell) and runs while
 * lines have one; its width is its widest cell plus the padding. */
static void
format(tw *w, size_t line0, size_t line1)
{
  size_t column = w->n_widths;
  for (size_t this = line0; this < line1; this ++) {
    if (column + 1 >= w->lines[this].n)
      continue;
    write_lines(w, line0, this);
    line0 = this;
    size_t width = MIN_WIDTH;
    for (; this < line1; this ++) {
      const line *l = &w->lines[this];
      if (column + 1 >= l->n)
        break;
      if (l->cells[column].width + PADDING > width)
        width = l->cells[column].width + PADDING;
    }
    w->widths = xrealloc(w->widths, (w->n_widths + 1) * sizeof *w->widths);
    w->widths[w->n_widths++] = width;
    format(w, line0, this);
    w->n_widths--;
    line0 = this; /* the line that ended the block has no cell here: skipped */
  }
  write_lines(w, line0, line1);
}

char *
berth_tabwriter(const char *text)
{
  tw w = { 0 };
  /* lines and their cells; a final newline ends the last line */
  const char *p = text;
  while (*p != '\0') {
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    line l = { 0 };
    const char *c = p;
    for (;;) {
      const char *tab = memchr(c, '\t', n - (size_t)(c - p));
      size_t size = tab ? (size_t)(tab - c) : n - (size_t)(c - p);
      l.cells = xrealloc(l.cells, (l.n + 1) * sizeof *l.cells);
      l.cells[l.n++] = (cell){ c, size, runes(c, size) };
      if (tab == NULL)
        break;
      c = tab + 1;
    }
    w.lines = xrealloc(w.lines, (w.n_lines + 1) * sizeof *w.lines);
    w.lines[w.n_lines++] = l;
    p += n + (end != NULL);
  }
  put(&w, "", 0);
  format(&w, 0, w.n_lines);
  if (w.n_lines > 0 && text[strlen(text) - 1] == '\n')
    put(&w, "\n", 1);
  for (size_t i = 0; i < w.n_lines; i++)
    free(w.lines[i].cells);
  free(w.lines);
  free(w.widths);
  return w.out;
}
