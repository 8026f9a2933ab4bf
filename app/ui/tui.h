/* tui.h — the full-screen tutor: the lesson list, the lesson view, help and
 * output popups, a status line and the readline command line. */
#ifndef SYSTOUR_TUI_H
#define SYSTOUR_TUI_H

#include "app.h"

/* Run the TUI until the learner quits. warning (may be NULL) is shown on
 * the status line at start; first_command (may be NULL) runs first — a
 * "demo NAME" one then makes closing the demo leave the TUI. Returns the
 * exit status. The terminal is given back as it was on every way out. */
int tui_run(struct app *app, const char *warning, const char *first_command);

#endif
