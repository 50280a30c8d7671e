/* Go's text/tabwriter as Docker's CLI configures it (minimum width 10, tab
 * width 1, padding 3, spaces, no flags): tab-terminated cells aligned in
 * column blocks of consecutive lines; a line's text after its last tab is
 * not part of any column. */
#pragma once

/* The aligned text of text (lines end with '\n'). */
char *berth_tabwriter(const char *text);
