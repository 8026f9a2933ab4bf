/* net.h — systour's own socket peers for the network lessons: `serve http`
 * and `serve echo` (servers on the one event loop, epoll, non-blocking,
 * thousands of clients at once) and `client` (stdin lines to a server, its
 * replies to stdout), and the few helpers they share (listening, the open
 * files limit, addresses as text).
 *
 * Contract of both servers: the FIRST line on out is exactly
 * "listening on HOST:PORT" (IPv6: "[HOST]:PORT"), flushed, before any
 * client is served; with port "0" the kernel picks a free port and the line
 * names it. Then they serve until SIGINT or SIGTERM, and return 0. */
#ifndef SYSTOUR_NET_H
#define SYSTOUR_NET_H

#include <stdio.h>

#define SERVE_HTTP_PORT	"8080"
#define SERVE_ECHO_PORT	"9999"		/* the notes' port */
#define SERVE_IDLE_MS	30000		/* an idle connection is closed */
#define NET_BACKLOG	4096		/* capped by net.core.somaxconn */

struct serve_opts {
	const char	*host;		/* default "127.0.0.1" */
	const char	*port;		/* "0": any free port */
	int		 delay_ms;	/* http: delay every response */
	int		 idle_ms;	/* close a connection idle this long */
	const char	*greeting;	/* echo: sent on connect (NULL: none) */
	FILE		*out;		/* the "listening on" line */
	FILE		*log;		/* errors and the summary at the end */
};

/* Listen on host:port (a TCP socket, non-blocking, close-on-exec,
 * SO_REUSEADDR, backlog NET_BACKLOG). Returns the descriptor and writes
 * "HOST:PORT" as bound into name; -1 and *cause (allocated) on failure. */
int net_listen(const char *host, const char *port, char *name, size_t len,
    char **cause);

/* Raise the soft limit on open files to the hard limit. Returns the limit
 * now in force. */
long net_raise_nofile(void);

/* Split "HOST:PORT" ("[::1]:80" too) into host and port (allocated).
 * -1 if it is not of that form. */
int net_split_hostport(const char *s, char **host, char **port);

/* Print "listening on NAME" as the first line of out and flush it; warn on
 * log when the open files limit holds fewer than want connections. */
void net_announce(FILE *out, FILE *log, const char *who, const char *name,
    long want);

int serve_http_run(const struct serve_opts *o, char **cause);
int serve_echo_run(const struct serve_opts *o, char **cause);

struct client_opts {
	const char	*host, *port;
	int		 timeout_ms;	/* to connect */
	FILE		*log;
};

/* Connect, send stdin to the server (its end: shutdown(SHUT_WR)), copy
 * what comes back to stdout, until the server closes. 0, or 1 with
 * *cause. */
int client_run(const struct client_opts *o, char **cause);

#endif
