/* worker.c — the notes' task process in C, a client of a managers server
 * that does what CPython's BaseManager client does, call for call: connect()
 * sends dummy; each registered typeid is got with create, the proxy's incref
 * and the temporary reference's decref (each on a connection of its own);
 * a proxy's calls go on its own connection opened with accept_connection;
 * and at the end the proxies' finalizers send decref. */
#include "lang.h"
#include "worker.h"
#include "pickle.h"
#include "wire.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PICKLE_PROTO	4
#define CALL_MS		30000	/* any call but a waiting get */
#define TEXT_MAX	1000	/* bytes of a task that is not a str, as text */
#define FINAL_MS	3000	/* the finalizers' decref at the end: a
				   courtesy that must not hold the exit */

/* Connect and authenticate as multiprocessing.connection.Client does,
 * the handshake within ms. */
static int
dial(const struct worker_opts *o, struct wire_conn *c, int ms, char **cause)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM }, *res, *ai;
	int rc = getaddrinfo(o->host, o->port, &hints, &res), fd = -1, err = 0;
	if (rc != 0) {
		*cause = xasprintf("%s:%s: %s", o->host, o->port,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		*cause = xasprintf(LD("cannot connect to %s:%s: %s",
		    "无法连接到 %s:%s：%s"), o->host,
		    o->port, strerror(err));
		return -1;
	}
	wire_conn_init(c, fd, 0);
	char *why = NULL;
	if (wire_conn_client_auth(c, o->authkey, strlen(o->authkey),
	    WIRE_DIGEST_MD5, ms, &why) != WIRE_OK) {
		*cause = xasprintf("%s:%s: %s", o->host, o->port,
		    why ? why : LD("handshake timed out",
		    "握手超时"));
		free(why);
		wire_conn_free(c);
		close(fd);
		return -1;
	}
	return 0;
}

static void
hang_up(struct wire_conn *c)
{
	int fd = c->fd;
	wire_conn_free(c);
	close(fd);
}

/* Send (id, method, args, kwds) and read the reply (kind, value). Takes over
 * id, args and kwds. Returns the reply (a 2-tuple whose first item is a str)
 * or NULL with *cause. */
static int peer_closed;	/* the last call failed: the server hung up */

static struct pval *
call(struct wire_conn *c, struct pval *id, const char *method,
    struct pval *args, struct pval *kwds, int timeout_ms, char **cause)
{
	peer_closed = 0;
	struct pval *req = pval_tuple(4, id, pval_str(method), args,
	    kwds ? kwds : pval_dict());
	unsigned char *buf;
	size_t len;
	char *why = NULL;
	int rc;
	if (pickle_dumps(req, PICKLE_PROTO, &buf, &len, &why) != 0) {
		pval_free(req);
		*cause = xasprintf("%s: %s", method, why);
		free(why);
		return NULL;
	}
	pval_free(req);
	rc = wire_conn_send(c, buf, len, CALL_MS, &why);
	free(buf);
	struct wire_frame f;
	if (rc == WIRE_OK)
		rc = wire_conn_recv(c, &f, timeout_ms, &why);
	if (rc != WIRE_OK) {
		peer_closed = rc == WIRE_EOF;
		*cause = xasprintf("%s: %s", method, rc == WIRE_TIMEOUT ?
		    LD("no answer in time",
		    "没有及时应答") : rc == WIRE_EOF ?
		    LD("the server closed the connection",
		    "服务器关闭了连接") : why);
		free(why);
		return NULL;
	}
	struct pval *rep = pickle_loads(f.data, f.len, NULL, NULL, &why);
	if (rep == NULL) {
		*cause = xasprintf("%s: %s", method, why);
		free(why);
		return NULL;
	}
	if (rep->kind != PV_TUPLE || pval_len(rep) != 2 ||
	    pval_item(rep, 0)->kind != PV_STR) {
		char *r = pval_repr_max(rep, 100);
		*cause = xasprintf("%s: not a reply: %s", method, r);
		free(r);
		pval_free(rep);
		return NULL;
	}
	return rep;
}

/* The value of a ('#RETURN', value) reply (a new reference); anything else
 * is an error, in *cause. Frees rep. */
static struct pval *
returned(struct pval *rep, const char *method, char **cause)
{
	if (rep == NULL)
		return NULL;
	struct pval *v = pval_item(rep, 1);
	if (pval_is_str(pval_item(rep, 0), "#RETURN")) {
		pval_ref(v);
		pval_free(rep);
		return v;
	}
	char *r = v->kind == PV_STR ? xstrdup(v->u.s.s) : pval_repr_max(v, 300);
	*cause = xasprintf(LD("%s: the server answered %s %s",
	    "%s：服务器应答 %s %s"), method,
	    pval_item(rep, 0)->u.s.s, r);
	free(r);
	pval_free(rep);
	return NULL;
}

/* One request on a connection of its own, as managers.dispatch does for
 * the manager's own calls, each step within ms. Takes over args. */
static struct pval *
dispatch(const struct worker_opts *o, const char *method, struct pval *args,
    int ms, char **cause)
{
	struct wire_conn c;
	if (dial(o, &c, ms, cause) < 0) {
		pval_free(args);
		return NULL;
	}
	struct pval *v = returned(call(&c, pval_none(), method, args, NULL,
	    ms, cause), method, cause);
	hang_up(&c);
	return v;
}

struct proxy {
	char		*ident;
	struct wire_conn c;
	int		 open;
};

/* manager.get_task_queue(): create, the proxy's incref, the temporary
 * reference's decref, then the proxy's own connection. */
static int
proxy_get(const struct worker_opts *o, const char *typeid, struct proxy *p,
    char **cause)
{
	struct pval *v = dispatch(o, "create", pval_tuple(1, pval_str(typeid)),
	    CALL_MS, cause);
	if (v == NULL)
		return -1;
	struct pval *ident = pval_item(v, 0);
	if (v->kind != PV_TUPLE || pval_len(v) != 2 || ident->kind != PV_STR) {
		char *r = pval_repr_max(v, 100);
		*cause = xasprintf(LD("create %s: unexpected answer %s",
		    "create %s：意外的应答 %s"), typeid, r);
		free(r);
		pval_free(v);
		return -1;
	}
	p->ident = xstrdup(ident->u.s.s);
	pval_free(v);
	if ((v = dispatch(o, "incref", pval_tuple(1, pval_str(p->ident)),
	    CALL_MS, cause)) == NULL)
		return -1;
	pval_free(v);
	if ((v = dispatch(o, "decref", pval_tuple(1, pval_str(p->ident)),
	    CALL_MS, cause)) == NULL)
		return -1;
	pval_free(v);
	if (dial(o, &p->c, CALL_MS, cause) < 0)
		return -1;
	p->open = 1;
	v = returned(call(&p->c, pval_none(), "accept_connection",
	    pval_tuple(1, pval_str("MainThread")), NULL, CALL_MS, cause),
	    "accept_connection", cause);
	if (v == NULL)
		return -1;
	pval_free(v);
	return 0;
}

/* The proxy's finalizer: close its connection, decref its object. */
static void
proxy_close(const struct worker_opts *o, struct proxy *p)
{
	if (p->open)
		hang_up(&p->c);
	p->open = 0;
	if (p->ident != NULL) {
		char *cause = NULL;
		pval_free(dispatch(o, "decref",
		    pval_tuple(1, pval_str(p->ident)), FINAL_MS, &cause));
		free(cause);
	}
	free(p->ident);
	p->ident = NULL;
}

/* The "download": print, then sleep pace_ms. */
static void
download(const struct worker_opts *o, FILE *out, const char *name)
{
	fprintf(out, "download image %s\n", name);
	fflush(out);
	if (o->pace_ms > 0) {
		struct timespec ts = { o->pace_ms / 1000,
		    (o->pace_ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

static char *
text_of(const struct pval *v)
{
	return v->kind == PV_STR ? xstrdup(v->u.s.s) : pval_repr_max(v, TEXT_MAX);
}

/* The lease loop (systour manager): lease up to o->batch tasks, do each,
 * and ack them all with their results in the next lease call (one round
 * trip per batch; a worker that dies before it sends them has its tasks
 * done again elsewhere, and the manager counts each result once).
 * 0: done (queue.Empty, or the server went away
 * between tasks), 1: failed, 2: the server has no leases (a CPython
 * BaseManager): use get. */
static int
lease_loop(const struct worker_opts *o, FILE *out, struct proxy *task,
    char **cause)
{
	struct pval *acks = NULL;	/* the last batch's, sent with the next */
	for (int first = 1;; first = 0) {
		struct pval *kw = pval_dict();
		if (acks != NULL)
			pval_dict_set(kw, pval_str("acks"), acks);
		acks = pval_list();
		pval_dict_set(kw, pval_str("n"), pval_int(o->batch));
		pval_dict_set(kw, pval_str("timeout"), pval_float(o->timeout));
		pval_dict_set(kw, pval_str("lease"), pval_float(o->lease));
		struct pval *rep = call(&task->c, pval_str(task->ident),
		    "lease", pval_tuple(0), kw,
		    (int)(o->timeout * 1000) + CALL_MS, cause);
		if (rep == NULL && peer_closed) {
			fprintf(out, "work exit (%s)\n", *cause);
			free(*cause);
			*cause = NULL;
			pval_free(acks);
			return 0;
		}
		if (rep == NULL) {
			pval_free(acks);
			return 1;
		}
		struct pval *val = pval_item(rep, 1);
		if (first && pval_is_str(pval_item(rep, 0), "#TRACEBACK")) {
			pval_free(rep);
			pval_free(acks);
			return 2;
		}
		if (pval_is_str(pval_item(rep, 0), "#ERROR") &&
		    pval_is_instance(val, "_queue", "Empty")) {
			pval_free(rep);
			pval_free(acks);
			fprintf(out, "work exit\n");
			return 0;
		}
		struct pval *list = returned(rep, "lease", cause);
		if (list == NULL) {
			pval_free(acks);
			return 1;
		}
		for (size_t i = 0; i < pval_len(list); i++) {
			struct pval *t = pval_item(list, i);
			if (t->kind != PV_TUPLE || pval_len(t) != 2) {
				*cause = xasprintf(LD("lease: not a (task_id, "
				    "item) pair",
				    "lease：不是 (task_id, item) 对"));
				pval_free(list);
				pval_free(acks);
				return 1;
			}
			char *name = text_of(pval_item(t, 1));
			download(o, out, name);
			char *res = xasprintf("success %s", name);
			free(name);
			pval_append(acks, pval_tuple(2,
			    pval_ref(pval_item(t, 0)), pval_str(res)));
			free(res);
		}
		pval_free(list);
	}
}

int
worker_run(const struct worker_opts *o, char **cause)
{
	struct proxy task = { 0 }, result = { 0 };
	FILE *out = o->out ? o->out : stdout;
	int ret = 1;
	struct pval *v = dispatch(o, "dummy", pval_tuple(0), CALL_MS, cause);
	if (v == NULL)
		return 1;
	pval_free(v);
	if (proxy_get(o, "get_task_queue", &task, cause) < 0 ||
	    proxy_get(o, "get_result_queue", &result, cause) < 0)
		goto out;

	if (o->batch > 0) {
		int rc = lease_loop(o, out, &task, cause);
		if (rc != 2) {
			ret = rc;
			goto out;
		}
		/* A CPython server: the notes' loop, with get. */
	}
	for (;;) {
		struct pval *kw = pval_dict();
		pval_dict_set(kw, pval_str("timeout"), pval_float(o->timeout));
		struct pval *rep = call(&task.c, pval_str(task.ident), "get",
		    pval_tuple(0), kw, (int)(o->timeout * 1000) + CALL_MS,
		    cause);
		if (rep == NULL && peer_closed) {
			/* The notes' server shuts down once every result is
			 * in: its worker's work is over too. */
			fprintf(out, "work exit (%s)\n", *cause);
			free(*cause);
			*cause = NULL;
			ret = 0;
			goto out;
		}
		if (rep == NULL)
			goto out;
		struct pval *val = pval_item(rep, 1);
		if (pval_is_str(pval_item(rep, 0), "#ERROR") &&
		    pval_is_instance(val, "_queue", "Empty")) {
			pval_free(rep);
			break;		/* nothing came in time: done */
		}
		if ((v = returned(rep, "get", cause)) == NULL)
			goto out;
		char *name = text_of(v);
		pval_free(v);
		download(o, out, name);
		char *res = xasprintf("success %s", name);
		free(name);
		v = returned(call(&result.c, pval_str(result.ident), "put",
		    pval_tuple(1, pval_str(res)), NULL, CALL_MS, cause),
		    "put", cause);
		free(res);
		if (v == NULL)
			goto out;
		pval_free(v);
	}
	fprintf(out, "work exit\n");
	ret = 0;
out:
	fflush(out);
	proxy_close(o, &task);
	proxy_close(o, &result);
	return ret;
}
