/* pane_vterm.c — a terminal as a pane: draws the cells of a vt (vt.h),
 * wide characters over two columns, the program's colours on the basic
 * eight, and resizes the vt (and its pty) to the pane's box when it
 * changes. The pane does not own the vt. */
#include "pane.h"
#include "pane_vterm.h"
#include "term.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct vterm_pane {
	struct vt *vt;
	int y, x;               /* where the body was last drawn */
};

static void
vterm_free_pane(struct pane *p)
{
	free(p->data);
}

static void
vterm_draw(struct pane *p, int y, int x, int h, int w)
{
	struct vterm_pane *vp = p->data;
	vp->y = y;
	vp->x = x;
	if (vp->vt == NULL)
		return;
	vt_resize(vp->vt, h, w);
	for (int r = 0; r < h; r++) {
		for (int c = 0; c < w; c++) {
			struct vt_cell cell;
			if (vt_cell(vp->vt, r, c, &cell) != 0 || cell.width == 0)
				continue;
			if (cell.width == 2 && c + 1 >= w)
				break;          /* no room for its second half */
			short pair = 0;
			attr_t a = A_NORMAL;
			if (cell.fg >= 0 && cell.fg < 16)
				a = term_attr((enum style)(S_FG0 + cell.fg % 8),
				    LK_TEXT, &pair);
			if (cell.bold || (cell.fg >= 8 && cell.fg < 16))
				a |= A_BOLD;
			if (cell.underline)
				a |= A_UNDERLINE;
			if (cell.reverse || (cell.bg >= 0 && cell.bg != 0))
				a |= A_REVERSE;
			if (cell.italic)
				a |= A_ITALIC;
			wchar_t wc[2] = { cell.ch ? (wchar_t)cell.ch : L' ', 0 };
			cchar_t cc;
			setcchar(&cc, wc, a, pair, NULL);
			mvadd_wch(y + r, x + c, &cc);
		}
	}
}

const struct pane_ops pane_vterm_ops = {
	.name = "vterm",
	.free = vterm_free_pane,
	.draw = vterm_draw,
};

struct pane *
pane_vterm_new(const char *title, struct vt *vt)
{
	struct vterm_pane *vp = xcalloc(1, sizeof *vp);
	vp->vt = vt;
	return pane_new(&pane_vterm_ops, PANE_SIDE, title, vp);
}

void
pane_vterm_set(struct pane *p, struct vt *vt)
{
	((struct vterm_pane *)p->data)->vt = vt;
}

int
pane_vterm_cursor(const struct pane *p, int *y, int *x)
{
	const struct vterm_pane *vp = p->data;
	int r, c, vis;
	if (vp->vt == NULL)
		return 0;
	vt_cursor(vp->vt, &r, &c, &vis);
	*y = vp->y + r;
	*x = vp->x + c;
	return vis;
}
