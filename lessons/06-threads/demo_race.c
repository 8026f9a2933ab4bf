/* demo_race.c — lesson 06's "race" demo: four threads add 1 to a shared
 * counter a million times each, without a lock (updates are lost, counted
 * live) and with one (none are); then the notes' read_thread and
 * change_thread under one RLock: what the lock guarantees (the two never
 * interleave) and what it does not (which thread goes first). */
#define _GNU_SOURCE
#include "threads.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NTHREADS 4
#define PER_THREAD 1000000L    /* the notes' n: the first run's */
#define MAX_PER_THREAD 40000000L /* the last try, on a busy machine */
#define ROUNDS 200              /* quick runs of the RLock example */

static const char race_code[] =
	"import threading\n"                                            /* 1 */
	"\n"
	"counter = 0\n"
	"lock = threading.Lock()\n"
	"\n"                                                            /* 5 */
	"def add_one(x):\n"
	"    return x + 1\n"
	"\n"
	"def work(n):\n"
	"    global counter\n"                                          /* 10 */
	"    for _ in range(n):\n"
	"        counter = add_one(counter)   # read, call, write: may be switched in between\n"
	"\n"
	"def safe_work(n):\n"
	"    global counter\n"                                          /* 15 */
	"    for _ in range(n):\n"
	"        with lock:                   # one thread at a time\n"
	"            counter = add_one(counter)\n"
	"\n"
	"ts = [threading.Thread(target=work, args=(1_000_000,)) for _ in range(4)]\n" /* 20 */
	"for t in ts: t.start()\n"
	"for t in ts: t.join()\n"
	"print(counter, 'expected', 4_000_000)\n"
	"\n"
	"# the notes' RLock example (with Thread and join, not _start_new_thread)\n" /* 25 */
	"var = 1\n"
	"thread_lock = RLock()\n"
	"\n"
	"def run_fun(thread_name):\n"
	"    thread_lock.acquire()\n"                                   /* 30 */
	"    print(\"%s run \" % thread_name)\n"
	"    time.sleep(2)\n"
	"    global var\n"
	"    print(\"var value is %s\" % var)\n"
	"    thread_lock.release()\n"                                   /* 35 */
	"\n"
	"def change_fun(thread_name):\n"
	"    thread_lock.acquire()\n"
	"    print('%s run ' % thread_name)\n"
	"    global var\n"                                              /* 40 */
	"    var = 12\n"
	"    print(\"var value is %s\" % var)\n"
	"    time.sleep(3)\n"
	"    thread_lock.release()\n"
	"\n"                                                            /* 45 */
	"t1 = Thread(target=run_fun, args=('read_thread',))\n"
	"t2 = Thread(target=change_fun, args=('write thread',))\n"
	"t1.start(); t2.start(); t1.join(); t2.join()\n";

struct slot {                   /* one per thread, on its own cache line */
	_Alignas(64) atomic_long done;
};

struct race {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	int locked;             /* safe_work, not work */
	long per;               /* additions per thread */
	pthread_mutex_t lock;
	pthread_barrier_t start;
	struct slot slot[NTHREADS];
	/* the RLock example */
	pthread_mutex_t rlock;
	int var, inside, overlaps, first, stepped;
};

static volatile long counter;   /* read and written as Python does: load,
                                 * call, store, never kept in a register */

static __attribute__((noinline)) long
add_one(long x)
{
	return x + 1;
}

struct worker {
	struct race *r;
	int i;
	pthread_t th;
};

static void *
work(void *p)
{
	struct worker *w = p;
	struct race *r = w->r;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	char who[32];
	snprintf(who, sizeof who, "thread %d", w->i + 1);
	struct demo_actor *me = api->actor(ctx, 2 + w->i, who);

	api->step(me, r->locked ? 17 : 12);
	api->print(me, r->locked ? TR("safe_work(%ld): lock, load, add, store, "
	    "unlock\n", "safe_work(%ld)：加锁，读，加一，写，解锁\n") :
	    TR("work(%ld): load, add, store, with no lock\n",
	    "work(%ld)：读，加一，写，不加锁\n"), r->per);
	pthread_barrier_wait(&r->start);        /* all four at once */
	long long t0 = demo_now_ns();
	for (long k = 1; k <= r->per; k++) {
		if (r->locked)
			pthread_mutex_lock(&r->lock);
		counter = add_one(counter);
		if (r->locked)
			pthread_mutex_unlock(&r->lock);
		atomic_store_explicit(&r->slot[w->i].done, k,
		    memory_order_relaxed);
	}
	api->print(me, TR("done: %ld additions in %lld ms\n",
	    "完成：%ld 次加法，用了 %lld 毫秒\n"), r->per,
	    (demo_now_ns() - t0) / 1000000);
	api->release(me);
	return NULL;
}

static long
done_total(struct race *r)
{
	long done = 0;
	for (int i = 0; i < NTHREADS; i++)
		done += atomic_load(&r->slot[i].done);
	return done;
}

/* The "lost updates" pane: a thread that samples the counter every 2 ms
 * while the workers work, and prints a line every 20 ms. */
static void *
monitor(void *p)
{
	struct race *r = p;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	struct demo_actor *mon = api->actor(ctx, 1, TR("lost updates",
	    "丢失的更新"));
	long long t0 = demo_now_ms(), last = -1;
	long done;
	while ((done = done_total(r)) < NTHREADS * r->per) {
		long c = counter;
		long lost = done - c > 0 ? done - c : 0;
		long long t = demo_now_ms() - t0;
		if (t / 20 != last && done > 0) {
			last = t / 20;
			api->print(mon, TR("%5lld ms: %8ld additions done, counter %8ld, "
			    "lost %7ld\n", "%5lld 毫秒：已做 %8ld 次加法，counter %8ld，"
			    "丢失 %7ld\n"), t, done, c, lost);
		}
		nap_ms(2);      /* a sample's interval, not a step */
	}
	long c = counter;       /* the workers may still be storing it */
	for (long long t1 = demo_now_ms(); demo_now_ms() - t1 < 20;)
		c = counter;
	api->print(mon, TR("%5lld ms: all done: counter %ld, lost %ld\n",
	    "%5lld 毫秒：全部完成：counter %ld，丢失 %ld\n"),
	    demo_now_ms() - t0, c, NTHREADS * r->per - c);
	api->release(mon);
	return NULL;
}

/* One run of four workers, watched by the monitor; what the counter ends
 * at. */
static long
run_four(struct race *r, struct demo_actor *me)
{
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	struct worker w[NTHREADS];
	pthread_t mon;
	counter = 0;
	for (int i = 0; i < NTHREADS; i++)
		atomic_store(&r->slot[i].done, 0);
	pthread_barrier_init(&r->start, NULL, NTHREADS + 1);
	api->step(me, 21);
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ r, i, 0 };
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	pthread_create(&mon, NULL, monitor, r);
	pthread_barrier_wait(&r->start);
	api->step(me, 22);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(w[i].th, NULL);
	pthread_join(mon, NULL);
	pthread_barrier_destroy(&r->start);
	long c = counter;
	api->step(me, 23);
	api->print(me, TR("%ld expected %ld\n", "%ld 期望 %ld\n"), c,
	    NTHREADS * r->per);
	return c;
}

/* ---- the notes' RLock example ------------------------------------------ */

struct rthread {
	struct race *r;
	int writer;
	pthread_t th;
	long long waited_ms;
};

static void
enter(struct race *r, int writer)
{
	if (r->inside)
		r->overlaps++;
	r->inside = 1;
	if (r->first < 0)
		r->first = writer;
}

static void *
rlock_thread(void *p)
{
	struct rthread *t = p;
	struct race *r = t->r;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	const char *name = t->writer ? "write thread" : "read_thread";
	struct demo_actor *me = r->stepped ?
	    api->actor(ctx, 2 + t->writer, name) : NULL;

	api->step(me, t->writer ? 38 : 30);
	long long t0 = demo_now_ms();
	pthread_mutex_lock(&r->rlock);
	t->waited_ms = demo_now_ms() - t0;
	enter(r, t->writer);
	api->print(me, TR("%s run   (thread_lock.acquire() took %lld ms; "
	    "owner TID %d, count %u)\n", "%s run   （thread_lock.acquire() 用了 "
	    "%lld 毫秒；owner TID %d，count %u）\n"), name, t->waited_ms,
	    mutex_owner(&r->rlock), mutex_count(&r->rlock));
	if (t->writer) {
		api->step(me, 41);
		r->var = 12;
		api->step(me, 42);
		api->print(me, "var value is %d\n", r->var);
		api->step(me, 43);
	} else {
		api->step(me, 32);
		api->print(me, "%s", TR("time.sleep(2): asleep, still holding the "
		    "lock\n", "time.sleep(2)：睡着，锁还拿在手里\n"));
		api->step(me, 34);
		api->print(me, "var value is %d\n", r->var);
	}
	r->inside = 0;
	api->step(me, t->writer ? 44 : 35);
	pthread_mutex_unlock(&r->rlock);
	api->release(me);
	return NULL;
}

/* Both threads once; which went first (0: read_thread). */
static int
rlock_round(struct race *r)
{
	struct rthread t[2] = { { r, 0, 0, 0 }, { r, 1, 0, 0 } };
	r->var = 1;
	r->first = -1;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i].th, NULL, rlock_thread, &t[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i].th, NULL);
	return r->first;
}

static int
race_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	static struct race r;
	pthread_mutexattr_t ra;
	r.ctx = ctx;
	r.api = api;
	pthread_mutex_init(&r.lock, NULL);
	/* Unlocked, the threads lose updates only where they overlap: on
	 * two CPUs at once, or one switched out between its load and its
	 * store. On a busy machine each may run its million alone, start to
	 * end: then the same with ten times the work, and more. */
	long c = 0;
	int tries = 0;
	r.locked = 0;
	for (r.per = PER_THREAD; r.per <= MAX_PER_THREAD; r.per *= r.per < 10000000 ? 10 : 4) {
		api->step(me, 20);
		api->print(me, TR("4 threads x %ld additions, no lock: counter = "
		    "add_one(counter)\n", "4 个线程 x %ld 次加法，不加锁："
		    "counter = add_one(counter)\n"), r.per);
		c = run_four(&r, me);
		tries++;
		if (c < NTHREADS * r.per || r.per * 4 > MAX_PER_THREAD)
			break;
		api->print(me, TR("none lost: the threads did not overlap (this "
		    "machine is busy); again, with more work\n", "一次也没丢：这些线程"
		    "没有同时运行（机器很忙）；加大工作量再来\n"));
	}
	api->figure(me, "race_additions_per_thread", r.per);
	api->figure(me, "race_nolock_tries", tries);
	api->figure(me, "lost_updates_nolock", NTHREADS * r.per - c);
	api->note(me, "%s", TR("two threads read the same old value, both add 1, "
	    "both write: one addition is lost", "两个线程读到同一个旧值，各自加一，"
	    "各自写回：一次加法丢了"));

	api->step(me, 14);
	api->print(me, TR("the same with safe_work: pthread_mutex_lock around "
	    "each read-add-write\n", "换成 safe_work：每次读-加-写都包在 "
	    "pthread_mutex_lock 里\n"));
	r.locked = 1;
	c = run_four(&r, me);
	api->figure(me, "lost_updates_lock", NTHREADS * r.per - c);
	api->note(me, "%s", TR("with the lock, none is lost: the read-add-write "
	    "is one step for the other threads", "加锁后一次也不丢：对其他线程来说，"
	    "读-加-写成了一步"));

	/* the notes' example, stepped, then many quick rounds */
	api->step(me, 27);
	pthread_mutexattr_init(&ra);
	pthread_mutexattr_settype(&ra, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&r.rlock, &ra);
	api->print(me, TR("thread_lock = RLock(): a recursive mutex\n",
	    "thread_lock = RLock()：一个递归互斥锁\n"));
	api->step(me, 48);
	r.stepped = 1;
	int first = rlock_round(&r);
	r.stepped = 0;
	api->print(me, TR("%s took the lock first: read_thread printed var value is %d\n",
	    "%s 先拿到锁：read_thread 打印 var value is %d\n"),
	    first ? "write thread" : "read_thread", first ? 12 : 1);
	int read_first = 0;
	for (int i = 0; i < ROUNDS; i++)
		read_first += rlock_round(&r) == 0;
	api->print(me, TR("%d more rounds without pauses: read_thread first %d "
	    "times, write thread first %d times; the two ever inside at once: %d\n",
	    "再跑 %d 轮，不停顿：read_thread 先 %d 次，write thread 先 %d 次；"
	    "两个同时在锁内：%d 次\n"), ROUNDS, read_first, ROUNDS - read_first,
	    r.overlaps);
	api->figure(me, "rlock_read_first", read_first);
	api->figure(me, "rlock_overlaps", r.overlaps);
	api->print(me, "%s", TR("guaranteed: one holder at a time, and what one "
	    "wrote before release() is seen by the next after acquire()\n",
	    "有保证的：同一时刻只有一个持有者；一个线程 release() 之前写的，"
	    "下一个 acquire() 之后都看得到\n"));
	api->print(me, "%s", TR("not guaranteed: which thread gets the lock "
	    "first; start() order is not lock order\n",
	    "没有保证的：哪个线程先拿到锁；start() 的顺序不是拿锁的顺序\n"));
	return 0;
}

static const char *const race_panes[] = { "main", "lost updates", "thread 1",
	"thread 2", "thread 3", "thread 4", NULL };
static const char *const race_panes_zh[] = { "主线程", "丢失的更新", "线程1",
	"线程2", "线程3", "线程4", NULL };

const struct systour_demo race_demo = {
	.name = "race",
	.title_en = "a race: threads lose updates without a lock, none with one; "
	    "the notes' RLock example",
	.title_zh = "竞争：不加锁时线程会丢失更新，加锁后不会；笔记中的 RLock 例子",
	.code = race_code,
	.panes = race_panes,
	.panes_zh = race_panes_zh,
	.run = race_run,
};
