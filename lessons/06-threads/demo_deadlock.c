/* demo_deadlock.c — lesson 06's "deadlock" demo: two threads take two
 * locks in opposite orders and each waits for the other's, forever. A
 * watchdog reads both threads' state in /proc/self/task and both mutexes'
 * owners, finds the wait-for cycle within its deadline and reports it;
 * then the fix (the same order for both) finishes. The deadlocked threads
 * are real: they end with the process when run() returns. */
#define _GNU_SOURCE
#include "threads.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DETECT_MS 3000          /* the watchdog's deadline */

static const char deadlock_code[] =
	"import threading\n"                                            /* 1 */
	"\n"
	"lock_a = threading.Lock()\n"
	"lock_b = threading.Lock()\n"
	"\n"                                                            /* 5 */
	"def worker(name, first, second):\n"
	"    with first:\n"
	"        print('%s holds its first lock' % name)\n"
	"        time.sleep(0.1)          # let the other thread take its first lock\n"
	"        with second:             # no timeout: waits forever\n" /* 10 */
	"            print('%s got both' % name)\n"
	"\n"
	"t1 = threading.Thread(target=worker, args=('t1', lock_a, lock_b))\n"
	"t2 = threading.Thread(target=worker, args=('t2', lock_b, lock_a))   # opposite order\n"
	"t1.start(); t2.start(); t1.join(); t2.join()\n"            /* 15 */
	"\n"
	"# the fix: every thread takes the locks in the same order\n"
	"t2 = threading.Thread(target=worker, args=('t2', lock_a, lock_b))\n";

struct dl {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	pthread_barrier_t both_hold;    /* instead of time.sleep(0.1) */
	int use_barrier;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int waiting;                    /* threads about to take their second */
	int got_both;
};

struct wk {
	struct dl *d;
	int i;
	const char *name;
	pthread_mutex_t *first, *second;
	const char *first_name, *second_name;
	pid_t tid;
	pthread_t th;
};

static void *
worker(void *p)
{
	struct wk *w = p;
	struct dl *d = w->d;
	struct demo_ctx *ctx = d->ctx;
	const struct demo_api *api = d->api;
	struct demo_actor *me = api->actor(ctx, 1 + w->i, w->name);
	w->tid = tid_self();

	api->step(me, 7);
	pthread_mutex_lock(w->first);
	api->step(me, 8);
	api->print(me, TR("%s holds its first lock, %s (owner TID %d)\n",
	    "%s 拿到了第一把锁 %s（owner TID %d）\n"), w->name, w->first_name,
	    mutex_owner(w->first));
	api->step(me, 9);
	if (d->use_barrier) {
		pthread_barrier_wait(&d->both_hold);
		api->print(me, "%s", TR("(a barrier, not a sleep: both hold their "
		    "first lock now, every time)\n", "（用屏障而不是 sleep："
		    "现在两个线程一定都拿着第一把锁）\n"));
	}
	api->step(me, 10);
	int owner = mutex_owner(w->second);
	if (owner != 0)
		api->print(me, TR("%s: pthread_mutex_lock(%s), held by TID %d ...\n",
		    "%s：pthread_mutex_lock(%s)，它被 TID %d 持有 ……\n"), w->name,
		    w->second_name, owner);
	else
		api->print(me, TR("%s: pthread_mutex_lock(%s), which is free\n",
		    "%s：pthread_mutex_lock(%s)，它是空闲的\n"), w->name,
		    w->second_name);
	pthread_mutex_lock(&d->mu);
	d->waiting++;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_mutex_lock(w->second);
	api->step(me, 11);
	api->print(me, TR("%s got both\n", "%s 两把锁都拿到了\n"), w->name);
	pthread_mutex_lock(&d->mu);
	d->got_both++;
	pthread_mutex_unlock(&d->mu);
	pthread_mutex_unlock(w->second);
	pthread_mutex_unlock(w->first);
	api->release(me);
	return NULL;
}

static void
start_two(struct dl *d, struct wk *w, pthread_mutex_t *a, pthread_mutex_t *b,
    int opposite)
{
	w[0] = (struct wk){ d, 0, "t1", a, b, "lock_a", "lock_b", 0, 0 };
	w[1] = opposite ? (struct wk){ d, 1, "t2", b, a, "lock_b", "lock_a", 0, 0 } :
	    (struct wk){ d, 1, "t2", a, b, "lock_a", "lock_b", 0, 0 };
	d->waiting = d->got_both = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&w[i].th, NULL, worker, &w[i]);
}

static int
deadlock_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	static struct dl d;
	static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER,
	    lock_b = PTHREAD_MUTEX_INITIALIZER,
	    fix_a = PTHREAD_MUTEX_INITIALIZER, fix_b = PTHREAD_MUTEX_INITIALIZER;
	struct wk w[2], f[2];

	d.ctx = ctx;
	d.api = api;
	pthread_mutex_init(&d.mu, NULL);
	pthread_cond_init(&d.cv, NULL);
	pthread_barrier_init(&d.both_hold, NULL, 2);
	d.use_barrier = 1;
	api->step(me, 3);
	api->print(me, "%s", TR("lock_a, lock_b = two pthread mutexes\n",
	    "lock_a、lock_b = 两个 pthread 互斥锁\n"));
	api->step(me, 15);
	start_two(&d, w, &lock_a, &lock_b, 1);

	/* the watchdog: once both are on their way to the second lock, both
	 * must be seen asleep on a futex, each waiting for a mutex the other
	 * owns, and still so a moment later */
	pthread_mutex_lock(&d.mu);
	while (d.waiting < 2)
		pthread_cond_wait(&d.cv, &d.mu);
	pthread_mutex_unlock(&d.mu);
	api->print(me, TR("t1.join() would wait forever; a watchdog reads "
	    "/proc/%d/task/{%d,%d} instead (deadline %d ms)\n",
	    "t1.join() 会永远等下去；看门狗改为读 /proc/%d/task/{%d,%d}"
	    "（期限 %d 毫秒）\n"), (int)getpid(), (int)w[0].tid, (int)w[1].tid,
	    DETECT_MS);
	long long t0 = demo_now_ms(), found = -1;
	while (demo_now_ms() - t0 < DETECT_MS) {
		if (task_on_futex(w[0].tid) && task_on_futex(w[1].tid) &&
		    mutex_owner(&lock_a) == w[0].tid &&
		    mutex_owner(&lock_b) == w[1].tid && d.got_both == 0) {
			nap_ms(100);
			if (task_on_futex(w[0].tid) && task_on_futex(w[1].tid) &&
			    d.got_both == 0) {
				found = demo_now_ms() - t0;
				break;
			}
		}
		nap_ms(10);
	}
	if (found < 0) {
		api->print(me, TR("watchdog: no deadlock seen within %d ms\n",
		    "看门狗：%d 毫秒内没有发现死锁\n"), DETECT_MS);
		api->figure(me, "deadlock_detected", 0);
		return 1;
	}
	int blocked = 0;
	for (int i = 0; i < 2; i++) {
		char wc[64];
		char st = task_state(w[i].tid, wc, sizeof wc);
		blocked += st == 'S';
		api->print(me, TR("  %s TID %d: state %c, wchan %s; holds %s, waits "
		    "for %s (owner TID %d)\n", "  %s TID %d：状态 %c，wchan %s；"
		    "持有 %s，等待 %s（owner TID %d）\n"), w[i].name, (int)w[i].tid,
		    st, wc, w[i].first_name, w[i].second_name,
		    mutex_owner(w[i].second));
	}
	api->print(me, TR("wait-for cycle: t1 -> lock_b (held by t2) -> t2 -> "
	    "lock_a (held by t1) -> t1\n", "等待环：t1 -> lock_b（t2 持有）-> "
	    "t2 -> lock_a（t1 持有）-> t1\n"));
	api->print(me, TR("deadlock found after %lld ms: each waits for the "
	    "other, neither lets go; no CPU is used and nothing happens\n",
	    "%lld 毫秒后发现死锁：各自等对方，谁也不放手；不用 CPU，也不再前进\n"),
	    found);
	api->figure(me, "deadlock_detected", 1);
	api->figure(me, "deadlock_detect_ms", found);
	api->figure(me, "deadlock_blocked_threads", blocked);
	api->note(me, "%s", TR("two locks taken in opposite orders: a cycle of "
	    "waits, a deadlock", "两把锁以相反顺序获取：等待成环，死锁"));

	/* the fix: the same order, new locks (the old ones stay held) */
	api->step(me, 18);
	d.use_barrier = 0;
	api->print(me, "%s", TR("the fix: both take lock_a, then lock_b\n",
	    "修正：两个线程都先拿 lock_a，再拿 lock_b\n"));
	start_two(&d, f, &fix_a, &fix_b, 0);
	for (int i = 0; i < 2; i++)
		pthread_join(f[i].th, NULL);
	api->print(me, TR("t1.join(); t2.join(): both got both locks (%d of 2)\n",
	    "t1.join(); t2.join()：两个线程都拿到了两把锁（%d/2）\n"), d.got_both);
	api->figure(me, "ordered_both_done", d.got_both);
	for (int i = 0; i < 2; i++)
		api->print(me, TR("the first %s (TID %d) is still asleep: state %c\n",
		    "第一次的 %s（TID %d）仍在睡眠：状态 %c\n"), w[i].name,
		    (int)w[i].tid, task_state(w[i].tid, NULL, 0));
	api->print(me, "%s", TR("main returns: exit_group() ends the deadlocked "
	    "threads with the process\n", "main 返回：exit_group() 让死锁的线程"
	    "随进程一起结束\n"));
	return 0;
}

static const char *const deadlock_panes[] = { "main", "t1", "t2", NULL };
static const char *const deadlock_panes_zh[] = { "主线程", "t1", "t2", NULL };

const struct systour_demo deadlock_demo = {
	.name = "deadlock",
	.title_en = "deadlock: two threads, two locks, opposite orders; found by "
	    "a watchdog, fixed by one order",
	.title_zh = "死锁：两个线程、两把锁、相反的顺序；看门狗发现它，统一顺序修正它",
	.code = deadlock_code,
	.panes = deadlock_panes,
	.panes_zh = deadlock_panes_zh,
	.run = deadlock_run,
};
