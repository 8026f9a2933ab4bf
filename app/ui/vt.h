/* vt.h — a terminal inside a pane: a program (the learner's editor) on a
 * pty, its output fed to libvterm, which keeps the screen as cells. What
 * libvterm answers (a terminal query such as "where is the cursor?") is
 * written back to the pty, so the program gets its replies; keys go to the
 * pty as the terminal sent them; a resize sets libvterm's size and the
 * pty's (TIOCSWINSZ, so the program gets SIGWINCH). Wide characters take
 * two cells, as libvterm lays them out.
 *
 * The drawing is pane_vterm.c's; this is the model, usable without curses
 * and without a child (vt_new_detached), for tests.
 *
 * On the loop; thread-safety: none. */
#ifndef SYSTOUR_VT_H
#define SYSTOUR_VT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;
struct vt;

struct vt_sink {
	void *arg;
	/* Cells changed (draw again). Optional. */
	void (*damaged)(void *arg);
	/* The program ended: status as waitpid gives it. Optional. */
	void (*exited)(void *arg, int status);
};

/* Run argv (argv[0] looked up in PATH) on a new pty of rows x cols in
 * directory cwd, with TERM=xterm-256color, watched on loop l. NULL and
 * *cause when there is no pty or no fork. */
struct vt *vt_spawn(struct loop *l, int rows, int cols, char *const argv[],
    const char *cwd, const struct vt_sink *sink, char **cause);

/* An emulator with no program: what it answers is kept (vt_answers). */
struct vt *vt_new_detached(int rows, int cols);

/* Feed bytes as if the program had written them. */
void vt_feed(struct vt *v, const char *bytes, size_t n);

/* Keys (terminal bytes) to the program. */
void vt_keys(struct vt *v, const char *bytes, size_t n);

/* The new size: libvterm's and the pty's. */
void vt_resize(struct vt *v, int rows, int cols);

void vt_size(const struct vt *v, int *rows, int *cols);

/* The cell at (row, col): its first code point (0 for an empty cell, and
 * for the second half of a wide character), its width (1 or 2; 0 for the
 * second half), and its look. 0, or -1 outside the screen. */
struct vt_cell {
	uint32_t ch;
	int width;
	int bold, underline, reverse, italic;
	int fg;                 /* 0-255, or -1 for the default */
	int bg;
};
int vt_cell(const struct vt *v, int row, int col, struct vt_cell *c);

/* The cursor, and whether the program shows it. */
void vt_cursor(const struct vt *v, int *row, int *col, int *visible);

/* Row as UTF-8 text (trailing blanks dropped). Allocated; for tests. */
char *vt_row_text(const struct vt *v, int row);

/* A detached emulator's answers so far (what a program would have read
 * back), and forget them. Allocated; "" when none. */
char *vt_answers(struct vt *v);

/* The program's PID (0: none, or ended). */
pid_t vt_pid(const struct vt *v);

/* The program's title (OSC 0/2), or "". */
const char *vt_title(const struct vt *v);

/* Hang up on the program (SIGHUP, then SIGKILL if it lingers), reap it,
 * close the pty, free. Safe on NULL. */
void vt_free(struct vt *v);

#endif
