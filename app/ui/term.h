/* term.h — the one module that owns the terminal: curses set-up and
 * tear-down, colours, and restoring the terminal on every way out, crashes
 * included. The signals a person sends (SIGINT, SIGTERM, SIGHUP, SIGWINCH,
 * SIGTSTP) are the TUI's, as event-loop callbacks (loop_signal). */
#ifndef SYSTOUR_TERM_H
#define SYSTOUR_TERM_H

#include "layout.h"

#include <ncurses.h>

/* Take the terminal: curses in cbreak/noecho mode on the alternate screen,
 * mouse wheel reports on, colours unless NO_COLOR is set. Installs handlers
 * so that a crash (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL) or SIGQUIT
 * restores the terminal before the default action. Handle SIGWINCH before
 * calling it, so that ncurses leaves that signal alone. 0, or -1 when the
 * terminal cannot be set up. */
int term_init(void);

/* Can curses draw on this terminal ($TERM has a terminfo entry)? 1, or 0
 * with *cause (allocated) saying why not. Touches nothing on screen. */
int term_usable(char **cause);

/* Give the terminal back as it was. Safe to call twice. */
void term_end(void);

/* Give the terminal back and stop (Ctrl-Z); take it again on SIGCONT. The
 * SIGTSTP handler in place before the call is in place after it. */
void term_suspend(void);

/* Adopt the terminal's new size after SIGWINCH. */
void term_resize(void);

/* Attributes (colour pair and video attributes) for a style drawn on a
 * line of a kind. */
attr_t term_attr(enum style st, enum line_kind kind, short *pair);

/* Attributes for the bars (title and status) and for errors. */
enum term_ui { UI_BAR, UI_ERROR, UI_SELECTED, UI_PROGRESS, UI_POPUP };
attr_t term_ui_attr(enum term_ui what, short *pair);

#endif
