/* manager.c — the notes' service process: two shared queues behind CPython's
 * multiprocessing.managers protocol, served from one poll() loop. See
 * manager.h for the contract; the replies follow CPython 3.11's
 * Server.handle_request and Server.serve_client. */
#include "manager.h"
#include "pickle.h"
#include "wire.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PICKLE_PROTO	4		/* what a 3.8+ Connection.send writes */
#define OUT_HIGH	(4u << 20)	/* stop reading a client past this */
#define CLOSE_GRACE_MS	5000		/* to flush a last reply */
#define DONE_GRACE_MS	5000		/* --tasks: clients may linger this long */
#define MAX_CLIENTS	1000
#define AUTH_MS		10000		/* a handshake must end within this */
#define MIN_PUBLIC_KEY	8		/* key bytes off loopback */
#define DEPTH_MS	100		/* --depth: at most one line this often */
#define DEPTH_BAR	10		/* --depth: cells of the bar */

/* ---------------------------------------------------------------- queues */

/* One shared queue.Queue: items in FIFO order, its ident (as CPython's
 * '%x' % id(obj)) and its proxies' reference count. */
struct mqueue {
	const char	 *typeid;
	char		  ident[32];
	struct pval	**v;
	uint64_t	 *id;		/* each item's task id (for leases) */
	size_t		  head, n, cap;
	uint64_t	  next_id;
	long		  maxsize;
	long		  unfinished;	/* puts not yet task_done() */
	long		  refs;
};

/* The methods a queue.Queue proxy exposes, sorted as CPython's
 * public_methods() (dir()) lists them. */
static const char *const exposed[] = {
	"empty", "full", "get", "get_nowait", "join", "put", "put_nowait",
	"qsize", "task_done", NULL
};

static int
mq_full(const struct mqueue *q)
{
	return q->maxsize > 0 && (long)q->n >= q->maxsize;
}

/* Room for one more item at the end (and the front: head > 0 after). */
static void
mq_room(struct mqueue *q)
{
	if (q->n * 2 + 2 >= q->cap) {	/* room: a quarter at each end */
		q->cap = q->cap ? q->cap * 2 : 16;
		q->v = realloc(q->v, q->cap * sizeof *q->v);
		q->id = realloc(q->id, q->cap * sizeof *q->id);
		if (q->v == NULL || q->id == NULL)
			abort();
	}
	if (q->head + q->n + 1 > q->cap || q->head == 0) {
		/* Centre the items: room at both ends. */
		size_t h = (q->cap - q->n) / 2;
		memmove(q->v + h, q->v + q->head, q->n * sizeof *q->v);
		memmove(q->id + h, q->id + q->head, q->n * sizeof *q->id);
		q->head = h;
	}
}

/* Takes over the reference to item; it gets a new task id. */
static void
mq_push(struct mqueue *q, struct pval *item)
{
	mq_room(q);
	q->v[q->head + q->n] = item;
	q->id[q->head + q->n++] = ++q->next_id;
	q->unfinished++;
}

/* Put a leased item back, first in line, with its id (no new unfinished
 * task: it never was done). */
static void
mq_push_front(struct mqueue *q, struct pval *item, uint64_t id)
{
	mq_room(q);
	q->head--;
	q->v[q->head] = item;
	q->id[q->head] = id;
	q->n++;
}

/* The oldest item (the caller's reference) and its id; the queue must not
 * be empty. */
static struct pval *
mq_pop_id(struct mqueue *q, uint64_t *id)
{
	if (id)
		*id = q->id[q->head];
	struct pval *item = q->v[q->head++];
	if (--q->n == 0)
		q->head = 0;
	return item;
}

static struct pval *
mq_pop(struct mqueue *q)
{
	return mq_pop_id(q, NULL);
}

/* Take out the item with task id, if it is in the queue. */
static void
mq_remove_id(struct mqueue *q, uint64_t id)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->id[q->head + i] == id) {
			pval_free(q->v[q->head + i]);
			memmove(q->v + q->head + i, q->v + q->head + i + 1,
			    (q->n - i - 1) * sizeof *q->v);
			memmove(q->id + q->head + i, q->id + q->head + i + 1,
			    (q->n - i - 1) * sizeof *q->id);
			q->n--;
			return;
		}
}

static void
mq_free(struct mqueue *q)
{
	while (q->n > 0)
		pval_free(mq_pop(q));
	free(q->v);
	free(q->id);
}

/* --------------------------------------------------------------- clients */

enum cstate {
	C_AUTH,		/* in the handshake */
	C_REQUEST,	/* authenticated: one request, as handle_request */
	C_SERVING,	/* after accept_connection: a proxy's calls */
	C_CLOSING	/* flush what is queued, then close */
};

enum park { PARK_NONE, PARK_GET, PARK_PUT, PARK_JOIN, PARK_LEASE };

struct client {
	int			 fd;
	enum cstate		 state;
	char			 peer[64];
	struct wire_reader	 rd;
	struct wire_writer	 wr;
	struct wire_auth	 auth;
	int64_t			 close_by;	/* C_AUTH, C_CLOSING: drop after */
	/* A call that waits: its kind, queue, item (a put), deadline (-1:
	 * none) and its place in line. */
	enum park		 park;
	struct mqueue		*pq;
	struct pval		*pitem;
	int64_t			 deadline;
	uint64_t		 pseq;
	long			 lease_n;	/* PARK_LEASE: how many, */
	int64_t			 lease_ms;	/* for how long */
};

/* A task handed out with lease(): back in the queue when its worker's
 * connection goes or its time is up, unless ack() came first. */
struct lease {
	uint64_t		 id;
	struct pval		*item;
	struct client		*owner;
	int64_t			 expires;
};

struct server {
	const struct manager_opts *o;
	int			 lfd;
	int			 sigfd[2];
	struct client		**c;
	size_t			 nc;
	struct mqueue		 q[2];	/* get_task_queue, get_result_queue */
	uint64_t		 pseq;
	long			 next_task, results;
	int64_t			 done_at;	/* --tasks: when all were in */
	struct lease		*lease;
	size_t			 nlease, lease_cap;
	unsigned char		*acked;		/* by task id: 1 once acked or got */
	size_t			 acked_cap;
	int			 stop;
	/* --depth: what the last line said, when, and the largest total */
	long			 depth_last[4];
	int64_t			 depth_at;
	long			 depth_peak;
};

static void
logf_(struct server *s, const char *fmt, ...)
{
	va_list ap;
	if (s->o->log == NULL)
		return;
	fputs("systour manager: ", s->o->log);
	va_start(ap, fmt);
	vfprintf(s->o->log, fmt, ap);
	va_end(ap);
	fputc('\n', s->o->log);
	fflush(s->o->log);
}

static void
outf(struct server *s, const char *fmt, ...)
{
	va_list ap;
	if (s->o->out == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(s->o->out, fmt, ap);
	va_end(ap);
	fflush(s->o->out);
}

/* ------------------------------------------------------------- replying */

/* Queue (kind, v) on the client's writer; takes over v. */
static void
reply(struct client *c, const char *kind, struct pval *v)
{
	struct pval *t = pval_tuple(2, pval_str(kind), v);
	unsigned char *buf;
	size_t len;
	char *cause = NULL;
	if (pickle_dumps(t, PICKLE_PROTO, &buf, &len, &cause) != 0) {
		pval_free(t);
		t = pval_tuple(2, pval_str("#TRACEBACK"), pval_str(cause));
		free(cause);
		cause = NULL;
		if (pickle_dumps(t, PICKLE_PROTO, &buf, &len, &cause) != 0)
			abort();	/* a tuple of two strs always encodes */
	}
	wire_writer_frame(&c->wr, buf, len);
	free(buf);
	pval_free(t);
}

static void
reply_return(struct client *c, struct pval *v)
{
	reply(c, "#RETURN", v);
}

/* ('#ERROR', cls(msg)): an exception raised by the queue's method. */
static void
reply_error(struct client *c, const char *module, const char *cls,
    const char *msg)
{
	struct pval *args = msg ? pval_tuple(1, pval_str(msg)) : NULL;
	struct pval *e = pval_instance(module, cls, args);
	if (e == NULL)
		e = pval_instance("builtins", "Exception",
		    pval_tuple(1, pval_str(cls)));
	reply(c, "#ERROR", e);
}

/* ('#TRACEBACK', text): a failure of the server's own machinery. */
static void
reply_traceback(struct client *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *text = xasprintf("Traceback (most recent call last):\n"
	    "  File \"systour manager\", in serve_client\n%s\n", msg);
	reply(c, "#TRACEBACK", pval_str(text));
	free(text);
	free(msg);
}

/* ------------------------------------------------------------ arguments */

static int
truthy(const struct pval *v)
{
	int64_t n;
	switch (v->kind) {
	case PV_NONE:
		return 0;
	case PV_BOOL:
		return v->u.boolean;
	case PV_INT:
		return pval_get_int(v, &n) != 0 || n != 0;
	case PV_FLOAT:
		return v->u.f != 0.0;
	case PV_STR: case PV_BYTES: case PV_BYTEARRAY: case PV_TUPLE:
	case PV_LIST: case PV_DICT: case PV_SET: case PV_FROZENSET:
		return pval_len(v) != 0;
	default:
		return 1;
	}
}

/* Bind a call's args (a tuple) and kwds (a dict) to the parameters names[]
 * as Python would: out[i] is borrowed, NULL when not given. 0, or -1 with
 * *why (allocated) holding the TypeError's text. */
static int
bind_args(const char *fn, const char *const *names, size_t nnames,
    const struct pval *args, const struct pval *kwds, struct pval **out,
    char **why)
{
	size_t na = pval_len(args);
	for (size_t i = 0; i < nnames; i++)
		out[i] = NULL;
	if (na > nnames) {
		*why = xasprintf("%s() takes %zu positional arguments but %zu "
		    "were given", fn, nnames + 1, na + 1);
		return -1;
	}
	for (size_t i = 0; i < na; i++)
		out[i] = pval_item(args, i);
	for (size_t k = 0; kwds && k < pval_len(kwds); k++) {
		const struct pval *key = pval_item(kwds, k);
		size_t i;
		for (i = 0; i < nnames; i++)
			if (pval_is_str(key, names[i]))
				break;
		if (key->kind != PV_STR || i == nnames) {
			*why = xasprintf("%s() got an unexpected keyword "
			    "argument %s", fn, key->kind == PV_STR ?
			    key->u.s.s : "?");
			return -1;
		}
		if (out[i] != NULL) {
			*why = xasprintf("%s() got multiple values for "
			    "argument '%s'", fn, names[i]);
			return -1;
		}
		out[i] = pval_dict_get(kwds, key);
	}
	return 0;
}

/* A timeout argument in ms: -1 for None. 0, or -1 with *why. */
static int
timeout_ms(const struct pval *v, int64_t *ms, char **why)
{
	double t;
	int64_t n;
	if (v == NULL || v->kind == PV_NONE) {
		*ms = -1;
		return 0;
	}
	if (v->kind == PV_FLOAT)
		t = v->u.f;
	else if ((v->kind == PV_INT || v->kind == PV_BOOL) &&
	    pval_get_int(v, &n) == 0)
		t = (double)n;
	else {
		*why = xasprintf("'%s' object cannot be interpreted as a "
		    "number", pval_type_name(v));
		return -1;
	}
	if (isnan(t) || t < 0) {
		*why = xasprintf("'timeout' must be a non-negative number");
		return -2;
	}
	if (t > 1e9)
		t = 1e9;
	*ms = (int64_t)(t * 1000.0);
	if ((double)*ms < t * 1000.0)
		(*ms)++;	/* round up, without libm */
	return 0;
}

/* ----------------------------------------------------------- the methods */

static struct mqueue *
find_ident(struct server *s, const struct pval *ident)
{
	for (int i = 0; i < 2; i++)
		if (pval_is_str(ident, s->q[i].ident))
			return &s->q[i];
	return NULL;
}

static struct mqueue *
find_typeid(struct server *s, const struct pval *typeid)
{
	for (int i = 0; i < 2; i++)
		if (pval_is_str(typeid, s->q[i].typeid))
			return &s->q[i];
	return NULL;
}

static void
park(struct server *s, struct client *c, enum park kind, struct mqueue *q,
    struct pval *item, int64_t ms)
{
	c->park = kind;
	c->pq = q;
	c->pitem = item;
	c->deadline = ms < 0 ? -1 : now_ms() + ms;
	c->pseq = ++s->pseq;
}

/* Mark task id (of the task queue) done: 1 the first time, 0 after. */
static int
mark_done(struct server *s, uint64_t id)
{
	if (id < s->acked_cap && s->acked[id])
		return 0;
	if (id >= s->acked_cap) {
		size_t cap = s->acked_cap ? s->acked_cap : 1024;
		while (cap <= id)
			cap *= 2;
		s->acked = realloc(s->acked, cap);
		if (s->acked == NULL)
			abort();
		memset(s->acked + s->acked_cap, 0, cap - s->acked_cap);
		s->acked_cap = cap;
	}
	s->acked[id] = 1;
	return 1;
}

/* The oldest item, for a plain get. From the task queue, a get hands the
 * task to a client with at-most-once semantics (CPython's): it leaves the
 * lease bookkeeping, so that the late ack of a lease of it that ran out
 * does not count it a second time beside that client's own put. */
static struct pval *
get_item(struct server *s, struct mqueue *q)
{
	uint64_t id;
	struct pval *item = mq_pop_id(q, &id);
	if (q == &s->q[0])
		mark_done(s, id);
	return item;
}

/* queue.Queue.get / put and friends, for one proxy call. */
static void
queue_call(struct server *s, struct client *c, struct mqueue *q,
    const char *m, const struct pval *args, const struct pval *kwds)
{
	struct pval *a[3];
	char *why = NULL;
	int64_t ms = -1;
	int rc;

	if (strcmp(m, "get") == 0 || strcmp(m, "get_nowait") == 0) {
		static const char *const names[] = { "block", "timeout" };
		int nowait = m[3] == '_';
		if (bind_args(m, names, nowait ? 0 : 2, args, kwds, a, &why) < 0)
			goto type_error;
		int block = !nowait && (a[0] == NULL || truthy(a[0]));
		if (block && (rc = timeout_ms(a[1], &ms, &why)) < 0) {
			if (rc == -2)
				goto value_error;
			goto type_error;
		}
		if (q->n > 0)
			reply_return(c, get_item(s, q));
		else if (!block || ms == 0)
			reply_error(c, "_queue", "Empty", NULL);
		else
			park(s, c, PARK_GET, q, NULL, ms);
	} else if (strcmp(m, "put") == 0 || strcmp(m, "put_nowait") == 0) {
		static const char *const names[] = { "item", "block", "timeout" };
		int nowait = m[3] == '_';
		if (bind_args(m, names, nowait ? 1 : 3, args, kwds, a, &why) < 0)
			goto type_error;
		if (a[0] == NULL) {
			why = xasprintf("%s() missing 1 required positional "
			    "argument: 'item'", m);
			goto type_error;
		}
		int block = !nowait && (a[1] == NULL || truthy(a[1]));
		if (block && (rc = timeout_ms(a[2], &ms, &why)) < 0) {
			if (rc == -2)
				goto value_error;
			goto type_error;
		}
		if (!mq_full(q)) {
			mq_push(q, pval_ref(a[0]));
			reply_return(c, pval_none());
		} else if (!block || ms == 0)
			reply_error(c, "queue", "Full", NULL);
		else
			park(s, c, PARK_PUT, q, pval_ref(a[0]), ms);
	} else {
		if (bind_args(m, NULL, 0, args, kwds, a, &why) < 0)
			goto type_error;
		if (strcmp(m, "empty") == 0)
			reply_return(c, pval_bool(q->n == 0));
		else if (strcmp(m, "full") == 0)
			reply_return(c, pval_bool(mq_full(q)));
		else if (strcmp(m, "qsize") == 0)
			reply_return(c, pval_int((int64_t)q->n));
		else if (strcmp(m, "task_done") == 0) {
			if (q->unfinished <= 0) {
				reply_error(c, "builtins", "ValueError",
				    "task_done() called too many times");
				return;
			}
			q->unfinished--;
			reply_return(c, pval_none());
		} else if (strcmp(m, "join") == 0) {
			if (q->unfinished == 0)
				reply_return(c, pval_none());
			else
				park(s, c, PARK_JOIN, q, NULL, -1);
		}
	}
	return;
type_error:
	reply_error(c, "builtins", "TypeError", why);
	free(why);
	return;
value_error:
	reply_error(c, "builtins", "ValueError", why);
	free(why);
}

/* ------------------------------------------------ leases (an extension) */

/* lease(n=1, timeout=None, lease=30) on the task queue: up to n tasks as a
 * list of (task_id, item), each leased for `lease` seconds; waits (parked)
 * like get and ends in queue.Empty the same way. ack(task_id, result) puts
 * result on the result queue and ends the lease: True the first time a
 * task is acked, False after (a redelivered task is counted once). A task
 * whose lease ends, or whose worker's connection goes, is put back first
 * in line. CPython's clients never call these: its proxies do not list
 * them in exposed. */

static void
lease_take(struct server *s, struct client *c, struct mqueue *q, long n,
    int64_t lease_ms)
{
	struct pval *list = pval_list();
	int64_t now = now_ms();
	while (n-- > 0 && q->n > 0) {
		uint64_t id;
		struct pval *item = mq_pop_id(q, &id);
		if (s->nlease == s->lease_cap) {
			s->lease_cap = s->lease_cap ? s->lease_cap * 2 : 64;
			s->lease = realloc(s->lease, s->lease_cap *
			    sizeof *s->lease);
			if (s->lease == NULL)
				abort();
		}
		s->lease[s->nlease++] = (struct lease){ .id = id,
		    .item = pval_ref(item), .owner = c,
		    .expires = now + lease_ms };
		pval_append(list, pval_tuple(2, pval_int((int64_t)id), item));
	}
	reply_return(c, list);
}

/* Put back the leases of owner (NULL: those whose time is up), saying
 * which tasks went back (the first few). */
static void
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
		if (owner == NULL)
			logf_(s, "the lease of task %llu (of %s) ran out: it "
			    "goes back to the queue", (unsigned long long)l->id,
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
		logf_(s, "%s left holding %zu leased task%s: back to the queue "
		    "(%s)", owner->peer, back, back == 1 ? "" : "s", names);
}

static int64_t
lease_next_expiry(const struct server *s)
{
	int64_t t = -1;
	for (size_t i = 0; i < s->nlease; i++)
		if (t < 0 || s->lease[i].expires < t)
			t = s->lease[i].expires;
	return t;
}

static int ack_one(struct server *s, struct mqueue *q, uint64_t id,
    const struct pval *result);

static void
lease_call(struct server *s, struct client *c, struct mqueue *q,
    const char *m, const struct pval *args, const struct pval *kwds)
{
	struct pval *a[4];
	char *why = NULL;
	int64_t n = 1, ms = -1, lease_ms = 30000;
	if (q != &s->q[0]) {
		reply_traceback(c, "AttributeError: %s is for the task queue", m);
		return;
	}
	if (strcmp(m, "lease") == 0) {
		static const char *const names[] = { "n", "timeout", "lease",
			"acks" };
		if (bind_args(m, names, 4, args, kwds, a, &why) < 0 ||
		    (a[0] && (pval_get_int(a[0], &n) < 0 || n < 1 ||
		    n > 100000)) || timeout_ms(a[1], &ms, &why) < 0 ||
		    (a[2] && (timeout_ms(a[2], &lease_ms, &why) < 0 ||
		    lease_ms < 1))) {
			reply_error(c, "builtins", "ValueError",
			    why ? why : "lease(n, timeout, lease): bad arguments");
			free(why);
			return;
		}
		/* acks: the last batch's (task_id, result) pairs, so that a
		 * worker needs one round trip per batch. */
		for (size_t i = 0; a[3] && i < pval_len(a[3]); i++) {
			const struct pval *p = pval_item(a[3], i);
			int64_t id;
			if ((a[3]->kind != PV_LIST && a[3]->kind != PV_TUPLE) ||
			    p->kind != PV_TUPLE || pval_len(p) != 2 ||
			    pval_get_int(pval_item(p, 0), &id) < 0 || id < 1 ||
			    (uint64_t)id > q->next_id) {
				reply_error(c, "builtins", "ValueError",
				    "lease: acks must be (task_id, result) pairs");
				return;
			}
			ack_one(s, q, (uint64_t)id, pval_item(p, 1));
		}
		if (q->n > 0)
			lease_take(s, c, q, (long)n, lease_ms);
		else if (ms == 0)
			reply_error(c, "_queue", "Empty", NULL);
		else {
			park(s, c, PARK_LEASE, q, NULL, ms);
			c->lease_n = (long)n;
			c->lease_ms = lease_ms;
		}
		return;
	}
	/* ack(task_id, result) */
	static const char *const names[] = { "task_id", "result" };
	int64_t id;
	if (bind_args(m, names, 2, args, kwds, a, &why) < 0 || a[0] == NULL ||
	    a[1] == NULL || pval_get_int(a[0], &id) < 0 || id < 1 ||
	    (uint64_t)id > q->next_id) {
		reply_error(c, "builtins", "ValueError",
		    why ? why : "ack(task_id, result): no such task");
		free(why);
		return;
	}
	reply_return(c, pval_bool(ack_one(s, q, (uint64_t)id, a[1])));
}

/* Ack task id (1 <= id <= q->next_id) with result: 1 the first time, 0
 * after. */
static int
ack_one(struct server *s, struct mqueue *q, uint64_t id,
    const struct pval *result)
{
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
	mq_push(&s->q[1], pval_ref((struct pval *)result));
	return 1;
}

/* One call on a proxy's connection, as Server.serve_client answers it. */
static void
serve_call(struct server *s, struct client *c, const struct pval *ident,
    const char *m, const struct pval *args, const struct pval *kwds)
{
	struct mqueue *q = find_ident(s, ident);
	if (q == NULL) {
		char *r = pval_repr_max(ident, 80);
		reply_traceback(c, "KeyError: %s", r);
		free(r);
		return;
	}
	int ok = 0;
	for (int i = 0; exposed[i]; i++)
		if (strcmp(m, exposed[i]) == 0)
			ok = 1;
	if (ok) {
		queue_call(s, c, q, m, args, kwds);
		return;
	}
	if (strcmp(m, "lease") == 0 || strcmp(m, "ack") == 0) {
		lease_call(s, c, q, m, args, kwds);
		return;
	}
	if (strcmp(m, "__str__") == 0 || strcmp(m, "__repr__") == 0) {
		char *r = xasprintf("<queue.Queue object at 0x%s>", q->ident);
		reply_return(c, pval_str(r));
		free(r);
		return;
	}
	reply_traceback(c, "AttributeError: method '%s' of 'Queue' object is "
	    "not in exposed=%s", m, "('empty', 'full', 'get', 'get_nowait', "
	    "'join', 'put', 'put_nowait', 'qsize', 'task_done')");
}

/* The one request of a fresh connection, as Server.handle_request answers
 * it. */
static void
handle_request(struct server *s, struct client *c, const char *m,
    const struct pval *args, const struct pval *kwds)
{
	struct pval *a0 = pval_item(args, 0);
	size_t na = pval_len(args);
	struct mqueue *q;

	c->state = C_CLOSING;	/* CPython closes after one request */
	c->close_by = now_ms() + CLOSE_GRACE_MS;
	if (strcmp(m, "dummy") == 0 && na == 0) {
		reply_return(c, pval_none());
	} else if (strcmp(m, "create") == 0 && na >= 1) {
		if ((q = find_typeid(s, a0)) == NULL) {
			char *r = pval_repr_max(a0, 80);
			reply_traceback(c, "KeyError: %s", r);
			free(r);
			return;
		}
		if (na > 1 || pval_len(kwds) > 0) {
			reply_traceback(c, "TypeError: %s() takes 0 positional "
			    "arguments but %zu were given", q->typeid, na - 1);
			return;
		}
		struct pval *ex[16];
		size_t n = 0;
		for (; exposed[n]; n++)
			ex[n] = pval_str(exposed[n]);
		q->refs++;
		reply_return(c, pval_tuple(2, pval_str(q->ident),
		    pval_tuplev(n, ex)));
	} else if ((strcmp(m, "incref") == 0 || strcmp(m, "decref") == 0) &&
	    na == 1) {
		if ((q = find_ident(s, a0)) == NULL) {
			char *r = pval_repr_max(a0, 80);
			reply_traceback(c, "KeyError: %s", r);
			free(r);
			return;
		}
		if (m[0] == 'i')
			q->refs++;
		else if (q->refs > 0)
			q->refs--;
		reply_return(c, pval_none());
	} else if (strcmp(m, "accept_connection") == 0 && na == 1) {
		reply_return(c, pval_none());
		c->state = C_SERVING;
	} else if (strcmp(m, "shutdown") == 0 && na == 0) {
		logf_(s, "shutdown requested by %s", c->peer);
		reply_return(c, pval_none());
		s->stop = 1;
	} else if (strcmp(m, "number_of_objects") == 0 && na == 0) {
		reply_return(c, pval_int((s->q[0].refs > 0) + (s->q[1].refs > 0)));
	} else if (strcmp(m, "debug_info") == 0 && na == 0) {
		char *r = xasprintf("  %s:       refcount=%ld\n    %s\n"
		    "  %s:       refcount=%ld\n    %s\n",
		    s->q[0].ident, s->q[0].refs, "<queue.Queue>",
		    s->q[1].ident, s->q[1].refs, "<queue.Queue>");
		reply_return(c, pval_str(r));
		free(r);
	} else {
		reply_traceback(c, "AssertionError: '%s' unrecognized", m);
	}
}

/* Decode and answer one frame of an authenticated client. */
static void
on_frame(struct server *s, struct client *c, const struct wire_frame *f)
{
	char *cause = NULL;
	struct pval *req = pickle_loads(f->data, f->len, NULL, NULL, &cause);
	if (req == NULL) {
		logf_(s, "dropped %s: bad request: %s", c->peer, cause);
		reply_traceback(c, "UnpicklingError: %s", cause);
		free(cause);
		c->state = C_CLOSING;
		c->close_by = now_ms() + CLOSE_GRACE_MS;
		return;
	}
	int ok = req->kind == PV_TUPLE && pval_len(req) == 4;
	const struct pval *m = ok ? pval_item(req, 1) : NULL;
	const struct pval *args = ok ? pval_item(req, 2) : NULL;
	const struct pval *kwds = ok ? pval_item(req, 3) : NULL;
	if (!ok || m->kind != PV_STR || args->kind != PV_TUPLE ||
	    kwds->kind != PV_DICT) {
		char *r = pval_repr_max(req, 80);
		logf_(s, "dropped %s: not a request: %s", c->peer, r);
		reply_traceback(c, "ValueError: not a request: %s", r);
		free(r);
		c->state = C_CLOSING;
		c->close_by = now_ms() + CLOSE_GRACE_MS;
	} else if (c->state == C_REQUEST)
		handle_request(s, c, m->u.s.s, args, kwds);
	else
		serve_call(s, c, pval_item(req, 0), m->u.s.s, args, kwds);
	pval_free(req);
}

/* -------------------------------------------------------- the event loop */

static void
drop(struct server *s, size_t i)
{
	struct client *c = s->c[i];
	lease_return(s, c);
	close(c->fd);
	wire_reader_free(&c->rd);
	wire_writer_free(&c->wr);
	wire_auth_clear(&c->auth);
	pval_free(c->pitem);
	free(c);
	s->c[i] = s->c[--s->nc];
}

static void
accept_clients(struct server *s)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(s->lfd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				logf_(s, "accept: %s", strerror(errno));
			return;
		}
		char host[INET6_ADDRSTRLEN] = "?", port[16] = "?";
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host,
		    port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
		if (s->nc >= MAX_CLIENTS) {
			logf_(s, "refused %s:%s: too many clients", host, port);
			close(fd);
			continue;
		}
		struct client *c = calloc(1, sizeof *c);
		if (c == NULL)
			abort();
		c->fd = fd;
		snprintf(c->peer, sizeof c->peer, ss.ss_family == AF_INET6 ?
		    "[%s]:%s" : "%s:%s", host, port);
		wire_reader_init(&c->rd, WIRE_HANDSHAKE_MAX);
		wire_writer_init(&c->wr);
		wire_auth_init(&c->auth, WIRE_SERVER, s->o->authkey,
		    strlen(s->o->authkey), WIRE_DIGEST_MD5);
		c->state = C_AUTH;
		c->close_by = now_ms() + AUTH_MS;
		c->deadline = -1;
		if (wire_auth_start(&c->auth, &c->wr) != WIRE_AUTH_MORE) {
			logf_(s, "dropped %s: %s", c->peer,
			    wire_auth_error(&c->auth));
			c->state = C_CLOSING;
			c->close_by = now_ms() + CLOSE_GRACE_MS;
		}
		s->c = realloc(s->c, (s->nc + 1) * sizeof *s->c);
		if (s->c == NULL)
			abort();
		s->c[s->nc++] = c;
	}
}

/* Hand out the frames a client has sent, until it waits on a queue or is
 * done. Returns -1 when it must be dropped. */
static int
process(struct server *s, struct client *c)
{
	struct wire_frame f;
	int rc;
	while (c->park == PARK_NONE && c->state != C_CLOSING &&
	    wire_writer_pending(&c->wr) < OUT_HIGH &&
	    (rc = wire_reader_next(&c->rd, &f)) != WIRE_AGAIN) {
		if (rc == WIRE_ERR) {
			logf_(s, "dropped %s: %s", c->peer,
			    wire_reader_error(&c->rd));
			return -1;
		}
		if (c->state == C_AUTH) {
			enum wire_auth_status st = wire_auth_feed(&c->auth,
			    f.data, f.len, &c->wr);
			if (st == WIRE_AUTH_FAILED) {
				logf_(s, "refused %s: %s", c->peer,
				    wire_auth_error(&c->auth));
				c->state = C_CLOSING;
				c->close_by = now_ms() + CLOSE_GRACE_MS;
			} else if (st == WIRE_AUTH_DONE) {
				c->state = C_REQUEST;
				wire_reader_set_max(&c->rd, s->o->max_frame ?
				    s->o->max_frame : WIRE_MAX_FRAME_DEFAULT);
			}
		} else
			on_frame(s, c, &f);
	}
	return 0;
}

/* The local side of --tasks: put the notes' tasks while there is room, and
 * print the results as they come (before any remote get sees them, as the
 * notes' server's own result.get() would be waiting first). */
static void
local_work(struct server *s)
{
	struct mqueue *tq = &s->q[0], *rq = &s->q[1];
	long n = s->o->tasks;
	while (s->next_task < n && !mq_full(tq)) {
		char url[32];
		snprintf(url, sizeof url, "ImageUrl_%ld", s->next_task++);
		outf(s, "url is %s\n", url);
		mq_push(tq, pval_str(url));
		if (s->next_task == n)
			outf(s, "try get result\n");
	}
	while (s->results < n && rq->n > 0) {
		struct pval *v = mq_pop(rq);
		if (v->kind == PV_STR)
			outf(s, "result is %s\n", v->u.s.s);
		else {
			char *r = pval_repr_max(v, 200);
			outf(s, "result is %s\n", r);
			free(r);
		}
		pval_free(v);
		rq->unfinished--;
		if (++s->results == n) {
			s->done_at = now_ms();
			logf_(s, "all %ld results are in", n);
		}
	}
}

/* --depth: one line each time a depth changes, at most one per DEPTH_MS:
 * "depth ██████▒▒░. task 31+4, result 1, taken 4/40": a bar of DEPTH_BAR
 * cells scaled to the largest total seen (█ queued, ▒ leased, ░ in the
 * result queue), the task queue's queued+leased, the result queue, and
 * with --tasks the results taken. Returns the ms until a line held back
 * is due, or -1; force: print it now. */
static int64_t
depth_report(struct server *s, int force)
{
	if (!s->o->depth || s->o->out == NULL)
		return -1;
	long d[4] = { (long)s->q[0].n, (long)s->nlease, (long)s->q[1].n,
	    s->results };
	if (s->depth_at > 0 && memcmp(d, s->depth_last, sizeof d) == 0)
		return -1;
	int64_t now = now_ms();
	if (!force && s->depth_at > 0 && now - s->depth_at < DEPTH_MS)
		return s->depth_at + DEPTH_MS - now;
	long total = d[0] + d[1] + d[2];
	if (total > s->depth_peak)
		s->depth_peak = total;
	long scale = s->depth_peak > DEPTH_BAR ? s->depth_peak : DEPTH_BAR;
	char bar[DEPTH_BAR * 3 + 1], *b = bar;
	static const char *const cell[3] = { "█", "▒", "░" };
	int used = 0;
	for (int k = 0; k < 3; k++) {
		long n = (d[k] * DEPTH_BAR + scale / 2) / scale;
		if (n == 0 && d[k] > 0)
			n = 1;	/* one task still shows */
		for (; n > 0 && used < DEPTH_BAR; n--, used++, b += 3)
			memcpy(b, cell[k], 3);
	}
	for (; used < DEPTH_BAR; used++)
		*b++ = '.';
	*b = '\0';
	char taken[48] = "";
	if (s->o->tasks > 0)
		snprintf(taken, sizeof taken, ", taken %ld/%ld", d[3],
		    s->o->tasks);
	outf(s, "depth %s task %ld+%ld, result %ld%s\n", bar, d[0], d[1], d[2],
	    taken);
	memcpy(s->depth_last, d, sizeof d);
	s->depth_at = now;
	return -1;
}

static int
by_pseq(const void *a, const void *b)
{
	const struct client *x = *(struct client *const *)a;
	const struct client *y = *(struct client *const *)b;
	return x->pseq < y->pseq ? -1 : x->pseq > y->pseq;
}

/* Answer the parked calls that can go on now (oldest first), and those
 * whose time is up. */
static void
wake(struct server *s)
{
	int64_t now = now_ms();
	int progress = 1;
	struct client **v = malloc((s->nc + 1) * sizeof *v);
	size_t n = 0;
	if (v == NULL)
		abort();
	for (size_t i = 0; i < s->nc; i++)
		if (s->c[i]->park != PARK_NONE)
			v[n++] = s->c[i];
	qsort(v, n, sizeof *v, by_pseq);
	lease_return(s, NULL);		/* those whose time is up */
	while (progress) {
		progress = 0;
		local_work(s);
		for (size_t i = 0; i < n; i++) {
			struct client *c = v[i];
			struct mqueue *q = c->pq;
			if (c->park == PARK_NONE)
				continue;
			if (c->park == PARK_GET && q->n > 0)
				reply_return(c, get_item(s, q));
			else if (c->park == PARK_LEASE && q->n > 0)
				lease_take(s, c, q, c->lease_n, c->lease_ms);
			else if (c->park == PARK_PUT && !mq_full(q)) {
				mq_push(q, c->pitem);
				c->pitem = NULL;
				reply_return(c, pval_none());
			} else if (c->park == PARK_JOIN && q->unfinished == 0)
				reply_return(c, pval_none());
			else if (c->deadline >= 0 && c->deadline <= now &&
			    c->park != PARK_JOIN) {
				if (c->park == PARK_GET || c->park == PARK_LEASE)
					reply_error(c, "_queue", "Empty", NULL);
				else
					reply_error(c, "queue", "Full", NULL);
				pval_free(c->pitem);
				c->pitem = NULL;
			} else
				continue;
			c->park = PARK_NONE;
			progress = 1;
		}
	}
	free(v);
}

static volatile sig_atomic_t sig_fd = -1;

static void
on_signal(int sig)
{
	int e = errno;
	unsigned char b = (unsigned char)sig;
	if (sig_fd >= 0 && write(sig_fd, &b, 1) < 0) {
		/* the pipe is full: a signal is already pending */
	}
	errno = e;
}

static int
listen_on(struct server *s, char **cause)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res, *ai;
	int rc = getaddrinfo(s->o->host, s->o->port, &hints, &res);
	if (rc != 0) {
		*cause = xasprintf("%s:%s: %s", s->o->host, s->o->port,
		    gai_strerror(rc));
		return -1;
	}
	int err = 0;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 128) == 0) {
			s->lfd = fd;
			break;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (s->lfd < 0) {
		*cause = xasprintf("cannot listen on %s:%s: %s", s->o->host,
		    s->o->port, strerror(err));
		return -1;
	}
	return 0;
}

int
manager_host_is_loopback(const char *host)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res, *ai;
	if (getaddrinfo(host, "0", &hints, &res) != 0)
		return 0;
	int ok = 1;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *a = (void *)ai->ai_addr;
			if ((ntohl(a->sin_addr.s_addr) >> 24) != 127)
				ok = 0;
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *a = (void *)ai->ai_addr;
			const uint8_t *b = a->sin6_addr.s6_addr;
			if (!IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) &&
			    !(IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && b[12] == 127))
				ok = 0;
		} else
			ok = 0;
	}
	freeaddrinfo(res);
	return ok;
}

int
manager_run(const struct manager_opts *o, char **cause)
{
	struct server s = { .o = o, .lfd = -1, .sigfd = { -1, -1 },
	    .done_at = -1 };
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct pollfd *pfd = NULL;
	int ret = 0;

	/* Off loopback, anyone on the network may try the key. */
	if (!manager_host_is_loopback(o->host)) {
		size_t klen = strlen(o->authkey);
		if (strcmp(o->authkey, "qiye") == 0) {
			*cause = xasprintf("--host %s is not a loopback "
			    "address: choose your own --authkey, not the "
			    "notes' 'qiye'", o->host);
			return 2;
		}
		if (klen < MIN_PUBLIC_KEY) {
			char n[32] = "it is empty";
			if (klen > 0)
				snprintf(n, sizeof n, "it has %zu", klen);
			*cause = xasprintf("--host %s is not a loopback "
			    "address: the --authkey must be %d bytes or more "
			    "(%s)", o->host, MIN_PUBLIC_KEY, n);
			return 2;
		}
	}
	if (listen_on(&s, cause) < 0)
		return 1;
	static const char *const typeids[] = { "get_task_queue",
	    "get_result_queue" };
	for (int i = 0; i < 2; i++) {
		s.q[i].typeid = typeids[i];
		s.q[i].maxsize = o->maxsize;
		snprintf(s.q[i].ident, sizeof s.q[i].ident, "%lx",
		    (unsigned long)(uintptr_t)&s.q[i]);
	}
	if (pipe2(s.sigfd, O_NONBLOCK | O_CLOEXEC) < 0) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		close(s.lfd);
		return 1;
	}
	sig_fd = s.sigfd[1];
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?", port[16] = "?";
	if (getsockname(s.lfd, (struct sockaddr *)&ss, &sl) == 0)
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host,
		    port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
	logf_(&s, "listening on %s:%s", host, port);

	while (!s.stop) {
		int64_t now = now_ms();
		wake(&s);
		for (size_t i = 0; i < s.nc;) {
			if (process(&s, s.c[i]) < 0)
				drop(&s, i);
			else
				i++;
		}
		wake(&s);
		int64_t depth_due = depth_report(&s, 0);
		if (s.done_at >= 0 && (s.nc == 0 ||
		    now - s.done_at > DONE_GRACE_MS))
			break;

		/* What to wait for, and until when. */
		pfd = realloc(pfd, (s.nc + 2) * sizeof *pfd);
		if (pfd == NULL)
			abort();
		pfd[0] = (struct pollfd){ .fd = s.lfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = s.sigfd[0], .events = POLLIN };
		int64_t until = s.done_at >= 0 ? s.done_at + DONE_GRACE_MS : -1;
		int64_t le = lease_next_expiry(&s);
		if (le >= 0 && (until < 0 || le < until))
			until = le;
		if (depth_due >= 0 && (until < 0 || now + depth_due < until))
			until = now + depth_due;
		for (size_t i = 0; i < s.nc; i++) {
			struct client *c = s.c[i];
			short ev = 0;
			if (wire_writer_pending(&c->wr) > 0)
				ev |= POLLOUT;
			if (c->state == C_CLOSING)
				;	/* only flush */
			else if (c->park != PARK_NONE ||
			    wire_writer_pending(&c->wr) >= OUT_HIGH)
				ev |= POLLRDHUP;	/* notice it leaving */
			else
				ev |= POLLIN;
			pfd[i + 2] = (struct pollfd){ .fd = c->fd, .events = ev };
			int64_t d = c->state == C_CLOSING ||
			    c->state == C_AUTH ? c->close_by :
			    c->park != PARK_NONE ? c->deadline : -1;
			if (d >= 0 && (until < 0 || d < until))
				until = d;
		}
		int wait = until < 0 ? -1 : until <= now ? 0 :
		    (int)(until - now > 60000 ? 60000 : until - now);
		if (poll(pfd, s.nc + 2, wait) < 0) {
			if (errno == EINTR)
				continue;
			*cause = xasprintf("poll: %s", strerror(errno));
			ret = 1;
			break;
		}
		if (pfd[1].revents) {
			unsigned char b;
			if (read(s.sigfd[0], &b, 1) == 1) {
				logf_(&s, "%s: shutting down",
				    b == SIGINT ? "interrupted" : "terminated");
				break;
			}
		}
		/* Clients first (their slots match pfd), then new ones. */
		now = now_ms();
		for (size_t i = s.nc; i-- > 0;) {
			struct client *c = s.c[i];
			short re = pfd[i + 2].revents;
			int gone = 0;
			if (re & POLLOUT || (c->state == C_CLOSING &&
			    wire_writer_pending(&c->wr) > 0)) {
				int rc = wire_writer_flush(&c->wr, c->fd);
				if (rc == WIRE_ERR)
					gone = 1;
			}
			if (!gone && re & POLLIN) {
				int rc = wire_reader_read(&c->rd, c->fd);
				if (rc == WIRE_EOF) {
					/* Answer what it sent, then go. */
					process(&s, c);
					if (wire_reader_pending(&c->rd) > 0)
						logf_(&s, "dropped %s: it "
						    "closed in the middle of "
						    "a frame", c->peer);
					gone = 1;
				} else if (rc == WIRE_ERR) {
					logf_(&s, "dropped %s: %s", c->peer,
					    strerror(errno));
					gone = 1;
				}
			} else if (!gone && re & (POLLRDHUP | POLLHUP | POLLERR)) {
				gone = c->state != C_CLOSING ||
				    re & (POLLHUP | POLLERR);
			}
			if (!gone && c->state == C_AUTH && now >= c->close_by) {
				logf_(&s, "dropped %s: no handshake in %d s",
				    c->peer, AUTH_MS / 1000);
				gone = 1;
			}
			if (!gone && c->state == C_CLOSING &&
			    (wire_writer_pending(&c->wr) == 0 ||
			    now >= c->close_by))
				gone = 1;
			if (gone)
				drop(&s, i);
		}
		if (pfd[0].revents & POLLIN)
			accept_clients(&s);
	}

	depth_report(&s, 1);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sig_fd = -1;
	/* A shutdown request's reply goes out before the end. */
	for (size_t i = 0; i < s.nc; i++)
		wire_writer_flush(&s.c[i]->wr, s.c[i]->fd);
	while (s.nc > 0)
		drop(&s, s.nc - 1);
	while (s.nlease > 0)
		pval_free(s.lease[--s.nlease].item);
	free(s.lease);
	free(s.acked);
	free(s.c);
	free(pfd);
	for (int i = 0; i < 2; i++)
		mq_free(&s.q[i]);
	close(s.lfd);
	close(s.sigfd[0]);
	close(s.sigfd[1]);
	return ret;
}
