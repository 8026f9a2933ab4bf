/* demo_gil.c — lesson 06's "gil" demo: one CPU-bound job (count down from
 * N) on one thread and on two threads under a model of CPython's GIL (a
 * mutex, a condition variable, a 5 ms switch interval and a drop request,
 * as Python/ceval_gil.h), on two threads without it, on two processes, and
 * the same in CPython's threads and processes when python3 is installed;
 * every time measured here and the speedups reported as figures. Then the
 * convoy: an IO thread comes back from its read and waits for the GIL
 * behind a CPU-bound thread. */
#define _GNU_SOURCE
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define INTERVAL_US 5000        /* sys.getswitchinterval(): 0.005 */
#define CHUNK 2000              /* decrements between two looks at the
                                 * drop request ("bytecodes") */
#define TARGET_MS 200           /* one thread's job, about */
#define PY_N 3000000L           /* CPython's count(N) */
#define IO_ROUNDS 20
#define IO_WAIT_US 2000         /* each "IO": a timer 2 ms away */

static const char gil_code[] =
	"import os, sys, time, threading\n"                             /* 1 */
	"from multiprocessing import Process\n"
	"\n"
	"def count(n):\n"
	"    while n > 0:\n"                                            /* 5 */
	"        n -= 1              # the GIL may change hands between bytecodes\n"
	"\n"
	"N = 20_000_000\n"
	"\n"
	"def two(kind):\n"                                              /* 10 */
	"    workers = [kind(target=count, args=(N // 2,)) for _ in range(2)]\n"
	"    for w in workers: w.start()\n"
	"    for w in workers: w.join()\n"
	"\n"
	"count(N)                    # one thread\n"                    /* 15 */
	"two(threading.Thread)       # two threads, one GIL: no faster\n"
	"two(Process)                # two processes, a GIL each: two cores\n"
	"                            # (C threads have no GIL: two cores)\n"
	"sys.getswitchinterval()     # 0.005: a waiter asks the holder to let go after 5 ms\n"
	"data = sock.recv(4096)      # IO lets go of the GIL, then must take it back\n"; /* 20 */

/* ---- the model GIL ------------------------------------------------------ */

struct gil {
	pthread_mutex_t mutex;
	pthread_cond_t cond;            /* the GIL was dropped */
	pthread_cond_t switch_cond;     /* another thread took it */
	int locked;
	unsigned long switch_number;
	atomic_int drop_request;
};

static void
gil_init(struct gil *g)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_mutex_init(&g->mutex, NULL);
	pthread_cond_init(&g->cond, &a);
	pthread_cond_init(&g->switch_cond, &a);
	g->locked = 0;
	g->switch_number = 0;
	atomic_store(&g->drop_request, 0);
}

static void
take_gil(struct gil *g)
{
	pthread_mutex_lock(&g->mutex);
	while (g->locked) {
		unsigned long seen = g->switch_number;
		struct timespec dl;
		clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_nsec += INTERVAL_US * 1000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&g->cond, &g->mutex, &dl) == ETIMEDOUT &&
		    g->locked && g->switch_number == seen)
			atomic_store(&g->drop_request, 1);  /* 5 ms, no switch */
	}
	g->locked = 1;
	g->switch_number++;
	atomic_store(&g->drop_request, 0);
	pthread_cond_broadcast(&g->switch_cond);
	pthread_mutex_unlock(&g->mutex);
}

/* forced: asked to (a drop request): wait until another thread has taken
 * it, so as not to take it straight back (FORCE_SWITCHING). */
static void
drop_gil(struct gil *g, int forced)
{
	pthread_mutex_lock(&g->mutex);
	g->locked = 0;
	pthread_cond_signal(&g->cond);
	if (forced) {
		unsigned long seen = g->switch_number;
		while (g->switch_number == seen)
			pthread_cond_wait(&g->switch_cond, &g->mutex);
	}
	pthread_mutex_unlock(&g->mutex);
}

/* count(n): the loop, with a look at the drop request every CHUNK (the
 * eval loop's "eval breaker"); g NULL: no GIL. */
static void
count(struct gil *g, long n)
{
	if (g)
		take_gil(g);
	while (n > 0) {
		volatile long k = n < CHUNK ? n : CHUNK;
		n -= k;
		while (k > 0)
			k--;
		if (g && atomic_load_explicit(&g->drop_request,
		    memory_order_relaxed)) {
			drop_gil(g, 1);
			take_gil(g);
		}
	}
	if (g)
		drop_gil(g, 0);
}

/* ---- runs ---------------------------------------------------------------- */

struct gilrun {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	struct gil gil;
	pthread_barrier_t go;
	long n;
};

struct counter {
	struct gilrun *r;
	int i;
	long n;
	struct gil *g;
	pthread_t th;
};

static void *
count_thread(void *p)
{
	struct counter *c = p;
	struct gilrun *r = c->r;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	char who[32];
	snprintf(who, sizeof who, "thread %d", c->i + 1);
	struct demo_actor *me = api->actor(ctx, 1 + c->i, who);
	api->step(me, 5);
	api->print(me, TR("count(%ld) %s\n", "count(%ld) %s\n"), c->n, c->g ?
	    TR("under the GIL", "在 GIL 之下") : TR("with no GIL", "没有 GIL"));
	pthread_barrier_wait(&r->go);
	long long t0 = demo_now_ns();
	count(c->g, c->n);
	api->print(me, TR("done in %lld ms\n", "用了 %lld 毫秒\n"),
	    (demo_now_ns() - t0) / 1000000);
	api->release(me);
	return NULL;
}

static long long
cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* nthreads threads count n / nthreads each, under g (or none): the wall
 * time in ms; the CPU time in *cpu_ms. */
static long long
run_threads(struct gilrun *r, int nthreads, struct gil *g, long long *cpu_ms)
{
	struct counter c[2];
	pthread_barrier_init(&r->go, NULL, (unsigned)nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		c[i] = (struct counter){ r, i, r->n / nthreads, g, 0 };
		pthread_create(&c[i].th, NULL, count_thread, &c[i]);
	}
	pthread_barrier_wait(&r->go);           /* after their steps */
	long long t0 = demo_now_ns(), c0 = cpu_ns();
	for (int i = 0; i < nthreads; i++)
		pthread_join(c[i].th, NULL);
	*cpu_ms = (cpu_ns() - c0) / 1000000;
	pthread_barrier_destroy(&r->go);
	return (demo_now_ns() - t0) / 1000000;
}

static long long
children_cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000LL +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static long long
run_processes(struct gilrun *r, long long *cpu_ms)
{
	pid_t kid[2];
	long long t0 = demo_now_ns(), c0 = children_cpu_ms();
	for (int i = 0; i < 2; i++) {
		if ((kid[i] = fork()) == 0) {
			struct gil own;         /* a GIL of its own */
			gil_init(&own);
			count(&own, r->n / 2);
			_exit(0);
		}
	}
	for (int i = 0; i < 2; i++)
		if (kid[i] > 0)
			waitpid(kid[i], NULL, 0);
	*cpu_ms = children_cpu_ms() - c0;
	return (demo_now_ns() - t0) / 1000000;
}

/* ---- CPython itself ------------------------------------------------------ */

static const char py_script[] =
	"import os, sys, time, threading\n"
	"from multiprocessing import Process\n"
	"def count(n):\n"
	"    while n > 0:\n"
	"        n -= 1\n"
	"N = int(sys.argv[1])\n"
	"def two(kind):\n"
	"    ws = [kind(target=count, args=(N // 2,)) for _ in range(2)]\n"
	"    for w in ws: w.start()\n"
	"    for w in ws: w.join()\n"
	"def timed(label, f):\n"
	"    t, c = time.perf_counter(), os.times()\n"
	"    f()\n"
	"    t1, c1 = time.perf_counter(), os.times()\n"
	"    cpu = c1.user - c.user + c1.children_user - c.children_user\n"
	"    print(('%s：%.0f 毫秒墙钟，%.0f 毫秒 CPU' if zh else '%s: %.0f ms wall, %.0f ms CPU') % (label, (t1 - t) * 1e3, cpu * 1e3), flush=True)\n"
	"    return int((t1 - t) * 1e6)\n"
	"zh = sys.argv[2] == 'zh'\n"
	"print(('Python %s，切换间隔 %s 秒，count(%d)' if zh else 'Python %s, switch interval %s s, count(%d)') % (sys.version.split()[0], sys.getswitchinterval(), N), flush=True)\n"
	"a = timed('一个线程' if zh else 'one thread   ', lambda: count(N))\n"
	"b = timed('两个线程' if zh else 'two threads  ', lambda: two(threading.Thread))\n"
	"c = timed('两个进程' if zh else 'two processes', lambda: two(Process))\n"
	"os.write(3, b'%d %d %d\\n' % (a, b, c))\n";

/* Run the script in python3, in the python3 pane; its three times in us.
 * 0, or -1 when python3 could not run (said in why). */
static int
run_python(struct gilrun *r, struct demo_actor *me, long long us[3],
    char *why, size_t len)
{
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	int p[2];
	char buf[128];
	if (pipe(p) != 0) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t kid = fork();
	if (kid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (kid == 0) {
		struct demo_actor *py = api->to_pane(ctx, 3, "python3");
		char n[32];
		(void)py;
		close(p[0]);
		if (dup2(p[1], 3) < 0)
			_exit(126);
		snprintf(n, sizeof n, "%ld", PY_N);
		execlp("python3", "python3", "-c", py_script, n,
		    api->zh(ctx) ? "zh" : "en", (char *)NULL);
		fprintf(stderr, "python3: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	size_t got = 0;
	ssize_t k;
	while (got < sizeof buf - 1 &&
	    (k = read(p[0], buf + got, sizeof buf - 1 - got)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		got += (size_t)k;
	}
	buf[got] = '\0';
	close(p[0]);
	int st;
	waitpid(kid, &st, 0);
	if (sscanf(buf, "%lld %lld %lld", &us[0], &us[1], &us[2]) != 3) {
		char how[64];
		snprintf(why, len, "%s", WIFEXITED(st) && WEXITSTATUS(st) == 127 ?
		    TR("python3 is not installed", "没有安装 python3") :
		    demo_how(st, how, sizeof how));
		return -1;
	}
	(void)me;
	return 0;
}

/* ---- the convoy ---------------------------------------------------------- */

struct convoy {
	struct gil gil;
	atomic_int stop;
	long long latency_ns, worst_ns;
};

static void *
cpu_thread(void *p)
{
	struct convoy *c = p;
	take_gil(&c->gil);
	while (!atomic_load(&c->stop)) {
		volatile long k = CHUNK;
		while (k > 0)
			k--;
		if (atomic_load_explicit(&c->gil.drop_request,
		    memory_order_relaxed)) {
			drop_gil(&c->gil, 1);
			take_gil(&c->gil);
		}
	}
	drop_gil(&c->gil, 0);
	return NULL;
}

/* IO_ROUNDS reads of a timer, letting go of the GIL around each, as
 * os.read does: the mean wait for the GIL after the read, in us. */
static long long
io_rounds(struct convoy *c)
{
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	uint64_t ticks;
	if (tfd < 0)
		return -1;
	c->latency_ns = c->worst_ns = 0;
	take_gil(&c->gil);
	for (int i = 0; i < IO_ROUNDS; i++) {
		struct itimerspec it = { .it_value = { 0, IO_WAIT_US * 1000L } };
		timerfd_settime(tfd, 0, &it, NULL);
		drop_gil(&c->gil, 0);           /* Py_BEGIN_ALLOW_THREADS */
		while (read(tfd, &ticks, sizeof ticks) < 0 && errno == EINTR)
			;
		long long t = demo_now_ns();
		take_gil(&c->gil);              /* Py_END_ALLOW_THREADS */
		long long w = demo_now_ns() - t;
		c->latency_ns += w;
		if (w > c->worst_ns)
			c->worst_ns = w;
	}
	drop_gil(&c->gil, 0);
	close(tfd);
	return c->latency_ns / IO_ROUNDS / 1000;
}

/* ---- the demo ------------------------------------------------------------ */

static long long
pct(long long base, long long t)
{
	return t > 0 ? base * 100 / t : 0;
}

static int
gil_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	static struct gilrun r;
	long long cpu, t1, t2g, t2, tp;

	r.ctx = ctx;
	r.api = api;
	gil_init(&r.gil);

	/* N: about TARGET_MS of one thread's work on this machine */
	api->step(me, 8);
	long long c0 = demo_now_ns();
	count(NULL, 30000000);
	long long per10m = (demo_now_ns() - c0) / 3;
	r.n = (long)(10000000LL * TARGET_MS * 1000000LL / (per10m > 0 ? per10m : 1));
	if (r.n < 20000000)
		r.n = 20000000;
	if (r.n > 2000000000)
		r.n = 2000000000;
	r.n -= r.n % (2 * CHUNK);
	api->print(me, TR("N = %ld: about %d ms of counting here (10 million "
	    "took %lld ms)\n", "N = %ld：在这台机器上大约数 %d 毫秒（1000 万次"
	    "用了 %lld 毫秒）\n"), r.n, TARGET_MS, per10m / 1000000);

	api->step(me, 15);
	t1 = run_threads(&r, 1, &r.gil, &cpu);
	api->print(me, TR("one thread, model GIL:    %5lld ms wall, %5lld ms CPU\n",
	    "一个线程，模型 GIL：      %5lld 毫秒墙钟，%5lld 毫秒 CPU\n"), t1, cpu);
	api->figure(me, "gil_1thread_ms", t1);

	api->step(me, 16);
	unsigned long sw0 = r.gil.switch_number;
	t2g = run_threads(&r, 2, &r.gil, &cpu);
	unsigned long switches = r.gil.switch_number - sw0;
	api->print(me, TR("two threads, model GIL:   %5lld ms wall, %5lld ms CPU; "
	    "the GIL changed hands %lu times\n", "两个线程，模型 GIL：      %5lld "
	    "毫秒墙钟，%5lld 毫秒 CPU；GIL 易手 %lu 次\n"), t2g, cpu, switches);
	api->figure(me, "gil_2threads_ms", t2g);
	api->figure(me, "gil_switches", (long long)switches);

	api->step(me, 18);
	t2 = run_threads(&r, 2, NULL, &cpu);
	api->print(me, TR("two threads, no GIL:      %5lld ms wall, %5lld ms CPU\n",
	    "两个线程，没有 GIL：      %5lld 毫秒墙钟，%5lld 毫秒 CPU\n"), t2, cpu);
	api->figure(me, "nogil_2threads_ms", t2);

	api->step(me, 17);
	tp = run_processes(&r, &cpu);
	api->print(me, TR("two processes, a GIL each: %4lld ms wall, %5lld ms CPU\n",
	    "两个进程，各有一个 GIL： %5lld 毫秒墙钟，%5lld 毫秒 CPU\n"), tp, cpu);
	api->figure(me, "procs_2_ms", tp);

	api->print(me, TR("speedup over one thread (x100): GIL threads %lld, "
	    "threads without GIL %lld, processes %lld\n", "相对一个线程的加速比"
	    "（x100）：GIL 下的线程 %lld，没有 GIL 的线程 %lld，进程 %lld\n"),
	    pct(t1, t2g), pct(t1, t2), pct(t1, tp));
	api->figure(me, "speedup_gil_2threads_pct", pct(t1, t2g));
	api->figure(me, "speedup_nogil_2threads_pct", pct(t1, t2));
	api->figure(me, "speedup_2procs_pct", pct(t1, tp));
	api->note(me, "%s", TR("under one GIL, two threads are no faster than "
	    "one: only one counts at a time", "同一个 GIL 下，两个线程不比一个快："
	    "同一时刻只有一个在数"));

	/* CPython itself */
	api->step(me, 17);
	long long us[3];
	char why[128];
	if (run_python(&r, me, us, why, sizeof why) == 0) {
		api->print(me, TR("CPython: one thread %lld ms, two threads %lld ms, "
		    "two processes %lld ms\n", "CPython：一个线程 %lld 毫秒，两个线程 "
		    "%lld 毫秒，两个进程 %lld 毫秒\n"), us[0] / 1000, us[1] / 1000,
		    us[2] / 1000);
		api->figure(me, "py_1thread_ms", us[0] / 1000);
		api->figure(me, "py_2threads_ms", us[1] / 1000);
		api->figure(me, "py_2procs_ms", us[2] / 1000);
		api->figure(me, "py_speedup_2threads_pct", pct(us[0], us[1]));
		api->figure(me, "py_speedup_2procs_pct", pct(us[0], us[2]));
	} else {
		api->print(me, TR("CPython skipped: %s\n", "跳过 CPython：%s\n"), why);
	}

	/* the convoy */
	api->step(me, 19);
	static struct convoy c;
	gil_init(&c.gil);
	long long alone = io_rounds(&c);
	api->print(me, TR("IO thread alone: %d reads of %d us; after each, it "
	    "waits %.1f us for the GIL\n", "只有 IO 线程：%d 次读，每次 %d 微秒；"
	    "每次读完等 GIL %.1f 微秒\n"), IO_ROUNDS, IO_WAIT_US,
	    c.latency_ns / IO_ROUNDS / 1000.0);
	api->step(me, 20);
	pthread_t cpu_th;
	atomic_store(&c.stop, 0);
	pthread_create(&cpu_th, NULL, cpu_thread, &c);
	long long behind = io_rounds(&c);
	atomic_store(&c.stop, 1);
	pthread_join(cpu_th, NULL);
	api->print(me, TR("IO thread with a CPU-bound thread: it waits %lld us "
	    "(at worst %lld us) for the GIL after each read\n", "加上一个 CPU 密集的"
	    "线程：IO 线程每次读完等 GIL %lld 微秒（最坏 %lld 微秒）\n"), behind,
	    c.worst_ns / 1000);
	api->figure(me, "convoy_io_alone_us", alone);
	api->figure(me, "convoy_io_behind_cpu_us", behind);
	api->print(me, "%s", TR("the convoy: each time the IO thread's data is "
	    "ready, it waits up to a switch interval behind the CPU-bound thread\n",
	    "护航效应：IO 线程的数据每次到了，都要排在 CPU 密集线程后面，"
	    "最多等一个切换间隔\n"));
	api->print(me, "%s", TR("the notes' advice, measured: IO-bound work: "
	    "threads (they wait with the GIL let go); CPU-bound work: processes "
	    "(a GIL each)\n", "笔记的建议，实测如此：IO 密集用线程（等待时放开 GIL）；"
	    "CPU 密集用进程（各有一个 GIL）\n"));
	return 0;
}

static const char *const gil_panes[] = { "main", "thread 1", "thread 2",
	"python3", NULL };
static const char *const gil_panes_zh[] = { "主线程", "线程1", "线程2",
	"python3", NULL };

const struct systour_demo gil_demo = {
	.name = "gil",
	.title_en = "the GIL: CPU-bound threads under one lock, without it, "
	    "processes, CPython; and the convoy",
	.title_zh = "GIL：一把锁下的 CPU 密集线程、没有锁的线程、进程、CPython；"
	    "以及护航效应",
	.code = gil_code,
	.panes = gil_panes,
	.panes_zh = gil_panes_zh,
	.run = gil_run,
};
