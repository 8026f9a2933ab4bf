/* common.c — lesson 09's shared helpers (sock.h): listening and dialing on
 * loopback, and the kernel's own table of TCP sockets, /proc/net/tcp,
 * read for one port. */
#define _GNU_SOURCE
#include "sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
sock_listen(int backlog, int defer, int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (defer > 0)
		setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer,
		    sizeof defer);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t l = sizeof a;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(fd, backlog) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int
sock_dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_port = htons((unsigned short)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

const char *
sock_state_name(int st)
{
	static const char *const names[] = { "?", "ESTABLISHED", "SYN_SENT",
	    "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
	    "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING" };
	return st > 0 && st <= 11 ? names[st] : "?";
}

/* "0100007F:270F" -> "127.0.0.1:9999"; the port. */
static int
addr_text(const char *hex, char *out, size_t len)
{
	unsigned int ip, port;
	if (sscanf(hex, "%8X:%4X", &ip, &port) != 2) {
		snprintf(out, len, "?");
		return -1;
	}
	struct in_addr a = { .s_addr = ip };	/* as the kernel stored it */
	char b[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a, b, sizeof b);
	snprintf(out, len, "%s:%u", b, port);
	return (int)port;
}

int
sock_show(const struct demo_api *api, struct demo_ctx *ctx,
    struct demo_actor *a, int port, int counts[16])
{
	FILE *f = fopen("/proc/net/tcp", "r");
	if (counts != NULL)
		memset(counts, 0, 16 * sizeof *counts);
	if (f == NULL) {
		if (a != NULL)
			api->print(a, "/proc/net/tcp: %s\n", strerror(errno));
		return 0;
	}
	char line[512];
	int n = 0;
	if (fgets(line, sizeof line, f) == NULL) {	/* the header */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char loc[64], rem[64], lt[64], rt[64];
		unsigned st, txq, rxq;
		if (sscanf(line, " %*d: %63s %63s %X %X:%X", loc, rem, &st,
		    &txq, &rxq) != 5)
			continue;
		int lp = addr_text(loc, lt, sizeof lt);
		int rp = addr_text(rem, rt, sizeof rt);
		if (lp != port && rp != port)
			continue;
		n++;
		if (counts != NULL && st < 16)
			counts[st]++;
		if (counts != NULL && st == TCP_ST_LISTEN)
			counts[0] = (int)rxq;
		if (a == NULL)
			continue;
		if (st == TCP_ST_LISTEN)
			api->print(a, DEMO_TR(api, ctx,
			    "  %-15s %-11s accept queue %u\n",
			    "  %-15s %-11s 接受队列 %u\n"), lt,
			    sock_state_name((int)st), rxq);
		else
			api->print(a, "  %-15s %-11s %s, peer %s\n", lt,
			    sock_state_name((int)st),
			    lp == port ? "server" : "client", rt);
	}
	fclose(f);
	return n;
}

size_t
sock_read_full(int fd, void *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

void
sock_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}
