/* demo_backlog.c — lesson 09's "backlog" demo: the notes' listen(5) and
 * what it really limits. A listener that never accepts; ten clients
 * connect one after another, each waiting at most one second, as the
 * lesson's Python experiment does; the kernel's table shows the accept
 * queue filling up one connection at a time, and the clients whose SYN is
 * dropped once it is full, left in SYN_SENT until they give up. Then
 * accept() takes the queued connections out. Last, the notes'
 * bind(host, port) mistake: Python's own error, from python3 when it is
 * installed, and what the kernel says to an address of the wrong size. */
#define _GNU_SOURCE
#include "sock.h"
#include "demo_lib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLIENTS 10

static const char backlog_code[] =
	"import socket\n"                                                /* 1 */
	"srv = socket.socket()\n"
	"srv.bind(('127.0.0.1', 9998))\n"
	"srv.listen(5)                      # accept() is never called\n"
	"for i in range(10):\n"                                          /* 5 */
	"    c = socket.socket(); c.settimeout(1.0)\n"
	"    try:\n"
	"        c.connect(('127.0.0.1', 9998)); print(i, 'connected')\n"
	"    except OSError as e:\n"
	"        print(i, repr(e))\n"                                    /* 10 */
	"\n"
	"# then the queue is emptied\n"
	"while True:\n"
	"    conn, addr = srv.accept()\n"
	"\n"                                                             /* 15 */
	"# the notes' server, as written\n"
	"serversocket = socket.socket()\n"
	"host = socket.gethostname()\n"
	"serversocket.bind(host, 9999)\n";

static const char *const backlog_panes[] = { "listener", "clients",
	"kernel", NULL };
static const char *const backlog_panes_zh[] = { "监听方", "客户端", "内核",
	NULL };

#define TR(en, zh) DEMO_TR(api, ctx, en, zh)

/* The clients: CLIENTS connects of at most one second each, kept open (a
 * list of sockets) so the table shows them all; the kernel pane is theirs. */
static void __attribute__((noreturn))
clients(struct demo_ctx *ctx, const struct demo_api *api, int port,
    int done, int go)
{
	struct demo_actor *me = api->to_pane(ctx, 1, "clients");
	struct demo_actor *k = api->actor(ctx, 2, "/proc/net/tcp");
	int fds[CLIENTS], cnt[16], ok = 0, late = 0, most = 0;
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_port = htons((unsigned short)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < CLIENTS; i++) {
		api->step(me, 6);
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		api->step(me, 8);
		long long t0 = demo_now_ms();
		int r = connect(fds[i], (struct sockaddr *)&a, sizeof a);
		if (r < 0 && errno == EINPROGRESS) {
			/* settimeout(1.0): Python polls for one second */
			struct pollfd p = { .fd = fds[i], .events = POLLOUT };
			r = poll(&p, 1, 1000);
			if (r == 1) {
				int err = 0;
				socklen_t l = sizeof err;
				getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err,
				    &l);
				r = err == 0 ? 0 : -1;
				errno = err;
			} else {
				r = -1;
				errno = ETIMEDOUT;
			}
		}
		sock_show(api, ctx, NULL, port, cnt);
		if (cnt[0] > most)
			most = cnt[0];
		if (r == 0) {
			ok++;
			printf("%d connected\n", i);
		} else {
			api->step(me, 10);
			if (errno == ETIMEDOUT)
				late++;
			printf(TR("%d TimeoutError('timed out') after %lld ms\n",
			    "%d TimeoutError('timed out')，%lld 毫秒后\n"), i,
			    demo_now_ms() - t0);
		}
		fflush(stdout);
		api->print(k, TR("client %d: accept queue %d (backlog 5); "
		    "%d SYN_SENT\n", "客户端 %d：accept 队列 %d（backlog 5）；"
		    "%d 个 SYN_SENT\n"), i, cnt[0], cnt[TCP_ST_SYN_SENT]);
	}
	api->print(k, TR("the whole table for the port:\n",
	    "该端口的完整表格：\n"));
	sock_show(api, ctx, k, port, cnt);
	api->figure(me, "connected", ok);
	api->figure(me, "timed_out", late);
	api->figure(me, "accept_queue_max", most);
	api->figure(me, "syn_sent_left", cnt[TCP_ST_SYN_SENT]);
	api->release(k);
	fflush(stdout);
	char c = 1;
	if (write(done, &c, 1) != 1 || sock_read_full(go, &c, 1) != 1)
		sock_exit(1);
	sock_exit(0);
}

/* The notes' bind(host, port), in python3; its last line of stderr, or
 * "" when python3 could not be run. */
static void
python_bind(char *out, size_t len)
{
	int p[2];
	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 2);
		dup2(p[1], 1);
		execlp("python3", "python3", "-c", "import socket\n"
		    "serversocket = socket.socket()\n"
		    "host = socket.gethostname()\n"
		    "serversocket.bind(host, 9999)\n", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[4096];
	size_t n = sock_read_full(p[0], buf, sizeof buf - 1);
	close(p[0]);
	int st;
	waitpid(c, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	char *last = strrchr(buf, '\n');
	const char *l = last ? last + 1 : buf;
	size_t ll = strlen(l);
	if (ll >= len)
		ll = len - 1;
	memcpy(out, l, ll);
	out[ll] = '\0';
}

static int
backlog_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	int port, done[2], go[2];
	api->step(me, 2);
	if (pipe2(done, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
		return 1;
	api->step(me, 4);
	int ls = sock_listen(5, 0, &port);
	if (ls < 0) {
		api->print(me, "listen: %s\n", strerror(errno));
		return 1;
	}
	api->print(me, TR("listening on 127.0.0.1:%d with a backlog of 5 "
	    "(the demo takes a free port, not 9998); accept() is not called\n",
	    "在 127.0.0.1:%d 上监听，backlog 为 5（演示用空闲端口而不是 "
	    "9998）；不调用 accept()\n"), port);
	pid_t c = fork();
	if (c == 0) {
		close(ls);
		clients(ctx, api, port, done[1], go[0]);
	}
	char b;
	if (sock_read_full(done[0], &b, 1) != 1) {
		api->print(me, TR("the clients ended early\n",
		    "客户端提前结束了\n"));
		return 1;
	}
	api->step(me, 14);
	int accepted = 0;
	fcntl(ls, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct sockaddr_in peer;
		socklen_t pl = sizeof peer;
		int fd = accept4(ls, (struct sockaddr *)&peer, &pl, 0);
		if (fd < 0)
			break;
		accepted++;
		api->print(me, TR("accept() = fd %d, from 127.0.0.1:%d: it "
		    "was waiting in the queue\n", "accept() = fd %d，来自 "
		    "127.0.0.1:%d：它一直在队列里等着\n"), fd,
		    ntohs(peer.sin_port));
		close(fd);
	}
	api->print(me, TR("the queue is empty: accept() would block "
	    "(EAGAIN)\n", "队列空了：accept() 会阻塞（EAGAIN）\n"));
	api->figure(me, "accepted", accepted);
	char x = 1;
	if (write(go[1], &x, 1) != 1)
		return 1;
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	close(ls);

	api->step(me, 19);
	char err[512];
	python_bind(err, sizeof err);
	if (err[0] != '\0')
		api->print(me, TR("python3 says: %s\n", "python3 报错：%s\n"),
		    err);
	else
		api->print(me, TR("python3 is not installed: Python's own "
		    "message cannot be shown here\n", "没有安装 python3：这里"
		    "无法显示 Python 自己的报错\n"));
	api->figure(me, "python_type_error",
	    strstr(err, "TypeError") != NULL);
	/* what bind() itself says to an address that is not one whole
	 * sockaddr_in: a host name's bytes and a port, say */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	int r = bind(s, (struct sockaddr *)&a, 2);
	api->print(me, TR("and the kernel, given an address of 2 bytes "
	    "instead of one sockaddr_in of %zu: bind() = %d, %s\n",
	    "而内核收到 2 字节的地址（而不是一个 %zu 字节的 sockaddr_in）："
	    "bind() = %d，%s\n"), sizeof a, r, r < 0 ? strerror(errno) : "");
	close(s);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

const struct systour_demo backlog_demo = {
	.name = "backlog",
	.title_en = "listen(5): connections waiting in the accept queue, "
	    "and the notes' bind(host, port)",
	.title_zh = "listen(5)：在 accept 队列里等待的连接，以及笔记中的 "
	    "bind(host, port)",
	.code = backlog_code,
	.panes = backlog_panes,
	.panes_zh = backlog_panes_zh,
	.run = backlog_run,
};
