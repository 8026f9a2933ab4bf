/* demo_view.h — a live demo inside the TUI: the code pane with each actor's
 * line marked, the actors' panes (2 to 6, split across and down), the
 * kernel's view from /proc, zoom, focus, scrolling, and the controls
 * (pause, step, speed, restart, stop). */
#ifndef SYSTOUR_DEMO_VIEW_H
#define SYSTOUR_DEMO_VIEW_H

#include "demo.h"


struct demo_view;
struct store;

/* Start d in a new view, its run and its kernel view on loop. When the demo
 * cannot start, the view still opens and its first pane says why. */
struct demo_view *demo_view_start(struct loop *loop,
    const struct systour_demo *d, enum lang lang, int paused, int delay_ms,
    struct store *store, char **cause);

/* 1 once the run is over and recorded (or never started). */
int demo_view_finished(const struct demo_view *v);

/* Stop what runs (TERM, then KILL), record the run, free the view. */
void demo_view_free(struct demo_view *v);


/* Draw the view in rows top..top+rows-1 of the screen, and (status not
 * NULL) its status text into status, as demo_view_status for COLS - 2. */
void demo_view_draw(struct demo_view *v, int top, int rows, char *status,
    size_t len);

/* The status line's text in at most width columns: the demo, its state,
 * its delay and what last happened (a kill, a figure) always; then as many
 * of the keys as fit, most used first (Space says resume while paused). */
void demo_view_status(struct demo_view *v, char *status, size_t len,
    int width);

/* Keys of the view. Returns 1 when the view should close. */
enum demo_key { DK_PAUSE, DK_STEP, DK_FASTER, DK_SLOWER, DK_RESTART, DK_STOP,
	DK_ZOOM, DK_FOCUS, DK_UP, DK_DOWN, DK_PGUP, DK_PGDN, DK_TOP, DK_BOTTOM,
	DK_KILL, DK_PLUMBING };
int demo_view_key(struct demo_view *v, enum demo_key k);

/* The command forms: "pause", "resume", "step", "faster", "slower",
 * "restart", "stop". 0, or -1 when what is unknown. */
int demo_view_control(struct demo_view *v, const char *what);

/* SIGKILL to the actor of pane (0-based) — with pane -1, as the key x
 * does: the focused pane's actor if it can be killed (see demo_can_kill),
 * else the next pane's that can. The status line says what was killed.
 * Its PID, or -1 and *why. */
pid_t demo_view_kill(struct demo_view *v, int pane, char **why);

#endif
