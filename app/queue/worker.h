/* worker.h — the notes' "task process" in C: a client of a managers server
 * (systour manager or the notes' CPython BaseManager) that takes tasks from
 * get_task_queue and puts 'success <task>' on get_result_queue. */
#ifndef SYSTOUR_WORKER_H
#define SYSTOUR_WORKER_H

#include <stdio.h>

struct worker_opts {
	const char	*host;
	const char	*port;
	const char	*authkey;	/* default "qiye" */
	double		 timeout;	/* seconds a get waits; then the worker exits */
	long		 pace_ms;	/* the "download": a sleep of this many ms */
	long		 batch;		/* tasks leased at once (the credit);
					   0: the notes' get, no leases */
	double		 lease;		/* seconds a lease lasts */
	FILE		*out;		/* what the notes' worker prints */
	const char	*redis;		/* --redis URL: take tasks from Redis */
	const char	*prefix;	/* of the Redis keys; NULL: "systour" */
};

/* Connect as CPython's BaseManager.connect() does (dummy), get both queues'
 * proxies (create, incref, decref, accept_connection), then loop. Against
 * systour manager (batch > 0): lease up to batch tasks, "download" each, ack
 * it with its result, so that a task this worker dies holding goes back to
 * the queue. Against a server without leases (CPython's), as the notes'
 * worker does but without its race: get with a timeout, "download", put the
 * result. Returns 0 when a get timed out (the
 * queue stayed empty: the work is done), 1 with *cause (allocated) when the
 * connection or the server failed. */
int worker_run(const struct worker_opts *o, char **cause);

/* --redis: take tasks straight from Redis Streams (worker_redis.c): lease
 * batch tasks, "download" each, ack them with their results; end once
 * nothing came for timeout seconds and nothing is pending. 0, or 1 with
 * *cause (Redis unreachable at start, a password missing, ...). */
int worker_redis_run(const struct worker_opts *o, char **cause);

#endif
