/* runner_int.h — the state of one run, shared by runner.c (copying,
 * checking, judging) and runner_cc.c (compiling, the cache). Private to
 * app/exercise. */
#ifndef SYSTOUR_RUNNER_INT_H
#define SYSTOUR_RUNNER_INT_H

#include "buf.h"
#include "runner.h"

#include <stddef.h>
#include <sys/types.h>

#define CC_WALL_MS 60000
#define GRACE_MS 200

/* The flags of a C exercise: with the sanitizers where they work (tried
 * first; a compiler without them is tried again without). */
#define CC_BASE "-Wall -Wextra -g"
#define CC_SAN "-fsanitize=address,undefined -fno-omit-frame-pointer"

struct loop_watch;
struct proc_group;

enum stage { ST_START, ST_CC, ST_CHECK, ST_DONE };

struct ex_run {
	struct loop *loop;
	struct exercise_copy {
		char *id, *dir, *first;
		enum ex_track track;
		struct ex_limits lim;
		char **files;
		int nfiles;
	} ex;
	char *learner_dir;
	char *systour;
	int zh, no_cache;
	ex_run_done_fn *done;
	void *arg;

	enum stage stage;
	struct proc_group *g;           /* the check's group and scratch */
	struct proc_group *cc;          /* the compiler's */
	int san;                        /* compiling with the sanitizers */
	char *cache_path;               /* where the program is kept */
	int fd_out, fd_err;             /* our ends of the pipes */
	struct loop_watch *w_out, *w_err, *t_start;
	struct buf out, err;
	size_t total;                   /* bytes the check printed */
	int over;                       /* it printed too much */
	int leader_status, leader_seen;
	long long t0, t_cc, cpu0;
	struct ex_result r;
};

/* runner.c: hand the result over and free the run; read what is on fd
 * into b (1 at its end); the loop's callback for the pipes; start the
 * check itself. */
void ex_run_finish(struct ex_run *run);
int ex_run_drain(struct ex_run *run, int fd, struct buf *b);
void ex_run_on_pipe(struct loop *l, int fd, unsigned events, void *arg);
void ex_run_check(struct ex_run *run);

/* runner_cc.c: where the program of these sources is cached (allocated);
 * compile, then ex_run_check, or ex_run_finish with the compiler's
 * message. 0, or -1 after finishing the run. */
char *ex_run_cache_path(struct ex_run *run);
int ex_run_cc(struct ex_run *run);

#endif
