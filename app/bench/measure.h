/* measure.h — `systour bench`: the measurements behind the lessons, made
 * on the learner's own machine: a system call, fork+wait (and Python's
 * multiprocessing.Process when python3 is there), a pipe round trip, a
 * thread switch, HTTP requests/s against `systour serve http`. Each is
 * measured for real every time; one that cannot be made is marked missing
 * with the reason, never filled in. */
#ifndef SYSTOUR_MEASURE_H
#define SYSTOUR_MEASURE_H

enum { M_SYSCALL, M_FORK, M_PYPROC, M_PIPE, M_THREAD, M_HTTP, M_COUNT };

struct measure {
	const char	*key;		/* for --json: "syscall_ns" */
	const char	*name_en, *name_zh;
	const char	*unit;		/* "ns", "us", "req/s" */
	const char	*why_en, *why_zh;	/* what the figure means */
	double		 value;		/* < 0: not measured */
	char		 missing[128];	/* why not, when value < 0 */
};

/* Called before each measurement starts (i of M_COUNT), for a progress
 * indicator. */
typedef void measure_progress_fn(int i, const struct measure *m, void *arg);

/* Fill m[M_COUNT]. self: this program (/proc/self/exe), run as `serve
 * http` for the HTTP figure. */
void measure_all(struct measure *m, const char *self,
    measure_progress_fn *progress, void *arg);

#endif
