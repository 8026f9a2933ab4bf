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
#include "loop.h"

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
	/* demo_finished() just became true: every process is reaped and
	 * every pane read to its end. Called once; the run may be freed
	 * from here. */
	void (*finished)(void *arg);
};

/* Find a demo by name in the loaded lessons' modules; NULL if none. */
const struct systour_demo *demo_find(const struct lesson_set *set,
    const char *name);

/* Start demo d on loop: the run registers its pipes, timers and its
 * process group's exits there, and the sink hears of everything from the
 * loop's callbacks. With paused set, no step passes the gate until
 * demo_step() or demo_pause(run, 0). The demo speaks lang (api->zh). NULL (and *cause) if it cannot start:
 * the reason is also what the front end shows. */
struct demo_run *demo_start(struct loop *loop, const struct systour_demo *d,
    const struct demo_sink *sink, int paused, int delay_ms, enum lang lang,
    char **cause);

/* The inode numbers of the pipes the supervisor made for the run (panes,
 * reports, step gates): systour's plumbing, which the kernel view folds
 * away. Up to max of them into ino; their count. (The report channel is a
 * socket pair: the inode given is that of the end the demo holds.) */
int demo_plumbing(const struct demo_run *r, unsigned long *ino, int max);

/* 1 once every process of the demo has exited and been reaped and every
 * pane has been read to its end. */
int demo_finished(const struct demo_run *r);

void demo_pause(struct demo_run *r, int paused);
int demo_paused(const struct demo_run *r);
/* Let one waiting actor pass the gate (the learner pressed n): the pane of
 * the actor that went on, or -1 when nobody waited (the next actor to
 * reach a step will go on). */
int demo_step(struct demo_run *r);
void demo_set_delay(struct demo_run *r, int delay_ms);
int demo_delay(const struct demo_run *r);

/* Ask the demo to stop: SIGTERM to its group now, SIGKILL once the grace
 * period is over (a timer on the loop). */
void demo_stop(struct demo_run *r);

/* The PID of the actor pane (0-based) shows: the process of the actor that
 * last took it; 0 if none has. */
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

/* How this tutor contains a demo's processes (proc_group.h): "not root:
 * RLIMIT_NPROC ...", "root: a cgroup ... with pids.max ...". */
const char *demo_containment(void);

/* The demo itself. */
const struct systour_demo *demo_of(const struct demo_run *r);

/* How a run ended, for the progress store: "finished" (the leader exited
 * with status 0), "stopped" (by the learner, or the leader never reaped:
 * leader_status -1), or "failed: ..." with demo_how's words. */
const char *demo_ending(int leader_status, int stopped, char *buf, size_t len);

/* Make sure nothing of the demo is left (SIGKILL to the group and, in
 * cgroup mode, its cgroup; reap it),
 * remove its scratch directory, and free the run. Safe with NULL. */
void demo_free(struct demo_run *r);

#endif
