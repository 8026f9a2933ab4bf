/* manager_rtt.c — one put/get round trip through `systour manager` against
 * a bare loopback TCP round trip of the same bytes, side by side in one
 * run.
 *
 * systour: a C client speaks what a CPython proxy speaks (app/queue/wire.c for
 * the frames and the handshake, app/pickle/pickle_*.c for the requests): create on
 * a connection of its own, then accept_connection on the proxy's
 * connection, then, one at a time, put('ImageUrl_0') and get() on the task
 * queue, each a request (ident, method, args, kwds) and its ('#RETURN', v)
 * reply, pickled and decoded every time.
 * Bare: a forked C server with a blocking TCP socket (TCP_NODELAY on both
 * ends) reads exactly the bytes of the put request frame and writes back
 * as many bytes as the manager's reply frame, then the same for the get:
 * the same four messages, of the same sizes, with nothing done to them.
 *
 * Rounds of PAIRS put+get pairs alternate (bare, systour, systour, bare,
 * ...); a pair of rounds gives a ratio (systour's time per put+get over
 * bare's); the line gives the median of the pairs (ROUNDS of them, fewer
 * but at least MIN_ROUNDS when BUDGET_S runs out). As in ipc.c, where
 * the processes run decides much, so both placements are measured, pinned:
 * client and server on one CPU (every cost of the manager shows: the
 * figure the target applies to) and on two CPUs (wake-ups across CPUs add
 * the same to both). For reference, CPython's own proxy (BaseManager
 * client) does PY_PAIRS put+get pairs against the same manager when
 * python3 is there. */
#include "manager_bench.h"
#include "pickle.h"
#include "wire.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define TARGET 1.5		/* systour / bare, at most */
#define ROUNDS 15		/* pairs of rounds per placement, at most */
#define MIN_ROUNDS 5		/* ... and at least, however slow */
#define BUDGET_S 12.0		/* per placement; all ends within ~38 s */
#define PAIRS 1000		/* put+get pairs per round */
#define WARMUP 500
#define PY_PAIRS 2000
#define ITEM "ImageUrl_0"

/* ------------------------------------------------------------- sockets */

static int
dial(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int
send_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	while (len > 0) {
		ssize_t k = send(fd, c, len, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		len -= (size_t)k;
	}
	return 0;
}

static int
recv_all(int fd, void *p, size_t len)
{
	char *c = p;
	while (len > 0) {
		ssize_t k = recv(fd, c, len, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		len -= (size_t)k;
	}
	return 0;
}

/* ---------------------------------------------------- the systour client */

struct client {
	int			 fd;
	struct wire_conn	 c;	/* its reader, after the handshake */
	struct pval		*ident;
	size_t			 sizes[4];	/* frames: put, reply, get, reply */
};

/* Send (ident, method, args, {}) and read its reply; takes over args.
 * The reply's value (a new reference) when it is ('#RETURN', v), else
 * NULL with why. sent and got (if given): the frames' sizes. */
static struct pval *
call(struct client *cl, struct pval *ident, const char *method,
    struct pval *args, size_t *sent, size_t *got, char *why, size_t wlen)
{
	struct pval *req = pval_tuple(4, ident, pval_str(method), args,
	    pval_dict());
	unsigned char *buf, frame[4096];
	size_t len;
	char *cause = NULL;
	if (pickle_dumps(req, 4, &buf, &len, &cause) != 0) {
		snprintf(why, wlen, "%s", cause);
		free(cause);
		pval_free(req);
		return NULL;
	}
	pval_free(req);
	size_t h = wire_header(frame, len);
	if (h + len > sizeof frame) {
		free(buf);
		snprintf(why, wlen, "%s: request too big", method);
		return NULL;
	}
	memcpy(frame + h, buf, len);
	free(buf);
	if (send_all(cl->fd, frame, h + len) < 0) {
		snprintf(why, wlen, "%s: send: %s", method, strerror(errno));
		return NULL;
	}
	if (sent)
		*sent = h + len;
	struct wire_frame f;
	int rc;
	while ((rc = wire_reader_next(&cl->c.rd, &f)) == WIRE_AGAIN) {
		unsigned char in[4096];
		ssize_t k = recv(cl->fd, in, sizeof in, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			snprintf(why, wlen, "%s: %s", method, k == 0 ?
			    "the manager closed the connection" :
			    strerror(errno));
			return NULL;
		}
		wire_reader_feed(&cl->c.rd, in, (size_t)k);
	}
	if (rc != WIRE_OK) {
		snprintf(why, wlen, "%s: %s", method,
		    wire_reader_error(&cl->c.rd));
		return NULL;
	}
	if (got)
		*got = f.len + (f.len > 0x7fffffff ? 12 : 4);
	struct pval *rep = pickle_loads(f.data, f.len, NULL, NULL, &cause);
	if (rep == NULL) {
		snprintf(why, wlen, "%s: %s", method, cause);
		free(cause);
		return NULL;
	}
	if (rep->kind != PV_TUPLE || pval_len(rep) != 2 ||
	    !pval_is_str(pval_item(rep, 0), "#RETURN")) {
		char *r = pval_repr_max(rep, 120);
		snprintf(why, wlen, "%s: the manager answered %s", method, r);
		free(r);
		pval_free(rep);
		return NULL;
	}
	struct pval *v = pval_ref(pval_item(rep, 1));
	pval_free(rep);
	return v;
}

/* Connect and authenticate as multiprocessing.connection.Client does. */
static int
client_dial(struct client *cl, int port, char *why, size_t wlen)
{
	char *cause = NULL;
	cl->fd = dial(port);
	if (cl->fd < 0) {
		snprintf(why, wlen, "connect: %s", strerror(errno));
		return -1;
	}
	wire_conn_init(&cl->c, cl->fd, 0);
	if (wire_conn_client_auth(&cl->c, "qiye", 4, WIRE_DIGEST_MD5, 5000,
	    &cause) != WIRE_OK) {
		snprintf(why, wlen, "handshake: %s", cause ? cause : "timed out");
		free(cause);
		wire_conn_free(&cl->c);
		close(cl->fd);
		cl->fd = -1;
		return -1;
	}
	return 0;
}

static void
client_close(struct client *cl)
{
	if (cl->fd >= 0) {
		wire_conn_free(&cl->c);
		close(cl->fd);
	}
	cl->fd = -1;
	pval_free(cl->ident);
	cl->ident = NULL;
}

/* manager.get_task_queue() as a proxy gets it: create on a connection of
 * its own, then the proxy's connection with accept_connection. */
static int
client_open(struct client *cl, int port, char *why, size_t wlen)
{
	struct client once = { .fd = -1 };
	if (client_dial(&once, port, why, wlen) < 0)
		return -1;
	struct pval *v = call(&once, pval_none(), "create",
	    pval_tuple(1, pval_str("get_task_queue")), NULL, NULL, why, wlen);
	client_close(&once);
	if (v == NULL)
		return -1;
	if (v->kind != PV_TUPLE || pval_len(v) != 2 ||
	    pval_item(v, 0)->kind != PV_STR) {
		snprintf(why, wlen, "create: not an (ident, exposed) pair");
		pval_free(v);
		return -1;
	}
	cl->ident = pval_ref(pval_item(v, 0));
	pval_free(v);
	if (client_dial(cl, port, why, wlen) < 0)
		return -1;
	v = call(cl, pval_none(), "accept_connection",
	    pval_tuple(1, pval_str("MainThread")), NULL, NULL, why, wlen);
	if (v == NULL)
		return -1;
	pval_free(v);
	return 0;
}

/* n put+get pairs; seconds per pair, or < 0 with why. The first call
 * records the four frames' sizes. */
static double
client_pairs(struct client *cl, int n, char *why, size_t wlen)
{
	double t = bench_now();
	for (int i = 0; i < n; i++) {
		struct pval *v = call(cl, pval_ref(cl->ident), "put",
		    pval_tuple(1, pval_str(ITEM)), &cl->sizes[0], &cl->sizes[1],
		    why, wlen);
		if (v == NULL)
			return -1;
		pval_free(v);
		v = call(cl, pval_ref(cl->ident), "get", pval_tuple(0),
		    &cl->sizes[2], &cl->sizes[3], why, wlen);
		if (v == NULL)
			return -1;
		int ok = pval_is_str(v, ITEM);
		pval_free(v);
		if (!ok) {
			snprintf(why, wlen, "get: not the item put");
			return -1;
		}
	}
	return (bench_now() - t) / n;
}

/* ------------------------------------------------------- the bare server */

/* Accept one connection on lfd; then, until EOF, read sizes[0] bytes and
 * write sizes[1], read sizes[2] and write sizes[3]. */
static void
bare_serve(int lfd, const size_t sizes[4])
{
	int fd = accept(lfd, NULL, NULL), one = 1;
	if (fd < 0)
		_exit(1);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	static char buf[4096];
	for (;;)
		for (int i = 0; i < 4; i += 2) {
			if (recv_all(fd, buf, sizes[i]) < 0)
				_exit(0);
			if (send_all(fd, buf, sizes[i + 1]) < 0)
				_exit(1);
		}
}

/* Start the bare server pinned to cpu and connect to it. The client's fd,
 * or -1. *pid: the server. */
static int
bare_start(const size_t sizes[4], int cpu, pid_t *pid)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) < 0) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	pid_t parent = getpid();
	*pid = fork();
	if (*pid < 0) {
		close(lfd);
		return -1;
	}
	if (*pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		setpgid(0, 0);
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof set, &set);
		bare_serve(lfd, sizes);
		_exit(0);
	}
	setpgid(*pid, *pid);
	for (int i = 0; i < MB_MAX_CHILDREN; i++)
		if (mb_children[i] == 0) {
			mb_children[i] = *pid;
			break;
		}
	close(lfd);
	return dial(ntohs(a.sin_port));
}

static double
bare_pairs(int fd, const size_t sizes[4], int n)
{
	static char buf[4096];
	double t = bench_now();
	for (int i = 0; i < n; i++)
		for (int j = 0; j < 4; j += 2)
			if (send_all(fd, buf, sizes[j]) < 0 ||
			    recv_all(fd, buf, sizes[j + 1]) < 0)
				return -1;
	return (bench_now() - t) / n;
}

/* ------------------------------------------------------------ placements */

/* A ratio shown rounded up to two decimals, so that 1.503 reads 1.51,
 * never a 1.50 that missed. */
static double
up2(double x)
{
	double c = (double)(long)(x * 100);
	return (c < x * 100 ? c + 1 : c) / 100;
}

struct series {
	double	 ratio, lo, hi;		/* median, range of the pairs */
	double	 sys, bare;		/* seconds per put+get, medians */
	int	 rounds;
};

/* Client on cpu c, manager and bare server on cpu s. 0, or -1 with why. */
static int
series(const char *systour, int c, int s, struct series *out, size_t sizes[4],
    char *why, size_t wlen)
{
	struct mb_manager m;
	struct client cl = { .fd = -1 };
	pid_t bpid = 0;
	int bfd = -1, rc = -1;
	double sys[ROUNDS], bare[ROUNDS], ratio[ROUNDS];
	double end_by = bench_now() + BUDGET_S;
	int n = 0;

	bench_pin(c);
	if (mb_manager_start(&m, systour, NULL, s, why, wlen) < 0)
		return -1;
	if (client_open(&cl, atoi(m.port), why, wlen) < 0 ||
	    client_pairs(&cl, WARMUP, why, wlen) < 0)
		goto out;
	memcpy(sizes, cl.sizes, sizeof cl.sizes);
	if ((bfd = bare_start(cl.sizes, s, &bpid)) < 0) {
		snprintf(why, wlen, "bare server: %s", strerror(errno));
		goto out;
	}
	if (bare_pairs(bfd, cl.sizes, WARMUP) < 0) {
		snprintf(why, wlen, "bare server: %s", strerror(errno));
		goto out;
	}
	for (int r = 0; r < ROUNDS && (r < MIN_ROUNDS || bench_now() < end_by);
	    r++, n++) {
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == (r % 2 == 0)) {
				bare[r] = bare_pairs(bfd, cl.sizes, PAIRS);
				if (bare[r] < 0) {
					snprintf(why, wlen, "bare: %s",
					    strerror(errno));
					goto out;
				}
			} else if ((sys[r] = client_pairs(&cl, PAIRS, why,
			    wlen)) < 0)
				goto out;
		}
		ratio[r] = sys[r] / bare[r];
	}
	out->rounds = n;
	out->ratio = mb_median(ratio, n);
	out->sys = mb_median(sys, n);
	out->bare = mb_median(bare, n);
	out->lo = out->hi = ratio[0];
	for (int r = 1; r < n; r++) {
		if (ratio[r] < out->lo)
			out->lo = ratio[r];
		if (ratio[r] > out->hi)
			out->hi = ratio[r];
	}
	rc = 0;
out:
	client_close(&cl);
	if (bfd >= 0)
		close(bfd);
	mb_kill(bpid);
	mb_manager_stop(&m);
	return rc;
}

/* ------------------------------------------------- CPython, for reference */

static const char py_script[] =
    "import sys, time\n"
    "from multiprocessing.managers import BaseManager\n"
    "class QueueManager(BaseManager):\n"
    "    pass\n"
    "QueueManager.register('get_task_queue')\n"
    "m = QueueManager(address=('127.0.0.1', int(sys.argv[1])),"
    " authkey=b'qiye')\n"
    "m.connect()\n"
    "q = m.get_task_queue()\n"
    "for _ in range(200):\n"
    "    q.put('" ITEM "'); q.get()\n"
    "n = int(sys.argv[2])\n"
    "t = time.perf_counter()\n"
    "for _ in range(n):\n"
    "    q.put('" ITEM "'); q.get()\n"
    "t = time.perf_counter() - t\n"
    "print(t / n, sys.version.split()[0], flush=True)\n";

/* Seconds per put+get of CPython's proxy against systour manager, on the
 * placement of the target (client on c, manager on s). 0 without python3,
 * < 0 with why. */
static double
python_pairs(const char *systour, int c, int s, char *ver, size_t vlen,
    char *why, size_t wlen)
{
	struct mb_manager m;
	if (mb_manager_start(&m, systour, NULL, s, why, wlen) < 0)
		return -1;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		mb_manager_stop(&m);
		return -1;
	}
	char count[16];
	snprintf(count, sizeof count, "%d", PY_PAIRS);
	char *argv[] = { "python3", "-c", (char *)py_script, m.port, count,
	    NULL };
	pid_t pid = mb_spawn(argv, -1, p[1], p[1], c);
	close(p[1]);
	double secs = -1;
	if (pid < 0) {
		snprintf(why, wlen, "fork: %s", strerror(errno));
		close(p[0]);
		mb_manager_stop(&m);
		return -1;
	}
	struct mb_lines l = { .fd = p[0] };
	char line[512] = "", last[512] = "";
	double deadline = bench_now() + 10;
	int rc;
	while ((rc = mb_read_line(&l, deadline, line, sizeof line)) == 1) {
		char v[32];
		if (sscanf(line, "%lf %31s", &secs, v) == 2 && secs > 0) {
			snprintf(ver, vlen, "%s", v);
			break;
		}
		secs = -1;
		snprintf(last, sizeof last, "%s", line);
	}
	close(p[0]);
	int st = 0;
	if (secs < 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	mb_reaped(pid);
	mb_manager_stop(&m);
	if (secs > 0)
		return secs;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return 0;
	snprintf(why, wlen, "%s", rc < 0 ? "python3 took over 10 s" :
	    last[0] ? last : "python3 printed no timing");
	return -1;
}

int
main(void)
{
	const char *label = "manager put+get round trip vs bare TCP";
	char why[300] = "", pywhy[300] = "", ver[32] = "", a[32], b[32], d[32];
	struct series one, two;
	size_t sizes[4];

	setvbuf(stdout, NULL, _IOLBF, 0);
	mb_setup_signals();
	const char *systour = mb_systour();
	if (systour == NULL) {
		printf("%s: skipped: no systour program (SYSTOUR=%s; run it "
		    "through make bench) [target <= %.1fx]\n", label,
		    getenv("SYSTOUR") ? getenv("SYSTOUR") : "unset", TARGET);
		return 0;
	}
	cpu_set_t allowed;
	int cpus[2], ncpus = 0;
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
		CPU_ZERO(&allowed);
	int here = sched_getcpu();
	if (here >= 0 && CPU_ISSET(here, &allowed))
		cpus[ncpus++] = here;
	for (int c = 0; c < CPU_SETSIZE && ncpus < 2; c++)
		if (CPU_ISSET(c, &allowed) && (ncpus == 0 || c != cpus[0]))
			cpus[ncpus++] = c;
	if (ncpus == 0) {
		printf("%s: failed: no CPU to run on [target <= %.1fx]\n",
		    label, TARGET);
		return 0;
	}
	if (series(systour, cpus[0], cpus[0], &one, sizes, why,
	    sizeof why) < 0 || (ncpus == 2 && series(systour, cpus[0],
	    cpus[1], &two, sizes, why, sizeof why) < 0)) {
		mb_kill_all();
		printf("%s: failed: %s [target <= %.1fx]\n", label, why, TARGET);
		return 0;
	}
	double py = python_pairs(systour, cpus[0], cpus[0], ver, sizeof ver,
	    pywhy, sizeof pywhy);
	mb_kill_all();

	char across[200] = "", pyline[300];
	if (ncpus == 2)
		snprintf(across, sizeof across, "; %.2fx across two CPUs "
		    "(systour %s, bare %s, ratios %.2f-%.2f)", up2(two.ratio),
		    mb_human(two.sys, a, sizeof a),
		    mb_human(two.bare, b, sizeof b), two.lo, two.hi);
	if (py > 0)
		snprintf(pyline, sizeof pyline, "; for reference CPython %s's "
		    "proxy against systour manager: %s per put+get on one CPU",
		    ver, mb_human(py, d, sizeof d));
	else if (py == 0)
		snprintf(pyline, sizeof pyline, "; CPython proxy: skipped: "
		    "no python3");
	else
		snprintf(pyline, sizeof pyline, "; CPython proxy: skipped: %.200s",
		    pywhy);
	printf("%s: %.2fx the bare time with both on one CPU (systour %s, "
	    "bare %s per put+get, ratios %.2f-%.2f)%s; frames of %zu/%zu "
	    "and %zu/%zu bytes; median of %d pairs of rounds of %d put+get%s "
	    "[target <= %.1fx on one CPU: %s]\n", label, up2(one.ratio),
	    mb_human(one.sys, a, sizeof a), mb_human(one.bare, b, sizeof b),
	    one.lo, one.hi, across, sizes[0], sizes[1], sizes[2], sizes[3],
	    one.rounds, PAIRS, pyline, TARGET,
	    one.ratio <= TARGET ? "met" : "MISSED");
	return 0;
}
