/* demo_three_servers.c — lesson 09's "three-servers" demo: the same slow
 * requests from N clients at once against three servers, each a real
 * process in its own pane: an iterative server (one client at a time, as
 * the notes' server is), a thread per connection, and one thread on
 * epoll. Each request waits WORK_MS for something (a disk, a database,
 * another server): the iterative server and the threads sleep, the epoll
 * server keeps a deadline per connection and sleeps in epoll_wait until
 * the first is due. The time until every client has its answer is
 * measured for each and shown side by side.
 *
 * Nothing steps while a server is being timed (a step waits on the
 * learner), so the figures are the servers' own. */
#define _GNU_SOURCE
#include "sock.h"
#include "demo_lib.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NCLIENTS 8
#define WORK_MS 200
#define MAXC 64

static const char three_code[] =
	"import socket, threading, selectors, time\n"                   /* 1 */
	"def handle(conn):                      # every request waits 200 ms\n"
	"    conn.recv(1024)\n"
	"    time.sleep(0.2)                    # a disk, a database, a server\n"
	"    conn.sendall(b'done\\n'); conn.close()\n"                  /* 5 */
	"\n"
	"# 1. iterative: one client at a time\n"
	"while True:\n"
	"    conn, addr = srv.accept()\n"
	"    handle(conn)\n"                                             /* 10 */
	"\n"
	"# 2. a thread per connection\n"
	"while True:\n"
	"    conn, addr = srv.accept()\n"
	"    threading.Thread(target=handle, args=(conn,)).start()\n"   /* 15 */
	"\n"
	"# 3. one thread on epoll (selectors.DefaultSelector is EpollSelector)\n"
	"sel = selectors.DefaultSelector()\n"
	"sel.register(srv, selectors.EVENT_READ)\n"
	"while True:\n"                                                  /* 20 */
	"    for key, ev in sel.select(timeout=time_to_first_deadline()):\n"
	"        ...   # accept, or read a request: its answer is due in 0.2 s\n"
	"    for conn in due(): conn.sendall(b'done\\n'); conn.close()\n"
	"\n"
	"# the clients: 8 at once, one request each\n"                  /* 25 */
	"ts = [threading.Thread(target=ask) for _ in range(8)]\n"
	"[t.start() for t in ts]; [t.join() for t in ts]\n";

static const char *const three_panes[] = { "clients", "iterative",
	"threads", "epoll", NULL };
static const char *const three_panes_zh[] = { "客户端", "迭代服务器",
	"每连接一线程", "epoll", NULL };

#define TR(en, zh) DEMO_TR(api, ctx, en, zh)

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* handle(): read the request, wait, answer. The caller closes fd after
 * saying so in its pane (a client reads to the end, so what the server
 * printed is in before the demo moves on). */
static void
handle(int fd)
{
	char b[256];
	if (read(fd, b, sizeof b) < 0)
		return;
	msleep(WORK_MS);
	send(fd, "done\n", 5, MSG_NOSIGNAL);
}

struct tctx {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	int fd;
};

/* A thread of the threaded server: an actor of its own in the pane (an
 * actor belongs to the thread that made it). */
static void *
thread_main(void *arg)
{
	struct tctx *t = arg;
	char who[32];
	long tid = (long)syscall(SYS_gettid);
	snprintf(who, sizeof who, "thread %ld", tid);
	struct demo_actor *me = t->api->actor(t->ctx, 2, who);
	if (me != NULL)
		t->api->print(me, DEMO_TR(t->api, t->ctx, "thread %ld handles "
		    "fd %d\n", "线程 %ld 处理 fd %d\n"), tid, t->fd);
	t->api->release(me);
	handle(t->fd);
	close(t->fd);
	free(t);
	return NULL;
}

static void __attribute__((noreturn))
serve_iterative(struct demo_ctx *ctx, const struct demo_api *api, int ls)
{
	struct demo_actor *me = api->to_pane(ctx, 1, "iterative");
	for (;;) {
		int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		long long t0 = demo_now_ms();
		handle(fd);
		api->print(me, TR("answered fd %d after %lld ms; the rest "
		    "wait in the queue\n", "fd %d 在 %lld 毫秒后得到应答；"
		    "其余的在队列里等\n"), fd, demo_now_ms() - t0);
		close(fd);
	}
}

static void __attribute__((noreturn))
serve_threads(struct demo_ctx *ctx, const struct demo_api *api, int ls)
{
	api->release(api->to_pane(ctx, 2, "threads"));
	for (;;) {
		int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		struct tctx *t = malloc(sizeof *t);
		*t = (struct tctx){ ctx, api, fd };
		pthread_t th;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&th, &at, thread_main, t) != 0) {
			handle(fd);
			close(fd);
			free(t);
		}
		pthread_attr_destroy(&at);
	}
}

static void __attribute__((noreturn))
serve_epoll(struct demo_ctx *ctx, const struct demo_api *api, int ls)
{
	struct demo_actor *me = api->to_pane(ctx, 3, "epoll");
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls };
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	int fds[MAXC];
	long long due[MAXC];
	int n = 0;
	for (;;) {
		long long now = demo_now_ms(), first = -1;
		for (int i = 0; i < n; i++)
			if (due[i] >= 0 && (first < 0 || due[i] < first))
				first = due[i];
		int wait = first < 0 ? -1 : first <= now ? 0 : (int)(first - now);
		struct epoll_event evs[MAXC];
		int k = epoll_wait(ep, evs, MAXC, wait);
		if (k > 0)
			api->print(me, TR("epoll_wait: %d ready; %d connections "
			    "open, one thread\n", "epoll_wait：%d 个就绪；%d 个连接"
			    "打开着，一个线程\n"), k, n);
		for (int i = 0; i < k; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC |
				    SOCK_NONBLOCK);
				if (c < 0 || n == MAXC) {
					if (c >= 0)
						close(c);
					continue;
				}
				struct epoll_event ce = { .events = EPOLLIN,
				    .data.fd = c };
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				fds[n] = c;
				due[n++] = -1;
				continue;
			}
			char b[256];
			ssize_t r = read(fd, b, sizeof b);
			for (int j = 0; j < n; j++)
				if (fds[j] == fd && r >= 0) {
					due[j] = demo_now_ms() + WORK_MS;
					epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				}
		}
		now = demo_now_ms();
		for (int i = 0; i < n; i++)
			if (due[i] >= 0 && due[i] <= now) {
				send(fds[i], "done\n", 5, MSG_NOSIGNAL);
				close(fds[i]);
				fds[i] = fds[n - 1];
				due[i--] = due[--n];
			}
	}
}

struct ask {
	int port;
	long long t0, ms;
	int ok;
};

static void *
ask(void *arg)
{
	struct ask *a = arg;
	int fd = sock_dial(a->port);
	if (fd < 0)
		return NULL;
	char b[16];
	if (send(fd, "GET\n", 4, MSG_NOSIGNAL) == 4 &&
	    sock_read_full(fd, b, 5) == 5 && memcmp(b, "done\n", 5) == 0)
		a->ok = 1;
	a->ms = demo_now_ms() - a->t0;	/* the answer is in */
	while (read(fd, b, sizeof b) > 0)	/* then the server's close */
		;
	close(fd);
	return NULL;
}

static int
three_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	static const char *const fig[] = { "iterative_ms", "threads_ms",
	    "epoll_ms" };
	static const int line[] = { 9, 14, 21 };
	const char *name[] = { TR("iterative", "迭代服务器"),
	    TR("a thread per connection", "每连接一线程"), "epoll" };
	long long total[3] = { 0, 0, 0 };
	int all_ok = 1;
	for (int s = 0; s < 3; s++) {
		int port;
		int ls = sock_listen(64, 0, &port);
		if (ls < 0) {
			api->print(me, "listen: %s\n", strerror(errno));
			return 1;
		}
		api->step(me, line[s]);
		pid_t pid = fork();
		if (pid == 0) {
			if (s == 0)
				serve_iterative(ctx, api, ls);
			if (s == 1)
				serve_threads(ctx, api, ls);
			serve_epoll(ctx, api, ls);
		}
		close(ls);
		api->step(me, 26);
		api->print(me, TR("%d clients at once; the server: %s, on "
		    "127.0.0.1:%d...\n", "%d 个客户端同时请求；服务器：%s，"
		    "在 127.0.0.1:%d……\n"), NCLIENTS, name[s], port);
		struct ask a[NCLIENTS];
		pthread_t th[NCLIENTS];
		long long t0 = demo_now_ms();
		for (int i = 0; i < NCLIENTS; i++) {
			a[i] = (struct ask){ .port = port, .t0 = t0 };
			pthread_create(&th[i], NULL, ask, &a[i]);
		}
		long long first = -1, last = 0;
		int ok = 0;
		for (int i = 0; i < NCLIENTS; i++) {
			pthread_join(th[i], NULL);
			ok += a[i].ok;
			if (first < 0 || a[i].ms < first)
				first = a[i].ms;
			if (a[i].ms > last)
				last = a[i].ms;
		}
		total[s] = demo_now_ms() - t0;
		kill(pid, SIGTERM);
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		api->print(me, TR("%s: %d of %d answered; the first after "
		    "%lld ms, the last after %lld ms\n", "%s：%d/%d 个得到应答；"
		    "最早 %lld 毫秒，最晚 %lld 毫秒\n"), name[s], ok, NCLIENTS,
		    first, last);
		api->figure(me, fig[s], total[s]);
		if (ok != NCLIENTS)
			all_ok = 0;
	}
	api->step(me, 27);
	api->print(me, TR("time to serve %d requests of %d ms each:\n",
	    "服务 %d 个各需 %d 毫秒的请求所用的时间：\n"), NCLIENTS, WORK_MS);
	long long most = total[0] > 0 ? total[0] : 1;
	for (int s = 0; s < 3; s++) {
		char bar[13];
		int w = (int)(total[s] * 12 / most);
		if (w < 1)
			w = 1;
		if (w > 12)
			w = 12;
		memset(bar, '#', (size_t)w);
		bar[w] = '\0';
		api->print(me, "  %-9s %5lld ms %s\n", fig[s] == fig[1] ?
		    TR("threads", "线程") : name[s], total[s], bar);
	}
	api->note(me, "%s", TR("one at a time adds the waits up; threads and "
	    "epoll wait for all of them together, epoll with one thread",
	    "一次一个时等待时间相加；线程和 epoll 同时等待所有请求，"
	    "epoll 只用一个线程"));
	return all_ok ? 0 : 1;
}

const struct systour_demo three_servers_demo = {
	.name = "three-servers",
	.title_en = "the same slow requests against an iterative server, a "
	    "thread per connection and epoll",
	.title_zh = "同样的慢请求分别交给迭代服务器、每连接一线程和 epoll",
	.code = three_code,
	.panes = three_panes,
	.panes_zh = three_panes_zh,
	.run = three_run,
};
