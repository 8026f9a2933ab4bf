/* fork.c — fork()+_exit()+waitpid() in C against Python's
 * multiprocessing.Process start()/join(), side by side in one run.
 *
 * C: N children per round, each fork(), _exit(0) in the child, waitpid()
 * in the parent. Python: `python3 -c SCRIPT M`, started with posix_spawnp,
 * times M Process().start()/join() pairs inside the script with
 * time.perf_counter() (so the interpreter's start-up is not counted) and
 * prints the seconds. Rounds alternate (C, Python, C, Python, ...) so both
 * see the same machine; each side's figure is the median of its rounds.
 * Prints one line: how many times faster C is (Python's per-process time
 * over C's). */
#include "bench.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 3
#define C_N 2000                /* children per C round */
#define PY_M 200                /* processes per Python round */

extern char **environ;

/* A Process with no target starts, runs nothing and exits: it works with
 * every start method, even from -c (spawn cannot import a -c __main__). */
static const char py_script[] =
    "import multiprocessing as mp, sys, time\n"
    "m = int(sys.argv[1])\n"
    "ctx = mp.get_context()\n"
    "p = ctx.Process(); p.start(); p.join()\n"  /* warm-up: imports */
    "t = time.perf_counter()\n"
    "for _ in range(m):\n"
    "    p = ctx.Process(); p.start(); p.join()\n"
    "t = time.perf_counter() - t\n"
    "print(t, ctx.get_start_method(), sys.version.split()[0])\n";

/* Seconds per fork+_exit+waitpid over n children; < 0 on failure. */
static double
c_round(int n)
{
	double t = bench_now();
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(0);
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return -1;
	}
	return (bench_now() - t) / n;
}

/* Seconds per Process start/join over m processes, from python3's own
 * clock; 0 when python3 is not there, < 0 on another failure (why in
 * why). */
static double
py_round(int m, char *method, size_t mlen, char *version, size_t vlen,
    char *why, size_t wlen)
{
	int out[2];
	if (pipe(out) != 0) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, out[1]);
	char count[16];
	snprintf(count, sizeof count, "%d", m);
	char *argv[] = { "python3", "-c", (char *)py_script, count, NULL };
	pid_t pid;
	int rc = posix_spawnp(&pid, "python3", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (rc != 0) {
		close(out[0]);
		if (rc == ENOENT)
			return 0;
		snprintf(why, wlen, "cannot start python3: %s", strerror(rc));
		return -1;
	}
	char buf[256];
	size_t len = 0;
	ssize_t k;
	while (len < sizeof buf - 1 &&
	    ((k = read(out[0], buf + len, sizeof buf - 1 - len)) > 0 ||
	    (k < 0 && errno == EINTR)))
		if (k > 0)
			len += (size_t)k;
	buf[len] = '\0';
	close(out[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	double secs;
	char meth[32], ver[32];
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    sscanf(buf, "%lf %31s %31s", &secs, meth, ver) != 3 || secs <= 0) {
		snprintf(why, wlen, "python3 failed (%s)", WIFEXITED(st) &&
		    WEXITSTATUS(st) == 127 ? "not found" : "no timing printed");
		return WIFEXITED(st) && WEXITSTATUS(st) == 127 ? 0 : -1;
	}
	snprintf(method, mlen, "%s", meth);
	snprintf(version, vlen, "%s", ver);
	return secs / m;
}

/* "95 us", "3.9 ms" */
static const char *
human(double s, char *buf, size_t len)
{
	if (s < 1e-3)
		snprintf(buf, len, "%.0f us", s * 1e6);
	else if (s < 10e-3)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.0f ms", s * 1e3);
	return buf;
}

int
main(void)
{
	const char *label = "fork+waitpid vs python Process start/join";
	double c[ROUNDS], py[ROUNDS];
	char method[32] = "", version[32] = "", why[160] = "", a[32], b[32];
	int npy = 0, no_python = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (c_round(50) < 0) {          /* warm-up */
		printf("%s: failed: fork: %s [info]\n", label, strerror(errno));
		return 0;
	}
	for (int r = 0; r < ROUNDS; r++) {
		c[r] = c_round(C_N);
		if (c[r] < 0) {
			printf("%s: failed: fork: %s [info]\n", label, strerror(errno));
			return 0;
		}
		if (no_python || why[0])
			continue;
		double p = py_round(PY_M, method, sizeof method, version,
		    sizeof version, why, sizeof why);
		if (p == 0)
			no_python = 1;
		else if (p > 0)
			py[npy++] = p;
	}
	double cm = bench_median(c, ROUNDS);
	if (no_python)
		printf("%s: skipped: no python3 (C %s per process) [info]\n",
		    label, human(cm, a, sizeof a));
	else if (npy < ROUNDS)
		printf("%s: skipped: %s (C %s per process) [info]\n", label, why,
		    human(cm, a, sizeof a));
	else {
		double pm = bench_median(py, ROUNDS);
		printf("%s: %.1fx faster (C %s, Python %s per process; "
		    "python3 %s, start method %s; median of %d rounds of %d "
		    "and %d processes) [info]\n", label, pm / cm,
		    human(cm, a, sizeof a), human(pm, b, sizeof b), version,
		    method, ROUNDS, C_N, PY_M);
	}
	return 0;
}
