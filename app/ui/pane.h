/* pane.h — the boxes a live demo (and later an exercise) is laid out in.
 * Each kind of pane is one const ops table, as tmux's window modes are:
 *
 *   text    an actor's output: a scrollback of the lines it wrote, ANSI
 *           colours kept, long lines wrapped to the pane's width
 *   code    the notes' code with each actor's line marked; long lines
 *           wrap with a ↪ in the line-number gutter
 *   kernel  the kernel's view from /proc, as text, scrolled
 *   chart   horizontal bars of measured figures: label, bar scaled to
 *           the widest, value and unit
 *
 * (later: a terminal, vterm.) A layout is computed from the list of panes
 * and where each wants to go (pane_layout), never from their indexes. */
#ifndef SYSTOUR_PANE_H
#define SYSTOUR_PANE_H

#include "layout.h"

#include <stddef.h>

#define PANE_SCROLLBACK 10000
#define PANE_TITLE 128

struct pane;

/* Where a pane goes in a demo's layout. */
enum pane_place {
	PANE_SIDE,      /* the left column, top to bottom: code, chart, kernel */
	PANE_MAIN,      /* the grid on the right: the actors */
};

struct pane_ops {
	const char *name;
	/* Free p->data (the pane itself is pane_free's). */
	void (*free)(struct pane *p);
	/* Draw the body (under the title bar) in h rows and w columns at
	 * (y, x). */
	void (*draw)(struct pane *p, int y, int x, int h, int w);
	/* Scroll by lines: < 0 toward the start, > 0 toward the end; a
	 * PANE_SCROLLBACK step goes all the way. NULL: the pane does not
	 * scroll, and Tab does not focus it. */
	void (*scroll)(struct pane *p, int by);
	/* Rows the body wants at most at width w, for the layout (NULL or
	 * 0: as many as it is given). */
	int (*want_rows)(struct pane *p, int w);
};

struct pane {
	const struct pane_ops *ops;
	enum pane_place place;
	char title[PANE_TITLE];
	void *data;
};

/* A new pane of a kind, with data (which it then owns). */
struct pane *pane_new(const struct pane_ops *ops, enum pane_place place,
    const char *title, void *data);

/* Free the pane and what it holds. Safe with NULL. */
void pane_free(struct pane *p);

/* The title bar (the focused one stands out) and the body, in a box of
 * h rows and w columns at (y, x). Nothing when it is too small. */
void pane_draw(struct pane *p, int y, int x, int h, int w, int focused);

/* Scroll if the pane scrolls. */
void pane_scroll(struct pane *p, int by);

/* ---- Layout ------------------------------------------------------------ */

struct pane_box {
	int y, x, h, w;         /* h = 0: not shown */
};

/* Boxes for n panes in a screen area of h rows and w columns at (y, x):
 * the side panes share a left column of max(40, 2/5 of w) columns, each
 * given the rows it wants (the last side pane takes what is left), and
 * the main panes a grid on the right (one column up to 3 panes, else two),
 * a one-column gap between them for the divider. Without side panes the
 * grid takes all; without main panes, the side column does. */
void pane_layout(struct pane *const *panes, int n, int y, int x, int h,
    int w, struct pane_box *out);

/* ---- Text: an actor's output ------------------------------------------- */

extern const struct pane_ops pane_text_ops;

struct pane *pane_text_new(const char *name);

/* Add a line (without its newline); the oldest goes when the pane is
 * full. A reader scrolled up keeps their place. */
void pane_text_add(struct pane *p, const char *text, size_t len);

/* Lines kept, and line i of them (0 the oldest; "" out of range). */
int pane_text_count(const struct pane *p);
const char *pane_text_line(const struct pane *p, int i);

/* The name the demo gave the pane ("worker 1"). */
const char *pane_text_name(const struct pane *p);

/* Decode a line into cells: text, and SGR colour sequences (ESC [ ... m)
 * turned into styles; other escape sequences and control bytes dropped. */
void pane_decode(const char *text, struct cells *out);

/* The rows the lines of the pane take at width w, newest last, at most
 * max of them ending scroll lines above the newest: what the pane shows.
 * Each line is wrapped (page_hang: spaces kept, broken at spaces, continued
 * rows hanging at its indentation). Into pg, cleared first. */
void pane_text_rows(const struct pane *p, int w, int max, struct page *pg);

/* ---- Code: the notes' code with the actors' lines marked -------------- */

extern const struct pane_ops pane_code_ops;

/* code is borrowed (it lives as long as the demo's module). */
struct pane *pane_code_new(const char *title, const char *code);

/* Actor i (0-based, up to 9 of them) is at line (from 1; 0: nowhere). The
 * pane follows the first marked line unless the learner scrolled it. */
void pane_code_mark(struct pane *p, int actor, int line);
void pane_code_unmark_all(struct pane *p);

/* Lines of the code. */
int pane_code_lines(const struct pane *p);

/* ---- Kernel: the /proc view as text ------------------------------------ */

extern const struct pane_ops pane_kernel_ops;

struct pane *pane_kernel_new(const char *title);

/* Show text (the pane takes it; NULL shows nothing). */
void pane_kernel_set(struct pane *p, char *text);

/* ---- Chart: horizontal bars of figures --------------------------------- */

extern const struct pane_ops pane_chart_ops;

#define CHART_MAX 16            /* bars; a 17th label replaces nothing */

struct pane *pane_chart_new(const char *title);

/* Set the bar labelled label to value in unit ("" for a count; "ms",
 * "tasks/s" ...), adding it at the end the first time. 0, or -1 when the
 * chart is full. Bars are scaled to the widest value. */
int chart_set(struct pane *p, const char *label, double value,
    const char *unit);

/* Bars in the chart. */
int chart_count(const struct pane *p);

/* Bar i as text at w columns: "label  ████▌      12.5 ms", the label
 * column as wide as the widest label (cut when the bars would get fewer
 * than 8 columns), the value
 * right-aligned after the bar. Allocated; for drawing and for tests. */
char *chart_row(const struct pane *p, int i, int w);

#endif
