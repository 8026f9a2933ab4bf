/* demo_echo.c — lesson 09's "echo" demo: the notes' server (fixed) and
 * client on loopback, each a real process in its own pane, and the
 * kernel's table of TCP sockets (/proc/net/tcp) for the server's port in a
 * third pane at each moment of a connection's life: LISTEN, the handshake
 * half-way (SYN_RECV), ESTABLISHED on both ends, FIN_WAIT2 and CLOSE_WAIT
 * after the server closes, TIME_WAIT after the client closes too.
 *
 * The half-way handshake lasts a few microseconds on loopback; to hold it
 * still the listener sets TCP_DEFER_ACCEPT, with which the kernel keeps the
 * server's end in SYN_RECV until the client's first bytes arrive (the
 * client's connect() has returned long before). The two processes wait on
 * each other through two pipes at the moments the table is read, so that
 * what it shows does not depend on who runs first. */
#define _GNU_SOURCE
#include "sock.h"
#include "demo_lib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char echo_code[] =
	"# server: the notes' server, fixed, echoing one message\n"      /* 1 */
	"import socket\n"
	"serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
	"serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
	"serversocket.bind(('127.0.0.1', 9999))    # one tuple\n"        /* 5 */
	"serversocket.listen(5)\n"
	"while True:\n"
	"    clientsocket, addr = serversocket.accept()\n"
	"    print('连接地址： %s' % str(addr))\n"
	"    clientsocket.sendall('welcome to here\\n'.encode('utf-8'))\n" /* 10 */
	"    data = clientsocket.recv(1024)\n"
	"    clientsocket.sendall(data)             # the echo\n"
	"    clientsocket.close()\n"
	"\n"
	"# client\n"                                                     /* 15 */
	"import socket\n"
	"s = socket.socket()\n"
	"s.connect(('127.0.0.1', 9999))\n"
	"s.sendall(b'hello, server\\n')\n"
	"chunks = []\n"                                                  /* 20 */
	"while True:\n"
	"    data = s.recv(1024)\n"
	"    if not data:                           # b'': the server closed\n"
	"        break\n"
	"    chunks.append(data)\n"                                      /* 25 */
	"s.close()\n"
	"print(b''.join(chunks).decode('utf-8'))\n";

static const char *const echo_panes[] = { "server", "client", "kernel", NULL };
static const char *const echo_panes_zh[] = { "服务器", "客户端", "内核",
	NULL };

#define TR(en, zh) DEMO_TR(api, ctx, en, zh)

static void
signal_fd(int fd)
{
	char c = 1;
	while (write(fd, &c, 1) < 0 && errno == EINTR)
		;
}

static int
wait_fd(int fd)
{
	char c;
	return sock_read_full(fd, &c, 1) == 1 ? 0 : -1;
}

/* The client: connect, send, read to the end, close. ready/go: the pipes
 * to the server's process at the two moments the table is read. */
static void __attribute__((noreturn))
client(struct demo_ctx *ctx, const struct demo_api *api, int port,
    int ready, int go)
{
	struct demo_actor *me = api->to_pane(ctx, 1, "client");
	api->step(me, 17);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	printf("socket() = fd %d\n", s);
	api->step(me, 18);
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_port = htons((unsigned short)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		printf("connect: %s\n", strerror(errno));
		sock_exit(1);
	}
	socklen_t l = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &l);
	printf(TR("connect() returned: the handshake is done; my end is "
	    "127.0.0.1:%d\n", "connect() 返回：握手已完成；我这一端是 "
	    "127.0.0.1:%d\n"), ntohs(a.sin_port));
	fflush(stdout);
	signal_fd(ready);
	wait_fd(go);
	api->step(me, 19);
	const char msg[] = "hello, server\n";
	send(s, msg, sizeof msg - 1, MSG_NOSIGNAL);
	printf(TR("sendall: %zu bytes\n", "sendall：%zu 字节\n"),
	    sizeof msg - 1);
	char all[256];
	size_t n = 0;
	for (;;) {
		api->step(me, 22);
		ssize_t r = recv(s, all + n, sizeof all - 1 - n, 0);
		if (r <= 0) {
			api->step(me, 23);
			printf(TR("recv() returned b'': the server closed its "
			    "end\n", "recv() 返回 b''：服务器关闭了它那一端\n"));
			break;
		}
		printf(TR("recv() got %zd bytes\n", "recv() 收到 %zd 字节\n"),
		    r);
		n += (size_t)r;
	}
	all[n] = '\0';
	fflush(stdout);
	signal_fd(ready);
	wait_fd(go);
	api->step(me, 26);
	close(s);
	printf(TR("s.close(): my FIN goes to the server\n",
	    "s.close()：我的 FIN 发给服务器\n"));
	api->step(me, 27);
	fputs(all, stdout);
	sock_exit(0);
}

static int
echo_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	struct demo_actor *k = api->actor(ctx, 2, "/proc/net/tcp");
	int cnt[16], ready[2], go[2];
	if (k == NULL || pipe2(ready, O_CLOEXEC) < 0 ||
	    pipe2(go, O_CLOEXEC) < 0) {
		api->print(me, "pipe: %s\n", strerror(errno));
		return 1;
	}
	api->step(me, 3);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	api->print(me, "socket() = fd %d\n", ls);
	api->step(me, 4);
	int one = 1, defer = 5;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(ls, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
	api->note(me, "%s", TR("the demo's listener also sets "
	    "TCP_DEFER_ACCEPT, so the kernel holds the handshake half-way "
	    "(SYN_RECV) until the client sends: loopback is too fast to see "
	    "it otherwise", "演示的监听套接字还设置了 TCP_DEFER_ACCEPT，内核在"
	    "客户端发数据之前让握手停在半途（SYN_RECV）：否则回环太快，看不到"));
	api->step(me, 5);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t l = sizeof a;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0) {
		api->print(me, "bind: %s\n", strerror(errno));
		return 1;
	}
	getsockname(ls, (struct sockaddr *)&a, &l);
	int port = ntohs(a.sin_port);
	api->print(me, TR("bind(('127.0.0.1', 0)): the demo takes any free "
	    "port, not 9999: the kernel gave %d\n", "bind(('127.0.0.1', 0))："
	    "演示用任一空闲端口而不是 9999：内核给了 %d\n"), port);
	api->step(me, 6);
	listen(ls, 5);
	api->print(me, "listen(5)\n");
	api->print(k, TR("after listen():\n", "listen() 之后：\n"));
	sock_show(api, ctx, k, port, cnt);
	api->figure(me, "listen_seen", cnt[TCP_ST_LISTEN]);

	pid_t c = fork();
	if (c == 0) {
		close(ls);
		client(ctx, api, port, ready[1], go[0]);
	}
	api->step(me, 8);
	api->print(me, TR("accept() waits...\n", "accept() 等待中……\n"));
	wait_fd(ready[0]);
	api->print(k, TR("the client's connect() has returned, the server "
	    "has not accepted:\n", "客户端的 connect() 已返回，服务器还没有 "
	    "accept：\n"));
	sock_show(api, ctx, k, port, cnt);
	api->figure(me, "syn_recv_seen", cnt[TCP_ST_SYN_RECV]);
	signal_fd(go[1]);
	struct sockaddr_in peer;
	socklen_t pl = sizeof peer;
	int cs = accept4(ls, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
	if (cs < 0) {
		api->print(me, "accept: %s\n", strerror(errno));
		return 1;
	}
	api->step(me, 9);
	api->print(me, "连接地址： ('127.0.0.1', %d)\n", ntohs(peer.sin_port));
	api->print(k, TR("after accept():\n", "accept() 之后：\n"));
	sock_show(api, ctx, k, port, cnt);
	api->figure(me, "established_seen", cnt[TCP_ST_ESTABLISHED]);
	api->step(me, 10);
	const char w[] = "welcome to here\n";
	send(cs, w, sizeof w - 1, MSG_NOSIGNAL);
	api->step(me, 11);
	char data[1024];
	ssize_t n = recv(cs, data, sizeof data, 0);
	if (n < 0)
		n = 0;
	api->print(me, TR("recv(1024) = %zd bytes: %.*s", "recv(1024) = %zd "
	    "字节：%.*s"), n, (int)n, data);
	api->step(me, 12);
	send(cs, data, (size_t)n, MSG_NOSIGNAL);
	api->figure(me, "bytes_echoed", n);
	api->step(me, 13);
	close(cs);
	api->print(me, TR("clientsocket.close(): the server closes first\n",
	    "clientsocket.close()：服务器先关闭\n"));
	wait_fd(ready[0]);
	api->print(k, TR("the server closed, the client has not yet:\n",
	    "服务器已关闭，客户端还没有：\n"));
	sock_show(api, ctx, k, port, cnt);
	api->figure(me, "close_wait_seen", cnt[TCP_ST_CLOSE_WAIT]);
	signal_fd(go[1]);
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	char how[64];
	api->print(me, TR("the client %s\n", "客户端%s\n"),
	    demo_how(st, how, sizeof how));
	api->print(k, TR("both closed: the side that closed first waits in "
	    "TIME_WAIT (60 s on Linux):\n", "两端都已关闭：先关闭的一方在 "
	    "TIME_WAIT 中等待（Linux 上 60 秒）：\n"));
	sock_show(api, ctx, k, port, cnt);
	api->figure(me, "time_wait_seen", cnt[TCP_ST_TIME_WAIT]);
	close(ls);
	api->release(k);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

const struct systour_demo echo_demo = {
	.name = "echo",
	.title_en = "a server and its client on loopback, and the socket "
	    "states the kernel shows",
	.title_zh = "回环上的服务器和客户端，以及内核显示的套接字状态",
	.code = echo_code,
	.panes = echo_panes,
	.panes_zh = echo_panes_zh,
	.run = echo_run,
};
