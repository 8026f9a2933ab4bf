/* draw.c — putting cells and text on the curses screen, never cutting a
 * wide character and never drawing past the given width. */
#include "draw.h"
#include "term.h"

#include <string.h>

void
draw_cell(int y, int x, const struct cell *c, attr_t attr, short pair)
{
	cchar_t cc;
	wchar_t wc[2] = { c->ch, 0 };
	setcchar(&cc, wc, attr, pair, NULL);
	mvadd_wch(y, x, &cc);
}

/* Draw UTF-8 text at (y, x), at most w columns, never cutting a wide
 * character. Returns the columns drawn. */
int
draw_text(int y, int x, int w, const char *s, attr_t attr, short pair)
{
	struct cells cs = { 0 };
	cells_add(&cs, s, strlen(s), S_TEXT);
	int col = 0;
	for (int i = 0; i < cs.n && col + cs.c[i].width <= w; i++) {
		draw_cell(y, x + col, &cs.c[i], attr, pair);
		col += cs.c[i].width;
	}
	cells_free(&cs);
	return col;
}

int
draw_text_cut(int y, int x, int w, const char *s, attr_t attr, short pair)
{
	if (text_width(s) <= w)
		return draw_text(y, x, w, s, attr, pair);
	if (w < 1)
		return 0;
	int col = draw_text(y, x, w - 1, s, attr, pair);
	struct cell ell = { L'…', 1, S_TEXT };
	draw_cell(y, x + col, &ell, attr, pair);
	return col + 1;
}

/* Fill a row from x to the edge with spaces in attr. */
void
draw_fill(int y, int x, int w, attr_t attr, short pair)
{
	struct cell sp = { L' ', 1, S_TEXT };
	for (int end = x + w; x < end && x < COLS; x++)
		draw_cell(y, x, &sp, attr, pair);
}

void
draw_line_at(int y, int x0, int w, const struct line *ln)
{
	int x = x0;
	for (int i = 0; i < ln->n && x + ln->c[i].width <= x0 + w; i++) {
		short pair;
		attr_t a = term_attr(ln->c[i].style, ln->kind, &pair);
		draw_cell(y, x, &ln->c[i], a, pair);
		x += ln->c[i].width;
	}
}

