/* pool.h — lesson 07's gevent-pool demo, in three files: the hub (an epoll
 * loop in a coroutine of its own, the greenlets it runs, sleep and wait on
 * a descriptor: pool_hub.c), the HTTP server it fetches from
 * (pool_server.c), and the demo itself (demo_pool.c). One thread. */
#ifndef SYSTOUR_LESSON07_POOL_H
#define SYSTOUR_LESSON07_POOL_H

#include "coro.h"

#include <stdint.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

/* ---- the server ---- */

struct pool_server {
	pid_t pid;
	int port;
	int out;                /* its stdout, held open */
};

/* Start `systour serve http --host 127.0.0.1 --port 0` in pane; its first
 * line goes in line. 0, or -1 with errno set. */
int pool_server_start(struct demo_ctx *ctx, const struct demo_api *api,
    int pane, struct pool_server *s, char *line, size_t size);

/* SIGTERM it and reap it; its wait status. */
int pool_server_stop(struct pool_server *s);

/* ---- the hub and its greenlets ---- */

struct pool;

struct gl {
	struct coro co;         /* not for main */
	struct coctx *ctx;      /* &co.ctx, or main's */
	const char *name;
	void (*fn)(struct gl *);
	void *arg;
	struct pool *pool;      /* the pool it holds a place in, or NULL */
	struct gl *next;        /* in the ready queue */
	const char *why;        /* why it was woken (for the timeline) */
	long long wake_ns;      /* asleep until then, or 0 */
	int done;
};

struct pool {
	int size, active;
	struct gl *waiter;      /* main, waiting for a free place */
};

/* The hub: an epoll descriptor and a coroutine that runs the loop; the
 * calling context becomes the main greenlet. Switches go to tl. */
int hub_init(struct timeline *tl);
void hub_fini(void);

/* gevent.spawn(fn, g) (g->arg set by the caller): queued, not run yet. */
int gl_spawn(struct gl *g, const char *name, void (*fn)(struct gl *),
    struct pool *pool);

/* gevent.joinall(gs): the main greenlet waits until all n are done. */
void gl_joinall(struct gl **gs, int n);

/* pool.map's wait: main waits for a free place in p, then takes it. */
void pool_take(struct pool *p);

/* The running greenlet waits until fd is ready for events (EPOLLIN or
 * EPOLLOUT); why says why it waits ("recv: EAGAIN"). */
void co_wait_fd(int fd, uint32_t events, const char *why);

/* gevent.sleep(ms / 1000.0). */
void co_sleep_ms(long ms);

#pragma GCC visibility pop

#endif
