/* backend_redis.c — the task queue on Redis Streams (queue_backend.h):
 * XADD to put, XREADGROUP in batches to lease, one Lua script per batch of
 * acks (HSETNX the result keyed by the task's stream id, RPUSH it the first
 * time only, XACK), a janitor that moves what was delivered QB_DEAD_AFTER
 * times to the dead letters and claims the rest of what sat pending past
 * the lease with XAUTOCLAIM, and a reconnection with a back-off when Redis
 * goes away. Three connections, all on the loop (redis_loop.c): one for
 * commands that answer at once, one for the blocking XREADGROUP, one for the
 * blocking BLPOP of results, so that neither wait holds up a put or an ack. */
#include "queue_backend.h"
#include "redis_loop.h"
#include "buf.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	2000
#define START_MS	5000	/* to connect and set up (each attempt) */
#define BEAT_MS		2000	/* a PING this often ... */
#define ANSWER_MS	10000	/* ... unanswered this long: Redis is gone */
#define CLAIM_MAX	100	/* entries one janitor pass looks at */

enum { C_CMD, C_LEASE, C_RESULT, NCONN };

struct rb {
	struct qb		 base;
	struct loop		*l;
	struct qb_redis_opts	 o;
	char			*host, *pass;
	int			 port, db;
	char			 k_tasks[128], k_done[128], k_results[128],
				 k_dead[128], k_named[128];
	char			*consumer;
	redisAsyncContext	*c[NCONN];
	int			 up[NCONN];	/* set up (AUTH, SELECT done) */
	int			 ready, ever_ready, fatal, told, transient;
	int			 backoff;
	int64_t			 down_since;
	struct loop_watch	*retry, *janitor, *start, *beat;
	int64_t			 ping_sent;	/* an unanswered PING: since */
	int			 janitor_busy;
};

struct req {
	struct rb	*rb;
	int		 kind;
	void		*fn;
	void		*arg;
	int		 wait_ms;	/* R_RESULT_POP */
};

enum { R_SETUP, R_PUT, R_LEASE, R_ACK, R_JANITOR, R_DEPTH, R_RESULT,
	R_RESULT_POP, R_PING };
#define RESULTS_AT_ONCE	100	/* results one LPOP takes */

static void	 rb_connect(struct rb *rb);
static void	 rb_gone(struct rb *rb, const char *why);

static void
rb_log(struct rb *rb, const char *fmt, ...)
{
	if (rb->o.log == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(rb->o.log, "systour: redis: ");
	vfprintf(rb->o.log, fmt, ap);
	fputc('\n', rb->o.log);
	fflush(rb->o.log);
	va_end(ap);
}

/* ------------------------------------------------------------- encoding */

char *
qb_encode(const struct pval *v, size_t *len)
{
	if (v->kind == PV_STR) {
		*len = v->u.s.len + 1;
		char *s = xmalloc(*len + 1);
		s[0] = 's';
		memcpy(s + 1, v->u.s.s, v->u.s.len);
		s[*len] = '\0';
		return s;
	}
	unsigned char *p;
	size_t n;
	char *why = NULL;
	if (pickle_dumps(v, 4, &p, &n, &why) < 0) {
		/* Too deep to encode: its repr, bounded, stands for it. */
		free(why);
		char *r = pval_repr_max(v, 1000);
		struct pval *sv = pval_str(r);
		free(r);
		char *s = qb_encode(sv, len);
		pval_free(sv);
		return s;
	}
	char *s = xmalloc(n + 2);
	s[0] = 'p';
	memcpy(s + 1, p, n);
	s[n + 1] = '\0';
	*len = n + 1;
	free(p);
	return s;
}

struct pval *
qb_decode(const char *s, size_t len, char **cause)
{
	if (len >= 1 && s[0] == 's')
		return pval_strn(s + 1, len - 1);
	if (len >= 1 && s[0] == 'p')
		return pickle_loads(s + 1, len - 1, NULL, NULL, cause);
	*cause = xasprintf(LD("not a task (neither 's' nor 'p' first)",
	    "不是任务（开头既不是 's' 也不是 'p'）"));
	return NULL;
}

void
qb_tasks_free(struct qb_task *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].id);
		pval_free(t[i].v);
	}
	free(t);
}

/* ------------------------------------------------------------------ URL */

int
qb_redis_parse_url(const char *url, char **host, int *port, char **pass,
    int *db, char **cause)
{
	*host = *pass = NULL;
	*port = 6379;
	*db = 0;
	if (url == NULL || *url == '\0') {
		*cause = xasprintf(LD("no Redis URL "
		    "(redis://HOST[:PORT][/DB])",
		    "没有 Redis URL（redis://HOST[:PORT][/DB]）"));
		return -1;
	}
	if (strncmp(url, "redis://", 8) != 0) {
		*cause = xasprintf(LD("%s: not a Redis URL "
		    "(redis://[:PASSWORD@]"
		    "HOST[:PORT][/DB])",
		    "%s：不是 Redis "
		    "URL（redis://[:PASSWORD@]HOST[:PORT][/DB]）"),
		    url);
		return -1;
	}
	const char *p = url + 8, *at = strrchr(p, '@');
	if (at != NULL) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		const char *pw = colon ? colon + 1 : p;
		*pass = xstrndup(pw, (size_t)(at - pw));
		p = at + 1;
	}
	const char *end = p + strcspn(p, ":/");
	if (end == p) {
		*cause = xasprintf(LD("%s: no host in the URL",
		    "%s：URL 中没有主机"), url);
		goto fail;
	}
	*host = xstrndup(p, (size_t)(end - p));
	char *e;
	if (*end == ':') {
		errno = 0;
		long n = strtol(end + 1, &e, 10);
		if (e == end + 1 || (*e != '\0' && *e != '/') || n < 1 ||
		    n > 65535) {
			*cause = xasprintf(LD("%s: the port is not a number "
			    "from "
			    "1 to 65535", "%s：端口不是 1 到 65535 之间的数"),
			    url);
			goto fail;
		}
		*port = (int)n;
		end = e;
	}
	if (*end == '/' && end[1] != '\0') {
		long n = strtol(end + 1, &e, 10);
		if (*e != '\0' || n < 0 || n > 100000) {
			*cause = xasprintf(LD("%s: the database is not a "
			    "number", "%s：数据库编号不是数字"),
			    url);
			goto fail;
		}
		*db = (int)n;
	} else if (*end != '\0' && strcmp(end, "/") != 0) {
		*cause = xasprintf("%s: not a Redis URL", url);
		goto fail;
	}
	return 0;
fail:
	free(*host);
	free(*pass);
	*host = *pass = NULL;
	return -1;
}

/* ------------------------------------------------------------- replies */

static struct req *
req_new(struct rb *rb, int kind, void *fn, void *arg)
{
	struct req *r = xmalloc(sizeof *r);
	*r = (struct req){ rb, kind, fn, arg, 0 };
	return r;
}

/* The error of a reply, or NULL: a lost connection, or Redis's words. */
static const char *
reply_error(redisAsyncContext *ac, redisReply *r)
{
	if (r == NULL)
		return ac->errstr[0] ? ac->errstr : LD("the connection to "
		    "Redis "
		    "was lost", "与 Redis 的连接断了");
	if (r->type == REDIS_REPLY_ERROR)
		return r->str;
	return NULL;
}

/* Entries [[id, [field, value, ...]], ...] into tasks; deliveries d. */
static struct qb_task *
entries(struct rb *rb, redisReply *list, size_t *n, long d)
{
	struct qb_task *t = xcalloc(list->elements + 1, sizeof *t);
	*n = 0;
	for (size_t i = 0; i < list->elements; i++) {
		redisReply *e = list->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
		    e->element[0]->type != REDIS_REPLY_STRING)
			continue;
		redisReply *f = e->element[1];
		const char *val = NULL;
		size_t vlen = 0;
		char tag = 0;
		for (size_t j = 0; f->type == REDIS_REPLY_ARRAY &&
		    j + 1 < f->elements; j += 2)
			if (f->element[j]->type == REDIS_REPLY_STRING &&
			    f->element[j]->len == 1 &&
			    f->element[j + 1]->type == REDIS_REPLY_STRING) {
				tag = f->element[j]->str[0];
				val = f->element[j + 1]->str;
				vlen = f->element[j + 1]->len;
			}
		struct pval *v = NULL;
		char *why = NULL;
		if (tag == 's')
			v = pval_strn(val, vlen);
		else if (tag == 'p')
			v = pickle_loads(val, vlen, NULL, NULL, &why);
		if (v == NULL) {
			/* Left pending: the janitor will dead-letter it. */
			rb_log(rb, LD("task %s cannot be read (%s): left "
			    "pending",
			    "任务 %s 无法读取（%s）：留在待确认列表中"),
			    e->element[0]->str, why ? why : "no 's' or 'p'");
			free(why);
			continue;
		}
		t[*n].id = xstrdup(e->element[0]->str);
		t[*n].v = v;
		t[*n].deliveries = d;
		(*n)++;
	}
	return t;
}

static void
on_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct req *q = priv;
	struct rb *rb = q->rb;
	redisReply *r = reply;
	const char *err = reply_error(ac, r);
	switch (q->kind) {
	case R_PUT:
	case R_ACK:
		if (q->fn != NULL)
			((qb_done_fn *)q->fn)(q->arg, err ? 0 : r->type ==
		    REDIS_REPLY_INTEGER ? r->integer : 1, err);
		break;
	case R_LEASE: {
		size_t n = 0;
		struct qb_task *t = NULL;
		/* [[stream, [entries]]] or nil (nothing came in time) */
		if (err == NULL && r->type == REDIS_REPLY_ARRAY &&
		    r->elements == 1 && r->element[0]->elements == 2)
			t = entries(rb, r->element[0]->element[1], &n, 1);
		((qb_tasks_fn *)q->fn)(q->arg, t, n, err);
		break;
	}
	case R_RESULT_POP:
		/* LPOP key count: nil when the list is empty; then wait for
		 * one with BLPOP, if asked to (its timeout in q->kind's
		 * place: see rb_result). */
		if (err == NULL && r->type == REDIS_REPLY_NIL &&
		    q->wait_ms > 0 && rb->c[C_RESULT] != NULL) {
			q->kind = R_RESULT;
			redisAsyncCommand(rb->c[C_RESULT], on_reply, q, "BLPOP "
			    "%s %.3f", rb->k_results, q->wait_ms / 1000.0);
			return;
		}
		/* FALLTHROUGH */
	case R_RESULT: {
		struct qb_task *t = NULL;
		size_t n = 0;
		const redisReply *const *v = NULL;
		size_t nv = 0;
		if (err == NULL && r->type == REDIS_REPLY_ARRAY) {
			/* BLPOP: [key, value]; LPOP count: [value, ...] */
			v = (const redisReply *const *)r->element;
			nv = r->elements;
			if (q->kind == R_RESULT && nv == 2) {
				v++;
				nv = 1;
			}
		}
		if (nv > 0)
			t = xcalloc(nv, sizeof *t);
		for (size_t i = 0; i < nv; i++) {
			if (v[i]->type != REDIS_REPLY_STRING)
				continue;
			char *why = NULL;
			t[n].id = xstrdup("");
			t[n].v = qb_decode(v[i]->str, v[i]->len, &why);
			if (t[n].v == NULL) {
				t[n].v = pval_strn(v[i]->str, v[i]->len);
				free(why);
			}
			n++;
		}
		((qb_tasks_fn *)q->fn)(q->arg, t, n, err);
		break;
	}
	case R_DEPTH: {
		struct qb_depth d = { 0 };
		if (err == NULL && (r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 5))
			err = LD("an odd reply to the depth script",
			    "深度脚本的应答不对");
		if (err == NULL) {
			d.queued = r->element[0]->integer;
			d.pending = r->element[1]->integer;
			d.dead = r->element[2]->integer;
			d.done = r->element[3]->integer;
			d.results = r->element[4]->integer;
		}
		((qb_depth_fn *)q->fn)(q->arg, &d, err);
		break;
	}
	case R_JANITOR: {
		rb->janitor_busy = 0;
		/* {dead, entries, deliveries} */
		if (err != NULL || r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 3) {
			if (err && r != NULL)
				rb_log(rb, "janitor: %s", err);
			break;
		}
		if (r->element[0]->integer > 0)
			rb_log(rb, LD("janitor: %lld task%s delivered %d times "
			    "without an ack went to the dead letters (%s)",
			    "janitor：%lld 个任务%.0s投递了 %d "
			    "次仍未确认，已移入死信（%s）"),
			    r->element[0]->integer,
			    r->element[0]->integer == 1 ? "" : "s",
			    QB_DEAD_AFTER, rb->k_dead);
		size_t n = 0;
		struct qb_task *t = entries(rb, r->element[1], &n, 0);
		redisReply *dl = r->element[2];
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j + 1 < dl->elements; j += 2)
				if (strcmp(dl->element[j]->str, t[i].id) == 0)
					t[i].deliveries =
					    dl->element[j + 1]->integer;
		if (n > 0) {
			rb_log(rb, LD("janitor: claimed %zu task%s pending "
			    "past "
			    "the lease (%ld ms), first %s",
			    "janitor：收回了 %zu 个任务%.0s（超过租期 %ld "
			    "毫秒仍未确认），第一个是 "
			    "%s"), n, n == 1 ? "" :
			    "s", rb->o.lease_ms, t[0].id);
			rb->o.claimed(rb->o.arg, t, n, NULL);
		} else
			free(t);
		break;
	}
	case R_SETUP:
		break;
	case R_PING:
		rb->ping_sent = 0;
		break;
	}
	free(q);
}

/* --------------------------------------------------------- connections */

static void
ready_check(struct rb *rb)
{
	for (int i = 0; i < NCONN; i++)
		if (!rb->up[i])
			return;
	if (rb->ready)
		return;
	rb->ready = 1;
	rb->backoff = 0;
	loop_timer_set(rb->start, -1);
	if (rb->ever_ready)
		rb_log(rb, LD("%s:%d: back after %lld ms",
		    "%s:%d：%lld 毫秒后恢复了"), rb->host, rb->port,
		    (long long)(now_ms() - rb->down_since));
	rb->ever_ready = 1;
	loop_timer_set(rb->janitor, 0);
	rb->o.state(rb->o.arg, 1, 0, NULL);
}

static void
on_setup(redisAsyncContext *ac, void *reply, void *priv)
{
	struct rb *rb = priv;
	redisReply *r = reply;
	const char *err = reply_error(ac, r);
	int i;
	for (i = 0; i < NCONN && rb->c[i] != ac; i++)
		;
	if (i == NCONN)
		return;
	if (err != NULL && strncmp(err, "BUSYGROUP", 9) != 0) {
		if (r == NULL)
			return;		/* on_disconnect says it */
		char *why;
		if (strncmp(err, "NOAUTH", 6) == 0)
			why = xasprintf(LD("redis://%s:%d: Redis wants a "
			    "password "
			    "and the URL has none (%s)",
			    "redis://%s:%d：Redis 要求密码，而 URL "
			    "中没有（%s）"),
			    rb->host, rb->port,
			    err);
		else
			why = xasprintf("redis://%s:%d: %s", rb->host,
			    rb->port, err);
		/* Redis loading its data after a restart: wait for it. A
		 * refusal once we were in (a password changed): the same
		 * back-off, said once. At start: the user must fix it. */
		if (strncmp(err, "LOADING", 7) == 0 || rb->ever_ready)
			rb->transient = 1;
		else
			rb->fatal = 1;
		rb_gone(rb, why);
		rb->transient = 0;
		free(why);
		return;
	}
	if (r != NULL && r->type == REDIS_REPLY_STATUS &&
	    strcmp(r->str, "PONG") == 0) {
		rb->up[i] = 1;
		ready_check(rb);
	}
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct rb *rb = ac->data;
	if (status != REDIS_OK) {
		char *why = xasprintf(LD("cannot connect to Redis at %s:%d: "
		    "%s", "无法连接 %s:%d 上的 Redis：%s"),
		    rb->host, rb->port, ac->errstr);
		for (int i = 0; i < NCONN; i++)
			if (rb->c[i] == ac)
				rb->c[i] = NULL;	/* hiredis frees it */
		rb_gone(rb, why);
		free(why);
	}
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct rb *rb = ac->data;
	for (int i = 0; i < NCONN; i++)
		if (rb->c[i] == ac)
			rb->c[i] = NULL;
	if (status != REDIS_OK) {
		char *why = xasprintf(LD("lost the connection to Redis at "
		    "%s:%d: "
		    "%s", "与 %s:%d 上的 Redis 的连接断了：%s"), rb->host,
		    rb->port,
		    ac->errstr[0] ? ac->errstr :
		    "closed");
		rb_gone(rb, why);
		free(why);
	}
}

/* Redis is gone (or refuses us): drop every connection; at start, or on
 * a refusal that will not mend (a password), tell the user it is fatal;
 * else reconnect after a back-off. */
static void
rb_gone(struct rb *rb, const char *why)
{
	int was = rb->ready;
	rb->ready = 0;
	for (int i = 0; i < NCONN; i++) {
		redisAsyncContext *ac = rb->c[i];
		rb->c[i] = NULL;
		rb->up[i] = 0;
		if (ac != NULL) {
			ac->onDisconnect = NULL;
			redisAsyncFree(ac);
		}
	}
	if ((!rb->ever_ready && !rb->transient) || rb->fatal) {
		loop_timer_set(rb->start, -1);
		loop_timer_set(rb->retry, -1);
		if (!rb->told) {
			rb->told = 1;
			rb->o.state(rb->o.arg, 0, 1, why);
		}
		return;
	}
	if (was || (rb->transient && !rb->ever_ready && !rb->down_since)) {
		rb->down_since = now_ms();
		rb_log(rb, LD("%s: reconnecting with a back-off",
		    "%s：正在退避重连"),
		    why);
		rb->o.state(rb->o.arg, 0, 0, why);
	}
	if (!loop_timer_armed(rb->retry)) {
		rb->backoff = rb->backoff == 0 ? BACKOFF_MIN_MS :
		    rb->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
		    rb->backoff * 2;
		loop_timer_set(rb->retry, rb->backoff);
	}
}

static void
on_retry(struct loop *l, void *arg)
{
	struct rb *rb = arg;
	loop_timer_set(rb->start, START_MS);
	rb_connect(rb);
}

/* Connected (or not) and set up within START_MS, or Redis is gone: at
 * start, an error; later, one more reconnection. */
static void
on_start_deadline(struct loop *l, void *arg)
{
	struct rb *rb = arg;
	if (rb->ready || rb->fatal)
		return;
	char *why = xasprintf(LD("redis://%s:%d: no answer in %d s",
	    "redis://%s:%d：%d 秒内没有应答"), rb->host,
	    rb->port, START_MS / 1000);
	rb->transient = rb->ever_ready;
	rb_gone(rb, why);
	rb->transient = 0;
	free(why);
}

/* A Redis that accepts and never answers (stopped, swapping, a network
 * gone quiet) must not hang its users: a PING every BEAT_MS, and a
 * reconnection when one goes unanswered for ANSWER_MS. */
static void
on_beat(struct loop *l, void *arg)
{
	struct rb *rb = arg;
	loop_timer_set(rb->beat, BEAT_MS);
	if (!rb->ready)
		return;
	int64_t now = now_ms();
	if (rb->ping_sent > 0 && now - rb->ping_sent >= ANSWER_MS) {
		char *why = xasprintf(LD("redis://%s:%d: no answer in %d s",
		    "redis://%s:%d：%d 秒内没有应答"),
		    rb->host, rb->port, ANSWER_MS / 1000);
		rb->ping_sent = 0;
		rb->transient = 1;
		rb_gone(rb, why);
		rb->transient = 0;
		free(why);
		return;
	}
	if (rb->ping_sent == 0) {
		rb->ping_sent = now;
		redisAsyncCommand(rb->c[C_CMD], on_reply,
		    req_new(rb, R_PING, NULL, NULL), "PING");
	}
}

static void
rb_connect(struct rb *rb)
{
	for (int i = 0; i < NCONN; i++) {
		if (rb->c[i] != NULL)
			continue;
		redisAsyncContext *ac = redisAsyncConnect(rb->host, rb->port);
		if (ac == NULL || ac->err) {
			char *why = xasprintf(LD("cannot connect to Redis at "
			    "%s:%d: %s", "无法连接 %s:%d 上的 Redis：%s"),
			    rb->host,
			    rb->port, ac ? ac->errstr :
			    LD("out of memory", "内存不足"));
			if (ac)
				redisAsyncFree(ac);
			rb_gone(rb, why);
			free(why);
			return;
		}
		ac->data = rb;
		if (redis_loop_attach(rb->l, ac) != REDIS_OK) {
			redisAsyncFree(ac);
			rb_gone(rb, LD("cannot watch the Redis socket",
			    "无法监视 Redis 的套接字"));
			return;
		}
		rb->c[i] = ac;
		redisAsyncSetConnectCallback(ac, on_connect);
		redisAsyncSetDisconnectCallback(ac, on_disconnect);
		if (rb->pass != NULL)
			redisAsyncCommand(ac, on_setup, rb, "AUTH %s",
			    rb->pass);
		if (rb->db != 0)
			redisAsyncCommand(ac, on_setup, rb, "SELECT %d",
			    rb->db);
		if (i == C_CMD)
			redisAsyncCommand(ac, on_setup, rb, "XGROUP CREATE %s "
			    "workers 0 MKSTREAM", rb->k_tasks);
		redisAsyncCommand(ac, on_setup, rb, "PING");
	}
}

/* ------------------------------------------------------------ the janitor */

/* Dead-letter what was delivered QB_DEAD_AFTER times and sat idle past the
 * lease, then XAUTOCLAIM the rest of what sat idle, for this consumer.
 * KEYS: tasks, dead; ARGV: group, consumer, min idle, dead after, count.
 * Returns {dead, claimed entries, {id, deliveries, ...}}. */
static const char janitor_lua[] =
"local p = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[3], '-', '+', ARGV[5])\n"
"local dead, dl = 0, {}\n"
"for _, e in ipairs(p) do\n"
"  if tonumber(e[4]) >= tonumber(ARGV[4]) then\n"
"    local r = redis.call('XRANGE', KEYS[1], e[1], e[1])\n"
"    local f = {'id', e[1], 'deliveries', tostring(e[4]), 'consumer', e[2]}\n"
"    if #r > 0 then for _, x in ipairs(r[1][2]) do table.insert(f, x) end end\n"
"    redis.call('XADD', KEYS[2], '*', unpack(f))\n"
"    redis.call('XACK', KEYS[1], ARGV[1], e[1])\n"
"    dead = dead + 1\n"
"  else\n"
"    table.insert(dl, e[1]); table.insert(dl, e[4] + 1)\n"
"  end\n"
"end\n"
"local c = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', ARGV[5])\n"
"return {dead, c[2], dl}\n";

static void
on_janitor(struct loop *l, void *arg)
{
	struct rb *rb = arg;
	long every = rb->o.lease_ms / 2;
	if (every < 50)
		every = 50;
	/* A little jitter: several janitors do not all come at once. */
	loop_timer_set(rb->janitor, (int)(every + (getpid() % 7) * every /
	    20));
	if (!rb->ready || rb->janitor_busy || rb->o.claimed == NULL ||
	    (rb->o.want_claims != NULL && !rb->o.want_claims(rb->o.arg)))
		return;
	rb->janitor_busy = 1;
	redisAsyncCommand(rb->c[C_CMD], on_reply,
	    req_new(rb, R_JANITOR, NULL, NULL),
	    "EVAL %s 2 %s %s workers %s %ld %d %d", janitor_lua, rb->k_tasks,
	    rb->k_dead, rb->consumer, rb->o.lease_ms, QB_DEAD_AFTER,
	    CLAIM_MAX);
}

/* --------------------------------------------------------------- the ops */

static const char ack_lua[] =
"local new = 0\n"
"for i = 2, #ARGV, 2 do\n"
"  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then\n"
"    redis.call('RPUSH', KEYS[2], ARGV[i + 1]); new = new + 1\n"
"  end\n"
"  redis.call('XACK', KEYS[3], ARGV[1], ARGV[i])\n"
"end\n"
"return new\n";

static const char depth_lua[] =
"local lag, pending = 0, 0\n"
"for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do\n"
"  local h = {}\n"
"  for i = 1, #g, 2 do h[g[i]] = g[i + 1] end\n"
"  if h['name'] == ARGV[1] then lag = h['lag'] or 0; pending = h['pending'] end\n"
"end\n"
"return {lag, pending, redis.call('XLEN', KEYS[2]), redis.call('HLEN', KEYS[3]), redis.call('LLEN', KEYS[4])}\n";

#define NOT_READY	"Redis is not connected (reconnecting)"

static const char put_once_lua[] =
"if redis.call('HSETNX', KEYS[2], ARGV[1], '1') == 1 then\n"
"  redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3]); return 1\n"
"end\n"
"return 0\n";

static void
rb_put(struct qb *b, const struct pval *v, const char *once, qb_done_fn *fn,
    void *arg)
{
	struct rb *rb = (struct rb *)b;
	if (!rb->ready) {
		if (fn != NULL)
			fn(arg, 0, NOT_READY);
		return;
	}
	size_t len;
	char *s = qb_encode(v, &len);
	const char *tag = s[0] == 's' ? "s" : "p";
	struct req *q = req_new(rb, R_PUT, (void *)fn, arg);
	if (once != NULL) {
		const char *argv[] = { "EVAL", put_once_lua, "2", rb->k_tasks,
		    rb->k_named, once, tag, s + 1 };
		size_t argl[] = { 4, strlen(put_once_lua), 1,
		    strlen(rb->k_tasks), strlen(rb->k_named), strlen(once), 1,
		    len - 1 };
		redisAsyncCommandArgv(rb->c[C_CMD], on_reply, q, 8, argv,
		    argl);
	} else {
		const char *argv[] = { "XADD", rb->k_tasks, "*", tag, s + 1 };
		size_t argl[] = { 4, strlen(rb->k_tasks), 1, 1, len - 1 };
		redisAsyncCommandArgv(rb->c[C_CMD], on_reply, q, 5, argv,
		    argl);
	}
	free(s);
}

static const char put_named_lua[] =
"local n = 0\n"
"for i = 1, #ARGV, 3 do\n"
"  if redis.call('HSETNX', KEYS[2], ARGV[i], '1') == 1 then\n"
"    redis.call('XADD', KEYS[1], '*', ARGV[i + 1], ARGV[i + 2]); n = n + 1\n"
"  end\n"
"end\n"
"return n\n";

static void
rb_put_named(struct qb *b, const struct pval *const *v,
    const char *const *names, size_t n, qb_done_fn *fn, void *arg)
{
	struct rb *rb = (struct rb *)b;
	if (!rb->ready) {
		if (fn != NULL)
			fn(arg, 0, NOT_READY);
		return;
	}
	size_t argc = 5 + 3 * n;
	const char **argv = xcalloc(argc, sizeof *argv);
	size_t *argl = xcalloc(argc, sizeof *argl);
	char **enc = xcalloc(n + 1, sizeof *enc);
	argv[0] = "EVAL";
	argv[1] = put_named_lua;
	argv[2] = "2";
	argv[3] = rb->k_tasks;
	argv[4] = rb->k_named;
	for (size_t i = 0; i < 5; i++)
		argl[i] = strlen(argv[i]);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		enc[i] = qb_encode(v[i], &len);
		argv[5 + 3 * i] = names[i];
		argl[5 + 3 * i] = strlen(names[i]);
		argv[6 + 3 * i] = enc[i][0] == 's' ? "s" : "p";
		argl[6 + 3 * i] = 1;
		argv[7 + 3 * i] = enc[i] + 1;
		argl[7 + 3 * i] = len - 1;
	}
	redisAsyncCommandArgv(rb->c[C_CMD], on_reply,
	    req_new(rb, R_PUT, (void *)fn, arg), (int)argc, argv, argl);
	for (size_t i = 0; i < n; i++)
		free(enc[i]);
	free(enc);
	free(argv);
	free(argl);
}

static void
rb_put_result(struct qb *b, const struct pval *v, qb_done_fn *fn, void *arg)
{
	struct rb *rb = (struct rb *)b;
	if (!rb->ready) {
		if (fn != NULL)
			fn(arg, 0, NOT_READY);
		return;
	}
	size_t len;
	char *s = qb_encode(v, &len);
	const char *argv[] = { "RPUSH", rb->k_results, s };
	size_t argl[] = { 5, strlen(rb->k_results), len };
	redisAsyncCommandArgv(rb->c[C_CMD], on_reply,
	    req_new(rb, R_PUT, (void *)fn, arg), 3, argv, argl);
	free(s);
}

static void
rb_lease(struct qb *b, long n, int wait_ms, qb_tasks_fn *fn, void *arg)
{
	struct rb *rb = (struct rb *)b;
	if (!rb->ready) {
		fn(arg, NULL, 0, NOT_READY);
		return;
	}
	struct req *q = req_new(rb, R_LEASE, (void *)fn, arg);
	if (wait_ms > 0)
		redisAsyncCommand(rb->c[C_LEASE], on_reply, q, "XREADGROUP "
		    "GROUP workers %s COUNT %ld BLOCK %d STREAMS %s >",
		    rb->consumer, n, wait_ms, rb->k_tasks);
	else
		redisAsyncCommand(rb->c[C_CMD], on_reply, q, "XREADGROUP "
		    "GROUP workers %s COUNT %ld STREAMS %s >", rb->consumer, n,
		    rb->k_tasks);
}

static void
rb_ack(struct qb *b, char *const *ids, const struct pval *const *results,
    size_t n, qb_done_fn *fn, void *arg)
{
	struct rb *rb = (struct rb *)b;
	if (!rb->ready) {
		if (fn != NULL)
			fn(arg, 0, NOT_READY);
		return;
	}
	if (results == NULL) {
		const char **av = xcalloc(n + 3, sizeof *av);
		av[0] = "XACK";
		av[1] = rb->k_tasks;
		av[2] = "workers";
		for (size_t i = 0; i < n; i++)
			av[3 + i] = ids[i];
		redisAsyncCommandArgv(rb->c[C_CMD], on_reply,
		    req_new(rb, R_ACK, (void *)fn, arg), (int)n + 3, av, NULL);
		free(av);
		return;
	}
	size_t argc = 7 + 2 * n;
	const char **argv = xcalloc(argc, sizeof *argv);
	size_t *argl = xcalloc(argc, sizeof *argl);
	char **enc = xcalloc(n + 1, sizeof *enc);
	argv[0] = "EVAL";
	argv[1] = ack_lua;
	argv[2] = "3";
	argv[3] = rb->k_done;
	argv[4] = rb->k_results;
	argv[5] = rb->k_tasks;
	argv[6] = "workers";
	for (size_t i = 0; i < 7; i++)
		argl[i] = strlen(argv[i]);
	for (size_t i = 0; i < n; i++) {
		argv[7 + 2 * i] = ids[i];
		argl[7 + 2 * i] = strlen(ids[i]);
		enc[i] = qb_encode(results[i], &argl[8 + 2 * i]);
		argv[8 + 2 * i] = enc[i];
	}
	redisAsyncCommandArgv(rb->c[C_CMD], on_reply,
	    req_new(rb, R_ACK, (void *)fn, arg), (int)argc, argv, argl);
	for (size_t i = 0; i < n; i++)
		free(enc[i]);
	free(enc);
	free(argv);
	free(argl);
}

static void
rb_depth(struct qb *b, qb_depth_fn *fn, void *arg)
{
	struct rb *rb = (struct rb *)b;
	if (!rb->ready) {
		fn(arg, NULL, NOT_READY);
		return;
	}
	redisAsyncCommand(rb->c[C_CMD], on_reply,
	    req_new(rb, R_DEPTH, (void *)fn, arg), "EVAL %s 4 %s %s %s %s workers",
	    depth_lua, rb->k_tasks, rb->k_dead, rb->k_done, rb->k_results);
}

static void
rb_result(struct qb *b, int wait_ms, qb_tasks_fn *fn, void *arg)
{
	struct rb *rb = (struct rb *)b;
	if (!rb->ready) {
		fn(arg, NULL, 0, NOT_READY);
		return;
	}
	struct req *q = req_new(rb, R_RESULT_POP, (void *)fn, arg);
	q->wait_ms = wait_ms;
	redisAsyncCommand(rb->c[C_RESULT], on_reply, q, "LPOP %s %d",
	    rb->k_results, RESULTS_AT_ONCE);
}

static void
rb_free(struct qb *b)
{
	struct rb *rb = (struct rb *)b;
	rb->fatal = rb->told = 1;
	rb->ready = 0;
	for (int i = 0; i < NCONN; i++) {
		redisAsyncContext *ac = rb->c[i];
		rb->c[i] = NULL;
		if (ac != NULL) {
			ac->onDisconnect = NULL;
			redisAsyncFree(ac);	/* owed callbacks: an error */
		}
	}
	loop_cancel(rb->retry);
	loop_cancel(rb->janitor);
	loop_cancel(rb->start);
	loop_cancel(rb->beat);
	free(rb->host);
	free(rb->pass);
	free(rb->consumer);
	free(rb);
}

static const struct qb_ops rb_ops = {
	.name = "redis",
	.put = rb_put,
	.put_named = rb_put_named,
	.put_result = rb_put_result,
	.lease = rb_lease,
	.ack = rb_ack,
	.depth = rb_depth,
	.result = rb_result,
	.free = rb_free,
};

struct qb *
qb_redis_open(struct loop *l, const struct qb_redis_opts *o, char **cause)
{
	struct rb *rb = xcalloc(1, sizeof *rb);
	if (qb_redis_parse_url(o->url, &rb->host, &rb->port, &rb->pass,
	    &rb->db, cause) < 0) {
		free(rb);
		return NULL;
	}
	rb->base.ops = &rb_ops;
	rb->l = l;
	rb->o = *o;
	if (rb->o.lease_ms <= 0)
		rb->o.lease_ms = 30000;
	const char *p = o->prefix ? o->prefix : "systour";
	snprintf(rb->k_tasks, sizeof rb->k_tasks, "%s:tasks", p);
	snprintf(rb->k_done, sizeof rb->k_done, "%s:done", p);
	snprintf(rb->k_results, sizeof rb->k_results, "%s:results", p);
	snprintf(rb->k_dead, sizeof rb->k_dead, "%s:dead", p);
	snprintf(rb->k_named, sizeof rb->k_named, "%s:named", p);
	if (o->consumer != NULL)
		rb->consumer = xstrdup(o->consumer);
	else {
		char h[64] = "host";
		gethostname(h, sizeof h - 1);
		rb->consumer = xasprintf("%s-%s-%ld", o->role ? o->role :
		    "client", h, (long)getpid());
	}
	rb->retry = loop_timer(l, -1, on_retry, rb);
	rb->janitor = loop_timer(l, -1, on_janitor, rb);
	rb->start = loop_timer(l, START_MS, on_start_deadline, rb);
	rb->beat = loop_timer(l, BEAT_MS, on_beat, rb);
	rb_connect(rb);
	return &rb->base;
}
