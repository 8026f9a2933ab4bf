/* manager_call.c — the manager's answers, as CPython 3.11's
 * Server.handle_request (a fresh connection's one request: dummy, create,
 * incref, decref, accept_connection, shutdown, number_of_objects,
 * debug_info) and Server.serve_client (a proxy's calls: the queue.Queue
 * methods, and the lease()/ack() extension) give them: binding the
 * arguments as Python would, parking a call that must wait, and the
 * ('#RETURN' | '#ERROR' | '#TRACEBACK', value) replies. See manager_int.h
 * for how the manager's files divide the work. */
#include "lang.h"
#include "manager_int.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PICKLE_PROTO	4		/* what a 3.8+ Connection.send writes */

/* The methods a queue.Queue proxy exposes, sorted as CPython's
 * public_methods() (dir()) lists them. */
static const char *const exposed[] = {
	"empty", "full", "get", "get_nowait", "join", "put", "put_nowait",
	"qsize", "task_done", NULL
};

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

void
mgr_reply_return(struct client *c, struct pval *v)
{
	reply(c, "#RETURN", v);
}

/* ('#ERROR', cls(msg)): an exception raised by the queue's method. */
void
mgr_reply_error(struct client *c, const char *module, const char *cls,
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
			mgr_reply_return(c, mgr_get_item(s, q));
		else if (!block || ms == 0)
			mgr_reply_error(c, "_queue", "Empty", NULL);
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
		if (s->mr != NULL)
			mr_put(s, c, q, pval_ref(a[0]));
		else if (!mq_full(q)) {
			mq_push(q, pval_ref(a[0]));
			mgr_reply_return(c, pval_none());
		} else if (!block || ms == 0)
			mgr_reply_error(c, "queue", "Full", NULL);
		else
			park(s, c, PARK_PUT, q, pval_ref(a[0]), ms);
	} else {
		if (bind_args(m, NULL, 0, args, kwds, a, &why) < 0)
			goto type_error;
		if (s->mr != NULL && q == &s->q[0] && (strcmp(m, "empty") == 0 ||
		    strcmp(m, "qsize") == 0)) {
			/* What Redis holds, not only this manager's buffer. */
			park(s, c, PARK_DEPTH, q, NULL, -1);
			c->lease_n = m[0] == 'q';
			return;
		}
		if (strcmp(m, "empty") == 0)
			mgr_reply_return(c, pval_bool(q->n == 0));
		else if (strcmp(m, "full") == 0)
			mgr_reply_return(c, pval_bool(mq_full(q)));
		else if (strcmp(m, "qsize") == 0)
			mgr_reply_return(c, pval_int((int64_t)q->n));
		else if (strcmp(m, "task_done") == 0) {
			if (q->unfinished <= 0) {
				mgr_reply_error(c, "builtins", "ValueError",
				    "task_done() called too many times");
				return;
			}
			q->unfinished--;
			mgr_reply_return(c, pval_none());
		} else if (strcmp(m, "join") == 0) {
			if (q->unfinished == 0)
				mgr_reply_return(c, pval_none());
			else
				park(s, c, PARK_JOIN, q, NULL, -1);
		}
	}
	return;
type_error:
	mgr_reply_error(c, "builtins", "TypeError", why);
	free(why);
	return;
value_error:
	mgr_reply_error(c, "builtins", "ValueError", why);
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
			mgr_reply_error(c, "builtins", "ValueError",
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
				mgr_reply_error(c, "builtins", "ValueError",
				    "lease: acks must be (task_id, result) pairs");
				return;
			}
			if (lease_ack(s, c, q, (uint64_t)id,
			    pval_item(p, 1)) < 0)
				mgr_log(s, LD("%s: ack of task %lld refused: it was "
				    "not leased to this client",
				    "%s：拒绝确认任务 %lld：它没有租给这个客户端"), c->peer,
				    (long long)id);
		}
		if (q->n > 0)
			lease_take(s, c, q, (long)n, lease_ms);
		else if (ms == 0)
			mgr_reply_error(c, "_queue", "Empty", NULL);
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
		mgr_reply_error(c, "builtins", "ValueError",
		    why ? why : "ack(task_id, result): no such task");
		free(why);
		return;
	}
	int rc = lease_ack(s, c, q, (uint64_t)id, a[1]);
	if (rc < 0) {
		char msg[96];
		snprintf(msg, sizeof msg, "ack: task %lld was not leased to this "
		    "client", (long long)id);
		mgr_reply_error(c, "builtins", "ValueError", msg);
		return;
	}
	mgr_reply_return(c, pval_bool(rc));
}

/* ---------------------------------------------------- requests and calls */

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
		mgr_reply_return(c, pval_str(r));
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
		mgr_reply_return(c, pval_none());
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
		mgr_reply_return(c, pval_tuple(2, pval_str(q->ident),
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
		mgr_reply_return(c, pval_none());
	} else if (strcmp(m, "accept_connection") == 0 && na == 1) {
		mgr_reply_return(c, pval_none());
		c->state = C_SERVING;
	} else if (strcmp(m, "shutdown") == 0 && na == 0) {
		mgr_log(s, LD("shutdown requested by %s",
		    "%s 请求关闭"), c->peer);
		mgr_reply_return(c, pval_none());
		s->stop = 1;
	} else if (strcmp(m, "number_of_objects") == 0 && na == 0) {
		mgr_reply_return(c, pval_int((s->q[0].refs > 0) + (s->q[1].refs > 0)));
	} else if (strcmp(m, "debug_info") == 0 && na == 0) {
		char *r = xasprintf("  %s:       refcount=%ld\n    %s\n"
		    "  %s:       refcount=%ld\n    %s\n",
		    s->q[0].ident, s->q[0].refs, "<queue.Queue>",
		    s->q[1].ident, s->q[1].refs, "<queue.Queue>");
		mgr_reply_return(c, pval_str(r));
		free(r);
	} else {
		reply_traceback(c, "AssertionError: '%s' unrecognized", m);
	}
}

/* Decode and answer one frame of an authenticated client. */
void
mgr_on_frame(struct server *s, struct client *c, const struct wire_frame *f)
{
	char *cause = NULL;
	struct pval *req = pickle_loads(f->data, f->len, NULL, NULL, &cause);
	if (req == NULL) {
		mgr_log(s, LD("dropped %s: bad request: %s",
		    "丢弃了 %s：错误的请求：%s"), c->peer, cause);
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
		mgr_log(s, LD("dropped %s: not a request: %s",
		    "丢弃了 %s：不是请求：%s"), c->peer, r);
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
