/* demo_pool.c — lesson 07's "gevent-pool" demo: one thread, a hub running
 * an epoll loop (pool_hub.c), greenlets on coswitch.c that fetch URLs from
 * `systour serve http` (pool_server.c) with per-path delays. First all
 * three at once (gevent.joinall: the total is the longest delay, not the
 * sum), then gevent.pool.Pool(2) (the third starts when one of the first
 * two is done), then a greenlet that makes a blocking call which does not
 * yield — what monkey patching prevents — and every other greenlet
 * freezes until it returns. The fetches themselves do not stop at the
 * step gate, so the times shown are the real ones. */
#define _GNU_SOURCE
#include "pool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char pool_code[] =
	"from gevent import monkey\n"                                   /* 1 */
	"monkey.patch_all()                      # first, before anything else\n"
	"import urllib.request\n"
	"import gevent\n"
	"from gevent.pool import Pool\n"                                /* 5 */
	"\n"
	"def run_task(url):\n"
	"    print('url is %s' % url)\n"
	"    response = urllib.request.urlopen(url)\n"
	"    data = response.read()\n"                                  /* 10 */
	"    print(\"%s data length is %s \" % (url, len(data)))\n"
	"\n"
	"base = 'http://127.0.0.1:%d' % port     # systour serve http --port 0\n"
	"urls = [base + '/slow/300', base + '/slow/200', base + '/slow/400']\n"
	"gevent.joinall([gevent.spawn(run_task, url) for url in urls])\n" /* 15 */
	"pool = Pool(2)\n"
	"pool.map(run_task, urls)\n"
	"\n"
	"def ticker(name):\n"
	"    for i in range(6):\n"                                      /* 20 */
	"        print(name, 'tick', i)\n"
	"        gevent.sleep(0.1)\n"
	"\n"
	"def blocker():\n"
	"    gevent.sleep(0.15)\n"                                      /* 25 */
	"    connect = monkey.get_original('socket', 'create_connection')\n"
	"    s = connect(('127.0.0.1', port))    # a socket from before the patch\n"
	"    s.sendall(b'GET /slow/500 HTTP/1.0\\r\\n\\r\\n')\n"
	"    s.recv(4096)                        # blocks the thread: nobody runs\n"
	"\n"                                                            /* 30 */
	"gevent.joinall([gevent.spawn(ticker, 'a'), gevent.spawn(ticker, 'b'),\n"
	"                gevent.spawn(blocker)])\n";

#define NURL 3
#define NTICK 6
#define BLOCK_MS 500

enum { P_MAIN, P_G1, P_G2, P_G3, P_TIMELINE, P_SERVER };

struct task {
	struct gl g;            /* first: a struct gl * is a struct task * */
	int pane;
	const char *path;
	double start_ms, end_ms;
	int status, bytes;
	double tick_ms[NTICK];
	int nticks;
};

static struct {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	struct timeline tl;
	int port;
	struct task t[NURL];
	double block_from, block_to;    /* the blocker's recv, in tl ms */
} d;

#define TR(en, zh) DEMO_TR(d.api, d.ctx, en, zh)

static const char *const paths[NURL] = { "/slow/300", "/slow/200", "/slow/400" };

/* GET path from the server; coop: on a non-blocking socket, switching to
 * the hub whenever it would block (what the patched socket does); else on
 * a blocking one. The body's length, or -1 with errno set. */
static int
http_get(const char *path, int coop, int *status)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)d.port) };
	char req[256], buf[4096];
	size_t len = 0, want = 0;
	int n, fd, e = 0;
	socklen_t el = sizeof e;
	char *body;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
	    (coop ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (!coop || errno != EINPROGRESS)
			goto fail;
		co_wait_fd(fd, EPOLLOUT, "connect: EINPROGRESS");
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0) {
			errno = e;
			goto fail;
		}
	}
	n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n",
	    path, d.port);
	for (int off = 0; off < n; ) {
		ssize_t w = send(fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w > 0)
			off += (int)w;
		else if (w < 0 && errno == EAGAIN && coop)
			co_wait_fd(fd, EPOLLOUT, "send: EAGAIN");
		else if (!(w < 0 && errno == EINTR))
			goto fail;
	}
	for (;;) {
		ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
		if (r > 0) {
			len += (size_t)r;
			buf[len] = '\0';
			body = strstr(buf, "\r\n\r\n");
			if (body != NULL && !want) {
				char *cl = strcasestr(buf, "\r\nContent-Length:");
				want = (size_t)(body + 4 - buf);
				if (cl != NULL)
					want += strtoul(cl + 17, NULL, 10);
			}
			if ((want && len >= want) || len == sizeof buf - 1)
				break;
		} else if (r == 0) {
			break;
		} else if (errno == EAGAIN && coop) {
			co_wait_fd(fd, EPOLLIN, "recv: EAGAIN");
		} else if (errno != EINTR) {
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*status = 0;
	sscanf(buf, "HTTP/1.%*d %d", status);
	body = strstr(buf, "\r\n\r\n");
	return body != NULL ? (int)(len - (size_t)(body + 4 - buf)) : 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static void
run_task(struct gl *g)
{
	struct task *t = (struct task *)g;
	struct demo_actor *me = d.api->actor(d.ctx, t->pane, g->name);
	char url[96];
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", d.port, t->path);
	t->start_ms = tl_ms(&d.tl);
	d.api->print(me, "url is %s\n", url);
	tl_event(&d.tl, "%s: url is %s", g->name, t->path);
	t->bytes = http_get(t->path, 1, &t->status);
	t->end_ms = tl_ms(&d.tl);
	if (t->bytes < 0)
		d.api->print(me, "%s: %s\n", url, strerror(errno));
	else
		d.api->print(me, "%s data length is %d     (HTTP %d, %.0f ms)\n",
		    url, t->bytes, t->status, t->end_ms - t->start_ms);
	tl_event(&d.tl, "%s: %s %s, %.0f ms", g->name, t->path,
	    TR("done", "完成"), t->end_ms - t->start_ms);
	d.api->release(me);
}

static void
ticker(struct gl *g)
{
	struct task *t = (struct task *)g;
	struct demo_actor *me = d.api->actor(d.ctx, t->pane, g->name);
	for (int i = 0; i < NTICK; i++) {
		t->tick_ms[t->nticks++] = tl_ms(&d.tl);
		d.api->print(me, TR("%s tick %d    (+%.0f ms)\n",
		    "%s 第 %d 拍    （+%.0f 毫秒）\n"), (const char *)g->arg,
		    i, tl_ms(&d.tl));
		tl_event(&d.tl, "%s: tick %d", g->name, i);
		co_sleep_ms(100);
	}
	d.api->release(me);
}

static void
blocker(struct gl *g)
{
	struct task *t = (struct task *)g;
	struct demo_actor *me = d.api->actor(d.ctx, t->pane, g->name);
	int st = 0, n;
	co_sleep_ms(150);
	d.block_from = tl_ms(&d.tl);
	tl_event(&d.tl, "%s: %s", g->name, TR("recv() on a blocking socket: "
	    "the whole thread waits, the hub cannot run",
	    "在阻塞 socket 上 recv()：整个线程都在等，hub 无法运行"));
	d.api->print(me, "%s\n", TR("connect, send, recv on a blocking socket "
	    "(not patched): no switch to the hub",
	    "在阻塞 socket（未打补丁）上 connect、send、recv：不切回 hub"));
	n = http_get("/slow/500", 0, &st);
	d.block_to = tl_ms(&d.tl);
	tl_event(&d.tl, "%s: %s %.0f ms", g->name, TR("recv() returned after",
	    "recv() 返回，用时"), d.block_to - d.block_from);
	d.api->print(me, "%s %d %s, %.0f ms\n", TR("recv returned:",
	    "recv 返回："), n, TR("bytes of body", "字节的正文"),
	    d.block_to - d.block_from);
	d.api->release(me);
}

static void
phase(const char *what)
{
	tl_start(&d.tl);
	d.api->print(d.tl.a, "---- %s ----\n", what);
}

/* ---- the three parts --------------------------------------------------- */

static void
all_at_once(struct demo_actor *me)
{
	struct gl *gs[NURL];
	static const char *const names[NURL] = { "greenlet 1", "greenlet 2",
		"greenlet 3" };
	d.api->step(me, 15);
	phase("gevent.joinall([gevent.spawn(run_task, url) ...])");
	for (int i = 0; i < NURL; i++) {
		memset(&d.t[i], 0, sizeof d.t[i]);
		d.t[i].pane = P_G1 + i;
		d.t[i].path = paths[i];
		gs[i] = &d.t[i].g;
		gl_spawn(gs[i], names[i], run_task, NULL);
	}
	gl_joinall(gs, NURL);
	double total = tl_ms(&d.tl), sum = 0, longest = 0;
	for (int i = 0; i < NURL; i++) {
		double ms = d.t[i].end_ms - d.t[i].start_ms;
		sum += ms;
		longest = ms > longest ? ms : longest;
	}
	long long t_ms = (long long)(total + 0.5), s_ms = (long long)(sum + 0.5);
	long long l_ms = (long long)(longest + 0.5);
	d.api->print(me, "joinall: %s %lld ms; %s %lld ms; %s %lld ms\n",
	    TR("3 fetches together in", "3 个请求一起用了"), t_ms,
	    TR("one after another they would take (the sum of their times)",
	    "一个接一个要用（各自用时之和）"), s_ms,
	    TR("the longest took", "最长的一个用了"), l_ms);
	d.api->figure(me, "joinall_ms", t_ms);
	d.api->figure(me, "fetch_sum_ms", s_ms);
	d.api->figure(me, "fetch_longest_ms", l_ms);
	d.api->note(me, "%s", TR("While one greenlet waits for its answer, the "
	    "hub runs the others: they wait together, so the total is about "
	    "the longest delay, not the sum.",
	    "一个 greenlet 等回复时，hub 去运行其他的：它们一起等，所以总时间约等于"
	    "最长的延迟，而不是延迟之和。"));
}

static void
pool_map(struct demo_actor *me)
{
	struct gl *gs[NURL];
	struct pool pool = { .size = 2 };
	static const char *const names[NURL] = { "greenlet 1", "greenlet 2",
		"greenlet 3" };
	d.api->step(me, 16);
	d.api->print(me, "pool = Pool(2)\n");
	d.api->step(me, 17);
	phase("pool.map(run_task, urls), Pool(2)");
	for (int i = 0; i < NURL; i++) {
		pool_take(&pool);
		memset(&d.t[i], 0, sizeof d.t[i]);
		d.t[i].pane = P_G1 + i;
		d.t[i].path = paths[i];
		gs[i] = &d.t[i].g;
		gl_spawn(gs[i], names[i], run_task, &pool);
	}
	gl_joinall(gs, NURL);
	double total = tl_ms(&d.tl);
	double first_end = d.t[0].end_ms < d.t[1].end_ms ? d.t[0].end_ms :
	    d.t[1].end_ms;
	d.api->print(me, "Pool(2): %.0f ms; %s +%.0f ms, %s +%.0f ms\n", total,
	    TR("the third url started at", "第三个 url 开始于"), d.t[2].start_ms,
	    TR("when the first of the two ended at", "正是前两个中第一个结束的时刻"),
	    first_end);
	d.api->figure(me, "pool_ms", (long long)(total + 0.5));
	d.api->figure(me, "pool_third_start_ms",
	    (long long)(d.t[2].start_ms + 0.5));
	d.api->figure(me, "pool_first_end_ms", (long long)(first_end + 0.5));
	d.api->note(me, "%s", TR("Pool(2) is a counter between greenlets: "
	    "pool.map waits while two run, and starts the third when one ends.",
	    "Pool(2) 只是 greenlet 之间的一个计数器：两个在跑时 pool.map 等待，"
	    "一个结束就启动第三个。"));
}

static void
freeze(struct demo_actor *me)
{
	struct gl *gs[3];
	static const char *const who[2] = { "a", "b" };
	double gap = 0;
	int during = 0;
	d.api->step(me, 31);
	d.api->note(me, "%s", TR("Now one greenlet calls recv() on a socket "
	    "that was not patched: the call blocks the thread, and the hub and "
	    "every other greenlet with it.",
	    "现在一个 greenlet 在没打补丁的 socket 上调用 recv()：这个调用阻塞了线程，"
	    "hub 和其他所有 greenlet 都跟着停住。"));
	phase("ticker a, ticker b, blocker");
	d.block_from = d.block_to = 0;
	for (int i = 0; i < 3; i++) {
		memset(&d.t[i], 0, sizeof d.t[i]);
		d.t[i].pane = P_G1 + i;
		gs[i] = &d.t[i].g;
		gs[i]->arg = i < 2 ? (void *)who[i] : NULL;
	}
	gl_spawn(gs[0], "ticker a", ticker, NULL);
	gl_spawn(gs[1], "ticker b", ticker, NULL);
	gl_spawn(gs[2], "blocker", blocker, NULL);
	gl_joinall(gs, 3);
	double total = tl_ms(&d.tl);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < d.t[k].nticks; i++) {
			double ms = d.t[k].tick_ms[i];
			if (i > 0 && ms - d.t[k].tick_ms[i - 1] > gap)
				gap = ms - d.t[k].tick_ms[i - 1];
			if (ms > d.block_from && ms < d.block_to)
				during++;
		}
	d.api->print(me, "%s %.0f ms (+%.0f .. +%.0f ms); %s %d; %s %.0f ms "
	    "(%s 100 ms); %s %.0f ms\n",
	    TR("the blocking recv took", "阻塞的 recv 用了"),
	    d.block_to - d.block_from, d.block_from, d.block_to,
	    TR("ticks while it blocked:", "阻塞期间的 tick 数："), during,
	    TR("longest gap between two ticks:", "两次 tick 之间最长的间隔："), gap,
	    TR("they asked for", "它们要的是"), TR("all done in", "全部完成用了"),
	    total);
	d.api->figure(me, "block_ms",
	    (long long)(d.block_to - d.block_from + 0.5));
	d.api->figure(me, "ticks_during_block", during);
	d.api->figure(me, "max_tick_gap_ms", (long long)(gap + 0.5));
	d.api->figure(me, "freeze_total_ms", (long long)(total + 0.5));
}

static int
pool_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	struct pool_server srv;
	char line[128], how[64];
	memset(&d, 0, sizeof d);
	d.ctx = ctx;
	d.api = api;
	d.tl.api = api;
	d.tl.ctx = ctx;
	d.tl.a = api->actor(ctx, P_TIMELINE, DEMO_TR(api, ctx, "timeline", "时间线"));
	tl_start(&d.tl);

	api->step(me, 2);
	api->print(me, "monkey.patch_all(): %s\n", TR("here, the greenlets' "
	    "sockets are non-blocking, and a call that would block switches to "
	    "the hub", "这里 greenlet 的 socket 是非阻塞的，会阻塞的调用改为切到 hub"));
	if (hub_init(&d.tl) != 0)
		return perror("hub_init"), 1;
	api->print(me, "%s %s; %s %d\n", TR("the switch:", "切换："),
	    switch_kind(api, ctx), TR("threads in this process:", "本进程的线程数："),
	    threads_now());
	api->step(me, 13);
	if (pool_server_start(ctx, api, P_SERVER, &srv, line, sizeof line) != 0) {
		fprintf(stderr, "systour: serve http: %s%s%s\n", strerror(errno),
		    line[0] ? ": " : "", line);
		return 1;
	}
	d.port = srv.port;
	api->print(me, "base = 'http://127.0.0.1:%d'    (systour serve http, "
	    "PID %d: %s)\n", d.port, (int)srv.pid, line);
	api->step(me, 14);
	api->print(me, "urls = %s %s %s\n", paths[0], paths[1], paths[2]);

	all_at_once(me);
	pool_map(me);
	freeze(me);

	int st = pool_server_stop(&srv);
	api->print(me, "%s %s\n", TR("the server", "服务器"),
	    demo_how(st, how, sizeof how));
	api->print(me, "%s %d\n", TR("threads in this process:",
	    "本进程的线程数："), threads_now());
	hub_fini();
	api->release(d.tl.a);
	return 0;
}

static const char *const pool_panes[] = { "main", "greenlet 1", "greenlet 2",
	"greenlet 3", "timeline", "server", NULL };
static const char *const pool_panes_zh[] = { "主程序", "greenlet 1",
	"greenlet 2", "greenlet 3", "时间线", "服务器", NULL };

const struct systour_demo pool_demo = {
	.name = "gevent-pool",
	.title_en = "gevent: greenlets fetch together on one thread; Pool(2) "
	    "limits them to two; a call that does not yield freezes them all",
	.title_zh = "gevent：greenlet 在一个线程里一起抓取；Pool(2) 限制为两个；"
	    "一个不让出的调用让所有协程都停住",
	.code = pool_code,
	.panes = pool_panes,
	.panes_zh = pool_panes_zh,
	.run = pool_run,
};
