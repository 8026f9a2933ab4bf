/* plain.h — the text front ends: one-shot commands (`systour list`) and the
 * plain shell (`systour --plain`, or any run whose stdout is not a
 * terminal): the same command table, plain text out, for screen readers,
 * pipes and scripts. */
#ifndef SYSTOUR_PLAIN_H
#define SYSTOUR_PLAIN_H

#include "app.h"

extern const struct ui_ops plain_oneshot_ui;
extern const struct ui_ops plain_shell_ui;

/* Run the plain shell until quit or end of input. Returns the exit status:
 * 0, or in a script (stdin not a terminal) the status of the last command. */
int plain_shell(struct app *app);

/* Print a step as plain text at the output's width. */
void plain_print_step(struct app *app, const struct lesson_text *t, int step);

#endif
