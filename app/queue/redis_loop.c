/* redis_loop.c — the hiredis adapter for loop.h: hiredis's five hooks
 * (addRead, delRead, addWrite, delWrite, cleanup) become what one fd
 * watch waits for. See redis_loop.h. */
#include "redis_loop.h"
#include "util.h"

#include <stdlib.h>

struct redis_ev {
	redisAsyncContext	*ac;
	struct loop_watch	*w;
	unsigned		 want;
	int			*gone;	/* set to 1 by cleanup, if not NULL */
};

static void
on_fd(struct loop *l, int fd, unsigned events, void *arg)
{
	struct redis_ev *e = arg;
	redisAsyncContext *ac = e->ac;
	/* Write first: a connect in progress completes on LOOP_WRITE. A
	 * handler may free the context (and e, through cleanup): read the
	 * wish before, and do not touch e after a disconnect. */
	int rd = (events & (LOOP_READ | LOOP_ERROR)) && (e->want & LOOP_READ);
	if ((events & (LOOP_WRITE | LOOP_ERROR)) && (e->want & LOOP_WRITE)) {
		int gone = 0;
		e->gone = &gone;
		redisAsyncHandleWrite(ac);
		if (gone)
			return;
		e->gone = NULL;
	}
	if (rd)
		redisAsyncHandleRead(ac);
}

static void
set(struct redis_ev *e, unsigned want)
{
	if (want != e->want) {
		e->want = want;
		loop_fd_set(e->w, want);
	}
}

static void add_read(void *p)  { struct redis_ev *e = p; set(e, e->want | LOOP_READ); }
static void del_read(void *p)  { struct redis_ev *e = p; set(e, e->want & ~LOOP_READ); }
static void add_write(void *p) { struct redis_ev *e = p; set(e, e->want | LOOP_WRITE); }
static void del_write(void *p) { struct redis_ev *e = p; set(e, e->want & ~LOOP_WRITE); }

static void
cleanup(void *p)
{
	struct redis_ev *e = p;
	if (e->gone)
		*e->gone = 1;
	loop_cancel(e->w);
	free(e);
}

int
redis_loop_attach(struct loop *l, redisAsyncContext *ac)
{
	if (ac->ev.data != NULL)
		return REDIS_ERR;
	struct redis_ev *e = xcalloc(1, sizeof *e);
	e->ac = ac;
	e->w = loop_fd(l, ac->c.fd, 0, on_fd, e);
	if (e->w == NULL) {
		free(e);
		return REDIS_ERR;
	}
	ac->ev.addRead = add_read;
	ac->ev.delRead = del_read;
	ac->ev.addWrite = add_write;
	ac->ev.delWrite = del_write;
	ac->ev.cleanup = cleanup;
	ac->ev.data = e;
	return REDIS_OK;
}
