/* demo_rlock.c — lesson 06's "lock-vs-rlock" demo: transfer_in() holds
 * the lock and calls deposit(), which takes it again. A Lock (a NORMAL
 * pthread mutex) times out, and without a timeout the thread sleeps
 * forever on a mutex it owns itself (seen by a watchdog in /proc); an
 * RLock (a RECURSIVE mutex) counts its owner's acquires, and another
 * thread can neither take it nor release it. */
#define _GNU_SOURCE
#include "threads.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TIMEOUT_MS 1000
#define DETECT_MS 3000          /* the watchdog's deadline */

static const char rlock_code[] =
	"import threading\n"                                            /* 1 */
	"\n"
	"def demo(lock):\n"
	"    def deposit(account, n):\n"
	"        if not lock.acquire(timeout=1):          # the same thread, a second acquire\n" /* 5 */
	"            print('  deposit: could not acquire (a plain Lock would wait forever)')\n"
	"            return\n"
	"        try:\n"
	"            account['balance'] += n\n"
	"        finally:\n"                                            /* 10 */
	"            lock.release()\n"
	"\n"
	"    def transfer_in(account, n):\n"
	"        with lock:                               # the first acquire\n"
	"            deposit(account, n)                  # takes the lock too\n" /* 15 */
	"\n"
	"    acct = {'balance': 0}\n"
	"    transfer_in(acct, 10)\n"
	"    print('  balance =', acct['balance'])\n"
	"\n"                                                            /* 20 */
	"print('Lock:');  demo(threading.Lock())          # fails after 1 s, balance = 0\n"
	"print('RLock:'); demo(threading.RLock())         # balance = 10\n"
	"\n"
	"lock = threading.Lock(); lock.acquire()\n"
	"lock.acquire()          # no timeout: this thread sleeps forever\n" /* 25 */
	"\n"
	"# another thread, while the RLock is held:\n"
	"rlock.release()         # RuntimeError: cannot release un-acquired lock\n";

struct rl {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	pthread_mutex_t m;
	int recursive;
	long balance;
	long long timeout_ms;
	int timed_errno;
	unsigned count_max;
	int foreign_unlock, foreign_trylock;
	/* the forever part */
	pthread_mutex_t forever;
	pid_t stuck_tid;
	int about_to_lock;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void
show_mutex(struct rl *r, struct demo_actor *me, const char *what)
{
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	api->print(me, TR("%s: owner TID %d, count %u\n",
	    "%s：owner TID %d，count %u\n"), what, mutex_owner(&r->m),
	    mutex_count(&r->m));
	if (mutex_count(&r->m) > r->count_max)
		r->count_max = mutex_count(&r->m);
}

/* Another thread, while the RLock is held twice: release and take it. */
static void *
other(void *p)
{
	struct rl *r = p;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	struct demo_actor *me = api->actor(ctx, 3, TR("other thread",
	    "另一个线程"));
	api->step(me, 28);
	r->foreign_unlock = pthread_mutex_unlock(&r->m);
	api->print(me, TR("pthread_mutex_unlock() by TID %d, not the owner: %s (%s): "
	    "RuntimeError: cannot release un-acquired lock\n",
	    "TID %d 不是 owner，pthread_mutex_unlock()：%s（%s）："
	    "RuntimeError: cannot release un-acquired lock\n"), (int)tid_self(),
	    strerrorname_np(r->foreign_unlock), strerror(r->foreign_unlock));
	r->foreign_trylock = pthread_mutex_trylock(&r->m);
	api->print(me, TR("pthread_mutex_trylock(): %s: held by TID %d, count %u; "
	    "only its owner gets in again\n", "pthread_mutex_trylock()：%s："
	    "被 TID %d 持有，count %u；只有 owner 能再次进入\n"),
	    strerrorname_np(r->foreign_trylock), mutex_owner(&r->m),
	    mutex_count(&r->m));
	api->release(me);
	return NULL;
}

static void
deposit(struct rl *r, struct demo_actor *me, long n)
{
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	struct timespec dl;
	api->step(me, 5);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += TIMEOUT_MS / 1000;
	long long t0 = demo_now_ms();
	int e = pthread_mutex_timedlock(&r->m, &dl);
	long long took = demo_now_ms() - t0;
	if (e != 0) {
		r->timed_errno = e;
		r->timeout_ms = took;
		api->print(me, TR("pthread_mutex_timedlock() again, by the owner: %s "
		    "after %lld ms\n", "owner 再次 pthread_mutex_timedlock()：%s"
		    "（%lld 毫秒后）\n"), r->recursive ? "?" : strerrorname_np(e), took);
		api->step(me, 6);
		api->print(me, "%s", TR("  deposit: could not acquire (a plain "
		    "Lock would wait forever)\n",
		    "  deposit：拿不到锁（换成普通的 "
		    "Lock 会永远等下去）\n"));
		return;
	}
	show_mutex(r, me, TR("acquired again at once, by its owner",
	    "owner 立即再次拿到"));
	pthread_t o;
	pthread_create(&o, NULL, other, r);
	pthread_join(o, NULL);
	api->step(me, 9);
	r->balance += n;
	api->step(me, 11);
	pthread_mutex_unlock(&r->m);
	show_mutex(r, me, TR("release(): one of two", "release()：两次中的一次"));
}

static void *
lock_thread(void *p)
{
	struct rl *r = p;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	struct demo_actor *me = api->actor(ctx, r->recursive ? 2 : 1,
	    r->recursive ? "RLock" : "Lock");
	api->step(me, r->recursive ? 22 : 21);
	api->print(me, "%s\n", r->recursive ?
	    TR("RLock: pthread_mutex with PTHREAD_MUTEX_RECURSIVE",
	    "RLock：PTHREAD_MUTEX_RECURSIVE 类型的 pthread_mutex") :
	    TR("Lock: pthread_mutex with PTHREAD_MUTEX_NORMAL",
	    "Lock：PTHREAD_MUTEX_NORMAL 类型的 pthread_mutex"));
	r->balance = 0;
	api->step(me, 14);
	pthread_mutex_lock(&r->m);
	show_mutex(r, me, TR("with lock", "with lock"));
	api->step(me, 15);
	deposit(r, me, 10);
	pthread_mutex_unlock(&r->m);
	api->step(me, 19);
	api->print(me, "  balance = %ld\n", r->balance);
	if (r->recursive) {
		show_mutex(r, me, TR("the with block is left: free",
		    "离开 with 块：锁空闲了"));
		api->release(me);
		return NULL;
	}

	/* and with no timeout: a sleep that never ends */
	api->step(me, 24);
	pthread_mutex_lock(&r->forever);
	api->print(me, TR("lock.acquire(): owner TID %d\n", "lock.acquire()："
	    "owner TID %d\n"), mutex_owner(&r->forever));
	api->step(me, 25);
	api->print(me, "%s", TR("lock.acquire() again: pthread_mutex_lock() "
	    "with no timeout ...\n", "再次 lock.acquire()：不带超时的 "
	    "pthread_mutex_lock() ……\n"));
	pthread_mutex_lock(&r->mu);
	r->stuck_tid = tid_self();
	r->about_to_lock = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_mutex_lock(&r->forever);        /* never returns */
	api->print(me, "unreachable\n");
	return NULL;
}

static int
rlock_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	static struct rl r;
	pthread_mutexattr_t a;
	pthread_t th;

	r.ctx = ctx;
	r.api = api;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	pthread_mutex_init(&r.forever, NULL);   /* NORMAL, as Lock() */

	/* Lock(): a NORMAL mutex */
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_NORMAL);
	pthread_mutex_init(&r.m, &a);
	r.recursive = 0;
	pthread_create(&th, NULL, lock_thread, &r);
	/* the thread goes on into the forever part: wait until it is there */
	pthread_mutex_lock(&r.mu);
	while (!r.about_to_lock)
		pthread_cond_wait(&r.cv, &r.mu);
	pthread_mutex_unlock(&r.mu);
	api->figure(me, "lock_balance", r.balance);
	api->figure(me, "lock_timeout_ms", r.timeout_ms);
	api->figure(me, "lock_second_acquire_errno", r.timed_errno);
	long long t = wait_on_futex(r.stuck_tid, DETECT_MS);
	if (t >= 0) {   /* and still there a moment later: it is not passing by */
		nap_ms(100);
		if (!task_on_futex(r.stuck_tid))
			t = -1;
		else
			t += 100;
	}
	char w[64];
	char st = task_state(r.stuck_tid, w, sizeof w);
	int owner = mutex_owner(&r.forever);
	int self = t >= 0 && owner == r.stuck_tid;
	if (self) {
		api->print(me, TR("watchdog: thread %d is in state %c, wchan %s, "
		    "after %lld ms\n", "看门狗：线程 %d 状态 %c，wchan %s，"
		    "用了 %lld 毫秒发现\n"), (int)r.stuck_tid, st, w, t);
		api->print(me, TR("it waits for a mutex whose owner is TID %d: "
		    "itself. Nobody else can release it: deadlock\n",
		    "它等的互斥锁的 owner 是 TID %d：它自己。没有别人能释放它：死锁\n"),
		    owner);
	} else {
		api->print(me, TR("watchdog: thread %d not seen asleep within "
		    "%d ms (state %c, wchan %s)\n", "看门狗：线程 %d 在 %d 毫秒内没有"
		    "睡眠（状态 %c，wchan %s）\n"), (int)r.stuck_tid, DETECT_MS,
		    st ? st : '?', w);
	}
	api->figure(me, "self_deadlock_detected", self);
	api->note(me, "%s", TR("a Lock taken twice by one thread: it waits for "
	    "itself, forever", "同一线程两次获取 Lock：它在等自己，永远等下去"));

	/* RLock(): a RECURSIVE mutex */
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&r.m, &a);
	r.recursive = 1;
	pthread_t th2;
	pthread_create(&th2, NULL, lock_thread, &r);
	pthread_join(th2, NULL);
	api->figure(me, "rlock_balance", r.balance);
	api->figure(me, "rlock_count_max", r.count_max);
	api->figure(me, "rlock_foreign_release_errno", r.foreign_unlock);
	api->figure(me, "rlock_foreign_trylock_errno", r.foreign_trylock);
	api->note(me, "%s", TR("an RLock keeps its owner and a count: the owner "
	    "gets in again, others wait", "RLock 记着 owner 和计数：owner 能再进，"
	    "别的线程要等"));
	api->print(me, TR("thread %d is still asleep (state %c); returning from "
	    "main ends it with the process (exit_group)\n", "线程 %d 仍在睡眠"
	    "（状态 %c）；main 返回后它随进程一起结束（exit_group）\n"),
	    (int)r.stuck_tid, task_state(r.stuck_tid, NULL, 0));
	return 0;
}

static const char *const rlock_panes[] = { "main", "Lock", "RLock",
	"other thread", NULL };
static const char *const rlock_panes_zh[] = { "主线程", "Lock", "RLock",
	"另一个线程", NULL };

const struct systour_demo rlock_demo = {
	.name = "lock-vs-rlock",
	.title_en = "Lock vs RLock: taken twice by one thread, a Lock deadlocks "
	    "and an RLock counts",
	.title_zh = "Lock 与 RLock：同一线程获取两次，Lock 死锁，RLock 计数",
	.code = rlock_code,
	.panes = rlock_panes,
	.panes_zh = rlock_panes_zh,
	.run = rlock_run,
};
