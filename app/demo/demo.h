/* demo.h — the supervisor of a live demo: it starts the demo's leader in a
 * process group of its own, feeds the panes from their pipes, opens the
 * step gate, reaps the demo's processes (and no other child of the
 * caller), and stops the group (SIGTERM, then SIGKILL after a grace
 * period). It draws nothing: a front end (the TUI's panes or plain mode)
 * receives what happens through a sink. */
#ifndef SYSTOUR_DEMO_H
#define SYSTOUR_DEMO_H

#include "demo_lib.h"
#include "lesson.h"
#include "lesson_module.h"

#include <poll.h>
#include <sys/types.h>

#define DEMO_GRACE_MS 500       /* from SIGTERM to SIGKILL on stop */
#define DEMO_DELAY_MS 400       /* default pause between steps */

struct demo_run;

/* What the supervisor tells a front end. Every callback is optional. */
struct demo_sink {
	void *arg;
	/* A line an actor wrote to pane (without its newline). */
	void (*line)(void *arg, int pane, const char *text, size_t len);
	/* pane now shows actor who, PID pid (and TID tid when not pid). */
	void (*title)(void *arg, int pane, const char *who, pid_t pid, pid_t tid);
	/* The actor in pane reached line of the demo's code. */
	void (*position)(void *arg, int pane, int line);
	/* The demo says something about itself, or reports a figure. */
	void (*note)(void *arg, const char *text);
	void (*figure)(void *arg, const char *name, long long value);
	/* A process of the demo was reaped: status as waitpid gives it. */
	void (*exited)(void *arg, pid_t pid, const char *who, int status);
};

/* Find a demo by name in the loaded lessons' modules; NULL if none. */
const struct systour_demo *demo_find(const struct lesson_set *set,
    const char *name);

/* Start demo d. With paused set, no step passes the gate until
 * demo_step() or demo_pause(run, 0). NULL (and *cause) if it cannot start:
 * the reason is also what the front end shows. */
struct demo_run *demo_start(const struct systour_demo *d,
    const struct demo_sink *sink, int paused, int delay_ms, char **cause);

/* The file descriptors to poll (up to DEMO_MAX_PANES + 2); their count. */
int demo_pollfds(struct demo_run *r, struct pollfd *fds, int max);

/* Milliseconds until the supervisor has work without input (the next
 * step, or the end of the grace period); -1 for none. */
int demo_timeout(struct demo_run *r);

/* Do what is due: read the panes and the actors' reports, reap children,
 * open the gate, escalate a stop. Call after poll() on demo_pollfds. */
void demo_work(struct demo_run *r);

/* 1 once every process of the demo has exited and been reaped and every
 * pane has been read to its end. */
int demo_finished(const struct demo_run *r);

void demo_pause(struct demo_run *r, int paused);
int demo_paused(const struct demo_run *r);
/* Let one waiting actor pass the gate (the learner pressed n). */
void demo_step(struct demo_run *r);
void demo_set_delay(struct demo_run *r, int delay_ms);
int demo_delay(const struct demo_run *r);

/* Ask the demo to stop: SIGTERM to its group now, SIGKILL once the grace
 * period is over (done by demo_work). */
void demo_stop(struct demo_run *r);

/* The PID of the actor pane (0-based) shows: the process that last took it
 * with to_pane(); 0 if none has. */
pid_t demo_pane_pid(const struct demo_run *r, int pane);

/* 1 if pane's actor can be killed: it is alive (not a zombie), in the
 * demo's process group, and not the demo's leader. */
int demo_can_kill(const struct demo_run *r, int pane);

/* SIGKILL to pane's actor (the learner's `k`, `demo kill`): never to a
 * process outside the demo's group, never to its leader. Its PID, or -1
 * and *cause ("pane 3: its actor has ended"). */
pid_t demo_kill(struct demo_run *r, int pane, char **cause);

/* The demo's process group (its leader's PID). */
pid_t demo_pgid(const struct demo_run *r);

/* The inode numbers of the plumbing the supervisor made for run r (each
 * pane's pipe, the report socket's end the demo holds, each actor's step
 * gate), up to max of them into ino; their count. The kernel view folds
 * descriptors open on these away from the notes' own. */
int demo_plumbing(const struct demo_run *r, unsigned long *ino, int max);

/* The demo itself. */
const struct systour_demo *demo_of(const struct demo_run *r);

/* How a run ended, for the progress store: "finished" (the leader exited
 * with status 0), "stopped" (by the learner, or the leader never reaped:
 * leader_status -1), or "failed: ..." with demo_how's words. */
const char *demo_ending(int leader_status, int stopped, char *buf, size_t len);

/* Make sure nothing of the demo is left (SIGKILL to the group, reap it),
 * remove its scratch directory, and free the run. Safe with NULL. */
void demo_free(struct demo_run *r);

#endif
