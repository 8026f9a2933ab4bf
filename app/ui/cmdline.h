/* cmdline.h — the TUI's command line: GNU readline driven through its
 * callback interface, fed bytes by the TUI and drawn inside curses.
 * Emacs editing keys, history across runs, tab completion: all readline's. */
#ifndef SYSTOUR_CMDLINE_H
#define SYSTOUR_CMDLINE_H

#include "app.h"

#include <stddef.h>

/* Where readline takes its input from: the TUI's buffer of bytes read from
 * the terminal. readline consumes bytes from pos up to len. */
struct cmdline_input {
	unsigned char b[4096];
	size_t pos, len;
	int waited;     /* ESC_WAIT_MS passed since the last byte came */
};

/* Called with the line when Enter is pressed (NULL when cancelled). */
typedef void cmdline_done_fn(const char *line, void *arg);

/* Set readline up for curses (no signals, no terminal preparation, output
 * to /dev/null) and load the history. */
void cmdline_init(struct app *app, struct cmdline_input *in,
    cmdline_done_fn *done, void *arg);

/* Save the history and let go of readline. */
void cmdline_free(struct app *app);

/* Start editing a new line with prompt ":". */
void cmdline_start(void);

/* Stop editing without running anything. */
void cmdline_cancel(void);

int cmdline_active(void);

/* Let readline consume one key from the input (it may take several bytes,
 * or remember a partial sequence for the next call). */
void cmdline_read(void);

/* Draw the line on row y of stdscr, width columns, scrolled so the cursor
 * shows; leaves the cursor there. */
void cmdline_draw(int y, int width);

/* The completions readline last listed ("a  b  c"), or NULL. Cleared when
 * read. Allocated. */
char *cmdline_take_matches(void);

#endif
