/* queue_backend.h — a task queue engine behind systour's manager and
 * worker: put, get with a lease, ack with a result, the return of what a
 * lease held when it runs out, depth and dead letters. Every call answers
 * through a callback on the event loop (loop.h); none waits.
 *
 * The Redis Streams engine (backend_redis.c) keeps its tasks in Redis, so
 * they outlive any one process and several managers and workers share one
 * queue:
 *
 *   PREFIX:tasks    a stream; each entry is one task, its field "s" a str
 *                   task, or "p" the pickle of any other value
 *   group "workers" on it: XREADGROUP hands entries out (the lease), each
 *                   stays in the group's pending entries list (PEL) until
 *                   XACK
 *   PREFIX:done     a hash, stream id -> result: the result of a task is
 *                   kept by its first ack only (HSETNX), so a task done
 *                   twice (at least once delivery) counts once
 *   PREFIX:results  a list of the results, each pushed once, in the order
 *                   the first acks came
 *   PREFIX:named    a hash of the names of tasks put once (see put)
 *   PREFIX:dead     a stream of the dead letters: entries delivered
 *                   QB_DEAD_AFTER times and never acked
 *
 * A janitor (a timer of every user of the engine) claims, with XAUTOCLAIM,
 * entries that have been pending longer than the lease (their consumer
 * died, or is stuck) and hands them to its own user, after moving those
 * delivered QB_DEAD_AFTER times to the dead letters.
 *
 * A result or a task is a tagged string: 's' then UTF-8 (a str), or 'p'
 * then a pickle. */
#ifndef SYSTOUR_QUEUE_BACKEND_H
#define SYSTOUR_QUEUE_BACKEND_H

#include "loop.h"
#include "pickle.h"

#include <stddef.h>
#include <stdio.h>

#define QB_DEAD_AFTER	3	/* deliveries without an ack: a dead letter */

struct qb;

/* One task handed out by a lease: its id (the stream id), its value, how
 * many times it was delivered (this time included). */
struct qb_task {
	char		*id;
	struct pval	*v;
	long		 deliveries;
};

/* What the queue holds, as one snapshot. */
struct qb_depth {
	long	 queued;	/* never delivered yet (the group's lag) */
	long	 pending;	/* delivered, not acked (the PEL) */
	long	 dead;		/* dead letters */
	long	 done;		/* results kept (each task once) */
	long	 results;	/* on the result list, not yet taken */
};

/* err is NULL on success, else one line (the engine's words). */
typedef void qb_done_fn(void *arg, long n, const char *err);
/* The callee takes over t (free it with qb_tasks_free); n may be 0. */
typedef void qb_tasks_fn(void *arg, struct qb_task *t, size_t n,
    const char *err);
typedef void qb_depth_fn(void *arg, const struct qb_depth *d,
    const char *err);
/* The engine is ready (first time, or again after a reconnection), or it
 * is gone: fatal when it cannot go on (at start: a wrong URL, a password
 * missing, no server), else it reconnects with a back-off. */
typedef void qb_state_fn(void *arg, int ready, int fatal, const char *why);

struct qb_ops {
	const char *name;
	/* Put v (not taken over): done(arg, 1, NULL) once it is stored.
	 * once: a name; v goes in only if no task of that name ever did
	 * (done(arg, 0, NULL) then), so that a restarted producer does not
	 * put its tasks twice. NULL: always. */
	void	(*put)(struct qb *, const struct pval *v, const char *once,
		    qb_done_fn *, void *);
	/* put() of n values, each once by its name (names[i]), in one
	 * round trip: done(arg, how many went in, NULL). */
	void	(*put_named)(struct qb *, const struct pval *const *v,
		    const char *const *names, size_t n, qb_done_fn *, void *);
	/* Put v on the result list, with no task id (CPython's put on the
	 * result queue: at most once, as there). */
	void	(*put_result)(struct qb *, const struct pval *v, qb_done_fn *,
		    void *);
	/* Up to n tasks, waiting up to wait_ms (0: not at all) for one. */
	void	(*lease)(struct qb *, long n, int wait_ms, qb_tasks_fn *,
		    void *);
	/* Ack tasks ids[0..n-1] with their results: done(arg, how many of
	 * them were new, NULL). results NULL: only end their leases (XACK; a
	 * task taken with at most once semantics). */
	void	(*ack)(struct qb *, char *const *ids,
		    const struct pval *const *results, size_t n, qb_done_fn *,
		    void *);
	void	(*depth)(struct qb *, qb_depth_fn *, void *);
	/* Take the oldest result off the result list, waiting up to
	 * wait_ms: tasks(arg, t, 0 or 1) with t->v the result. */
	void	(*result)(struct qb *, int wait_ms, qb_tasks_fn *, void *);
	/* Callbacks still owed are called with an error first. */
	void	(*free)(struct qb *);
};

struct qb {
	const struct qb_ops *ops;
};

struct qb_redis_opts {
	const char	*url;		/* redis://[:PASSWORD@]HOST[:PORT][/DB] */
	const char	*prefix;	/* default "systour" */
	const char	*consumer;	/* default ROLE-HOST-PID */
	const char	*role;		/* "worker" or "manager" */
	long		 lease_ms;	/* the janitor claims what is pending
					 * longer (default 30000) */
	qb_state_fn	*state;		/* told when ready or gone */
	qb_tasks_fn	*claimed;	/* the janitor's catch, for this user */
	/* If set, the janitor claims only when it says 1 (someone waits
	 * for a task): a claimed task that nobody takes ages again and is
	 * claimed again, and each claim counts as a delivery. */
	int		(*want_claims)(void *arg);
	void		*arg;
	FILE		*log;		/* one line per notable event, or NULL */
};

/* Parse url; 0, or -1 and *cause. host is allocated, pass may be NULL. */
int	 qb_redis_parse_url(const char *url, char **host, int *port,
	    char **pass, int *db, char **cause);

/* Connect (on the loop) and set the queue up (the group, idempotently);
 * o->state says when it is ready or gone. NULL and *cause on a URL that
 * does not parse. */
struct qb *qb_redis_open(struct loop *l, const struct qb_redis_opts *o,
	    char **cause);

void	 qb_tasks_free(struct qb_task *t, size_t n);

/* A value as a tagged string (see above); *len its length. Allocated. */
char	*qb_encode(const struct pval *v, size_t *len);
/* The value of a tagged string; NULL and *cause if it is not one. */
struct pval *qb_decode(const char *s, size_t len, char **cause);

#endif
