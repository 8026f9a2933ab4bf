/* draw.h — small drawing helpers shared by the TUI's views. */
#ifndef SYSTOUR_DRAW_H
#define SYSTOUR_DRAW_H

#include "layout.h"

#include <ncurses.h>

/* One cell at (y, x) with attributes. */
void draw_cell(int y, int x, const struct cell *c, attr_t attr, short pair);

/* UTF-8 text at (y, x), at most w columns, never cutting a wide
 * character. Returns the columns drawn. */
int draw_text(int y, int x, int w, const char *s, attr_t attr, short pair);

/* draw_text, but text that does not fit ends in "…" (in the last column
 * it may have). */
int draw_text_cut(int y, int x, int w, const char *s, attr_t attr, short pair);

/* Spaces from (y, x) over w columns (to the screen's edge at most). */
void draw_fill(int y, int x, int w, attr_t attr, short pair);

/* A laid-out line at (y, x0), at most w columns, in its styles. */
void draw_line_at(int y, int x0, int w, const struct line *ln);

#endif
