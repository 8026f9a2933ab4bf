/* manager.c — the notes' service process: two shared queues behind CPython's
 * multiprocessing.managers protocol, served from one event loop (loop.h).
 * This file is the loop's callbacks and its clients: listening, accepting
 * (and backing off when descriptors run out), the handshake, reading and
 * writing frames, dropping a client, the signals, and the local side of
 * --tasks and --depth. See manager.h for the contract and manager_int.h for
 * how the manager's files divide the work. */
#include "lang.h"
#include "manager_int.h"
#include "buf.h"
#include "loop.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OUT_HIGH	(4u << 20)	/* stop reading a client past this */
#define DONE_GRACE_MS	5000		/* --tasks: clients may linger this long */
#define MAX_CLIENTS	1000		/* authenticated ones */
/* Connections still in the handshake have a budget of their own, apart
 * from the authenticated clients, so that anyone who can open sockets but
 * lacks the key cannot crowd out those who have it: at most HS_MAX at
 * once, HS_PER_PEER of them from one address, each given AUTH_MS. A new
 * connection over either limit is admitted by dropping the oldest
 * handshake (of its address first): a stalled handshake is old, an honest
 * one takes a round trip on loopback. */
#define HS_MAX		128
#define HS_PER_PEER	64
#define AUTH_MS		3000		/* a handshake must end within this */
/* A frame whose header is read must be whole within FRAME_MS, and the
 * frames being read by all clients together may hold at most READ_BUDGET
 * bytes: past it the client with the largest one is dropped. */
#define FRAME_MS	10000
#define READ_BUDGET	((size_t)64 << 20)
#define MIN_PUBLIC_KEY	8		/* key bytes off loopback */
#define DEPTH_MS	100		/* --depth: at most one line this often */
#define DEPTH_BAR	10		/* --depth: cells of the bar */
#define ACCEPT_BACKOFF_MS 1000	/* out of descriptors: stop accepting */

void
mgr_log(struct server *s, const char *fmt, ...)
{
	va_list ap;
	if (s->o->log == NULL)
		return;
	if (s->o->out != NULL)
		fflush(s->o->out);	/* what it printed comes first */
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
	/* flushed before the loop waits (and before a log line): one write
	 * per round of the loop, not one per line */
}

/* -------------------------------------------------------- the event loop */

static void on_client(struct loop *l, int fd, unsigned events, void *arg);

/* Ask for a round (see round()) at the next turn of the loop. */
void
mgr_want_round(struct server *s)
{
	loop_timer_set(s->round, 0);
}

/* Drop client c: its leases go back, its fd is closed, c is freed. */
static void
drop(struct server *s, struct client *c)
{
	size_t i = 0;
	while (s->c[i] != c)
		i++;
	s->c[i] = s->c[--s->nc];
	s->rd_mem -= c->rd_mem;
	lease_return(s, c);
	loop_cancel(c->w);
	close(c->fd);
	wire_reader_free(&c->rd);
	wire_writer_free(&c->wr);
	wire_auth_clear(&c->auth);
	pval_free(c->pitem);
	free(c);
}

/* accept() failed for want of descriptors or memory: stop watching the
 * listener for ACCEPT_BACKOFF_MS (as tmux's server_accept does) instead of
 * being woken at once to fail again, and say so once per back-off. */
static void
accept_backoff(struct server *s, int err)
{
	mgr_log(s, LD("accept: %s: not accepting for %d s",
	    "accept：%s：%d 秒内不再接受连接"), strerror(err),
	    ACCEPT_BACKOFF_MS / 1000);
	loop_fd_set(s->lw, 0);
	loop_timer_set(s->accept_again, ACCEPT_BACKOFF_MS);
}

static void
on_accept_again(struct loop *l, void *arg)
{
	struct server *s = arg;
	loop_fd_set(s->lw, LOOP_READ);
}

/* Make room for one more handshake from host: if host has HS_PER_PEER
 * handshakes, drop its oldest; else if there are HS_MAX in all, drop the
 * oldest of the address that holds the most (so an honest client, with one
 * handshake at a time, is never the one dropped for a crowd from another
 * address). The drops are counted and said once per second, not once each.
 * O(clients), as accepting is. */
static void
admit_handshake(struct server *s, const char *host)
{
	size_t all = 0, mine = 0, most = 0;
	struct client *oldest_mine = NULL, *victim = NULL;
	for (size_t i = 0; i < s->nc; i++) {
		struct client *c = s->c[i];
		if (c->state != C_AUTH)
			continue;
		all++;
		if (strcmp(c->host, host) == 0) {
			mine++;
			if (oldest_mine == NULL || c->since < oldest_mine->since)
				oldest_mine = c;
		}
	}
	if (mine >= HS_PER_PEER)
		victim = oldest_mine;
	else if (all >= HS_MAX) {
		/* the address with the most handshakes, and its oldest */
		for (size_t i = 0; i < s->nc; i++) {
			struct client *c = s->c[i];
			if (c->state != C_AUTH)
				continue;
			size_t n = 0;
			struct client *old = c;
			for (size_t j = 0; j < s->nc; j++) {
				struct client *d = s->c[j];
				if (d->state == C_AUTH &&
				    strcmp(d->host, c->host) == 0) {
					n++;
					if (d->since < old->since)
						old = d;
				}
			}
			if (n > most) {
				most = n;
				victim = old;
			}
			if (most > all / 2)
				break;	/* a majority: no one has more */
		}
	}
	if (victim == NULL)
		return;
	drop(s, victim);
	s->evicted++;
	int64_t now = now_ms();
	if (now - s->evict_logged >= 1000) {
		mgr_log(s, LD("dropped %ld unfinished handshake%s (the oldest of "
		    "the address with the most, the last from %s) to admit new "
		    "connections: at most %d handshakes at once, %d from one "
		    "address",
		    "丢弃了 %ld 个未完成的握手%.0s（来自握手最多的地址中最老的，最后一个来自 %s），以便接受新连接：同时最多 %d 个握手，每个地址最多 %d 个"), s->evicted, s->evicted == 1 ? "" : "s", host,
		    HS_MAX, HS_PER_PEER);
		s->evicted = 0;
		s->evict_logged = now;
	}
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
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				accept_backoff(s, errno);
			else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				mgr_log(s, "accept: %s", strerror(errno));
			return;
		}
		char host[INET6_ADDRSTRLEN] = "?", port[16] = "?";
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host,
		    port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
		admit_handshake(s, host);
		if (s->nc >= MAX_CLIENTS + HS_MAX) {
			mgr_log(s, LD("refused %s:%s: too many clients",
			    "拒绝 %s:%s：客户端太多"), host, port);
			close(fd);
			continue;
		}
		struct client *c = xcalloc(1, sizeof *c);
		c->fd = fd;
		snprintf(c->host, sizeof c->host, "%s", host);
		c->serial = ++s->serials;
		c->since = now_ms();
		c->frame_by = -1;
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
			mgr_log(s, "dropped %s: %s", c->peer,
			    wire_auth_error(&c->auth));
			c->state = C_CLOSING;
			c->close_by = now_ms() + CLOSE_GRACE_MS;
		}
		c->s = s;
		c->want = LOOP_READ;
		c->w = loop_fd(s->loop, fd, c->want, on_client, c);
		if (c->w == NULL)
			fatal_(LD("manager: cannot watch a socket: %s",
			    "manager：无法监视套接字：%s"),
			    strerror(errno));
		ARRAY_GROW(s->c, s->c_cap, s->nc + 1);
		s->c[s->nc++] = c;
		mgr_want_round(s);
	}
}

static void
on_listener(struct loop *l, int fd, unsigned events, void *arg)
{
	accept_clients(arg);
}

/* Hand out the frames a client has sent, until it waits on a queue or is
 * done. Returns -1 when it must be dropped. */
/* Keep the count of the memory c's reader holds (and all readers hold)
 * up to date. */
static void
account(struct server *s, struct client *c)
{
	size_t m = wire_reader_memory(&c->rd);
	s->rd_mem = s->rd_mem - c->rd_mem + m;
	c->rd_mem = m;
}

/* The frames being read hold more than READ_BUDGET: drop the clients with
 * the largest, one by one, until they do not. */
static void
enforce_read_budget(struct server *s)
{
	while (s->rd_mem > READ_BUDGET && s->nc > 0) {
		struct client *big = s->c[0];
		for (size_t i = 1; i < s->nc; i++)
			if (s->c[i]->rd_mem > big->rd_mem)
				big = s->c[i];
		mgr_log(s, LD("dropped %s: its unfinished frame (%zu bytes so far) "
		    "is the largest, and the frames being read hold %zu bytes, "
		    "over the budget of %zu MiB",
		    "丢弃了 %s：它未完成的帧（已到 %zu 字节）最大，而正在读取的帧共占 %zu 字节，超过了 %zu MiB 的预算"), big->peer,
		    wire_reader_pending(&big->rd), s->rd_mem,
		    READ_BUDGET >> 20);
		drop(s, big);
	}
}

static int
process(struct server *s, struct client *c)
{
	struct wire_frame f;
	int rc = WIRE_AGAIN;
	while (c->park == PARK_NONE && c->state != C_CLOSING &&
	    wire_writer_pending(&c->wr) < OUT_HIGH &&
	    (rc = wire_reader_next(&c->rd, &f)) != WIRE_AGAIN) {
		c->frame_by = -1;
		if (rc == WIRE_ERR) {
			mgr_log(s, "dropped %s: %s", c->peer,
			    wire_reader_error(&c->rd));
			return -1;
		}
		if (c->state == C_AUTH) {
			enum wire_auth_status st = wire_auth_feed(&c->auth,
			    f.data, f.len, &c->wr);
			if (st == WIRE_AUTH_FAILED) {
				mgr_log(s, "refused %s: %s", c->peer,
				    wire_auth_error(&c->auth));
				c->state = C_CLOSING;
				c->close_by = now_ms() + CLOSE_GRACE_MS;
			} else if (st == WIRE_AUTH_DONE) {
				c->state = C_REQUEST;
				wire_reader_set_max(&c->rd, s->o->max_frame ?
				    s->o->max_frame : WIRE_MAX_FRAME_DEFAULT);
			}
		} else
			mgr_on_frame(s, c, &f);
	}
	/* A frame started and not yet whole has FRAME_MS to finish, counted
	 * while the client is being read from. */
	if (c->park != PARK_NONE || c->state == C_CLOSING ||
	    wire_writer_pending(&c->wr) >= OUT_HIGH)
		c->frame_by = -1;
	else if (rc == WIRE_AGAIN && c->frame_by < 0 &&
	    wire_reader_pending(&c->rd) > 0)
		c->frame_by = now_ms() + FRAME_MS;
	account(s, c);
	return 0;
}

/* Send the replies queued in this round now, without waiting to be told
 * the socket is writable: a reply nearly always fits in the socket's
 * buffer, so this spares a turn of the loop per call. Only a client whose
 * last write could not finish waits for LOOP_WRITE. Drops a client whose
 * write fails, and one closing whose last reply is out; returns 1 if it
 * dropped one (its leases went back: parked calls may go on). */
static int
flush_clients(struct server *s)
{
	int dropped = 0;
	for (size_t i = 0; i < s->nc;) {
		struct client *c = s->c[i];
		int gone = 0;
		if (!c->out_blocked && wire_writer_pending(&c->wr) > 0) {
			int rc = wire_writer_flush(&c->wr, c->fd);
			if (rc == WIRE_AGAIN)
				c->out_blocked = 1;
			else if (rc == WIRE_ERR || c->state == C_CLOSING)
				gone = 1;
		}
		if (gone) {
			drop(s, c);
			dropped = 1;
		} else
			i++;
	}
	return dropped;
}

void
outf_task(struct server *s, const char *url)
{
	outf(s, "url is %s\n", url);
	if (s->next_task == s->o->tasks)
		outf(s, "try get result\n");
}

void
mgr_print_result(struct server *s, const struct pval *v)
{
	if (v->kind == PV_STR)
		outf(s, "result is %s\n", v->u.s.s);
	else {
		char *r = pval_repr_max(v, 200);
		outf(s, "result is %s\n", r);
		free(r);
	}
}

/* The local side of --tasks: put the notes' tasks while there is room
 * (after the remote puts already waiting for it: a put never starves
 * behind a hundred thousand of them). */
int
mgr_local_tasks(struct server *s)
{
	struct mqueue *tq = &s->q[0];
	long n = s->o->tasks;
	int put = 0;
	if (s->mr != NULL)
		return 0;	/* mr_round does it */
	while (s->next_task < n && !mq_full(tq)) {
		char url[32];
		snprintf(url, sizeof url, "ImageUrl_%ld", s->next_task++);
		outf_task(s, url);
		mq_push(tq, pval_str(url));
		mgr_mark_local(s, tq->next_id);
		put = 1;
	}
	return put;
}

/* And print the results as they come, before any remote get sees them,
 * as the notes' server's own result.get() would be waiting first. */
void
mgr_local_results(struct server *s)
{
	struct mqueue *rq = &s->q[1];
	long n = s->o->tasks;
	if (s->mr != NULL)
		return;		/* mr_round does it */
	while (s->results < n && rq->n > 0) {
		struct pval *v = mq_pop(rq);
		mgr_print_result(s, v);
		pval_free(v);
		rq->unfinished--;
		s->results++;
	}
	/* Every task is settled: its result taken, or (a task that no
	 * worker could finish) in the dead letters. */
	if (s->done_at < 0 && n > 0 && s->next_task == n &&
	    s->results + s->local_dead >= n) {
		s->done_at = now_ms();
		if (s->local_dead == 0)
			mgr_log(s, "all %ld results are in", n);
		else
			mgr_log(s, LD("all %ld tasks are settled: %ld results "
			    "are in, %ld went to the dead letters",
			    "全部 %ld 个任务已了结：%ld 个结果已到，%ld 个进了死信"),
			    n, s->results, s->local_dead);
	}
}

/* --depth: one line each time a depth changes, at most one per DEPTH_MS:
 * "depth ██████▒▒░. task 31+4, result 1, taken 4/40": a bar of DEPTH_BAR
 * cells scaled to the largest total seen (█ queued, ▒ leased, ░ in the
 * result queue), the task queue's queued+leased, the result queue, and
 * with --tasks the results taken, and the dead letters if any. Returns
 * the ms until a line held back is due, or -1; force: print it now. */
static int64_t
depth_report(struct server *s, int force)
{
	if (!s->o->depth || s->o->out == NULL)
		return -1;
	long d[8] = { (long)s->q[0].n, (long)s->nlease, (long)s->q[1].n,
	    s->results, (long)s->ndead + s->ndead_redis, 0, 0, 0 };
	if (s->mr != NULL) {
		/* The task queue is Redis's: never delivered (the group's
		 * lag), and delivered without an ack (its PEL: this
		 * manager's buffer and leases among them). */
		mr_depth(s, d + 5);
		d[0] = d[5];
		d[1] = d[6];
	}
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
	char taken[48] = "", dead[32] = "";
	if (s->o->tasks > 0)
		snprintf(taken, sizeof taken, ", taken %ld/%ld", d[3],
		    s->o->tasks);
	if (d[4] > 0)
		snprintf(dead, sizeof dead, ", dead %ld", d[4]);
	char redis[96] = "";
	if (s->mr != NULL)
		snprintf(redis, sizeof redis, " (redis: %ld done)", d[7]);
	outf(s, "depth %s task %ld+%ld, result %ld%s%s%s\n", bar, d[0], d[1],
	    d[2], taken, dead, redis);
	memcpy(s->depth_last, d, sizeof d);
	s->depth_at = now;
	return -1;
}

/* A client's socket is ready: write what waits, read what came, or notice
 * it leaving. The frames read are answered in the round that follows. */
static void
on_client(struct loop *l, int fd, unsigned events, void *arg)
{
	struct client *c = arg;
	struct server *s = c->s;
	int gone = 0;
	if (events & LOOP_WRITE || (c->state == C_CLOSING &&
	    wire_writer_pending(&c->wr) > 0)) {
		int rc = wire_writer_flush(&c->wr, c->fd);
		c->out_blocked = rc == WIRE_AGAIN;
		if (rc == WIRE_ERR)
			gone = 1;
	}
	if (!gone && events & LOOP_READ && c->want & LOOP_READ) {
		int rc = wire_reader_read(&c->rd, c->fd);
		account(s, c);
		if (rc == WIRE_EOF) {
			/* Answer what it sent, then go. */
			process(s, c);
			if (wire_reader_pending(&c->rd) > 0)
				mgr_log(s, LD("dropped %s: it closed in the "
				    "middle of a frame",
				    "丢弃了 %s：它在一帧的中途关闭了连接"), c->peer);
			gone = 1;
		} else if (rc == WIRE_ERR) {
			mgr_log(s, "dropped %s: %s", c->peer, strerror(errno));
			gone = 1;
		}
	} else if (!gone && events & LOOP_READ) {
		/* not reading from it: it hung up (LOOP_HANGUP), or failed */
		gone = c->state != C_CLOSING || events & LOOP_ERROR;
	}
	if (gone)
		drop(s, c);
	mgr_want_round(s);
}

/* One round of the manager's work, after the loop has dispatched what
 * happened: the deadlines of handshakes and closing clients, the parked
 * calls, every client's frames, the replies sent, --depth; then what each
 * client's socket is watched for, and when the next round is due. Every
 * callback asks for a round; so does the timer it arms here. */
static void
on_round(struct loop *l, void *arg)
{
	struct server *s = arg;
	if (s->stop) {		/* a signal, or a shutdown answered in on_client */
		loop_break(l);
		return;
	}
	int64_t now = now_ms();
	for (size_t i = s->nc; i-- > 0;) {
		struct client *c = s->c[i];
		if (c->state == C_AUTH && now >= c->close_by) {
			mgr_log(s, LD("dropped %s: no handshake in %d s",
			    "丢弃了 %s：%d 秒内没有握手"),
			    c->peer, AUTH_MS / 1000);
			drop(s, c);
		} else if (c->frame_by >= 0 && now >= c->frame_by &&
		    c->state != C_CLOSING) {
			mgr_log(s, LD("dropped %s: a frame it began %d s ago is "
			    "still not whole (%zu bytes of it came)",
			    "丢弃了 %s：它 %d 秒前开始的一帧仍不完整（到了 %zu 字节）"), c->peer,
			    FRAME_MS / 1000, wire_reader_pending(&c->rd));
			drop(s, c);
		} else if (c->state == C_CLOSING &&
		    (wire_writer_pending(&c->wr) == 0 || now >= c->close_by))
			drop(s, c);
	}
	enforce_read_budget(s);
	mgr_wake(s);
	for (size_t i = 0; i < s->nc;) {
		struct client *c = s->c[i];
		if (process(s, c) < 0)
			drop(s, c);	/* the last one takes slot i */
		else
			i++;
	}
	mgr_wake(s);
	while (flush_clients(s))
		mgr_wake(s);
	int64_t redis_due = s->mr != NULL ? mr_round(s) : -1;
	int64_t depth_due = depth_report(s, 0);
	if (s->stop || (s->done_at >= 0 && (s->nc == 0 ||
	    now - s->done_at > DONE_GRACE_MS))) {
		s->stop = 1;
		loop_break(l);
		return;
	}

	/* What to watch each client for, and until when. */
	int64_t until = s->done_at >= 0 ? s->done_at + DONE_GRACE_MS : -1;
	int64_t le = lease_next_expiry(s);
	if (le >= 0 && (until < 0 || le < until))
		until = le;
	if (depth_due >= 0 && (until < 0 || now + depth_due < until))
		until = now + depth_due;
	if (redis_due >= 0 && (until < 0 || now + redis_due < until))
		until = now + redis_due;
	for (size_t i = 0; i < s->nc; i++) {
		struct client *c = s->c[i];
		unsigned ev = 0;
		if (wire_writer_pending(&c->wr) > 0)
			ev |= LOOP_WRITE;
		if (c->state == C_CLOSING)
			;	/* only flush */
		else if (c->park != PARK_NONE ||
		    wire_writer_pending(&c->wr) >= OUT_HIGH)
			ev |= LOOP_HANGUP;	/* notice it leaving */
		else
			ev |= LOOP_READ;
		if (ev != c->want) {
			c->want = ev;
			loop_fd_set(c->w, ev);
		}
		int64_t d = c->state == C_CLOSING ||
		    c->state == C_AUTH ? c->close_by :
		    c->park != PARK_NONE ? c->deadline : -1;
		if (d >= 0 && (until < 0 || d < until))
			until = d;
		if (c->frame_by >= 0 && (until < 0 || c->frame_by < until))
			until = c->frame_by;
	}
	int wait = until < 0 ? -1 : until <= now ? 0 :
	    (int)(until - now > INT_MAX ? INT_MAX : until - now);
	loop_timer_set(s->round, wait);
	if (wait != 0 && s->o->out != NULL)
		fflush(s->o->out);	/* never sleep on unshown lines */
}

static void
on_signal(struct loop *l, int sig, void *arg)
{
	struct server *s = arg;
	if (s->stop)
		return;
	mgr_log(s, LD("%s: shutting down",
	    "%s：正在关闭"),
	    sig == SIGINT ? "interrupted" : "terminated");
	s->stop = 1;
	loop_break(l);
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
		*cause = xasprintf(LD("cannot listen on %s:%s: %s",
		    "无法在 %s:%s 上监听：%s"), s->o->host,
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
	struct server s = { .o = o, .lfd = -1, .done_at = -1 };

	/* Off loopback, anyone on the network may try the key. */
	if (!manager_host_is_loopback(o->host)) {
		size_t klen = strlen(o->authkey);
		if (strcmp(o->authkey, "qiye") == 0) {
			*cause = xasprintf(LD("--host %s is not a loopback "
			    "address: choose your own --authkey, not the "
			    "notes' 'qiye'",
			    "--host %s 不是回环地址：请自己选一个 --authkey，不要用笔记里的 'qiye'"), o->host);
			return 2;
		}
		if (klen < MIN_PUBLIC_KEY) {
			char n[48];
			snprintf(n, sizeof n, "%s", LD("it is empty",
			    "它是空的"));
			if (klen > 0)
				snprintf(n, sizeof n, LD("it has %zu",
				    "它只有 %zu 字节"), klen);
			*cause = xasprintf(LD("--host %s is not a loopback "
			    "address: the --authkey must be %d bytes or more "
			    "(%s)",
			    "--host %s 不是回环地址：--authkey 至少要 %d 字节（%s）"), o->host, MIN_PUBLIC_KEY, n);
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
	if ((s.loop = loop_new(cause)) == NULL) {
		close(s.lfd);
		return 1;
	}
	s.lw = loop_fd(s.loop, s.lfd, LOOP_READ, on_listener, &s);
	if (s.lw == NULL) {
		*cause = xasprintf(LD("cannot watch the listening socket: %s",
		    "无法监视监听套接字：%s"),
		    strerror(errno));
		loop_free(s.loop);
		close(s.lfd);
		return 1;
	}
	s.accept_again = loop_timer(s.loop, -1, on_accept_again, &s);
	s.round = loop_timer(s.loop, 0, on_round, &s);
	struct loop_watch *sig_int = loop_signal(s.loop, SIGINT, on_signal, &s);
	struct loop_watch *sig_term = loop_signal(s.loop, SIGTERM, on_signal,
	    &s);

	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?", port[16] = "?";
	if (getsockname(s.lfd, (struct sockaddr *)&ss, &sl) == 0)
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host,
		    port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
	if (o->redis != NULL && mr_open(&s, cause) < 0) {
		loop_cancel(sig_int);
		loop_cancel(sig_term);
		loop_free(s.loop);
		close(s.lfd);
		return 1;
	}
	mgr_log(&s, "listening on %s:%s", host, port);

	loop_run(s.loop);
	int rc = 0;
	if (mr_error(&s) != NULL) {
		*cause = xstrdup(mr_error(&s));
		rc = 1;
	}

	depth_report(&s, 1);
	loop_cancel(sig_int);	/* the signals' dispositions go back */
	loop_cancel(sig_term);
	/* A shutdown request's reply goes out before the end. */
	for (size_t i = 0; i < s.nc; i++)
		wire_writer_flush(&s.c[i]->wr, s.c[i]->fd);
	while (s.nc > 0)
		drop(&s, s.c[s.nc - 1]);
	while (s.nlease > 0)
		pval_free(s.lease[--s.nlease].item);
	free(s.lease);
	free(s.acked);
	free(s.deliv);
	free(s.holder);
	free(s.local);
	while (s.ndead > 0)
		pval_free(s.dead[--s.ndead].v);
	free(s.dead);
	free(s.parked);
	free(s.c);
	mr_close(&s);
	for (int i = 0; i < 2; i++)
		mq_free(&s.q[i]);
	loop_free(s.loop);
	close(s.lfd);
	return rc;
}
