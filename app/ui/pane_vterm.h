/* pane_vterm.h — a terminal (vt.h) drawn as a pane; the pane borrows the
 * vt, whose owner frees it. */
#ifndef SYSTOUR_PANE_VTERM_H
#define SYSTOUR_PANE_VTERM_H

#include "pane.h"
#include "vt.h"

extern const struct pane_ops pane_vterm_ops;

/* vt may be NULL (nothing drawn) and set later. */
struct pane *pane_vterm_new(const char *title, struct vt *vt);
void pane_vterm_set(struct pane *p, struct vt *vt);

/* Where the vt's cursor is on the screen as last drawn: 1 if it shows. */
int pane_vterm_cursor(const struct pane *p, int *y, int *x);

#endif
