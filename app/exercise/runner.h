/* runner.h — check a learner's exercise in a sandbox, on the event loop.
 *
 * A run copies the learner's files into a fresh scratch directory (a
 * proc_group's), compiles them with the system cc for a C exercise (in a
 * group of its own; the program is kept in a cache by the hash of its
 * sources, so an unchanged exercise is not compiled again), then runs the
 * exercise's `check` in a proc_group with the exercise's limits (CPU,
 * wall clock, memory, file size, open files, processes; output is counted
 * here), null stdin, and as root the group's containment (a pids cgroup,
 * or the user nobody). Everything of the group is killed at the end. The
 * check writes TAP, read into a struct ex_result (result.h).
 *
 * Nothing blocks: the run is watches on the loop, so the tutor answers
 * keys while a check runs. Thread-safety: none; the loop's thread only. */
#ifndef SYSTOUR_RUNNER_H
#define SYSTOUR_RUNNER_H

#include "exercise.h"
#include "result.h"

struct loop;
struct ex_run;

struct ex_run_opts {
	const struct exercise *ex;
	const char *learner_dir;  /* the learner's copy of the files */
	const char *systour;      /* this program, for $SYSTOUR; NULL: ours */
	int zh;                   /* $EX_LANG zh */
	int no_cache;             /* compile even when the cache has it */
};

/* Called once when the run ends (not after ex_run_cancel). r belongs to
 * the callee, who frees it with ex_result_free(); the run is freed right
 * after the call returns, so the callee must not cancel it. */
typedef void ex_run_done_fn(void *arg, struct ex_result *r);

/* Start checking; NULL and *cause when it cannot start at all (no scratch
 * directory, no fork). A missing python3 or module gives a result with
 * status EX_SKIP, not NULL. */
struct ex_run *ex_run_start(struct loop *l, const struct ex_run_opts *o,
    ex_run_done_fn *done, void *arg, char **cause);

/* Stop a run: its processes killed and reaped, its files removed, done
 * never called. Safe on NULL. */
void ex_run_cancel(struct ex_run *run);

/* Run a check to its end on loop l (turning the loop until it is done):
 * for one-shot commands. 0 and *out filled, or -1 and *cause. */
int ex_run_wait(struct loop *l, const struct ex_run_opts *o,
    struct ex_result *out, char **cause);

/* What is missing to run ex ("python3", "the python module gevent"), as
 * an install hint ("install python3-gevent (apt-get install
 * python3-gevent)"); NULL when nothing is. Allocated. Checks each need
 * once per process. */
char *ex_missing(const struct exercise *ex);

/* How many processes our real user has now (RLIMIT_NPROC counts them
 * all: a limit of N more is that plus N). */
int ex_user_processes(void);

/* The compiler line used for a C exercise's files, for messages. */
const char *ex_cc_flags(void);

#endif
