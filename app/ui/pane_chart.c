/* pane_chart.c — measured figures as horizontal bars: one row per figure,
 * its label, a bar scaled to the widest value (in eighths of a cell), and
 * the value with its unit. The bench and the demos feed it with
 * chart_set(). */
#include "pane.h"
#include "buf.h"
#include "draw.h"
#include "term.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHART_MIN_BAR 8          /* columns the bars keep at least */

struct bar {
	char label[48];
	char unit[16];
	double value;
};

struct chart_pane {
	struct bar bars[CHART_MAX];
	int n;
};

static void
chart_free(struct pane *p)
{
	free(p->data);
}

struct pane *
pane_chart_new(const char *title)
{
	return pane_new(&pane_chart_ops, PANE_SIDE, title,
	    xcalloc(1, sizeof(struct chart_pane)));
}

int
chart_set(struct pane *p, const char *label, double value, const char *unit)
{
	struct chart_pane *ch = p->data;
	int i = 0;
	while (i < ch->n && strcmp(ch->bars[i].label, label) != 0)
		i++;
	if (i == ch->n) {
		if (ch->n == CHART_MAX)
			return -1;
		ch->n++;
		snprintf(ch->bars[i].label, sizeof ch->bars[i].label, "%s", label);
	}
	snprintf(ch->bars[i].unit, sizeof ch->bars[i].unit, "%s", unit ? unit : "");
	ch->bars[i].value = value;
	return 0;
}

int
chart_count(const struct pane *p)
{
	return ((const struct chart_pane *)p->data)->n;
}

/* The value as text: whole numbers without decimals, others with 3
 * significant digits at least ("0.125", "12.5", "1234"). */
static double
absd(double v)
{
	return v < 0 ? -v : v;
}

static void
format_value(const struct bar *b, char *buf, size_t len)
{
	double v = b->value;
	if (absd(v) < 1e15 && v == (double)(long long)v)
		snprintf(buf, len, "%.0f", v);
	else if (absd(v) >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (absd(v) >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
	if (*b->unit) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, " %s", b->unit);
	}
}

char *
chart_row(const struct pane *p, int i, int w)
{
	static const char *const eighths[] = {
		"", "▏", "▎", "▍", "▌", "▋", "▊", "▉",
	};
	const struct chart_pane *ch = p->data;
	if (i < 0 || i >= ch->n)
		return xstrdup("");
	/* the columns: labels, then values, the bars between */
	int lw = 0, vw = 0;
	double max = 0;
	char val[64];
	for (int k = 0; k < ch->n; k++) {
		int t = text_width(ch->bars[k].label);
		lw = t > lw ? t : lw;
		format_value(&ch->bars[k], val, sizeof val);
		t = text_width(val);
		vw = t > vw ? t : vw;
		max = absd(ch->bars[k].value) > max ? absd(ch->bars[k].value) : max;
	}
	if (lw > w - vw - 4 - CHART_MIN_BAR)
		lw = w - vw - 4 - CHART_MIN_BAR;  /* the bars keep some room */
	if (lw < 4)
		lw = 4;
	int bw = w - lw - vw - 4;       /* "label  bar value": 2 + 2 spaces */
	if (bw < 1)
		bw = 1;
	const struct bar *b = &ch->bars[i];
	int eights = max > 0 ? (int)(absd(b->value) / max * bw * 8 + 0.5) : 0;
	struct buf out = { 0 };
	/* the label, cut or padded to lw columns */
	struct cells cs = { 0 };
	cells_add(&cs, b->label, strlen(b->label), S_TEXT);
	int col = 0;
	for (int k = 0; k < cs.n && col + cs.c[k].width <= lw; k++) {
		char mb[8];
		int n = wctomb(mb, cs.c[k].ch);
		buf_add(&out, mb, n > 0 ? (size_t)n : 0);
		col += cs.c[k].width;
	}
	cells_free(&cs);
	buf_printf(&out, "%*s  ", lw - col, "");
	for (int k = 0; k < eights / 8; k++)
		buf_adds(&out, "█");
	buf_adds(&out, eighths[eights % 8]);
	int used = eights / 8 + (eights % 8 ? 1 : 0);
	format_value(b, val, sizeof val);
	buf_printf(&out, "%*s  %*s", bw - used, "", vw, val);
	return buf_detach(&out, NULL);
}

static void
chart_draw(struct pane *p, int y, int x, int h, int w)
{
	const struct chart_pane *ch = p->data;
	short pair;
	attr_t a = term_ui_attr(UI_PROGRESS, &pair);
	struct cells cs = { 0 };
	for (int i = 0; i < ch->n && i < h; i++) {
		char *row = chart_row(p, i, w - 2);
		cells_clear(&cs);
		cells_add(&cs, row, strlen(row), S_TEXT);
		/* the bar's blocks in the progress colour, the rest plain */
		for (int k = 0, col = 0; k < cs.n && col + cs.c[k].width <= w - 2; k++) {
			wchar_t c = cs.c[k].ch;
			int block = c >= 0x2588 && c <= 0x258f;
			draw_cell(y + i, x + 1 + col, &cs.c[k], block ? a : A_NORMAL,
			    block ? pair : 0);
			col += cs.c[k].width;
		}
		free(row);
	}
	cells_free(&cs);
}

static int
chart_want_rows(struct pane *p, int w)
{
	return ((struct chart_pane *)p->data)->n;
}

const struct pane_ops pane_chart_ops = {
	.name = "chart",
	.free = chart_free,
	.draw = chart_draw,
	.want_rows = chart_want_rows,
};
