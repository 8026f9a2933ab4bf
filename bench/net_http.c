/* net_http.c — `systour serve http` against nginx (one worker) and against
 * Python's http.server, all serving the same small response (30 bytes of
 * text) under the same wrk run: keep-alive, 50 connections, one wrk
 * thread, DURATION seconds.
 *
 * nginx runs with worker_processes 1, master_process off, access_log off
 * and keepalive_requests 1000000 (systour never closes a kept-alive
 * connection either), answering `return 200 "..."` from its config;
 * python3 -m http.server serves a file of the same 30 bytes. Nothing is
 * pinned: on a shared machine a pinned CPU may be the busy one (pinned to
 * CPU 0 under a load of 10, serve http did a third of its unpinned
 * requests/s), and the scheduler puts each where there is room. Rounds
 * alternate (nginx, systour, systour, nginx, ...)
 * and each pair of rounds gives a ratio; the line gives the median ratio.
 * Python gets PY_PAIRS pairs of its own (systour, then python), and the
 * median of their ratios. A round whose
 * wrk saw socket errors or non-2xx answers counts them on the line.
 * Targets: systour/nginx >= 1.0, systour/python >= 20. */
#include "bench.h"
#include "net_bench.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define PAIRS		3
#define PY_PAIRS	2
#define DURATION	"3s"
#define BODY		"hello from systour serve http\n"

static int ncpu;

static int
free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t l = sizeof a;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

static int
have(const char *prog)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* Wait until something accepts on port (10 s at most). */
static int
wait_port(int port)
{
	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)port) };
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
		close(fd);
		if (ok)
			return 0;
		usleep(50000);
	}
	return -1;
}

static int
start_server(char *const argv[], int want_port, pid_t *pid)
{
	return nb_start(argv, NULL, want_port, pid);
}

/* One wrk run; requests/s, or -1. *bad gets errors + non-2xx. */
static double
wrk(int port, const char *path, long *bad)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "wrk -t1 -c50 -d" DURATION
	    " http://127.0.0.1:%d%s 2>&1", port, path);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	char line[512];
	double rps = -1;
	*bad = 0;
	while (fgets(line, sizeof line, p) != NULL) {
		long a, b, c, d;
		sscanf(line, " Requests/sec: %lf", &rps);
		if (sscanf(line, " Socket errors: connect %ld, read %ld, "
		    "write %ld, timeout %ld", &a, &b, &c, &d) == 4)
			*bad += a + b + c + d;
		if (sscanf(line, " Non-2xx or 3xx responses: %ld", &a) == 1)
			*bad += a;
	}
	pclose(p);
	return rps;
}

static const char *
verdict(double ratio, double target)
{
	return ratio >= target ? "ok" : "MISSED";
}

int
main(void)
{
	const char *name = "serve http vs nginx (1 worker) and python3 "
	    "http.server, wrk -c50 keep-alive";
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (!have("wrk")) {
		printf("%s: skipped: wrk is not installed (scripts/deps.sh test "
		    "installs it) [info]\n", name);
		return 0;
	}
	char dir[] = "/tmp/systour-bench-http-XXXXXX";
	if (mkdtemp(dir) == NULL) {
		printf("%s: failed: mkdtemp\n", name);
		return 1;
	}
	char path[512];
	pid_t st_pid, ng_pid = 0, py_pid = 0;
	char *st_argv[] = { (char *)nb_systour(), "serve", "http", "--port",
	    "0", NULL };
	int st_port = start_server(st_argv, 1, &st_pid);
	if (st_port <= 0) {
		printf("%s: failed: systour serve http did not start\n", name);
		return 1;
	}
	int ng_port = -1;
	if (have("nginx") && (ng_port = free_port()) > 0) {
		snprintf(path, sizeof path, "%s/nginx.conf", dir);
		FILE *f = fopen(path, "w");
		fprintf(f, "worker_processes 1;\ndaemon off;\nmaster_process "
		    "off;\nerror_log %s/error.log;\npid %s/nginx.pid;\n"
		    "events { worker_connections 1024; }\nhttp {\n"
		    "access_log off;\nkeepalive_requests 1000000;\n"
		    "client_body_temp_path %s; proxy_temp_path %s;\n"
		    "fastcgi_temp_path %s; uwsgi_temp_path %s; "
		    "scgi_temp_path %s;\nserver { listen 127.0.0.1:%d;\n"
		    "location / { default_type text/plain; return 200 "
		    "\"hello from systour serve http\\n\"; } } }\n",
		    dir, dir, dir, dir, dir, dir, dir, ng_port);
		fclose(f);
		char *ng_argv[] = { "nginx", "-p", dir, "-c", path, NULL };
		start_server(ng_argv, 0, &ng_pid);
		if (wait_port(ng_port) < 0)
			ng_port = -1;
	}
	int py_port = -1;
	if (have("python3") && (py_port = free_port()) > 0) {
		snprintf(path, sizeof path, "%s/hello.txt", dir);
		FILE *f = fopen(path, "w");
		fputs(BODY, f);
		fclose(f);
		char ps[16];
		snprintf(ps, sizeof ps, "%d", py_port);
		char *py_argv[] = { "python3", "-m", "http.server", "--bind",
		    "127.0.0.1", "--directory", dir, ps, NULL };
		start_server(py_argv, 0, &py_pid);
		if (wait_port(py_port) < 0)
			py_port = -1;
	}

	double st_rps[2 * PAIRS], ratio[PAIRS];
	int nst = 0, nr = 0;
	long bad_st = 0, bad_ng = 0, bad_py = 0, b;
	double ng_last = 0;
	for (int i = 0; i < PAIRS; i++) {
		double ng = -1, st;
		int ng_first = i % 2 == 0;
		if (ng_first && ng_port > 0) {
			ng = wrk(ng_port, "/", &b);
			bad_ng += b;
		}
		st = wrk(st_port, "/", &b);
		bad_st += b;
		if (!ng_first && ng_port > 0) {
			ng = wrk(ng_port, "/", &b);
			bad_ng += b;
		}
		if (st > 0)
			st_rps[nst++] = st;
		if (st > 0 && ng > 0) {
			ratio[nr++] = st / ng;
			ng_last = ng;
		}
	}
	double st_med = nst ? bench_median(st_rps, nst) : 0;
	/* python against systour, in pairs too: a busy machine's load moves
	 * between rounds, and a ratio of neighbours cancels most of it */
	double py = -1, pyr[PY_PAIRS];
	int npy = 0;
	for (int i = 0; py_port > 0 && i < PY_PAIRS; i++) {
		double st = wrk(st_port, "/", &b);
		bad_st += b;
		double pv = wrk(py_port, "/hello.txt", &b);
		bad_py += b;
		if (st > 0 && pv > 0) {
			pyr[npy++] = st / pv;
			py = pv;
		}
	}
	int st_status = nb_stop(st_pid);
	if (ng_pid > 0)
		nb_stop(ng_pid);
	if (py_pid > 0)
		nb_stop(py_pid);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "net_http: could not remove %s\n", dir);

	printf("%s: systour %.0f req/s", name, st_med);
	if (nr > 0) {
		double r = bench_median(ratio, nr);
		printf("; vs nginx %.2fx (nginx %.0f req/s in the last pair) "
		    "[target >= 1.0: %s]", r, ng_last, verdict(r, 1.0));
	} else
		printf("; nginx: skipped (not installed or did not start)");
	if (npy > 0) {
		double r = bench_median(pyr, npy);
		printf("; vs python3 http.server %.1fx (python %.0f req/s in "
		    "the last pair) [target >= 20: %s]", r, py,
		    verdict(r, 20));
	}
	else
		printf("; python3 http.server: skipped");
	printf("; errors or non-2xx: systour %ld, nginx %ld, python %ld%s\n",
	    bad_st, bad_ng, bad_py, WIFEXITED(st_status) &&
	    WEXITSTATUS(st_status) == 0 ? "" : "; systour did NOT stop "
	    "cleanly");
	return 0;
}
