/* manager_redis.c — `systour manager --redis URL`: the manager's queues
 * kept in Redis Streams (queue_backend.h), CPython's protocol unchanged.
 *
 * The task queue lives in Redis: a put is stored (XADD) before its client
 * gets its None, so a put answered is never lost. The manager's own task
 * queue (manager_queue.c) becomes a buffer of what it took from Redis for
 * the calls that wait: XREADGROUP, as this manager's consumer, as many as
 * the parked get and lease calls want. A plain get ends the entry's lease
 * in Redis at once (XACK: at most once, as CPython's get); a lease's first
 * ack stores its result by task id and XACKs it (at least once, counted
 * once). What this manager held when it died stays pending in Redis and a
 * janitor (any manager's or worker's) claims it past the lease.
 *
 * The result queue: a put goes to Redis's result list; a get is served
 * from a buffer filled from it (BLPOP) while someone waits. With --tasks,
 * the notes' tasks are put once by name (a restarted manager does not put
 * them again) and the work is over when Redis holds every result (or its
 * dead letter), whoever took them. */
#include "manager_int.h"
#include "queue_backend.h"
#include "buf.h"
#include "util.h"
#include "lang.h"

#include <stdlib.h>
#include <string.h>

#define FETCH_MAX	100	/* entries one read takes */
#define FETCH_WAIT_MS	1000	/* a blocking read's wait */
#define POLL_MS		250	/* --tasks, --depth: how often to ask */
#define PUT_BATCH	100	/* --tasks: tasks put in one round trip */
#define PUTS_OUT	10	/* such round trips in flight at most */

struct mredis {
	struct server	*s;
	struct qb	*q;
	int		 ready, fatal;
	char		*why;
	int		 fetching, fetching_results, asking;
	char		**sid;		/* by local task id: its stream id */
	size_t		 sid_cap;
	struct qb_depth	 depth;
	int		 have_depth;
	long		 puts_in_flight;
	int64_t		 asked_at;
};

/* A put in flight for a client, found again by its serial. */
struct mr_put {
	struct server	*s;
	uint32_t	 serial;
};

static struct client *
by_serial(struct server *s, uint32_t serial)
{
	for (size_t i = 0; i < s->nc; i++)
		if (s->c[i]->serial == serial)
			return s->c[i];
	return NULL;
}

/* ------------------------------------------------------------ state */

static void
on_state(void *arg, int ready, int fatal, const char *why)
{
	struct server *s = arg;
	struct mredis *m = s->mr;
	m->ready = ready;
	if (fatal) {
		m->fatal = 1;
		free(m->why);
		m->why = xstrdup(why);
		s->stop = 1;
		loop_break(s->loop);
		return;
	}
	mgr_want_round(s);
}

static void
set_sid(struct mredis *m, uint64_t id, char *sid)
{
	if (id >= m->sid_cap) {
		size_t old = m->sid_cap;
		ARRAY_GROW(m->sid, m->sid_cap, id + 1);
		memset(m->sid + old, 0, (m->sid_cap - old) * sizeof *m->sid);
	}
	free(m->sid[id]);
	m->sid[id] = sid;
}

static char *
take_sid(struct mredis *m, uint64_t id)
{
	if (id >= m->sid_cap)
		return NULL;
	char *sid = m->sid[id];
	m->sid[id] = NULL;
	return sid;
}

/* Tasks from Redis into the buffer. */
static void
into_buffer(struct server *s, struct qb_task *t, size_t n)
{
	struct mqueue *q = &s->q[0];
	for (size_t i = 0; i < n; i++) {
		mq_push(q, t[i].v);
		t[i].v = NULL;
		set_sid(s->mr, q->next_id, t[i].id);
		t[i].id = NULL;
	}
	qb_tasks_free(t, n);
	mgr_want_round(s);
}

static void
on_fetched(void *arg, struct qb_task *t, size_t n, const char *err)
{
	struct server *s = arg;
	if (s->mr == NULL) {
		qb_tasks_free(t, n);
		return;
	}
	s->mr->fetching = 0;
	if (err != NULL && s->mr->ready)
		mgr_log(s, LD("redis: reading tasks: %s",
		    "redis：读取任务：%s"),
		    err);
	into_buffer(s, t, n);
}

/* Claims only for calls that wait on an empty buffer. */
static int
want_claims(void *arg)
{
	struct server *s = arg;
	if (s->q[0].n > 0)
		return 0;
	for (size_t i = 0; i < s->nc; i++)
		if ((s->c[i]->park == PARK_GET && s->c[i]->pq == &s->q[0]) ||
		    s->c[i]->park == PARK_LEASE)
			return 1;
	return 0;
}

static void
on_claimed(void *arg, struct qb_task *t, size_t n, const char *err)
{
	into_buffer(arg, t, n);
}

static void
on_result(void *arg, struct qb_task *t, size_t n, const char *err)
{
	struct server *s = arg;
	if (s->mr == NULL) {
		qb_tasks_free(t, n);
		return;
	}
	s->mr->fetching_results = 0;
	for (size_t i = 0; i < n; i++) {
		mq_push(&s->q[1], t[i].v);
		t[i].v = NULL;
	}
	qb_tasks_free(t, n);
	mgr_want_round(s);
}

static void
on_depth(void *arg, const struct qb_depth *d, const char *err)
{
	struct server *s = arg;
	if (s->mr == NULL)
		return;
	s->mr->asking = 0;
	if (err == NULL) {
		s->mr->depth = *d;
		s->mr->have_depth = 1;
		s->ndead_redis = d->dead;
		for (size_t i = 0; i < s->nc; i++) {
			struct client *c = s->c[i];
			if (c->park != PARK_DEPTH)
				continue;
			long n = (long)s->q[0].n + d->queued;
			c->park = PARK_NONE;
			mgr_reply_return(c, c->lease_n ? pval_int(n) :
			    pval_bool(n == 0));
		}
	}
	mgr_want_round(s);
}

/* ------------------------------------------------------------ puts */

static void
on_put(void *arg, long n, const char *err)
{
	struct mr_put *p = arg;
	struct server *s = p->s;
	struct client *c = s->mr ? by_serial(s, p->serial) : NULL;
	free(p);
	if (c == NULL || c->park != PARK_REDIS)
		return;
	c->rput = 0;
	if (err != NULL) {
		/* Put again once Redis is back (see mr_round). */
		mgr_log(s, LD("redis: a put of %s waits: %s",
		    "redis：放入 %s 还在等待：%s"), c->peer, err);
		mgr_want_round(s);
		return;
	}
	pval_free(c->pitem);
	c->pitem = NULL;
	c->park = PARK_NONE;
	mgr_reply_return(c, pval_none());
	mgr_want_round(s);
}

static void
send_put(struct server *s, struct client *c)
{
	struct mr_put *p = xmalloc(sizeof *p);
	*p = (struct mr_put){ s, c->serial };
	c->rput = 1;
	if (c->pq == &s->q[0])
		s->mr->q->ops->put(s->mr->q, c->pitem, NULL, on_put, p);
	else
		s->mr->q->ops->put_result(s->mr->q, c->pitem, on_put, p);
}

void
mr_put(struct server *s, struct client *c, struct mqueue *q,
    struct pval *item)
{
	c->park = PARK_REDIS;
	c->pq = q;
	c->pitem = item;
	c->deadline = -1;
	c->pseq = ++s->pseq;
	c->rput = 0;
	if (s->mr->ready)
		send_put(s, c);
}

static void
on_task_put(void *arg, long n, const char *err)
{
	struct server *s = arg;
	if (s->mr == NULL)
		return;
	s->mr->puts_in_flight--;
	if (err != NULL) {
		/* Put them all again from the first: each goes in once. */
		if (s->next_task > 0)
			mgr_log(s, LD("redis: putting the tasks: %s: they will "
			    "be "
			    "put again (each goes in once, by name)",
			    "redis：放入任务：%s：会再放一次"
			    "（按名字，每个只会进去一次）"), err);
		s->next_task = 0;
	}
	mgr_want_round(s);
}

/* ------------------------------------------------------------ acks */

void
mr_got(struct server *s, uint64_t id)
{
	char *sid = take_sid(s->mr, id);
	if (sid != NULL && s->mr->ready)
		s->mr->q->ops->ack(s->mr->q, &sid, NULL, 1, NULL, NULL);
	free(sid);
}

void
mr_acked(struct server *s, uint64_t id, const struct pval *result)
{
	char *sid = take_sid(s->mr, id);
	if (sid != NULL && s->mr->ready) {
		const struct pval *r = result;
		s->mr->q->ops->ack(s->mr->q, &sid, &r, 1, NULL, NULL);
	}
	/* Redis down: the entry stays pending and is done again later. */
	free(sid);
}

/* ------------------------------------------------------------ rounds */

/* --tasks: put the notes' tasks once each, print the results that come,
 * and see the work over when Redis holds a result or a dead letter for
 * each task. */
static void
local_work(struct server *s)
{
	struct mredis *m = s->mr;
	long n = s->o->tasks;
	/* PUT_BATCH tasks a round trip, PUTS_OUT round trips at most out */
	while (m->ready && s->next_task < n && m->puts_in_flight < PUTS_OUT) {
		struct pval *v[PUT_BATCH];
		char url[PUT_BATCH][32];
		const char *names[PUT_BATCH];
		size_t k = 0;
		for (; k < PUT_BATCH && s->next_task < n; k++) {
			snprintf(url[k], sizeof url[k], "ImageUrl_%ld",
			    s->next_task++);
			if (s->o->out)
				outf_task(s, url[k]);
			v[k] = pval_str(url[k]);
			names[k] = url[k];
		}
		m->puts_in_flight++;
		m->q->ops->put_named(m->q, (const struct pval *const *)v,
		    names, k, on_task_put, s);
		for (size_t i = 0; i < k; i++)
			pval_free(v[i]);
	}
	struct mqueue *rq = &s->q[1];
	while (rq->n > 0) {
		struct pval *v = mq_pop(rq);
		mgr_print_result(s, v);
		pval_free(v);
		s->results++;
	}
	if (s->done_at < 0 && s->next_task == n && m->puts_in_flight == 0 &&
	    (s->results >= n || (m->have_depth && m->depth.done +
	    m->depth.dead >= n && m->depth.queued == 0 &&
	    m->depth.pending == 0 && m->depth.results == 0 &&
	    s->q[1].n == 0))) {
		s->done_at = now_ms();
		mgr_log(s, LD("all %ld results are in Redis (%ld dead "
		    "letters)", "全部 %ld 个结果都在 Redis 中（%ld 个死信）"),
		    n, m->depth.dead);
	}
}

/* What Redis must do for this round: puts to send again, tasks and
 * results to fetch for the calls that wait, the depth to ask. Returns
 * the ms until it wants another round, or -1. */
int64_t
mr_round(struct server *s)
{
	struct mredis *m = s->mr;
	long want = 0, want_results = 0, want_depth = 0;
	for (size_t i = 0; i < s->nc; i++) {
		struct client *c = s->c[i];
		if (c->park == PARK_REDIS && !c->rput && m->ready)
			send_put(s, c);
		else if (c->park == PARK_GET && c->pq == &s->q[0])
			want++;
		else if (c->park == PARK_LEASE)
			want += c->lease_n;
		else if (c->park == PARK_GET)
			want_results++;
		else if (c->park == PARK_DEPTH)
			want_depth++;
	}
	if (s->o->tasks > 0) {
		local_work(s);
		if (s->results < s->o->tasks)
			want_results++;
	}
	if (!m->ready)
		return -1;
	if (want > (long)s->q[0].n && !m->fetching) {
		long n = want - (long)s->q[0].n;
		m->fetching = 1;
		m->q->ops->lease(m->q, n > FETCH_MAX ? FETCH_MAX : n,
		    FETCH_WAIT_MS, on_fetched, s);
	}
	if (want_results > (long)s->q[1].n && !m->fetching_results) {
		m->fetching_results = 1;
		m->q->ops->result(m->q, FETCH_WAIT_MS, on_result, s);
	}
	if (want_depth > 0 && !m->asking) {
		m->asking = 1;
		m->q->ops->depth(m->q, on_depth, s);
	}
	if (s->o->tasks > 0 || s->o->depth) {
		int64_t now = now_ms();
		if (!m->asking && now - m->asked_at >= POLL_MS) {
			m->asking = 1;
			m->asked_at = now;
			m->q->ops->depth(m->q, on_depth, s);
		}
		return POLL_MS;
	}
	return -1;
}

void
mr_depth(struct server *s, long out[3])
{
	out[0] = s->mr->depth.queued;
	out[1] = s->mr->depth.pending;
	out[2] = s->mr->depth.done;
}

/* ------------------------------------------------------------ open, close */

int
mr_open(struct server *s, char **cause)
{
	struct mredis *m = xcalloc(1, sizeof *m);
	m->s = s;
	s->mr = m;
	struct qb_redis_opts ro = { .url = s->o->redis, .role = "manager",
	    .lease_ms = 30000, .state = on_state, .claimed = on_claimed,
	    .want_claims = want_claims,
	    .arg = s, .log = s->o->log };
	if ((m->q = qb_redis_open(s->loop, &ro, cause)) == NULL) {
		free(m);
		s->mr = NULL;
		return -1;
	}
	while (!m->ready && !m->fatal)
		loop_once(s->loop, -1);
	if (m->fatal) {
		*cause = m->why;
		m->why = NULL;
		mr_close(s);
		return -1;
	}
	s->stop = 0;
	mgr_log(s, LD("the queues are in Redis at %s",
	    "队列在 %s 上的 Redis 中"),
	    s->o->redis);
	return 0;
}

/* The manager is stopping: a fatal error of Redis, or NULL. */
const char *
mr_error(struct server *s)
{
	return s->mr && s->mr->fatal ? s->mr->why : NULL;
}

void
mr_close(struct server *s)
{
	struct mredis *m = s->mr;
	if (m == NULL)
		return;
	m->q->ops->free(m->q);	/* owed callbacks run now, m still set */
	for (size_t i = 0; i < m->sid_cap; i++)
		free(m->sid[i]);
	free(m->sid);
	free(m->why);
	free(m);
	s->mr = NULL;
}
