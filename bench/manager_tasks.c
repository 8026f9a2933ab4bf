/* manager_tasks.c — tasks per second through `systour manager` and one
 * `systour worker`, against CPython's BaseManager running the notes'
 * service process and task process, side by side in one run.
 *
 * systour: `systour manager --port 0 --tasks N` (the notes' service
 * process: it puts ImageUrl_0 ... ImageUrl_N-1 on its task queue as soon as
 * it listens, and takes the results back), then one `systour worker
 * --batch B --pace 0 --timeout 0` (leases B tasks at a time, acks them with
 * the next lease). The time runs from the manager's "listening on" line
 * (its next step is the first put) to its "all N results are in" line; the
 * worker's start and handshakes are inside it.
 *
 * CPython: `python3 -c SERVER N WORKER`: SERVER is the notes' service
 * process (multiprocessing.Queue(N) behind a BaseManager, prints as the
 * notes do) with N tasks on a free port; it starts WORKER, the notes' task
 * process (its loop unchanged: while not task.empty(): get, print, put),
 * which connects and gets its proxies, then waits for a line on stdin. The
 * time runs from just before the first task.put to just after the last
 * result.get, taken with time.perf_counter() inside SERVER. The worker is
 * released after the last put, as the notes run the two scripts: the
 * service process first, then the task process (released earlier, the
 * notes' worker would quit the moment it found the queue empty).
 *
 * The same work per task on both sides: none. The notes' worker sleeps
 * 1 s per task as its "download"; that sleep is removed, and the systour
 * worker runs with --pace 0. Both sides still print their lines (to
 * /dev/null). Rounds alternate (systour, CPython, ...); each side's figure
 * is the median of its rounds' tasks per second. */
#include "manager_bench.h"

#define TARGET 50.0		/* systour tasks/s over CPython's, at least */
#define ROUNDS 5
#define SYS_TASKS 200000
#define PY_TASKS 4000
#define BATCH "500"
#define BUDGET_S 38.0		/* everything ends by then */

static double end_by;		/* bench_now() + BUDGET_S at the start */

static double
by(double t)
{
	return t < end_by ? t : end_by;
}

/* ------------------------------------------------------------- systour */

/* Tasks per second of one systour round, or < 0 with why. */
static double
systour_round(const char *systour, char *why, size_t wlen)
{
	char tasks[16], line[512] = "", done[64];
	snprintf(tasks, sizeof tasks, "%d", SYS_TASKS);
	snprintf(done, sizeof done, "all %d results are in", SYS_TASKS);
	const char *args[] = { "--tasks", tasks, NULL };
	struct mb_manager m;
	if (mb_manager_start(&m, systour, args, -1, why, wlen) < 0)
		return -1;
	double t0 = bench_now(), t1 = 0, ret = -1;
	char addr[64];
	snprintf(addr, sizeof addr, "127.0.0.1:%s", m.port);
	char *argv[] = { (char *)systour, "worker", "--connect", addr,
	    "--batch", BATCH, "--pace", "0", "--timeout", "0", NULL };
	int ep[2] = { -1, -1 };
	if (pipe2(ep, O_CLOEXEC) < 0) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		mb_manager_stop(&m);
		return -1;
	}
	pid_t w = mb_spawn(argv, -1, -1, ep[1], -1);
	close(ep[1]);
	if (w < 0) {
		snprintf(why, wlen, "fork: %s", strerror(errno));
		goto out;
	}
	/* The manager's log until its last result, looking every 0.2 s
	 * whether the worker is gone (it ends after the last result). */
	int rc, st = -1;
	double deadline = by(t0 + 15), gone_at = 0;
	for (;;) {
		double d = gone_at > 0 ? gone_at + 1 : bench_now() + 0.2;
		rc = mb_read_line(&m.log, d < deadline ? d : deadline, line,
		    sizeof line);
		if (rc == 1 && strstr(line, done) != NULL) {
			t1 = bench_now();
			break;
		}
		if (rc == 0 || (rc < 0 && (gone_at > 0 || bench_now() >= deadline)))
			break;
		if (rc < 0 && waitpid(w, &st, WNOHANG) == w) {
			mb_reaped(w);
			w = 0;
			gone_at = bench_now();
		}
	}
	/* The worker ends at the first empty lease, then the manager. */
	struct mb_lines wl = { .fd = ep[0] };
	char wline[512] = "", last[512];
	while (mb_read_line(&wl, by(bench_now() + 5), last, sizeof last) == 1)
		snprintf(wline, sizeof wline, "%s", last);
	if (w != 0 && wl.eof && waitpid(w, &st, 0) == w) {
		mb_reaped(w);
		w = 0;
	}
	if (t1 == 0) {
		snprintf(why, wlen, "%.250s", gone_at > 0 || wline[0] ?
		    (wline[0] ? wline : "systour worker: it ended early") :
		    rc < 0 ? "systour: not all results were in in time" :
		    line[0] ? line : "systour manager: it exited early");
		goto out;
	}
	if (w != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(why, wlen, "systour worker: %.200s", wline[0] ? wline :
		    "did not exit 0");
		goto out;
	}
	ret = SYS_TASKS / (t1 - t0);
out:
	close(ep[0]);
	mb_kill(w);
	mb_manager_stop(&m);
	return ret;
}

/* ------------------------------------------------------------- CPython */

/* The notes' service process, its task count and port from argv, timed;
 * the start method fixed to fork (it is a -c script: the other methods
 * would import a __main__ that has no file). */
static const char py_server[] =
    "import sys, time, subprocess, multiprocessing\n"
    "from multiprocessing.managers import BaseManager\n"
    "from multiprocessing import freeze_support, Queue\n"
    "\n"
    "def die_with_parent():\n"
    "    try:\n"
    "        import ctypes\n"
    "        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL\n"
    "    except Exception:\n"
    "        pass\n"
    "\n"
    "task_number = int(sys.argv[1])\n"
    "task_quue = Queue(task_number)\n"
    "result_queue = Queue(task_number)\n"
    "\n"
    "def get_task():\n"
    "    return task_quue\n"
    "\n"
    "def get_result():\n"
    "    return result_queue\n"
    "\n"
    "class QueueManager(BaseManager):\n"
    "    pass\n"
    "\n"
    "def win_run():\n"
    "    QueueManager.register('get_task_queue', callable=get_task)\n"
    "    QueueManager.register('get_result_queue', callable=get_result)\n"
    "    manager = QueueManager(address=('127.0.0.1', 0),"
    " authkey='qiye'.encode(), ctx=multiprocessing.get_context('fork'))\n"
    "    manager.start(die_with_parent)\n"
    "    try:\n"
    "        task = manager.get_task_queue()\n"
    "        result = manager.get_result_queue()\n"
    "        w = subprocess.Popen([sys.executable, '-c', sys.argv[2],"
    " str(manager.address[1])], stdin=subprocess.PIPE,"
    " stderr=subprocess.PIPE, preexec_fn=die_with_parent)\n"
    "        if w.stderr.readline() != b'ready\\n':\n"
    "            sys.exit('the worker did not start: ' +"
    " w.stderr.read().decode(errors='replace')[-300:])\n"
    "        t0 = time.perf_counter()\n"
    "        for url in ['ImageUrl_' + str(i) for i in range(task_number)]:\n"
    "            print('url is %s' % url)\n"
    "            task.put(url)\n"
    "        w.stdin.write(b'go\\n')\n"
    "        w.stdin.flush()\n"
    "        print('try get result')\n"
    "        for i in range(task_number):\n"
    "            print('result is %s' % result.get(timeout=10))\n"
    "        t = time.perf_counter() - t0\n"
    "        print('TIME', t, sys.version.split()[0], file=sys.stderr,"
    " flush=True)\n"
    "        w.wait()\n"
    "    finally:\n"
    "        manager.shutdown()\n"
    "\n"
    "if __name__ == '__main__':\n"
    "    freeze_support()\n"
    "    win_run()\n";

/* The notes' task process, unchanged but for its port (argv), the
 * 'ready'/go handshake with the bench's SERVER, and no time.sleep(1). */
static const char py_worker[] =
    "import sys\n"
    "from multiprocessing.managers import BaseManager\n"
    "\n"
    "class QueueManager(BaseManager):\n"
    "    pass\n"
    "\n"
    "QueueManager.register('get_task_queue')\n"
    "QueueManager.register('get_result_queue')\n"
    "server_address = '127.0.0.1'\n"
    "m = QueueManager(address=(server_address, int(sys.argv[1])),"
    " authkey='qiye'.encode())\n"
    "m.connect()\n"
    "task = m.get_task_queue()\n"
    "result = m.get_result_queue()\n"
    "sys.stderr.write('ready\\n')\n"
    "sys.stderr.flush()\n"
    "sys.stdin.readline()\n"
    "while not task.empty():\n"
    "    image_url = task.get(timeout=5)\n"
    "    print('download image %s' % image_url)\n"
    "    # time.sleep(1): the notes' download, left out: no work per task\n"
    "    result.put('success %s' % image_url)\n"
    "print('work exit')\n";

/* Tasks per second of one CPython round; 0 when there is no python3, < 0
 * with why on another failure. */
static double
python_round(char *ver, size_t vlen, char *why, size_t wlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		return -1;
	}
	char count[16];
	snprintf(count, sizeof count, "%d", PY_TASKS);
	char *argv[] = { "python3", "-c", (char *)py_server, count,
	    (char *)py_worker, NULL };
	pid_t pid = mb_spawn(argv, -1, -1, p[1], -1);
	close(p[1]);
	if (pid < 0) {
		snprintf(why, wlen, "fork: %s", strerror(errno));
		close(p[0]);
		return -1;
	}
	struct mb_lines l = { .fd = p[0] };
	char line[512] = "", last[512] = "";
	double secs = -1, deadline = by(bench_now() + 25);
	int rc;
	while ((rc = mb_read_line(&l, deadline, line, sizeof line)) == 1) {
		char v[32];
		if (sscanf(line, "TIME %lf %31s", &secs, v) == 2 && secs > 0) {
			snprintf(ver, vlen, "%s", v);
			break;
		}
		secs = -1;
		if (line[0])
			snprintf(last, sizeof last, "%s", line);
	}
	/* Let it shut its manager down (5 s at most), then kill the group. */
	while (secs > 0 && mb_read_line(&l, by(bench_now() + 5), line,
	    sizeof line) == 1)
		;
	close(p[0]);
	int st = 0;
	if (!l.eof) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	mb_reaped(pid);
	if (secs > 0)
		return PY_TASKS / secs;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return 0;
	snprintf(why, wlen, "%.250s", rc < 0 ? "python3 did not finish in time" :
	    last[0] ? last : "python3 printed no timing");
	return -1;
}

int
main(void)
{
	const char *label = "manager+worker tasks/s vs CPython BaseManager";
	double sys[ROUNDS], py[ROUNDS];
	char why[300] = "", pywhy[300] = "", ver[32] = "";
	int nsys = 0, npy = 0, no_python = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mb_setup_signals();
	const char *systour = mb_systour();
	if (systour == NULL) {
		printf("%s: skipped: no systour program (SYSTOUR=%s; run it "
		    "through make bench) [target >= %.0fx]\n", label,
		    getenv("SYSTOUR") ? getenv("SYSTOUR") : "unset", TARGET);
		return 0;
	}
	double start = bench_now(), round = 0;
	end_by = start + BUDGET_S;
	/* A new round only when the last one's time fits in what is left. */
	for (int r = 0; r < ROUNDS && (r == 0 ||
	    bench_now() + 1.2 * round < end_by); r++) {
		double t = bench_now();
		double s = systour_round(systour, why, sizeof why);
		if (s < 0 && nsys > 0 && bench_now() >= end_by)
			break;	/* out of time: report the rounds done */
		if (s < 0) {
			mb_kill_all();
			printf("%s: failed: %s [target >= %.0fx]\n", label, why,
			    TARGET);
			return 0;
		}
		sys[nsys++] = s;
		if (no_python || pywhy[0])
			continue;
		double p = python_round(ver, sizeof ver, pywhy, sizeof pywhy);
		if (p == 0)
			no_python = 1;
		else if (p > 0)
			py[npy++] = p;
		else if (npy > 0 && bench_now() >= end_by)
			pywhy[0] = '\0';	/* out of time: keep those done */
		round = bench_now() - t;
	}
	mb_kill_all();
	double sm = mb_median(sys, nsys);
	if (no_python || pywhy[0] || npy == 0) {
		printf("%s: skipped the CPython comparison: %s (systour %.0f "
		    "tasks/s: %d tasks, one worker --batch %s --pace 0; median "
		    "of %d rounds) [target >= %.0fx]\n", label,
		    no_python || !pywhy[0] ? "no python3 on the PATH" : pywhy,
		    sm, SYS_TASKS, BATCH, nsys, TARGET);
		return 0;
	}
	double pm = mb_median(py, npy);
	printf("%s: %.1fx (systour %.0f tasks/s: %d tasks, one worker "
	    "--batch %s; CPython %s %.0f tasks/s: %d tasks, the notes' service "
	    "and task process; no work per task on either side: the notes' "
	    "time.sleep(1) removed, worker --pace 0; median of %d and %d "
	    "rounds) [target >= %.0fx: %s]\n", label,
	    (double)(long)(sm / pm * 10) / 10, sm, SYS_TASKS,
	    BATCH, ver, pm, PY_TASKS, nsys, npy, TARGET,
	    sm / pm >= TARGET ? "met" : "MISSED");
	return 0;
}
