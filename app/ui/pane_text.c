/* pane_text.c — an actor's pane: a ring of the lines it wrote, decoded
 * (ANSI colours into styles) and wrapped to the pane's width only when
 * drawn, and only the lines that show. */
#include "pane.h"
#include "draw.h"
#include "term.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct text_pane {
	char name[32];          /* from the demo: "worker 1" */
	char **ring;            /* PANE_SCROLLBACK slots */
	int head;               /* slot of the oldest line */
	int n;                  /* lines kept */
	long long total;        /* lines ever added */
	int scroll;             /* lines scrolled up from the newest; 0 follows */
};

static void
text_free(struct pane *p)
{
	struct text_pane *tp = p->data;
	for (int i = 0; i < PANE_SCROLLBACK; i++)
		free(tp->ring[i]);
	free(tp->ring);
	free(tp);
}

struct pane *
pane_text_new(const char *name)
{
	struct text_pane *tp = xcalloc(1, sizeof *tp);
	snprintf(tp->name, sizeof tp->name, "%s", name);
	tp->ring = xcalloc(PANE_SCROLLBACK, sizeof *tp->ring);
	return pane_new(&pane_text_ops, PANE_MAIN, name, tp);
}

const char *
pane_text_name(const struct pane *p)
{
	return ((const struct text_pane *)p->data)->name;
}

void
pane_text_add(struct pane *p, const char *text, size_t len)
{
	struct text_pane *tp = p->data;
	int slot;
	if (tp->n < PANE_SCROLLBACK)
		slot = (tp->head + tp->n++) % PANE_SCROLLBACK;
	else {
		slot = tp->head;
		tp->head = (tp->head + 1) % PANE_SCROLLBACK;
		free(tp->ring[slot]);
	}
	tp->ring[slot] = xstrndup(text, len);
	tp->total++;
	if (tp->scroll > 0 && tp->scroll < tp->n - 1)
		tp->scroll++;   /* a reader scrolled up keeps their place */
}

int
pane_text_count(const struct pane *p)
{
	return ((const struct text_pane *)p->data)->n;
}

const char *
pane_text_line(const struct pane *p, int i)
{
	const struct text_pane *tp = p->data;
	if (i < 0 || i >= tp->n)
		return "";
	return tp->ring[(tp->head + i) % PANE_SCROLLBACK];
}

void
pane_text_rows(const struct pane *p, int w, int max, struct page *pg)
{
	const struct text_pane *tp = p->data;
	struct page one = { 0 };
	struct cells cs = { 0 };
	page_clear(pg);
	if (max <= 0)
		return;
	/* from the newest line shown back, until max rows are filled */
	int last = tp->n - 1 - tp->scroll, first = last + 1, rows = 0;
	while (first > 0 && rows < max) {
		first--;
		pane_decode(pane_text_line(p, first), &cs);
		page_clear(&one);
		if (cs.n == 0)
			rows++;
		else {
			page_hang(&one, &cs, w);
			rows += one.n;
		}
	}
	/* lay those lines out again, into pg, and drop the rows over max
	 * (the top of the oldest line shown) */
	for (int i = first; i <= last; i++) {
		pane_decode(pane_text_line(p, i), &cs);
		if (cs.n == 0) {
			struct cells none = { 0 };
			page_wrap(pg, &none, w, NULL, NULL, LK_TEXT);
		} else
			page_hang(pg, &cs, w);
	}
	if (pg->n > max) {
		int drop = pg->n - max;
		for (int i = 0; i < drop; i++)
			free(pg->v[i].c);
		memmove(pg->v, pg->v + drop, (size_t)max * sizeof *pg->v);
		pg->n = max;
	}
	page_free(&one);
	cells_free(&cs);
}

static void
text_draw(struct pane *p, int y, int x, int h, int w)
{
	struct text_pane *tp = p->data;
	struct page pg = { 0 };
	if (tp->scroll > tp->n - 1)
		tp->scroll = tp->n > 0 ? tp->n - 1 : 0;
	pane_text_rows(p, w - 1, h, &pg);
	for (int r = 0; r < pg.n; r++) {
		const struct line *ln = &pg.v[r];
		for (int k = 0, col = 0; k < ln->n && col + ln->c[k].width <= w - 1; k++) {
			short pair;
			attr_t a = term_attr(ln->c[k].style, LK_TEXT, &pair);
			draw_cell(y + r, x + 1 + col, &ln->c[k], a, pair);
			col += ln->c[k].width;
		}
	}
	page_free(&pg);
}

static void
text_scroll(struct pane *p, int by)
{
	struct text_pane *tp = p->data;
	tp->scroll -= by;       /* scrolling down goes toward the newest */
	if (tp->scroll < 0)
		tp->scroll = 0;
	if (tp->scroll > tp->n)
		tp->scroll = tp->n;
}

const struct pane_ops pane_text_ops = {
	.name = "text",
	.free = text_free,
	.draw = text_draw,
	.scroll = text_scroll,
};

/* The style of an SGR foreground colour 30-37 or 90-97. */
static enum style
sgr_style(int code, enum style cur)
{
	if (code == 0 || code == 39)
		return S_TEXT;
	if (code == 1)
		return cur == S_TEXT ? S_BOLD : cur;
	if (code >= 30 && code <= 37)
		return (enum style)(S_FG0 + code - 30);
	if (code >= 90 && code <= 97)
		return (enum style)(S_FG0 + code - 90);
	return cur;
}

void
pane_decode(const char *s, struct cells *out)
{
	enum style st = S_TEXT;
	cells_clear(out);
	while (*s) {
		if (s[0] == '\033' && s[1] == '[') {
			/* a control sequence: parameters, then a final byte */
			const char *p = s + 2;
			int code = 0, any = 0;
			while (*p && *p >= 0x30 && *p <= 0x3f) {
				if (*p >= '0' && *p <= '9') {
					code = code * 10 + (*p - '0');
					any = 1;
				} else if (*p == ';') {
					st = sgr_style(code, st);
					code = 0;
				}
				p++;
			}
			while (*p && *p >= 0x20 && *p <= 0x2f)
				p++;
			if (*p == 'm')
				st = sgr_style(any ? code : 0, st);
			s = *p ? p + 1 : p;
			continue;
		}
		size_t n = strcspn(s, "\033");
		if (n == 0) {
			s++;    /* a lone ESC */
			continue;
		}
		cells_add(out, s, n, st);
		s += n;
	}
}
