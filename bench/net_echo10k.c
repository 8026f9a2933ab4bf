/* net_echo10k.c — ten thousand concurrent connections held by `systour serve
 * echo`, and the latency of a round trip while they are held.
 *
 * The bench raises its own open files limit, starts `systour serve echo
 * --port 0`, and opens CONNS connections to it (blocking connects, one
 * after another: the server accepts them as they come), reading each one's
 * greeting. Errors are counted: a refused or reset connection, a wrong
 * greeting, a wrong echo. Then, with all of them held, a line goes out and
 * comes back on each connection in turn (PASSES passes over all of them,
 * one in flight at a time): the round trips give p50 and p99. For
 * reference the same round trips are timed first with only one connection
 * open, so the line shows what holding ten thousand costs per round trip
 * (the server's loop walks its watches each round). Last, every connection
 * sends at once and the time until all echoes are back is the burst
 * figure. The server must then stop cleanly on SIGTERM, saying it held
 * them all at once. Target: 0 errors. */
#include "bench.h"
#include "net_bench.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define CONNS	10000
#define PASSES	3
#define GREET	"welcome to here\n"

static int
dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read exactly n bytes and compare them with want. 0 or -1. */
static int
expect(int fd, const char *want, size_t n)
{
	char b[64];
	size_t got = 0;
	while (got < n) {
		ssize_t r = recv(fd, b + got, n - got, 0);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return memcmp(b, want, n) == 0 ? 0 : -1;
}

/* One round trip on fd, in microseconds; -1 on an error. */
static double
round_trip(int fd)
{
	double t0 = bench_now();
	if (send(fd, "ping\n", 5, MSG_NOSIGNAL) != 5 ||
	    expect(fd, "ping\n", 5) < 0)
		return -1;
	return (bench_now() - t0) * 1e6;
}

static double
pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	int i = (int)(p * (n - 1) + 0.5);
	return v[i];
}

int
main(void)
{
	const char *name = "serve echo: 10000 concurrent connections";
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < CONNS + 100) {
		printf("%s: skipped: the open files limit is %llu (hard), "
		    "%d needed [info]\n", name,
		    (unsigned long long)rl.rlim_cur, CONNS + 100);
		return 0;
	}
	char *argv[] = { (char *)nb_systour(), "serve", "echo", "--port", "0",
	    NULL };
	char errpath[] = "/tmp/systour-bench-echo-XXXXXX";
	int efd = mkstemp(errpath);
	if (efd >= 0)
		close(efd);
	pid_t pid;
	int port = nb_start(argv, errpath, 1, &pid);
	if (port <= 0) {
		printf("%s: failed: systour serve echo did not start\n", name);
		return 1;
	}
	static int fds[CONNS];
	static double rtt[CONNS * PASSES];
	int errors = 0, n1 = 0;

	/* one connection: the reference round trips */
	int one = dial(port);
	if (one < 0 || expect(one, GREET, sizeof GREET - 1) < 0)
		errors++;
	else
		for (int i = 0; i < CONNS && errors == 0; i++) {
			double t = round_trip(one);
			if (t < 0)
				errors++;
			else
				rtt[n1++] = t;
		}
	double p50_1 = n1 ? pct(rtt, n1, 0.50) : 0;
	double p99_1 = n1 ? pct(rtt, n1, 0.99) : 0;

	double t0 = bench_now();
	int held = 0;
	for (int i = 0; i < CONNS; i++) {
		fds[i] = dial(port);
		if (fds[i] < 0 || expect(fds[i], GREET, sizeof GREET - 1) < 0) {
			errors++;
			if (fds[i] >= 0)
				close(fds[i]);
			fds[i] = -1;
		} else
			held++;
	}
	double t_open = bench_now() - t0;
	int n = 0;
	for (int p = 0; p < PASSES; p++)
		for (int i = 0; i < CONNS; i++) {
			if (fds[i] < 0)
				continue;
			double t = round_trip(fds[i]);
			if (t < 0)
				errors++;
			else
				rtt[n++] = t;
		}
	double p50 = n ? pct(rtt, n, 0.50) : 0, p99 = n ? pct(rtt, n, 0.99) : 0;
	/* the burst: every connection at once */
	t0 = bench_now();
	for (int i = 0; i < CONNS; i++)
		if (fds[i] >= 0 && send(fds[i], "ping\n", 5, MSG_NOSIGNAL) != 5)
			errors++;
	for (int i = 0; i < CONNS; i++)
		if (fds[i] >= 0 && expect(fds[i], "ping\n", 5) < 0)
			errors++;
	double t_burst = bench_now() - t0;
	for (int i = 0; i < CONNS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (one >= 0)
		close(one);
	int st = nb_stop(pid);
	char log[512] = "";
	FILE *f = fopen(errpath, "r");
	if (f != NULL) {
		size_t r = fread(log, 1, sizeof log - 1, f);
		log[r] = '\0';
		fclose(f);
	}
	unlink(errpath);
	int clean = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	int all = strstr(log, "10001 at most at once") != NULL;
	printf("%s: %d held (opened in %.1f s), %d errors; round trip with "
	    "all held p50 %.0f us, p99 %.0f us (one connection alone: p50 "
	    "%.0f us, p99 %.0f us); all %d at once echoed in %.0f ms; server "
	    "%s [target 0 errors: %s]\n", name, held, t_open, errors, p50, p99,
	    p50_1, p99_1, held, t_burst * 1e3,
	    clean && all ? "held them all and stopped cleanly" :
	    clean ? "stopped cleanly" : "did NOT stop cleanly",
	    errors == 0 && held == CONNS && clean ? "ok" : "MISSED");
	return 0;
}
