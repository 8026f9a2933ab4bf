/* worker_redis.c — `systour worker --redis URL`: the notes' task process
 * taking its tasks straight from Redis Streams (queue_backend.h), on the
 * event loop: lease a batch (XREADGROUP), and the next one while it is
 * done; "download" each task (a loop timer of --pace ms); ack each batch's
 * worth with its results (one script: the result kept by task id the first
 * time only, then XACK). A worker killed holding a batch leaves it pending; some
 * janitor claims it past the lease and another worker does it again, and
 * its result still counts once. The worker ends when nothing came for
 * --timeout seconds and nothing is pending in the group either. */
#include "worker.h"
#include "queue_backend.h"
#include "buf.h"
#include "lang.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define RETRY_MS	200
#define WAIT_MS		1000	/* one blocking read at most */

struct wr {
	const struct worker_opts *o;
	struct loop		*l;
	struct qb		*q;
	FILE			*out;
	int			 rc;
	char			*cause;
	int			 ready, started, leasing, stopping;
	/* the work in hand: tasks[cur..ntasks) to do */
	struct qb_task		*tasks;
	size_t			 ntasks, cap, cur;
	int			 busy;		/* a pace timer runs */
	/* results not yet acked, and those in flight */
	char			**ack_id;
	struct pval		**ack_v;
	size_t			 nack, ack_cap;
	char			**fl_id;
	struct pval		**fl_v;
	size_t			 nfl;
	int64_t			 last_task;
	long			 done, dup;
	struct loop_watch	*pace, *again;
};

static void	 next(struct wr *w);
static void	 lease(struct wr *w);

static void
finish(struct wr *w, int rc, const char *why)
{
	if (w->stopping)
		return;
	w->stopping = 1;
	w->rc = rc;
	if (why != NULL)
		w->cause = xstrdup(why);
	loop_break(w->l);
}

static void
on_acked(void *arg, long n, const char *err)
{
	struct wr *w = arg;
	if (err != NULL) {
		/* Kept, to send again: the results count once anyway. */
		for (size_t i = 0; i < w->nfl; i++) {
			ARRAY_GROW(w->ack_id, w->ack_cap, w->nack + 1);
			w->ack_v = xreallocarray(w->ack_v, w->ack_cap,
			    sizeof *w->ack_v);
			w->ack_id[w->nack] = w->fl_id[i];
			w->ack_v[w->nack++] = w->fl_v[i];
		}
	} else {
		w->done += n;
		w->dup += (long)w->nfl - n;
		for (size_t i = 0; i < w->nfl; i++) {
			free(w->fl_id[i]);
			pval_free(w->fl_v[i]);
		}
	}
	free(w->fl_id);
	free(w->fl_v);
	w->fl_id = NULL;
	w->fl_v = NULL;
	w->nfl = 0;
	if (w->ready && w->nack > 0)
		loop_timer_set(w->again, err ? RETRY_MS : 0);
}

/* Send the results in hand, if none are in flight. */
static void
send_acks(struct wr *w)
{
	if (w->nfl > 0 || w->nack == 0 || !w->ready)
		return;
	w->fl_id = w->ack_id;
	w->fl_v = w->ack_v;
	w->nfl = w->nack;
	w->ack_id = NULL;
	w->ack_v = NULL;
	w->nack = w->ack_cap = 0;
	w->q->ops->ack(w->q, w->fl_id, (const struct pval *const *)w->fl_v,
	    w->nfl, on_acked, w);
}

static void
take(struct wr *w, struct qb_task *t, size_t n)
{
	if (w->cur == w->ntasks)
		w->cur = w->ntasks = 0;
	ARRAY_GROW(w->tasks, w->cap, w->ntasks + n);
	memcpy(w->tasks + w->ntasks, t, n * sizeof *t);
	w->ntasks += n;
	free(t);
	w->last_task = now_ms();
}

static void
on_depth(void *arg, const struct qb_depth *d, const char *err)
{
	struct wr *w = arg;
	if (err == NULL && d->queued == 0 && d->pending == 0 &&
	    w->cur == w->ntasks && w->nack == 0 && w->nfl == 0) {
		fprintf(w->out, LD("work exit (%ld results, %ld more found "
		    "theirs already in)\n",
		    "work exit（%ld 个结果；另有 %ld 个的结果早已存在）\n"),
		    w->done, w->dup);
		finish(w, 0, NULL);
		return;
	}
	/* Something is pending (a dead worker's): the janitors will
	 * claim it past its lease; wait for it. */
	w->last_task = now_ms();
	lease(w);
}

static void
on_tasks(void *arg, struct qb_task *t, size_t n, const char *err)
{
	struct wr *w = arg;
	w->leasing = 0;
	if (w->stopping) {
		qb_tasks_free(t, n);
		return;
	}
	if (err != NULL) {
		qb_tasks_free(t, n);
		if (w->ready)
			loop_timer_set(w->again, RETRY_MS);
		return;		/* else on_state carries on */
	}
	if (n > 0)
		take(w, t, n);
	else
		free(t);
	if (w->cur < w->ntasks) {
		/* One batch ahead: the next one is on its way while this
		 * one is done, so a round trip costs no time per batch. */
		if (n > 0 && (long)(w->ntasks - w->cur) <= w->o->batch)
			lease(w);
		next(w);
		return;
	}
	if (now_ms() - w->last_task >= (int64_t)(w->o->timeout * 1000) &&
	    w->nack == 0 && w->nfl == 0) {
		w->q->ops->depth(w->q, on_depth, w);
		return;
	}
	lease(w);
}

static void
lease(struct wr *w)
{
	if (w->leasing || !w->ready || w->stopping)
		return;
	w->leasing = 1;
	int64_t left = (int64_t)(w->o->timeout * 1000) -
	    (now_ms() - w->last_task);
	int wait = left < 1 ? 1 : left > WAIT_MS ? WAIT_MS : (int)left;
	w->q->ops->lease(w->q, w->o->batch > 0 ? w->o->batch : 1, wait,
	    on_tasks, w);
}

/* The next task in hand, or (the batch done) its acks and a new lease. */
static void
next(struct wr *w)
{
	if (w->busy || w->stopping)
		return;
	if (w->cur == w->ntasks) {
		send_acks(w);
		lease(w);
		return;
	}
	struct qb_task *t = &w->tasks[w->cur];
	char *name = t->v->kind == PV_STR ? xstrdup(t->v->u.s.s) :
	    pval_repr_max(t->v, 1000);
	fprintf(w->out, "download image %s\n", name);
	free(name);
	if (w->o->pace_ms > 0)
		fflush(w->out);	/* a line a learner waits for */
	w->busy = 1;
	loop_timer_set(w->pace, (int)w->o->pace_ms);
}

static void
on_pace(struct loop *l, void *arg)
{
	struct wr *w = arg;
	struct qb_task *t = &w->tasks[w->cur++];
	w->busy = 0;
	char *name = t->v->kind == PV_STR ? xstrdup(t->v->u.s.s) :
	    pval_repr_max(t->v, 1000);
	char *res = xasprintf("success %s", name);
	free(name);
	ARRAY_GROW(w->ack_id, w->ack_cap, w->nack + 1);
	w->ack_v = xreallocarray(w->ack_v, w->ack_cap, sizeof *w->ack_v);
	w->ack_id[w->nack] = t->id;
	w->ack_v[w->nack++] = pval_str(res);
	t->id = NULL;
	free(res);
	pval_free(t->v);
	t->v = NULL;
	if ((long)w->nack >= w->o->batch)
		send_acks(w);	/* a batch's worth: their results go in */
	if ((long)(w->ntasks - w->cur) <= w->o->batch)
		lease(w);	/* keep one batch ahead */
	next(w);
}

static void
on_again(struct loop *l, void *arg)
{
	struct wr *w = arg;
	send_acks(w);
	if (w->cur < w->ntasks)
		next(w);
	else
		lease(w);
}

static void
on_claimed(void *arg, struct qb_task *t, size_t n, const char *err)
{
	struct wr *w = arg;
	if (w->stopping) {
		qb_tasks_free(t, n);
		return;
	}
	int idle = w->cur == w->ntasks;
	take(w, t, n);
	if (idle)
		next(w);
}

static void
on_state(void *arg, int ready, int fatal, const char *why)
{
	struct wr *w = arg;
	w->ready = ready;
	if (fatal) {
		finish(w, 1, why);
		return;
	}
	if (!ready)
		return;
	if (!w->started) {
		w->started = 1;
		w->last_task = now_ms();
	}
	loop_timer_set(w->again, 0);
}

int
worker_redis_run(const struct worker_opts *o, char **cause)
{
	struct wr w = { .o = o, .out = o->out ? o->out : stdout };
	if ((w.l = loop_new(cause)) == NULL)
		return 1;
	struct qb_redis_opts ro = { .url = o->redis, .prefix = o->prefix,
	    .role = "worker", .lease_ms = (long)(o->lease * 1000),
	    .state = on_state, .claimed = on_claimed, .arg = &w,
	    .log = stderr };
	w.pace = loop_timer(w.l, -1, on_pace, &w);
	w.again = loop_timer(w.l, -1, on_again, &w);
	if ((w.q = qb_redis_open(w.l, &ro, cause)) == NULL) {
		loop_free(w.l);
		return 1;
	}
	loop_run(w.l);
	fflush(w.out);
	w.stopping = 1;
	w.q->ops->free(w.q);
	qb_tasks_free(w.tasks, w.ntasks);	/* those done are NULL */
	for (size_t i = 0; i < w.nack; i++) {
		free(w.ack_id[i]);
		pval_free(w.ack_v[i]);
	}
	free(w.ack_id);
	free(w.ack_v);
	loop_free(w.l);
	if (w.rc != 0)
		*cause = w.cause;
	else
		free(w.cause);
	return w.rc;
}
