/* manager_int.h — what the files of the manager share and nobody else sees:
 * the server's state (its two queues, its clients, the leases) and the
 * steps each file offers the others:
 *
 *   manager.c        its callbacks on the event loop (loop.h) and its
 *                    clients: listening, accepting, the handshake, reading
 *                    and writing frames, dropping a client, the signals,
 *                    --tasks' local side, --depth
 *   manager_call.c   the answers: a fresh connection's request (CPython's
 *                    Server.handle_request), a proxy's calls (its
 *                    Server.serve_client), their arguments, parking a call
 *                    that must wait, the #RETURN/#ERROR/#TRACEBACK replies
 *   manager_queue.c  the queues, the task ids taken or acked, the leases,
 *                    and waking the parked calls
 *
 * Only app/manager*.c include this; the contract is manager.h. */
#ifndef SYSTOUR_MANAGER_INT_H
#define SYSTOUR_MANAGER_INT_H

#include "loop.h"
#include "manager.h"
#include "pickle.h"
#include "wire.h"

#include <stddef.h>
#include <stdint.h>

#define CLOSE_GRACE_MS	5000		/* to flush a last reply */
/* A task delivered this many times without an ack, the last time alone in
 * its batch, goes to the dead letters instead of back to the queue (as
 * Redis Streams' delivery counts do): one poison task must not cycle
 * through every worker forever. A task's last delivery before that is
 * leased alone, so that a worker dying on a batch condemns no batch-mate. */
#define DEAD_AFTER	3


/* An item of a queue and its task id (for leases). */
struct mq_item {
	struct pval	*v;
	uint64_t	 id;
};

/* One shared queue.Queue: items in FIFO order (it[head] ... it[head+n-1]),
 * its ident (as CPython's '%x' % id(obj)) and its proxies' reference
 * count. */
struct mqueue {
	const char	 *typeid;
	char		  ident[32];
	struct mq_item	 *it;
	size_t		  head, n, cap;
	uint64_t	  next_id;
	long		  maxsize;
	long		  unfinished;	/* puts not yet task_done() */
	long		  refs;
};

enum cstate {
	C_AUTH,		/* in the handshake */
	C_REQUEST,	/* authenticated: one request, as handle_request */
	C_SERVING,	/* after accept_connection: a proxy's calls */
	C_CLOSING	/* flush what is queued, then close */
};

/* PARK_REDIS: a put waits for Redis to store its item; PARK_DEPTH: an
 * empty() or qsize() (lease_n 1) waits for Redis's depth (manager_redis.c) */
enum park { PARK_NONE, PARK_GET, PARK_PUT, PARK_JOIN, PARK_LEASE,
	PARK_REDIS, PARK_DEPTH };

struct client {
	struct server		*s;
	int			 fd;
	struct loop_watch	*w;		/* its fd on the loop */
	unsigned		 want;		/* what w waits for (LOOP_*) */
	enum cstate		 state;
	char			 peer[64];
	char			 host[48];	/* peer's address, no port */
	uint32_t		 serial;	/* this server's n-th client */
	int64_t			 since;		/* accepted at */
	int64_t			 frame_by;	/* a started frame must end by
						 * then (-1: none started) */
	size_t			 rd_mem;	/* wire_reader_memory(&rd), as
						 * counted in s->rd_mem */
	struct wire_reader	 rd;
	struct wire_writer	 wr;
	struct wire_auth	 auth;
	int64_t			 close_by;	/* C_AUTH, C_CLOSING: drop after */
	int			 out_blocked;	/* a write could not finish: wait
						 * for LOOP_WRITE */
	/* A call that waits: its kind, queue, item (a put), deadline (-1:
	 * none) and its place in line. */
	enum park		 park;
	struct mqueue		*pq;
	struct pval		*pitem;
	int64_t			 deadline;
	uint64_t		 pseq;
	int			 rput;		/* PARK_REDIS: its put is out */
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
	int			 solo;		/* the only task of its batch */
};

struct server {
	const struct manager_opts *o;
	int			 lfd;
	struct loop		*loop;
	struct loop_watch	*lw;		/* the listener */
	struct loop_watch	*accept_again;	/* ends an accept back-off */
	struct loop_watch	*round;		/* see on_round() in manager.c */
	struct client		**c;
	size_t			 nc, c_cap;
	struct mqueue		 q[2];	/* get_task_queue, get_result_queue */
	uint64_t		 pseq;
	long			 next_task, results;
	int64_t			 done_at;	/* --tasks: when all were in */
	struct lease		*lease;
	size_t			 nlease, lease_cap;
	struct client		**parked;	/* mgr_wake's list, kept */
	size_t			 parked_cap;
	unsigned char		*acked;		/* by task id: 1 once acked or got */
	size_t			 acked_cap;
	unsigned char		*deliv;		/* by task id: times leased (to 255) */
	size_t			 deliv_cap;
	uint32_t		*holder;	/* by task id: serial of the client
						 * it was last leased to */
	size_t			 holder_cap;
	uint32_t		 serials;	/* clients accepted so far */
	struct mq_item		*dead;		/* the dead letters, in order */
	size_t			 ndead, dead_cap;
	unsigned char		*local;		/* bit by task id: put by --tasks */
	size_t			 local_cap;	/* (bytes) */
	long			 local_dead;	/* of those, dead letters */
	size_t			 rd_mem;	/* all clients' readers */
	long			 evicted;	/* handshakes dropped to admit
						 * others, not yet logged */
	int64_t			 evict_logged;	/* when they last were */
	int			 stop;
	struct mredis		*mr;		/* --redis (manager_redis.c) */
	long			 ndead_redis;	/* dead letters in Redis */
	/* --depth: what the last line said, when, and the largest total */
	long			 depth_last[8];
	int64_t			 depth_at;
	long			 depth_peak;
};

/* manager.c */

/* One line on the log (o->log), if there is one. */
void	 mgr_log(struct server *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* --tasks: print the results as they come (before any remote get sees
 * them), and put the notes' tasks while there is room; a remote put that
 * waits for room goes before the next of them, in turn. 1 if a task was
 * put. */
void	 mgr_local_results(struct server *s);
int	 mgr_local_tasks(struct server *s);
/* Ask for a round of the manager's work at the next turn of the loop. */
void	 mgr_want_round(struct server *s);
/* --tasks' lines: "url is ..." for a task put, "result is ..." (v not
 * taken over; the caller counts it). */
void	 outf_task(struct server *s, const char *url);
void	 mgr_print_result(struct server *s, const struct pval *v);

/* manager_redis.c (--redis) */

/* Connect and wait until Redis is ready; -1 and *cause (allocated). */
int	 mr_open(struct server *s, char **cause);
void	 mr_close(struct server *s);
/* Redis's fatal error that stopped the manager, or NULL. */
const char *mr_error(struct server *s);
/* Park client c until Redis stored item (taken over) on q. */
void	 mr_put(struct server *s, struct client *c, struct mqueue *q,
	    struct pval *item);
/* Task id of the task queue was got (XACK) or acked with result. */
void	 mr_got(struct server *s, uint64_t id);
void	 mr_acked(struct server *s, uint64_t id, const struct pval *result);
/* Redis's part of a round; the ms until it wants another, or -1. */
int64_t	 mr_round(struct server *s);
/* Redis's depth as last asked: queued, pending, done. */
void	 mr_depth(struct server *s, long out[3]);

/* manager_call.c */

/* Queue ('#RETURN', v) on the client's writer; takes over v. */
void	 mgr_reply_return(struct client *c, struct pval *v);
/* Queue ('#ERROR', module.cls(msg)); msg may be NULL. */
void	 mgr_reply_error(struct client *c, const char *module, const char *cls,
	    const char *msg);
/* Decode and answer one frame of an authenticated client. */
void	 mgr_on_frame(struct server *s, struct client *c,
	    const struct wire_frame *f);

/* manager_queue.c */

int	 mq_full(const struct mqueue *q);
void	 mq_push(struct mqueue *q, struct pval *item);
struct pval *mq_pop(struct mqueue *q);
void	 mq_free(struct mqueue *q);
struct pval *mgr_get_item(struct server *s, struct mqueue *q);

/* Task id was put by --tasks: its loss to the dead letters settles it. */
void mgr_mark_local(struct server *s, uint64_t id);
void	 lease_take(struct server *s, struct client *c, struct mqueue *q,
	    long n, int64_t lease_ms);
void	 lease_return(struct server *s, struct client *owner);
int64_t	 lease_next_expiry(const struct server *s);
int	 lease_ack(struct server *s, struct client *c, struct mqueue *q,
	    uint64_t id, const struct pval *result);
void	 mgr_wake(struct server *s);

#endif
