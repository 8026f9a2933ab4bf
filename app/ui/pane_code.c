/* pane_code.c — the notes' code in a pane: highlighted, numbered, each
 * actor's current line marked with its pane number, and lines wider than
 * the pane wrapped with ↪ in the gutter. It follows the first marked line
 * unless the learner scrolled it. */
#include "pane.h"
#include "draw.h"
#include "highlight.h"
#include "term.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MARKS 9
#define GUTTER 8                /* "123 456 " before the code */

struct code_pane {
	const char *code;
	int nlines;
	int pos[MAX_MARKS];     /* line of each actor, 0 for none */
	int top;                /* lines above the first shown */
	int held;               /* the learner scrolled: it stays */
};

static void
code_free(struct pane *p)
{
	free(p->data);
}

struct pane *
pane_code_new(const char *title, const char *code)
{
	struct code_pane *cp = xcalloc(1, sizeof *cp);
	cp->code = code ? code : "";
	cp->nlines = 1;
	for (const char *s = cp->code; *s; s++)
		cp->nlines += *s == '\n';
	return pane_new(&pane_code_ops, PANE_SIDE, title, cp);
}

void
pane_code_mark(struct pane *p, int actor, int line)
{
	struct code_pane *cp = p->data;
	if (actor >= 0 && actor < MAX_MARKS)
		cp->pos[actor] = line;
}

void
pane_code_unmark_all(struct pane *p)
{
	struct code_pane *cp = p->data;
	memset(cp->pos, 0, sizeof cp->pos);
}

int
pane_code_lines(const struct pane *p)
{
	return ((const struct code_pane *)p->data)->nlines;
}

static void
code_draw(struct pane *p, int y, int x, int h, int w)
{
	struct code_pane *cp = p->data;
	struct cells cs = { 0 };
	struct page pg = { 0 };
	int state = 0, line = 0, row = 0;
	/* code longer than the pane follows the first marked line */
	int first = 0;
	for (int i = 0; i < MAX_MARKS; i++)
		if (cp->pos[i] > 0 && (first == 0 || cp->pos[i] < first))
			first = cp->pos[i];
	if (!cp->held && first > 0 && (first <= cp->top || first > cp->top + h)) {
		cp->top = first - 1 - h / 3;
		if (cp->top < 0)
			cp->top = 0;
	}
	for (const char *s = cp->code; *s && row < h;) {
		size_t n = strcspn(s, "\n");
		line++;
		cells_clear(&cs);
		cells_add(&cs, s, n, S_TEXT);
		highlight_line(HL_PYTHON, cs.c, cs.n, &state);
		s += n + (s[n] == '\n');
		if (line <= cp->top)
			continue;
		/* which actors are here: their pane numbers */
		char mark[8] = "   ";
		int k = 0;
		for (int i = 0; i < MAX_MARKS && k < 3; i++)
			if (cp->pos[i] == line)
				mark[k++] = (char)('1' + i);
		short pair = 0;
		attr_t a = k ? term_ui_attr(UI_SELECTED, &pair) : A_DIM;
		char num[32];
		snprintf(num, sizeof num, "%s%3d ", mark, line);
		page_clear(&pg);
		page_code(&pg, &cs, w - GUTTER, NULL, LK_CODE);
		for (int r = 0; r < pg.n && row < h; r++, row++) {
			draw_text(y + row, x, GUTTER, r == 0 ? num : "      ↪ ", a, pair);
			const struct line *ln = &pg.v[r];
			for (int c = 0, col = 0; c < ln->n &&
			    col + ln->c[c].width <= w - GUTTER; c++) {
				short cpair;
				attr_t ca = term_attr(ln->c[c].style, LK_CODE, &cpair);
				draw_cell(y + row, x + GUTTER + col, &ln->c[c], ca, cpair);
				col += ln->c[c].width;
			}
		}
	}
	page_free(&pg);
	cells_free(&cs);
}

static void
code_scroll(struct pane *p, int by)
{
	struct code_pane *cp = p->data;
	cp->held = 1;
	cp->top += by;
	if (cp->top > cp->nlines - 1)
		cp->top = cp->nlines - 1;
	if (cp->top < 0)
		cp->top = 0;
}

static int
code_want_rows(struct pane *p, int w)
{
	return ((struct code_pane *)p->data)->nlines;
}

const struct pane_ops pane_code_ops = {
	.name = "code",
	.free = code_free,
	.draw = code_draw,
	.scroll = code_scroll,
	.want_rows = code_want_rows,
};
