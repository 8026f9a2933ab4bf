/* demo_condition.c — lesson 06's "condition" demo: a bounded buffer of 3
 * guarded by a Condition (a pthread mutex and condition variable); the
 * producer fills it and sleeps in wait() while it is full, the consumer
 * starts when an Event is set; then a Semaphore(2) lets two of four
 * threads in at once; queue.Queue is the same buffer, ready made. */
#define _GNU_SOURCE
#include "threads.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SIZE 3
#define ITEMS 6
#define VISITORS 4
#define ROOM 2
#define WATCH_MS 5000           /* a watchdog's deadline */

static const char condition_code[] =
	"import threading, collections, queue\n"                       /* 1 */
	"\n"
	"buf = collections.deque(); SIZE = 3\n"
	"cond = threading.Condition()        # a lock and a wait queue\n"
	"ready = threading.Event()           # a flag threads can wait for\n" /* 5 */
	"\n"
	"def producer():\n"
	"    for i in range(6):\n"
	"        with cond:\n"
	"            while len(buf) == SIZE:\n"                        /* 10 */
	"                cond.wait()         # lets go of the lock while it sleeps\n"
	"            buf.append(i)\n"
	"            cond.notify()\n"
	"\n"
	"def consumer():\n"                                             /* 15 */
	"    ready.wait()                    # sleeps until ready.set()\n"
	"    for _ in range(6):\n"
	"        with cond:\n"
	"            while not buf:\n"
	"                cond.wait()\n"                                 /* 20 */
	"            item = buf.popleft()\n"
	"            cond.notify()\n"
	"        print('got', item)\n"
	"\n"
	"ready.set()                         # wakes every thread in ready.wait()\n" /* 25 */
	"\n"
	"room = threading.Semaphore(2)       # at most 2 threads inside at once\n"
	"def visit():\n"
	"    with room: ...\n"
	"\n"                                                            /* 30 */
	"q = queue.Queue(maxsize=3)          # the same bounded buffer, ready made:\n"
	"q.put(item); item = q.get()         # one lock, Conditions not_full and not_empty\n";

struct event {                  /* threading.Event: a flag and a Condition */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int flag;
};

static void
event_wait(struct event *e)
{
	pthread_mutex_lock(&e->mu);
	while (!e->flag)
		pthread_cond_wait(&e->cv, &e->mu);
	pthread_mutex_unlock(&e->mu);
}

static void
event_set(struct event *e)
{
	pthread_mutex_lock(&e->mu);
	e->flag = 1;
	pthread_cond_broadcast(&e->cv);
	pthread_mutex_unlock(&e->mu);
}

struct cond_run {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	pthread_mutex_t lock;           /* cond's lock */
	pthread_cond_t cond;
	int buf[SIZE], head, len;
	int max_fill, full_waits, empty_waits, got;
	int producer_waiting;           /* in cond.wait() on a full buffer */
	pid_t producer_tid, consumer_tid;
	struct event ready;
	long long ready_waited_ms;
	/* the semaphore */
	sem_t room;
	pthread_mutex_t vmu;
	int inside, max_inside;
	struct event leave;
};

/* The buffer as a line: "[0 1 2] 3/3 full". */
static void
show(struct cond_run *r, struct demo_actor *buf, const char *what)
{
	char s[64];
	size_t o = 0;
	o += (size_t)snprintf(s + o, sizeof s - o, "[");
	for (int i = 0; i < r->len; i++)
		o += (size_t)snprintf(s + o, sizeof s - o, i ? " %d" : "%d",
		    r->buf[(r->head + i) % SIZE]);
	for (int i = r->len; i < SIZE; i++)
		o += (size_t)snprintf(s + o, sizeof s - o, i ? " ." : ".");
	snprintf(s + o, sizeof s - o, "]");
	r->api->print(buf, "%-12s %s %d/%d%s\n", what, s, r->len, SIZE,
	    r->len == SIZE ? DEMO_TR(r->api, r->ctx, " full", " 满") :
	    r->len == 0 ? DEMO_TR(r->api, r->ctx, " empty", " 空") : "");
}

static void *
producer(void *p)
{
	struct cond_run *r = p;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	struct demo_actor *me = api->actor(ctx, 1, "producer");
	struct demo_actor *buf = api->actor(ctx, 3, "buffer");
	r->producer_tid = tid_self();
	for (int i = 0; i < ITEMS; i++) {
		api->step(me, 9);
		pthread_mutex_lock(&r->lock);
		while (r->len == SIZE) {
			r->full_waits++;
			r->producer_waiting = 1;
			api->print(me, TR("buffer full: cond.wait() unlocks the lock "
			    "and sleeps (pthread_cond_wait)\n", "缓冲区满了：cond.wait() "
			    "释放锁并睡眠（pthread_cond_wait）\n"));
			pthread_cond_broadcast(&r->cond);       /* main watches */
			pthread_cond_wait(&r->cond, &r->lock);
			r->producer_waiting = 0;
			api->print(me, TR("woken by notify(), the lock is mine again\n",
			    "被 notify() 唤醒，又拿回了锁\n"));
		}
		r->buf[(r->head + r->len) % SIZE] = i;
		r->len++;
		if (r->len > r->max_fill)
			r->max_fill = r->len;
		api->print(me, "buf.append(%d)\n", i);
		show(r, buf, TR("append", "append"));
		pthread_cond_broadcast(&r->cond);       /* cond.notify() */
		pthread_mutex_unlock(&r->lock);
		api->step(me, 12);
	}
	api->release(buf);
	api->release(me);
	return NULL;
}

static void *
consumer(void *p)
{
	struct cond_run *r = p;
	struct demo_ctx *ctx = r->ctx;
	const struct demo_api *api = r->api;
	struct demo_actor *me = api->actor(ctx, 2, "consumer");
	struct demo_actor *buf = api->actor(ctx, 3, "buffer");
	r->consumer_tid = tid_self();
	api->step(me, 16);
	long long t0 = demo_now_ms();
	event_wait(&r->ready);
	r->ready_waited_ms = demo_now_ms() - t0;
	api->print(me, TR("ready.wait() returns after %lld ms: the event is set\n",
	    "ready.wait() 在 %lld 毫秒后返回：事件已设置\n"), r->ready_waited_ms);
	for (int i = 0; i < ITEMS; i++) {
		api->step(me, 18);
		pthread_mutex_lock(&r->lock);
		while (r->len == 0) {
			r->empty_waits++;
			api->print(me, "%s", TR("buffer empty: cond.wait()\n",
			    "缓冲区空：cond.wait()\n"));
			pthread_cond_wait(&r->cond, &r->lock);
		}
		int item = r->buf[r->head];
		r->head = (r->head + 1) % SIZE;
		r->len--;
		show(r, buf, TR("popleft", "popleft"));
		pthread_cond_broadcast(&r->cond);       /* cond.notify() */
		pthread_mutex_unlock(&r->lock);
		api->step(me, 23);
		api->print(me, "got %d\n", item);
		r->got++;
	}
	api->release(buf);
	api->release(me);
	return NULL;
}

struct visitor {
	struct cond_run *r;
	pid_t tid;
	pthread_t th;
};

static void *
visit(void *p)
{
	struct visitor *v = p;
	struct cond_run *r = v->r;
	v->tid = tid_self();
	sem_wait(&r->room);
	pthread_mutex_lock(&r->vmu);
	if (++r->inside > r->max_inside)
		r->max_inside = r->inside;
	pthread_mutex_unlock(&r->vmu);
	event_wait(&r->leave);
	pthread_mutex_lock(&r->vmu);
	r->inside--;
	pthread_mutex_unlock(&r->vmu);
	sem_post(&r->room);
	return NULL;
}

static int
condition_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	static struct cond_run r;
	pthread_t pt, ct;

	r.ctx = ctx;
	r.api = api;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	pthread_mutex_init(&r.ready.mu, NULL);
	pthread_cond_init(&r.ready.cv, NULL);
	api->step(me, 4);
	api->print(me, TR("cond = a pthread mutex + a condition variable; "
	    "buf holds %d\n", "cond = 一个 pthread 互斥锁 + 一个条件变量；"
	    "buf 能放 %d 个\n"), SIZE);
	pthread_create(&pt, NULL, producer, &r);
	pthread_create(&ct, NULL, consumer, &r);

	/* the producer fills the buffer and sleeps in wait(); see it so */
	pthread_mutex_lock(&r.lock);
	while (!r.producer_waiting)
		pthread_cond_wait(&r.cond, &r.lock);
	pthread_mutex_unlock(&r.lock);
	long long t = wait_on_futex(r.producer_tid, WATCH_MS);
	char w[64];
	char st = task_state(r.producer_tid, w, sizeof w);
	api->print(me, TR("producer TID %d: state %c, wchan %s, in cond.wait(); "
	    "the lock is free (owner TID %d)\n", "生产者 TID %d：状态 %c，wchan %s，"
	    "在 cond.wait() 里；锁是空闲的（owner TID %d）\n"),
	    (int)r.producer_tid, st, w, mutex_owner(&r.lock));
	api->figure(me, "producer_seen_waiting", t >= 0);
	api->step(me, 25);
	event_set(&r.ready);
	api->print(me, "%s", TR("ready.set(): the consumer wakes\n",
	    "ready.set()：消费者醒来\n"));
	pthread_join(pt, NULL);
	pthread_join(ct, NULL);
	api->print(me, TR("the consumer got %d items; the buffer held at most %d; "
	    "the producer waited on a full buffer %d time(s)\n", "消费者拿到 %d 个；"
	    "缓冲区最多放了 %d 个；生产者因缓冲区满等了 %d 次\n"), r.got,
	    r.max_fill, r.full_waits);
	api->figure(me, "items_got", r.got);
	api->figure(me, "buffer_max_fill", r.max_fill);
	api->figure(me, "producer_full_waits", r.full_waits);
	api->note(me, "%s", TR("a Condition: wait() lets go of the lock and "
	    "sleeps; notify() wakes a waiter, which takes the lock back",
	    "Condition：wait() 放开锁并睡眠；notify() 唤醒一个等待者，它再拿回锁"));

	/* Semaphore(2) */
	api->step(me, 27);
	struct visitor v[VISITORS];
	sem_init(&r.room, 0, ROOM);
	pthread_mutex_init(&r.vmu, NULL);
	pthread_mutex_init(&r.leave.mu, NULL);
	pthread_cond_init(&r.leave.cv, NULL);
	for (int i = 0; i < VISITORS; i++) {
		v[i] = (struct visitor){ &r, 0, 0 };
		pthread_create(&v[i].th, NULL, visit, &v[i]);
	}
	/* watchdog: two inside, the others asleep in sem_wait() */
	long long t0 = demo_now_ms();
	int asleep = 0;
	while (demo_now_ms() - t0 < WATCH_MS) {
		int in;
		pthread_mutex_lock(&r.vmu);
		in = r.inside;
		pthread_mutex_unlock(&r.vmu);
		asleep = 0;
		for (int i = 0; i < VISITORS; i++)
			asleep += v[i].tid != 0 && task_on_futex(v[i].tid);
		if (in == ROOM && asleep == VISITORS)
			break;
		nap_ms(5);
	}
	int value;
	sem_getvalue(&r.room, &value);
	api->print(me, TR("%d threads call room.acquire(): %d inside, %d asleep "
	    "in sem_wait(); the semaphore's value is %d\n", "%d 个线程调用 "
	    "room.acquire()：%d 个在里面，%d 个睡在 sem_wait() 里；信号量的值是 %d\n"),
	    VISITORS, r.inside, VISITORS - r.inside, value);
	event_set(&r.leave);
	for (int i = 0; i < VISITORS; i++)
		pthread_join(v[i].th, NULL);
	api->print(me, TR("each one out lets the next in: all %d went through, "
	    "never more than %d at once\n", "出来一个就放进一个：%d 个都进去过，"
	    "同时最多 %d 个\n"), VISITORS, r.max_inside);
	api->figure(me, "semaphore_max_inside", r.max_inside);

	api->step(me, 31);
	api->print(me, "%s", TR("queue.Queue(maxsize=3) is this buffer, ready "
	    "made: Lib/queue.py has one mutex and Conditions not_full and "
	    "not_empty; put() waits while full, get() while empty\n",
	    "queue.Queue(maxsize=3) 就是这个缓冲区的现成版本：Lib/queue.py 里"
	    "有一把锁和 not_full、not_empty 两个 Condition；满时 put() 等，"
	    "空时 get() 等\n"));
	api->print(me, "%s", TR("between threads, prefer a Queue to a shared "
	    "list and your own locks\n", "线程之间传数据，优先用 Queue，"
	    "而不是共享列表加自己的锁\n"));
	return 0;
}

static const char *const condition_panes[] = { "main", "producer", "consumer",
	"buffer", NULL };
static const char *const condition_panes_zh[] = { "主线程", "生产者", "消费者",
	"缓冲区", NULL };

const struct systour_demo condition_demo = {
	.name = "condition",
	.title_en = "Condition: a bounded buffer, a producer and a consumer; "
	    "Event, Semaphore and queue.Queue",
	.title_zh = "Condition：有界缓冲区、生产者和消费者；Event、Semaphore "
	    "与 queue.Queue",
	.code = condition_code,
	.panes = condition_panes,
	.panes_zh = condition_panes_zh,
	.run = condition_run,
};
