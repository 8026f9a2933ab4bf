/* pane.h — an actor's pane in a live demo: its title and a scrollback of
 * the lines it wrote (at least PANE_SCROLLBACK of them, kept as the bytes
 * that came, ANSI colour sequences included, decoded only when drawn). */
#ifndef SYSTOUR_PANE_H
#define SYSTOUR_PANE_H

#include "layout.h"

#include <stddef.h>

#define PANE_SCROLLBACK 10000

struct pane {
	char name[32];          /* from the demo: "worker 1" */
	char title[96];         /* what runs there: "worker, PID 1234" */
	char **ring;            /* PANE_SCROLLBACK slots */
	int head;               /* slot of the oldest line */
	int n;                  /* lines kept */
	long long total;        /* lines ever added */
	int scroll;             /* lines scrolled up from the newest; 0 follows */
};

void pane_init(struct pane *p, const char *name);
void pane_free(struct pane *p);

/* Add a line (without its newline); the oldest goes when the pane is full. */
void pane_add(struct pane *p, const char *text, size_t len);

/* Line i of those kept, 0 the oldest. */
const char *pane_line(const struct pane *p, int i);

/* Decode a line into cells: text, and SGR colour sequences (ESC [ ... m)
 * turned into styles; other escape sequences and control bytes dropped. */
void pane_decode(const char *text, struct cells *out);

#endif
