/* pane.c — what every kind of pane shares: making and freeing one, its
 * title bar, and the layout of a demo's panes from their list. */
#include "pane.h"
#include "draw.h"
#include "term.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

struct pane *
pane_new(const struct pane_ops *ops, enum pane_place place, const char *title,
    void *data)
{
	struct pane *p = xcalloc(1, sizeof *p);
	p->ops = ops;
	p->place = place;
	p->data = data;
	snprintf(p->title, sizeof p->title, "%s", title);
	return p;
}

void
pane_free(struct pane *p)
{
	if (p == NULL)
		return;
	p->ops->free(p);
	free(p);
}

void
pane_draw(struct pane *p, int y, int x, int h, int w, int focused)
{
	if (h < 2 || w < 10)
		return;
	short pair;
	attr_t a = term_ui_attr(focused ? UI_SELECTED : UI_BAR, &pair);
	draw_fill(y, x, w, a, pair);
	draw_text(y, x + 1, w - 2, p->title, a | (focused ? A_BOLD : 0), pair);
	p->ops->draw(p, y + 1, x, h - 1, w);
}

void
pane_scroll(struct pane *p, int by)
{
	if (p->ops->scroll)
		(p->ops->scroll)(p, by);     /* not curses' scroll() macro */
}

void
pane_layout(struct pane *const *panes, int n, int y, int x, int h, int w,
    struct pane_box *out)
{
	int nside = 0, nmain = 0;
	for (int i = 0; i < n; i++) {
		out[i] = (struct pane_box){ 0, 0, 0, 0 };
		if (panes[i]->place == PANE_SIDE)
			nside++;
		else
			nmain++;
	}
	int left = nmain == 0 ? w : nside == 0 ? 0 :
	    w * 2 / 5 < 40 ? 40 : w * 2 / 5;
	if (left > w)
		left = w;
	int right = nside == 0 ? w : w - left - 1;

	/* the side column, top to bottom: each the rows it wants (and its
	 * title), at most what leaves two rows for each pane below */
	int top = y, seen = 0;
	for (int i = 0; i < n; i++) {
		if (panes[i]->place != PANE_SIDE)
			continue;
		seen++;
		int rest = y + h - top, below = nside - seen;
		int want = panes[i]->ops->want_rows ?
		    panes[i]->ops->want_rows(panes[i], left) : 0;
		int rows = below == 0 || want <= 0 ? rest : want + 1;
		if (below > 0 && rows > rest - 2 * below)
			rows = rest - 2 * below;
		if (below > 0 && want > 0 && rows > h / 2)
			rows = h / 2;
		if (rows < 0)
			rows = 0;
		out[i] = (struct pane_box){ top, x, rows, left };
		top += rows;
	}

	/* the grid on the right */
	if (nmain == 0)
		return;
	int ncol = nmain <= 3 ? 1 : 2;
	int nrow = (nmain + ncol - 1) / ncol;
	int x0 = nside ? x + left + 1 : x;
	int pw = (right - (ncol - 1)) / ncol;
	for (int i = 0, k = 0; i < n; i++) {
		if (panes[i]->place != PANE_MAIN)
			continue;
		int r = k / ncol, c = k % ncol;
		int y0 = y + r * h / nrow, y1 = y + (r + 1) * h / nrow;
		out[i] = (struct pane_box){ y0, x0 + c * (pw + 1), y1 - y0, pw };
		k++;
	}
}
