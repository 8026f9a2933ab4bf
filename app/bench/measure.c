/* measure.c — the measurements of `systour bench` (see measure.h). Each is
 * a small loop around the real primitive, timed on the monotonic clock,
 * the best of a few rounds (the least disturbed by a busy machine). */
#include "measure.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
missing(struct measure *m, const char *why)
{
	m->value = -1;
	snprintf(m->missing, sizeof m->missing, "%s", why);
}

/* ---- a system call -------------------------------------------------- */

static void
m_syscall(struct measure *m)
{
	double best = -1;
	for (int r = 0; r < 5; r++) {
		const int n = 200000;
		double t0 = now_s();
		for (int i = 0; i < n; i++)
			syscall(SYS_getppid);
		double ns = (now_s() - t0) * 1e9 / n;
		if (best < 0 || ns < best)
			best = ns;
	}
	m->value = best;
}

/* ---- fork + waitpid, and Python's Process --------------------------- */

static void
m_fork(struct measure *m)
{
	double best = -1;
	for (int r = 0; r < 3; r++) {
		const int n = 100;
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p < 0) {
				missing(m, strerror(errno));
				return;
			}
			if (p == 0)
				_exit(0);
			int st;
			while (waitpid(p, &st, 0) < 0 && errno == EINTR)
				;
		}
		double us = (now_s() - t0) * 1e6 / n;
		if (best < 0 || us < best)
			best = us;
	}
	m->value = best;
}

static void
m_pyproc(struct measure *m)
{
	static const char script[] =
	    "import multiprocessing as mp, time\n"
	    "def f(): pass\n"
	    "if __name__ == '__main__':\n"
	    "    best = None\n"
	    "    for r in range(3):\n"
	    "        t = time.perf_counter()\n"
	    "        for i in range(10):\n"
	    "            p = mp.Process(target=f); p.start(); p.join()\n"
	    "        us = (time.perf_counter() - t) * 1e6 / 10\n"
	    "        best = us if best is None else min(best, us)\n"
	    "    print(best)\n";
	int p[2];
	if (pipe(p) < 0) {
		missing(m, strerror(errno));
		return;
	}
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execlp("python3", "python3", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char out[128];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof out - 1 &&
	    (r = read(p[0], out + n, sizeof out - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(p[0]);
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		missing(m, LD("python3 is not installed", "没有安装 python3"));
		return;
	}
	char *end;
	double v = strtod(out, &end);
	if (end == out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		missing(m, LD("python3 failed", "python3 运行失败"));
		return;
	}
	m->value = v;
}

/* ---- a pipe round trip ---------------------------------------------- */

static void
m_pipe(struct measure *m)
{
	int a[2], b[2];
	if (pipe(a) < 0 || pipe(b) < 0) {
		missing(m, strerror(errno));
		return;
	}
	pid_t c = fork();
	if (c == 0) {
		char x;
		close(a[1]);	/* else read() never sees the end */
		close(b[0]);
		while (read(a[0], &x, 1) == 1)
			if (write(b[1], &x, 1) != 1)
				break;
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	double best = -1;
	for (int r = 0; r < 3; r++) {
		const int n = 5000;
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			char x = 1;
			if (write(a[1], &x, 1) != 1 || read(b[0], &x, 1) != 1) {
				missing(m, LD("the echoing child went away",
				    "回显的子进程不见了"));
				goto out;
			}
		}
		double us = (now_s() - t0) * 1e6 / n;
		if (best < 0 || us < best)
			best = us;
	}
	m->value = best;
out:
	close(a[1]);
	close(b[0]);
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
}

/* ---- a thread switch: two threads hand a turn back and forth --------- */

struct pingpong {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn, n;
};

static void *
pong(void *arg)
{
	struct pingpong *p = arg;
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < p->n; i++) {
		while (p->turn != 1)
			pthread_cond_wait(&p->cv, &p->mu);
		p->turn = 0;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void
m_thread(struct measure *m)
{
	double best = -1;
	for (int r = 0; r < 3; r++) {
		struct pingpong p = { PTHREAD_MUTEX_INITIALIZER,
		    PTHREAD_COND_INITIALIZER, 0, 10000 };
		pthread_t t;
		if (pthread_create(&t, NULL, pong, &p) != 0) {
			missing(m, LD("pthread_create failed",
			    "pthread_create 失败"));
			return;
		}
		double t0 = now_s();
		pthread_mutex_lock(&p.mu);
		for (int i = 0; i < p.n; i++) {
			p.turn = 1;
			pthread_cond_signal(&p.cv);
			while (p.turn != 0)
				pthread_cond_wait(&p.cv, &p.mu);
		}
		pthread_mutex_unlock(&p.mu);
		double us = (now_s() - t0) * 1e6 / (2.0 * p.n);
		pthread_join(t, NULL);
		if (best < 0 || us < best)
			best = us;
	}
	m->value = best;
}

/* ---- HTTP requests/s against serve http ------------------------------ */

#define HTTP_CONNS	8
#define HTTP_SECONDS	1.0

struct hclient {
	int port;
	double until;
	long done;
	int failed;
};

/* Keep-alive GET / until the time is up; count the whole answers. */
static void *
hclient_main(void *arg)
{
	struct hclient *h = arg;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_port = htons((unsigned short)h->port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		h->failed = 1;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	static const char req[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
	char buf[4096];
	while (now_s() < h->until) {
		if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) !=
		    (ssize_t)(sizeof req - 1)) {
			h->failed = 1;
			break;
		}
		size_t n = 0;
		for (;;) {
			ssize_t r = recv(fd, buf + n, sizeof buf - 1 - n, 0);
			if (r <= 0) {
				h->failed = 1;
				goto out;
			}
			n += (size_t)r;
			buf[n] = '\0';
			char *end = strstr(buf, "\r\n\r\n");
			char *cl = strstr(buf, "Content-Length: ");
			if (end != NULL && cl != NULL &&
			    n >= (size_t)(end + 4 - buf) +
			    strtoul(cl + 16, NULL, 10))
				break;
			if (n >= sizeof buf - 1) {
				h->failed = 1;
				goto out;
			}
		}
		h->done++;
	}
out:
	close(fd);
	return NULL;
}

static void
m_http(struct measure *m, const char *self)
{
	int p[2];
	if (pipe(p) < 0) {
		missing(m, strerror(errno));
		return;
	}
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		int nul = open("/dev/null", O_WRONLY);
		if (nul >= 0)
			dup2(nul, 2);
		execl(self, "systour", "serve", "http", "--port", "0",
		    (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char line[128];
	size_t n = 0;
	while (n < sizeof line - 1 && read(p[0], line + n, 1) == 1 &&
	    line[n] != '\n')
		n++;
	line[n] = '\0';
	close(p[0]);
	const char *colon = strrchr(line, ':');
	if (strncmp(line, "listening on ", 13) != 0 || colon == NULL) {
		missing(m, LD("systour serve http did not start",
		    "systour serve http 没有启动"));
		kill(c, SIGTERM);
		waitpid(c, NULL, 0);
		return;
	}
	struct hclient h[HTTP_CONNS];
	pthread_t t[HTTP_CONNS];
	double t0 = now_s();
	for (int i = 0; i < HTTP_CONNS; i++) {
		h[i] = (struct hclient){ .port = atoi(colon + 1),
		    .until = t0 + HTTP_SECONDS };
		pthread_create(&t[i], NULL, hclient_main, &h[i]);
	}
	long done = 0;
	int failed = 0;
	for (int i = 0; i < HTTP_CONNS; i++) {
		pthread_join(t[i], NULL);
		done += h[i].done;
		failed |= h[i].failed;
	}
	double secs = now_s() - t0;
	kill(c, SIGTERM);
	while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
		;
	if (failed) {
		missing(m, LD("a connection to serve http failed",
		    "连接 serve http 失败"));
		return;
	}
	m->value = (double)done / secs;
}

void
measure_all(struct measure *m, const char *self,
    measure_progress_fn *progress, void *arg)
{
	static const struct measure defs[M_COUNT] = {
		{ "syscall_ns", "a system call (getppid)", "一次系统调用（getppid）",
		  "ns", "entering the kernel and back: the floor under every "
		  "read, write and lock that must wait",
		  "进入内核再返回：每一次需要等待的 read、write、加锁的最低代价",
		  0, "" },
		{ "fork_wait_us", "fork + waitpid", "fork + waitpid", "us",
		  "a new process that exits at once, and its reaping (lesson 04)",
		  "创建一个立即退出的新进程并回收它（第 04 课）", 0, "" },
		{ "python_process_us", "python3 multiprocessing.Process",
		  "python3 multiprocessing.Process", "us",
		  "start() + join() of a Process that does nothing: what the "
		  "notes' pools pay per process",
		  "一个什么也不做的 Process 的 start() + join()：笔记中的进程池"
		  "每个进程付出的代价", 0, "" },
		{ "pipe_round_trip_us", "a pipe round trip", "管道往返一次", "us",
		  "one byte to another process and back through two pipes "
		  "(lesson 05): two wake-ups",
		  "一个字节经两个管道发给另一个进程再传回（第 05 课）："
		  "两次唤醒", 0, "" },
		{ "thread_switch_us", "a thread switch (condvar)",
		  "一次线程切换（条件变量）", "us",
		  "two threads handing a turn back and forth with a mutex and "
		  "a condition variable (lesson 06)",
		  "两个线程用互斥锁和条件变量来回交接（第 06 课）", 0, "" },
		{ "http_requests_per_s", "HTTP requests/s (serve http)",
		  "HTTP 请求数/秒（serve http）", "req/s",
		  "8 keep-alive clients against systour serve http on one "
		  "thread and epoll (lesson 09), for 1 s",
		  "8 个长连接客户端请求单线程 epoll 的 systour serve http"
		  "（第 09 课），持续 1 秒", 0, "" },
	};
	for (int i = 0; i < M_COUNT; i++) {
		m[i] = defs[i];
		if (progress != NULL)
			progress(i, &m[i], arg);
		switch (i) {
		case M_SYSCALL: m_syscall(&m[i]); break;
		case M_FORK: m_fork(&m[i]); break;
		case M_PYPROC: m_pyproc(&m[i]); break;
		case M_PIPE: m_pipe(&m[i]); break;
		case M_THREAD: m_thread(&m[i]); break;
		case M_HTTP: m_http(&m[i], self); break;
		}
	}
}
