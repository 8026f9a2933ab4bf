/* readline_glue.h — what the plain shell and the TUI's command line share
 * of GNU readline: completion from the command table, and the history file
 * kept across runs in the data directory. */
#ifndef SYSTOUR_READLINE_GLUE_H
#define SYSTOUR_READLINE_GLUE_H

#include "app.h"

/* Point readline's completion at the command table (commands, lessons,
 * steps, options) and load the history from app->history_path. */
void rlglue_init(struct app *app);

/* Add a line to the history (not blank ones, not repeats). */
void rlglue_remember(const char *line);

/* Write the history back (keeps the last 1000 lines). */
void rlglue_save(struct app *app);

#endif
