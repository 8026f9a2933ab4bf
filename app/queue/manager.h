/* manager.h — the notes' "service process": a task queue and a result queue
 * served over TCP in the protocol of CPython's multiprocessing.managers, so
 * that the notes' own BaseManager clients use it unchanged.
 *
 * One event loop (loop.h) serves every client: the handshake (wire_auth, server
 * side), then one request per connection as CPython's Server.handle_request
 * answers it (dummy, create, incref, decref, accept_connection, shutdown,
 * debug_info, number_of_objects), and after accept_connection the proxy's
 * method calls as Server.serve_client answers them. A get (or a put on a
 * full queue, or a join) that must wait is parked and answered later, or with
 * ('#ERROR', queue.Empty()) when its timeout passes; the loop never waits for
 * one client.
 *
 * An extension that CPython's clients never call (their proxies do not list
 * it): lease(n, timeout, lease, acks) and ack(task_id, result) on the task
 * queue, for systour workers. A leased task goes back to the queue, first in
 * line, when its lease runs out or its worker's connection goes; a task's
 * result is put on the result queue by its first ack only, so a redelivered
 * task is counted once. A task taken by a plain get (CPython's clients) keeps
 * CPython's at-most-once semantics: no ack counts for it after that. See
 * lease_call in manager_call.c. */
#ifndef SYSTOUR_MANAGER_H
#define SYSTOUR_MANAGER_H

#include <stddef.h>
#include <stdio.h>

struct manager_opts {
	const char	*host;		/* default "127.0.0.1" */
	const char	*port;		/* default "8001"; "0": any free port */
	const char	*authkey;	/* default "qiye", the notes' key */
	long		 tasks;		/* put the notes' tasks ImageUrl_0 ... */
	long		 maxsize;	/* of each queue; <= 0: unbounded */
	size_t		 max_frame;	/* 0: WIRE_MAX_FRAME_DEFAULT */
	int		 depth;		/* print the queues' depths on out */
	FILE		*out;		/* what the notes' server prints */
	FILE		*log;		/* one line per notable event */
	const char	*redis;		/* --redis URL: the queues in Redis */
};

/* 1 if every address host resolves to is a loopback address (127/8, ::1);
 * 0 if one is not, or the name does not resolve. */
int manager_host_is_loopback(const char *host);

/* Serve until SIGINT or SIGTERM, a client's shutdown request, or (with
 * tasks) until every result is in and the clients have gone. Returns 0, 1
 * with *cause (allocated) when the work failed, 2 with *cause on bad usage
 * (on a non-loopback address: the notes' key, or one under 8 bytes). */
int manager_run(const struct manager_opts *o, char **cause);

#endif
