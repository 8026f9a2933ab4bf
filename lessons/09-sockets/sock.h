/* sock.h — what lesson 09's demos share: a listening socket on loopback,
 * the kernel's table of TCP sockets (/proc/net/tcp) for one port, and
 * small helpers for forked actors. */
#ifndef SYSTOUR_SOCK_H
#define SYSTOUR_SOCK_H

#include "lesson_module.h"

#include <stddef.h>

extern const struct systour_demo echo_demo, backlog_demo,
    three_servers_demo;

/* A TCP socket on 127.0.0.1, an ephemeral port (*port), bound and
 * listening with backlog; -1 with errno on failure. defer > 0 sets
 * TCP_DEFER_ACCEPT to that many seconds first. */
int sock_listen(int backlog, int defer, int *port);

/* Connect a blocking socket to 127.0.0.1:port; -1 with errno. */
int sock_dial(int port);

/* The state's name as /proc/net/tcp numbers them ("ESTABLISHED"). */
const char *sock_state_name(int st);

/* Every socket of /proc/net/tcp whose local or remote port is port, one
 * line each to a's pane ("127.0.0.1:9999 LISTEN, accept queue 2"; a NULL:
 * no lines), and the counts by state in counts[16] (may be NULL), with
 * counts[0] the listener's accept queue. Returns how many. */
int sock_show(const struct demo_api *api, struct demo_ctx *ctx,
    struct demo_actor *a, int port,
    int counts[16]);

/* Read exactly n bytes (or to the end); bytes read. */
size_t sock_read_full(int fd, void *p, size_t n);

/* An actor's process ends: flush stdio and _exit. */
void sock_exit(int status) __attribute__((noreturn));

enum { TCP_ST_ESTABLISHED = 1, TCP_ST_SYN_SENT, TCP_ST_SYN_RECV,
	TCP_ST_FIN_WAIT1, TCP_ST_FIN_WAIT2, TCP_ST_TIME_WAIT, TCP_ST_CLOSE,
	TCP_ST_CLOSE_WAIT, TCP_ST_LAST_ACK, TCP_ST_LISTEN, TCP_ST_CLOSING };

#endif
