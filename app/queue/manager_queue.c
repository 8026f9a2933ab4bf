/* manager_queue.c — the manager's two queues and what hangs on them: a
 * queue.Queue as a FIFO of items with task ids, the task ids taken or acked
 * (so a task counts once), the leases of the lease()/ack() extension (taken,
 * returned when they run out or their worker goes, acked), and waking the
 * calls parked on a queue when it can serve them or their time is up. See
 * manager_int.h for how the manager's files divide the work. */
#include "lang.h"
#include "manager_int.h"
#include "buf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- queues */

int
mq_full(const struct mqueue *q)
{
	return q->maxsize > 0 && (long)q->n >= q->maxsize;
}

/* Room for one more item at the end (and the front: head > 0 after). */
static void
mq_room(struct mqueue *q)
{
	ARRAY_GROW(q->it, q->cap, q->n * 2 + 3);  /* a quarter free at each end */
	if (q->head + q->n + 1 > q->cap || q->head == 0) {
		/* Centre the items: room at both ends. */
		size_t h = (q->cap - q->n) / 2;
		memmove(q->it + h, q->it + q->head, q->n * sizeof *q->it);
		q->head = h;
	}
}

/* Takes over the reference to item; it gets a new task id. */
void
mq_push(struct mqueue *q, struct pval *item)
{
	mq_room(q);
	q->it[q->head + q->n++] = (struct mq_item){ item, ++q->next_id };
	q->unfinished++;
}

/* Put a leased item back, first in line, with its id (no new unfinished
 * task: it never was done). */
static void
mq_push_front(struct mqueue *q, struct pval *item, uint64_t id)
{
	mq_room(q);
	q->it[--q->head] = (struct mq_item){ item, id };
	q->n++;
}

/* The oldest item (the caller's reference) and its id; the queue must not
 * be empty. */
static struct pval *
mq_pop_id(struct mqueue *q, uint64_t *id)
{
	if (id)
		*id = q->it[q->head].id;
	struct pval *item = q->it[q->head++].v;
	if (--q->n == 0)
		q->head = 0;
	return item;
}

struct pval *
mq_pop(struct mqueue *q)
{
	return mq_pop_id(q, NULL);
}

/* Take out the item with task id, if it is in the queue. */
static void
mq_remove_id(struct mqueue *q, uint64_t id)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->it[q->head + i].id == id) {
			pval_free(q->it[q->head + i].v);
			memmove(q->it + q->head + i, q->it + q->head + i + 1,
			    (q->n - i - 1) * sizeof *q->it);
			q->n--;
			return;
		}
}

void
mq_free(struct mqueue *q)
{
	while (q->n > 0)
		pval_free(mq_pop(q));
	free(q->it);
}

/* -------------------------------------------------------------- task ids */

/* Mark task id (of the task queue) done: 1 the first time, 0 after. */
static int
mark_done(struct server *s, uint64_t id)
{
	if (id < s->acked_cap && s->acked[id])
		return 0;
	if (id >= s->acked_cap) {
		size_t old = s->acked_cap;
		ARRAY_GROW(s->acked, s->acked_cap, id + 1);
		memset(s->acked + old, 0, s->acked_cap - old);
	}
	s->acked[id] = 1;
	return 1;
}

/* The oldest item, for a plain get. From the task queue, a get hands the
 * task to a client with at-most-once semantics (CPython's): it leaves the
 * lease bookkeeping, so that the late ack of a lease of it that ran out
 * does not count it a second time beside that client's own put. */
struct pval *
mgr_get_item(struct server *s, struct mqueue *q)
{
	uint64_t id;
	struct pval *item = mq_pop_id(q, &id);
	if (q == &s->q[0]) {
		mark_done(s, id);
		if (s->mr != NULL)
			mr_got(s, id);
	}
	return item;
}

/* ------------------------------------------------ leases (an extension) */

/* The bookkeeping of lease() and ack() (their calls: lease_call in
 * manager_call.c). */

/* Task id was put by --tasks (the manager's own side). */
void
mgr_mark_local(struct server *s, uint64_t id)
{
	if (id / 8 >= s->local_cap) {
		size_t old = s->local_cap;
		ARRAY_GROW(s->local, s->local_cap, id / 8 + 1);
		memset(s->local + old, 0, s->local_cap - old);
	}
	s->local[id / 8] |= 1u << id % 8;
}

/* How many times task id was leased so far. */
static unsigned
deliveries(const struct server *s, uint64_t id)
{
	return id < s->deliv_cap ? s->deliv[id] : 0;
}

static void
delivered(struct server *s, struct client *c, uint64_t id)
{
	if (id >= s->holder_cap) {
		size_t old = s->holder_cap;
		ARRAY_GROW(s->holder, s->holder_cap, id + 1);
		memset(s->holder + old, 0, (s->holder_cap - old) *
		    sizeof *s->holder);
	}
	s->holder[id] = c->serial;
	if (id >= s->deliv_cap) {
		size_t old = s->deliv_cap;
		ARRAY_GROW(s->deliv, s->deliv_cap, id + 1);
		memset(s->deliv + old, 0, s->deliv_cap - old);
	}
	if (s->deliv[id] < 255)
		s->deliv[id]++;
}

void
lease_take(struct server *s, struct client *c, struct mqueue *q, long n,
    int64_t lease_ms)
{
	struct pval *list = pval_list();
	int64_t now = now_ms();
	size_t first = s->nlease;
	while (n-- > 0 && q->n > 0) {
		/* A task on its last delivery before the dead letters goes
		 * alone. */
		int again = q == &s->q[0] &&
		    deliveries(s, q->it[q->head].id) >= DEAD_AFTER - 1;
		if (again && s->nlease > first)
			break;
		uint64_t id;
		struct pval *item = mq_pop_id(q, &id);
		if (q == &s->q[0])
			delivered(s, c, id);
		ARRAY_GROW(s->lease, s->lease_cap, s->nlease + 1);
		s->lease[s->nlease++] = (struct lease){ .id = id,
		    .item = pval_ref(item), .owner = c,
		    .expires = now + lease_ms };
		pval_append(list, pval_tuple(2, pval_int((int64_t)id), item));
		if (again)
			break;
	}
	if (s->nlease == first + 1)
		s->lease[first].solo = 1;
	mgr_reply_return(c, list);
}

/* Task l (its lease is over without an ack) goes to the dead letters: it
 * counts as done, so that a late ack of it is ignored. */
static void
dead_letter(struct server *s, struct lease *l)
{
	char *r = pval_repr_max(l->item, 60);
	mgr_log(s, LD("task %llu (%s) was delivered %u times without an ack, the "
	    "last time alone (to %s): it goes to the dead letters, not back "
	    "to the queue",
	    "任务 %llu（%s）投递了 %u 次都没有确认，最后一次是单独投递的（给 %s）：它进入死信列表，不再回到队列"), (unsigned long long)l->id, r,
	    deliveries(s, l->id), l->owner->peer);
	free(r);
	mark_done(s, l->id);
	if (l->id / 8 < s->local_cap && s->local[l->id / 8] & 1u << l->id % 8)
		s->local_dead++;
	if (s->q[0].unfinished > 0)
		s->q[0].unfinished--;
	ARRAY_GROW(s->dead, s->dead_cap, s->ndead + 1);
	s->dead[s->ndead++] = (struct mq_item){ .v = l->item, .id = l->id };
}

/* Put back the leases of owner (NULL: those whose time is up), saying
 * which tasks went back (the first few). */
void
lease_return(struct server *s, struct client *owner)
{
	int64_t now = now_ms();
	size_t back = 0;
	char names[200] = "";
	size_t used = 0;
	for (size_t i = s->nlease; i-- > 0;) {
		struct lease *l = &s->lease[i];
		if (owner ? l->owner != owner : l->expires > now)
			continue;
		if (l->solo && deliveries(s, l->id) >= DEAD_AFTER) {
			dead_letter(s, l);
			s->lease[i] = s->lease[--s->nlease];
			continue;
		}
		if (owner == NULL)
			mgr_log(s, LD("the lease of task %llu (of %s) ran out: it "
			    "goes back to the queue",
			    "任务 %llu（%s 的）租约到期：它回到队列"), (unsigned long long)l->id,
			    l->owner->peer);
		if (used < sizeof names - 1) {
			char *r = l->item->kind == PV_STR ? NULL :
			    pval_repr_max(l->item, 40);
			int n = snprintf(names + used, sizeof names - used,
			    "%s%s", used ? ", " : "", r ? r : l->item->u.s.s);
			free(r);
			used = n < 0 || used + (size_t)n >= sizeof names ?
			    sizeof names - 1 : used + (size_t)n;
		}
		mq_push_front(&s->q[0], l->item, l->id);
		s->lease[i] = s->lease[--s->nlease];
		back++;
	}
	if (owner != NULL && back > 0)
		mgr_log(s, "%s left holding %zu leased task%s: back to the queue "
		    "(%s)", owner->peer, back, back == 1 ? "" : "s", names);
}

int64_t
lease_next_expiry(const struct server *s)
{
	int64_t t = -1;
	for (size_t i = 0; i < s->nlease; i++)
		if (t < 0 || s->lease[i].expires < t)
			t = s->lease[i].expires;
	return t;
}

/* Ack task id (1 <= id <= q->next_id) for client c with result: 1 the
 * first time, 0 after; -1 (nothing done) when the task was not last leased
 * to c: a client with the key may not ack tasks it never leased, with
 * made-up results. A lease that ran out may still be acked late by the
 * client it was leased to, as long as no one leased it since. */
int
lease_ack(struct server *s, struct client *c, struct mqueue *q, uint64_t id,
    const struct pval *result)
{
	if (id >= s->holder_cap || s->holder[id] != c->serial)
		return id < s->acked_cap && s->acked[id] &&
		    id < s->holder_cap && s->holder[id] != 0 ? 0 : -1;
	if (!mark_done(s, id))
		return 0;
	/* A task is leased (maybe again, to someone else) or back in the
	 * queue after its lease ran out: take it from where it is. */
	int found = 0;
	for (size_t i = 0; i < s->nlease && !found; i++)
		if (s->lease[i].id == id) {
			pval_free(s->lease[i].item);
			s->lease[i] = s->lease[--s->nlease];
			found = 1;
		}
	if (!found)
		mq_remove_id(q, id);
	if (q->unfinished > 0)
		q->unfinished--;	/* ack is task_done too */
	/* The result goes in even when the result queue is full: an ack
	 * never waits (--maxsize bounds what producers put). */
	if (s->mr != NULL)
		mr_acked(s, id, result);	/* the result goes to Redis */
	else
		mq_push(&s->q[1], pval_ref((struct pval *)result));
	return 1;
}

/* ----------------------------------------------------------- parked calls */

static int
by_pseq(const void *a, const void *b)
{
	const struct client *x = *(struct client *const *)a;
	const struct client *y = *(struct client *const *)b;
	return x->pseq < y->pseq ? -1 : x->pseq > y->pseq;
}

/* Answer the parked calls that can go on now (oldest first), and those
 * whose time is up. */
void
mgr_wake(struct server *s)
{
	int64_t now = now_ms();
	int progress = 1;
	size_t n = 0;
	ARRAY_GROW(s->parked, s->parked_cap, s->nc + 1);
	struct client **v = s->parked;
	for (size_t i = 0; i < s->nc; i++)
		if (s->c[i]->park != PARK_NONE)
			v[n++] = s->c[i];
	qsort(v, n, sizeof *v, by_pseq);
	lease_return(s, NULL);		/* those whose time is up */
	while (progress) {
		progress = 0;
		mgr_local_results(s);
		for (size_t i = 0; i < n; i++) {
			struct client *c = v[i];
			struct mqueue *q = c->pq;
			if (c->park == PARK_NONE)
				continue;
			if (c->park == PARK_GET && q->n > 0)
				mgr_reply_return(c, mgr_get_item(s, q));
			else if (c->park == PARK_LEASE && q->n > 0)
				lease_take(s, c, q, c->lease_n, c->lease_ms);
			else if (c->park == PARK_PUT && !mq_full(q)) {
				mq_push(q, c->pitem);
				c->pitem = NULL;
				mgr_reply_return(c, pval_none());
			} else if (c->park == PARK_JOIN && q->unfinished == 0)
				mgr_reply_return(c, pval_none());
			else if (c->deadline >= 0 && c->deadline <= now &&
			    c->park != PARK_JOIN) {
				if (c->park == PARK_GET || c->park == PARK_LEASE)
					mgr_reply_error(c, "_queue", "Empty", NULL);
				else
					mgr_reply_error(c, "queue", "Full", NULL);
				pval_free(c->pitem);
				c->pitem = NULL;
			} else
				continue;
			c->park = PARK_NONE;
			progress = 1;
		}
		if (mgr_local_tasks(s))
			progress = 1;
	}
}
