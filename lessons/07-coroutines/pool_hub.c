/* pool_hub.c — the hub of lesson 07's gevent-pool demo (pool.h): gevent's
 * design in small. The hub is a coroutine of its own that runs the event
 * loop: it switches to every greenlet that is ready, and when none is, it
 * sleeps in epoll_wait, with the nearest timer as its timeout. A greenlet
 * that would block (connect's EINPROGRESS, recv's EAGAIN, a sleep) asks to
 * be woken and switches to the hub. Every switch goes to the timeline. */
#define _GNU_SOURCE
#include "pool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_GL 16

static struct {
	struct timeline *tl;
	int ep;
	struct coro hub;
	struct coctx main_ctx;
	struct gl main;
	struct gl *cur;                 /* the running greenlet */
	struct gl *head, *tail;         /* the ready queue */
	struct gl *all[MAX_GL];         /* spawned ones, for timers */
	int nall;
	struct gl *joiner;              /* main, in joinall */
} h;

static void
wake(struct gl *g, const char *why)
{
	g->why = why;
	g->next = NULL;
	if (h.tail)
		h.tail->next = g;
	else
		h.head = g;
	h.tail = g;
}

/* The running greenlet gives the thread to the hub. */
static void
to_hub(const char *why)
{
	struct gl *me = h.cur;
	tl_switch(h.tl, me->name, "hub", why);
	coswitch(me->ctx, &h.hub.ctx);
	h.cur = me;
}

static void
hub_loop(void *arg)
{
	struct epoll_event evs[16];
	static char why[MAX_GL][48];
	for (;;) {
		while (h.head != NULL) {
			struct gl *g = h.head;
			if ((h.head = g->next) == NULL)
				h.tail = NULL;
			h.cur = g;
			tl_switch(h.tl, "hub", g->name, g->why);
			coswitch(&h.hub.ctx, g->ctx);
		}
		long long next = 0, now = demo_now_ns();
		for (int i = 0; i < h.nall; i++)
			if (h.all[i]->wake_ns &&
			    (!next || h.all[i]->wake_ns < next))
				next = h.all[i]->wake_ns;
		int timeout = !next ? -1 : next <= now ? 0 :
		    (int)((next - now + 999999) / 1000000);
		int n = epoll_wait(h.ep, evs, 16, timeout);
		for (int k = 0; k < n; k++) {
			struct gl *g = evs[k].data.ptr;
			int i;
			for (i = 0; i < h.nall && h.all[i] != g; i++)
				;
			snprintf(why[i % MAX_GL], sizeof why[0], "epoll_wait: %s",
			    evs[k].events & EPOLLOUT ? "writable" : "readable");
			wake(g, why[i % MAX_GL]);
		}
		now = demo_now_ns();
		for (int i = 0; i < h.nall; i++)
			if (h.all[i]->wake_ns && h.all[i]->wake_ns <= now) {
				h.all[i]->wake_ns = 0;
				wake(h.all[i], "epoll_wait: timer");
			}
	}
}

int
hub_init(struct timeline *tl)
{
	memset(&h, 0, sizeof h);
	h.tl = tl;
	h.main.ctx = &h.main_ctx;
	h.main.name = "main";
	h.cur = &h.main;
	if ((h.ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	return coro_init(&h.hub, hub_loop, NULL, 256 * 1024, &h.main_ctx);
}

void
hub_fini(void)
{
	coro_free(&h.hub);
	close(h.ep);
}

/* Where a spawned greenlet starts, on its own stack. */
static void
gl_entry(void *arg)
{
	struct gl *g = arg;
	g->fn(g);
	g->done = 1;
	tl_event(h.tl, "%s %s", g->name, TL_TR(h.tl, "ends", "结束"));
	if (g->pool != NULL) {
		g->pool->active--;
		if (g->pool->waiter != NULL) {
			wake(g->pool->waiter, TL_TR(h.tl, "a place in the pool is free",
			    "池里空出一个位置"));
			g->pool->waiter = NULL;
		}
	}
	if (h.joiner != NULL) {
		wake(h.joiner, TL_TR(h.tl, "a greenlet it joins has ended",
		    "它等待的一个 greenlet 结束了"));
		h.joiner = NULL;
	}
	tl_switch(h.tl, g->name, "hub", TL_TR(h.tl, "returns", "返回"));
}       /* coro_main switches to co.back: the hub */

int
gl_spawn(struct gl *g, const char *name, void (*fn)(struct gl *),
    struct pool *pool)
{
	if (h.nall == MAX_GL)
		return errno = ENOSPC, -1;
	g->name = name;
	g->fn = fn;
	g->pool = pool;
	g->done = 0;
	g->wake_ns = 0;
	if (coro_init(&g->co, gl_entry, g, 256 * 1024, &h.hub.ctx) != 0)
		return -1;
	g->ctx = &g->co.ctx;
	if (pool != NULL)
		pool->active++;
	h.all[h.nall++] = g;
	tl_event(h.tl, "spawn %s: %s", name, TL_TR(h.tl, "queued, not running yet",
	    "进入队列，还没运行"));
	wake(g, TL_TR(h.tl, "its first run", "第一次运行"));
	return 0;
}

void
gl_joinall(struct gl **gs, int n)
{
	for (;;) {
		int left = 0;
		for (int i = 0; i < n; i++)
			left += !gs[i]->done;
		if (!left)
			break;
		h.joiner = h.cur;
		to_hub(TL_TR(h.tl, "joinall: waits", "joinall：等待"));
	}
	for (int i = 0; i < n; i++)
		coro_free(&gs[i]->co);
	h.nall = 0;
}

void
pool_take(struct pool *p)
{
	while (p->active >= p->size) {
		p->waiter = h.cur;
		to_hub(TL_TR(h.tl, "pool full: waits for a place",
		    "池满了：等一个空位"));
	}
}

void
co_wait_fd(int fd, uint32_t events, const char *why)
{
	struct epoll_event ev = { .events = events, .data.ptr = h.cur };
	epoll_ctl(h.ep, EPOLL_CTL_ADD, fd, &ev);
	to_hub(why);
	epoll_ctl(h.ep, EPOLL_CTL_DEL, fd, NULL);
}

void
co_sleep_ms(long ms)
{
	static char why[MAX_GL][32];
	int i;
	for (i = 0; i < h.nall && h.all[i] != h.cur; i++)
		;
	h.cur->wake_ns = demo_now_ns() + ms * 1000000LL;
	snprintf(why[i % MAX_GL], sizeof why[0], "sleep(%.2f)", (double)ms / 1000);
	to_hub(why[i % MAX_GL]);
}
