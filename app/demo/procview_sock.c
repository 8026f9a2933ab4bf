/* procview_sock.c — what each socket of a procview scan is: its TCP, UDP
 * or UNIX endpoints and state, described from a copy of its fd taken with
 * pidfd_getfd(), or, when it can't be copied, found by inode in the tables
 * of /proc/net; any other socket by its protocol's name. */
#include "procview_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#define NET_REREAD_NS 1000000000LL      /* /proc/net read again after */

/* ---- Sockets ---------------------------------------------------------- */

/* A socket is described from a copy of its fd, taken with pidfd_getfd():
 * getsockname, getpeername and TCP_INFO cost a few microseconds, where
 * /proc/net/tcp walks the whole TCP hash table (milliseconds on a machine
 * with much memory). The copy is closed at once. Sockets that can't be
 * copied (no permission, an old kernel) are looked up by inode in
 * /proc/net/{tcp,tcp6,unix,udp,udp6}, read again only when such a socket
 * is new or the last reading is older than NET_REREAD_NS. */

static size_t
pool_printf(struct procview *pv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t
pool_printf(struct procview *pv, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof tmp)
		n = sizeof tmp - 1;
	return pv_pool_add(pv, tmp, (size_t)n);
}

static const char *const tcp_states[] = {
	"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
	"NEW_SYN_RECV",
};

static const char *
tcp_state(unsigned st)
{
	return st < sizeof tcp_states / sizeof *tcp_states ? tcp_states[st]
	    : "?";
}

static const char *
unix_type(int type)
{
	return type == SOCK_STREAM ? "STREAM" : type == SOCK_DGRAM ? "DGRAM"
	    : type == SOCK_SEQPACKET ? "SEQPACKET" : "?";
}

static int
cmp_sock(const void *a, const void *b)
{
	const struct sock *x = a, *y = b;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static struct sock *
find_sock(const struct procview *pv, unsigned long ino)
{
	struct sock key = { ino, NONE };
	return search(&key, pv->socks, pv->nsocks, sizeof *pv->socks, cmp_sock);
}

static int
cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return (x > y) - (x < y);
}

/* "127.0.0.1:8080", or "[::1]:8080", as /proc/net would show it. */
static void
format_ip(int family, const void *addr, unsigned port, char *out, size_t size)
{
	char ip[INET6_ADDRSTRLEN];
	if (inet_ntop(family, addr, ip, sizeof ip) == NULL)
		snprintf(ip, sizeof ip, "?");
	snprintf(out, size, family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
}

static void
format_sockaddr(const struct sockaddr_storage *ss, char *out, size_t size)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		format_ip(AF_INET6, &a->sin6_addr, ntohs(a->sin6_port), out, size);
	} else {
		const struct sockaddr_in *a = (const void *)ss;
		format_ip(AF_INET, &a->sin_addr, ntohs(a->sin_port), out, size);
	}
}

/* A UNIX socket's path from its address; an abstract name as "@name". */
static void
format_unix_path(const struct sockaddr_un *u, socklen_t len, char *out,
    size_t size)
{
	size_t n = len > offsetof(struct sockaddr_un, sun_path)
	    ? len - offsetof(struct sockaddr_un, sun_path) : 0;
	size_t k = 0;
	if (n > sizeof u->sun_path)
		n = sizeof u->sun_path;
	if (n > 0 && u->sun_path[0] != '\0')
		n = strnlen(u->sun_path, n);
	for (size_t i = 0; i < n && k + 1 < size; i++)
		out[k++] = u->sun_path[i] == '\0' ? '@' : u->sun_path[i];
	out[k] = '\0';
}

static int
sockopt_int(int sfd, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof v;
	if (getsockopt(sfd, level, name, &v, &len) < 0)
		return -1;
	return v;
}

/* Describe the socket sfd (our copy of a group process's fd) into the
 * pool. 0, or -1 when it is of a kind described otherwise. */
static int
describe_fd(struct procview *pv, int sfd, size_t *desc)
{
	struct sockaddr_storage la, ra;
	socklen_t llen = sizeof la, rlen = sizeof ra;
	char l[160], r[80];
	int domain = sockopt_int(sfd, SOL_SOCKET, SO_DOMAIN);
	int type = sockopt_int(sfd, SOL_SOCKET, SO_TYPE);
	int proto = sockopt_int(sfd, SOL_SOCKET, SO_PROTOCOL);

	memset(&la, 0, sizeof la);
	memset(&ra, 0, sizeof ra);
	if (getsockname(sfd, (struct sockaddr *)&la, &llen) < 0)
		return -1;
	int peer = getpeername(sfd, (struct sockaddr *)&ra, &rlen) == 0;
	if (domain == AF_UNIX) {
		int listening = sockopt_int(sfd, SOL_SOCKET, SO_ACCEPTCONN) == 1;
		format_unix_path((const struct sockaddr_un *)&la, llen, l,
		    sizeof l);
		*desc = pool_printf(pv, "UNIX %s%s%s%s", unix_type(type),
		    listening ? " LISTEN" : peer ? " CONNECTED" : "",
		    *l ? " " : "", l);
		return 0;
	}
	if (domain != AF_INET && domain != AF_INET6)
		return -1;
	const char *six = domain == AF_INET6 ? "6" : "";
	format_sockaddr(&la, l, sizeof l);
	format_sockaddr(&ra, r, sizeof r);
	if (type == SOCK_STREAM && proto == IPPROTO_TCP) {
		struct tcp_info ti;
		socklen_t tlen = sizeof ti;
		memset(&ti, 0, sizeof ti);
		if (getsockopt(sfd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) < 0)
			return -1;
		if (ti.tcpi_state == TCP_LISTEN || !peer)
			*desc = pool_printf(pv, "TCP%s %s %s", six, l,
			    tcp_state(ti.tcpi_state));
		else
			*desc = pool_printf(pv, "TCP%s %s -> %s %s", six, l, r,
			    tcp_state(ti.tcpi_state));
		return 0;
	}
	if (type == SOCK_DGRAM && proto == IPPROTO_UDP) {
		if (peer)
			*desc = pool_printf(pv, "UDP%s %s -> %s", six, l, r);
		else
			*desc = pool_printf(pv, "UDP%s %s", six, l);
		return 0;
	}
	return -1;
}

/* Describe what sockets we can from copies of their fds. */
static void
describe_by_copy(struct procview *pv)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	pid_t cur = 0;
	int pidfd = -1;
	for (int i = 0; i < pv->nfds && !pv->no_pidfd; i++) {
		struct pfd *f = &pv->fds[i];
		if (f->kind != FK_SOCK || find_sock(pv, f->ino)->desc != NONE)
			continue;
		if (f->pid != cur) {
			if (pidfd >= 0)
				close(pidfd);
			cur = f->pid;
			pidfd = (int)syscall(SYS_pidfd_open, cur, 0);
			if (pidfd < 0 && errno == ENOSYS)
				pv->no_pidfd = 1;
		}
		if (pidfd < 0)
			continue;
		int sfd = (int)syscall(SYS_pidfd_getfd, pidfd, f->fd, 0);
		if (sfd < 0) {
			if (errno == ENOSYS)
				pv->no_pidfd = 1;
			continue;
		}
		struct stat st;
		/* the fd may have been closed and reused since readlink */
		if (fstat(sfd, &st) == 0 && (unsigned long)st.st_ino == f->ino)
			describe_fd(pv, sfd, &find_sock(pv, f->ino)->desc);
		close(sfd);
	}
	if (pidfd >= 0)
		close(pidfd);
#else
	pv->no_pidfd = 1;
#endif
}

/* Remember the description of socket ino from the tables, if wanted. */
static int
net_wanted(const struct procview *pv, unsigned long ino)
{
	return ino != 0 && search(&ino, pv->asked, pv->nasked,
	    sizeof *pv->asked, cmp_ulong) != NULL;
}

static void
net_put(struct procview *pv, unsigned long ino, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
net_put(struct procview *pv, unsigned long ino, const char *fmt, ...)
{
	va_list ap;
	pv->net = grow(pv->net, &pv->netcap, pv->nnet + 1, sizeof *pv->net);
	struct netent *e = &pv->net[pv->nnet++];
	e->ino = ino;
	va_start(ap, fmt);
	vsnprintf(e->desc, sizeof e->desc, fmt, ap);
	va_end(ap);
}

/* A hex address of /proc/net/tcp: each 32-bit word in host order. */
static int
parse_hex_addr(const char *hex, int v6, unsigned char *bytes)
{
	size_t words = v6 ? 4 : 1;
	if (strlen(hex) != words * 8)
		return -1;
	for (size_t w = 0; w < words; w++) {
		char part[9];
		memcpy(part, hex + 8 * w, 8);
		part[8] = '\0';
		uint32_t x = (uint32_t)strtoul(part, NULL, 16);
		memcpy(bytes + 4 * w, &x, 4);
	}
	return 0;
}

/* The wanted sockets of /proc/net/tcp, tcp6, udp or udp6. */
static void
read_inet(struct procview *pv, const char *file, const char *proto, int v6,
    int tcp)
{
	if (pv_slurp(pv, pv->procfd, file) < 0)
		return;
	int family = v6 ? AF_INET6 : AF_INET;
	char *line = strchr(pv->buf, '\n');     /* after the header */
	while (line != NULL && *++line) {
		char lhex[40], rhex[40], l[80], r[80];
		unsigned char la[16], ra[16];
		unsigned lport, rport, st;
		unsigned long ino;
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		int ok = sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x "
		    "%x %*x:%*x %*x:%*x %*x %*u %*d %lu", lhex, &lport, rhex,
		    &rport, &st, &ino) == 6;
		line = eol;
		if (!ok || !net_wanted(pv, ino) || parse_hex_addr(lhex, v6, la) < 0
		    || parse_hex_addr(rhex, v6, ra) < 0)
			continue;
		format_ip(family, la, lport, l, sizeof l);
		format_ip(family, ra, rport, r, sizeof r);
		if (tcp && (st == 10 || rport == 0))
			net_put(pv, ino, "%s %s %s", proto, l, tcp_state(st));
		else if (tcp)
			net_put(pv, ino, "%s %s -> %s %s", proto, l, r,
			    tcp_state(st));
		else if (rport != 0)
			net_put(pv, ino, "%s %s -> %s", proto, l, r);
		else
			net_put(pv, ino, "%s %s", proto, l);
	}
}

/* The wanted sockets of /proc/net/unix:
 * "Num RefCount Protocol Flags Type St Inode Path". */
static void
read_unix(struct procview *pv)
{
	if (pv_slurp(pv, pv->procfd, "net/unix") < 0)
		return;
	char *line = strchr(pv->buf, '\n');
	while (line != NULL && *++line) {
		unsigned flags, type, st;
		unsigned long ino;
		int end = 0;
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		int ok = sscanf(line, "%*x: %*x %*x %x %x %x %lu%n", &flags,
		    &type, &st, &ino, &end) == 4;
		char *path = line + end;
		line = eol;
		if (!ok || !net_wanted(pv, ino))
			continue;
		while (*path == ' ')
			path++;
		net_put(pv, ino, "UNIX %s%s%s%s", unix_type((int)type),
		    flags & 0x10000 ? " LISTEN" : st == 3 ? " CONNECTED" : "",
		    *path ? " " : "", path);
	}
}

static int
cmp_netent(const void *a, const void *b)
{
	const struct netent *x = a, *y = b;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

/* Describe the sockets left from the tables in /proc/net. */
static void
describe_by_tables(struct procview *pv, long long now)
{
	int need = pv->net_ns == 0 || now - pv->net_ns >= NET_REREAD_NS;
	int n = 0;
	for (int i = 0; i < pv->nsocks; i++)
		if (pv->socks[i].desc == NONE) {
			n++;
			need |= !net_wanted(pv, pv->socks[i].ino);
		}
	if (n == 0)
		return;
	if (need) {
		pv->nasked = 0;
		pv->asked = grow(pv->asked, &pv->askedcap, n, sizeof *pv->asked);
		for (int i = 0; i < pv->nsocks; i++)
			if (pv->socks[i].desc == NONE)
				pv->asked[pv->nasked++] = pv->socks[i].ino;
		pv->nnet = 0;
		read_inet(pv, "net/tcp", "TCP", 0, 1);
		read_inet(pv, "net/tcp6", "TCP6", 1, 1);
		read_unix(pv);
		read_inet(pv, "net/udp", "UDP", 0, 0);
		read_inet(pv, "net/udp6", "UDP6", 1, 0);
		sort(pv->net, pv->nnet, sizeof *pv->net, cmp_netent);
		pv->net_ns = now;
	}
	for (int i = 0; i < pv->nsocks; i++) {
		struct netent key, *e;
		if (pv->socks[i].desc != NONE)
			continue;
		key.ino = pv->socks[i].ino;
		e = search(&key, pv->net, pv->nnet, sizeof *pv->net,
		    cmp_netent);
		if (e)
			pv->socks[i].desc = pv_pool_add(pv, e->desc, strlen(e->desc));
	}
}

void
pv_describe_sockets(struct procview *pv, long long now)
{
	pv->nsocks = 0;
	for (int i = 0; i < pv->nfds; i++)
		if (pv->fds[i].kind == FK_SOCK) {
			pv->socks = grow(pv->socks, &pv->sockcap, pv->nsocks + 1,
			    sizeof *pv->socks);
			pv->socks[pv->nsocks++] = (struct sock){ pv->fds[i].ino, NONE };
		}
	if (pv->nsocks == 0)
		return;
	sort(pv->socks, pv->nsocks, sizeof *pv->socks, cmp_sock);
	int u = 0;
	for (int i = 0; i < pv->nsocks; i++)
		if (u == 0 || pv->socks[u - 1].ino != pv->socks[i].ino)
			pv->socks[u++] = pv->socks[i];
	pv->nsocks = u;

	if (!pv->tables_only)
		describe_by_copy(pv);
	describe_by_tables(pv, now);

	for (int i = 0; i < pv->nfds; i++) {
		struct pfd *f = &pv->fds[i];
		if (f->kind != FK_SOCK)
			continue;
		struct sock *s = find_sock(pv, f->ino);
		if (s->desc == NONE) {
			/* another protocol (netlink, packet...), or a socket
			 * not bound yet: its protocol's name */
			char path[64], proto[32];
			snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)f->pid,
			    f->fd);
			ssize_t k = getxattr(path, "system.sockprotoname", proto,
			    sizeof proto - 1);
			if (k > 0)
				s->desc = pv_pool_add(pv, proto, strnlen(proto,
				    (size_t)k));
		}
		f->desc = s->desc;
	}
}
