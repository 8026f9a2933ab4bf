/* net_listen.c — what systour's servers and client share: a listening
 * socket, the open files limit, "HOST:PORT" as text both ways, and the
 * "listening on" line that scripts and tests wait for. */
#include "net.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int
net_listen(const char *host, const char *port, char *name, size_t len,
    char **cause)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res, *ai;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		*cause = xasprintf("%s:%s: %s", host, port, gai_strerror(rc));
		return -1;
	}
	int fd = -1, err = 0;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, NET_BACKLOG) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		*cause = xasprintf(LD("cannot listen on %s:%s: %s",
		    "无法在 %s:%s 上监听：%s"), host, port,
		    strerror(err));
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char h[NI_MAXHOST] = "?", p[NI_MAXSERV] = "?";
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p,
		    sizeof p, NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(name, len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    h, p);
	return fd;
}

long
net_raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1L << 30 : (long)rl.rlim_cur;
}

int
net_split_hostport(const char *s, char **host, char **port)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s || colon[1] == '\0')
		return -1;
	size_t hl = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hl < 3 || s[hl - 1] != ']')
			return -1;
		*host = xstrndup(s + 1, hl - 2);
	} else {
		if (memchr(s, ':', hl) != NULL)
			return -1;	/* a bare IPv6 address: [ ] needed */
		*host = xstrndup(s, hl);
	}
	for (const char *p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9') {
			free(*host);
			return -1;
		}
	*port = xstrdup(colon + 1);
	return 0;
}

void
net_announce(FILE *out, FILE *log, const char *who, const char *name,
    long want)
{
	fprintf(out, "listening on %s\n", name);
	fflush(out);
	long lim = net_raise_nofile();
	if (log != NULL && lim >= 0 && lim < want + 16) {
		fprintf(log, LD("systour %s: the open files limit is %ld: at "
		    "most "
		    "about %ld clients at once (raise it: ulimit -n %ld)\n",
		    "systour %s：打开文件数上限是 %ld：同时最多约 %ld "
		    "个客户端（可以调高：ulimit -n "
		    "%ld）\n"),
		    who, lim, lim > 16 ? lim - 16 : 0, want + 16);
		fflush(log);
	}
}
