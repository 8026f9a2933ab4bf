/* demo_pipe_eof.c — lesson 05's "pipe-eof" demo: recv() gets EOFError
 * only once every copy of the sending end is closed. */
#define _GNU_SOURCE
#include "ipc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ==== pipe-eof: recv() sees EOF only once every sending end is closed ==
 * First the notes' code: every process holds both ends, so the receiver
 * blocks for ever after the last item (the demo shows it asleep, closes
 * main's copies, shows it still asleep, then stops it as Ctrl-C would).
 * Then the fix: each process closes what it does not use, and the
 * receiver's read() returns 0: EOFError. */

static const char eof_code[] =
	"import os, random, time\n"                                     /* 1 */
	"from multiprocessing import Process, Pipe\n"
	"\n"
	"\n"
	"def send_fun(p, urls):\n"                                      /* 5 */
	"    for url in urls:\n"
	"        print('send data is %s' % url)\n"
	"        p.send(url)\n"
	"        time.sleep(random.random() * 3)\n"
	"\n"                                                            /* 10 */
	"\n"
	"def recv_fun(p):\n"
	"    while True:\n"
	"        print('recv data is %s' % (p.recv()))\n"
	"        time.sleep(random.random() * 3)\n"                     /* 15 */
	"\n"
	"\n"
	"if __name__ == '__main__':\n"
	"    pipe = Pipe()\n"
	"\n"                                                            /* 20 */
	"    send_process = Process(target=send_fun, args=(pipe[0], ['a', 'aew', 'adf', 'as', ]))\n"
	"    recv_process = Process(target=recv_fun, args=(pipe[1],))\n"
	"\n"
	"    send_process.start()\n"
	"    recv_process.start()\n"                                    /* 25 */
	"\n"
	"    send_process.join()\n"
	"    # recv 进程一直在执行，不能结束\n"
	"    recv_process.join()\n"
	"\n"                                                            /* 30 */
	"# The fix: every process closes the ends it does not use\n"
	"def send_fun(conn, urls):\n"
	"    for url in urls:\n"
	"        print('send data is %s' % url)\n"
	"        conn.send(url)\n"                                      /* 35 */
	"    conn.close()                     # this process's sending end\n"
	"\n"
	"def recv_fun(conn, send_end):\n"
	"    send_end.close()                 # the copy of the sending end inherited by fork\n"
	"    while True:\n"                                             /* 40 */
	"        try:\n"
	"            url = conn.recv()\n"
	"        except EOFError:             # every sending end is closed\n"
	"            break\n"
	"        print('recv data is %s' % url)\n"                      /* 45 */
	"\n"
	"if __name__ == '__main__':\n"
	"    recv_end, send_end = Pipe(duplex=False)\n"
	"    send_process = Process(target=send_fun, args=(send_end, ['a', 'aew', 'adf', 'as']))\n"
	"    recv_process = Process(target=recv_fun, args=(recv_end, send_end))\n" /* 50 */
	"    send_process.start()\n"
	"    recv_process.start()\n"
	"    send_end.close()                 # the parent's copy\n"
	"    recv_end.close()\n"
	"    send_process.join()\n"                                     /* 55 */
	"    recv_process.join()              # now it returns\n";

static const char *const eof_urls[] = { "a", "aew", "adf", "as" };

/* send_fun: the notes' (fix = 0) or the fixed one, which closes its end. */
static void __attribute__((noreturn))
eof_sender(struct demo_ctx *ctx, const struct demo_api *api, int fd, int fix)
{
	struct demo_actor *me = api->to_pane(ctx, 1, "sender");
	for (int i = 0; i < 4; i++) {
		unsigned char obj[64];
		api->step(me, fix ? 34 : 7);
		printf("send data is %s\n", eof_urls[i]);
		api->step(me, fix ? 35 : 8);
		if (msg_send(fd, obj, pickle_str(obj, eof_urls[i])) != 0)
			perror("send");
	}
	if (fix) {
		api->step(me, 36);
		close(fd);
		printf(DEMO_TR(api, ctx, "conn.close(): closed fd %d\n",
		    "conn.close()：关闭了 fd %d\n"), fd);
	}
	printf(DEMO_TR(api, ctx, "send_fun returns; the process exits and its descriptors close\n",
	    "send_fun 返回；进程退出，它的描述符随之关闭\n"));
	child_exit(0);
}

/* recv_fun: the notes' (send_end < 0: no close, no EOFError) or the fix. */
static void __attribute__((noreturn))
eof_receiver(struct demo_ctx *ctx, const struct demo_api *api, int fd,
    int send_end, int calls_ev)
{
	int fix = send_end >= 0;
	struct demo_actor *me = api->to_pane(ctx, 2, "receiver");
	if (fix) {
		api->step(me, 39);
		close(send_end);
		printf(DEMO_TR(api, ctx, "send_end.close(): closed fd %d, my copy of the sending end\n",
		    "send_end.close()：关闭了 fd %d，即我手里那份发送端\n"),
		    send_end);
	}
	for (int n = 0;; n++) {
		unsigned char obj[64];
		char url[64];
		size_t len;
		api->step(me, fix ? 42 : 14);
		if (calls_ev >= 0)      /* tell main of each recv() call */
			while (write(calls_ev, &n, sizeof n) < 0 && errno == EINTR)
				;
		int r = msg_recv(fd, obj, sizeof obj, &len);
		if (r == 0 && fix) {
			api->step(me, 43);
			printf(DEMO_TR(api, ctx, "read(%d) returned 0, end of file: EOFError, after %d "
			    "items\n",
			    "read(%d) 返回 0，文件结束：收到 %d 项之后抛出 EOFError\n"), fd, n);
			api->figure(me, "fix_items", n);
			api->step(me, 44);
			child_exit(0);
		}
		if (r != 1)
			child_exit(1);
		unpickle(obj, len, url, sizeof url);
		if (fix)
			api->step(me, 45);
		printf("recv data is %s\n", url);
	}
}

/* The notes' receiver as the kernel sees it: asleep in read() or not, and
 * who still holds the sending end (object end). */
static int
eof_show(struct demo_ctx *ctx, const struct demo_api *api,
    pid_t r, int fd, const char *end)
{
	struct pstate ps;
	char in_r[64], in_me[64];
	int asleep = wait_asleep(r, SYS_read, SYS_read, fd, "unix_stream", &ps) == 0;
	fds_on(getpid(), end, in_me, sizeof in_me);
	fds_on(r, end, in_r, sizeof in_r);
	printf(DEMO_TR(api, ctx, "receiver PID %d: state %c, wchan %s: %s\n",
	    "接收进程 PID %d：状态 %c，wchan %s：%s\n"), (int)r, ps.state,
	    ps.wchan, asleep ? DEMO_TR(api, ctx, "still blocked in recv()",
	    "仍阻塞在 recv() 里") : DEMO_TR(api, ctx, "not in recv()",
	    "不在 recv() 里"));
	printf(DEMO_TR(api, ctx, "the sending end pipe[0] (%s) is open in main (fd: %s) and in the "
	    "receiver (fd: %s)\n",
	    "发送端 pipe[0]（%s）在 main（fd：%s）和接收进程（fd：%s）中都还开着\n"), end, in_me, in_r);
	return asleep;
}

static int
eof_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	char end[64];
	int sv[2], pf[2], ev[2], st, calls = 0;
	pid_t s, r;

	api->step(me, 19);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || pipe(ev) != 0)
		return perror("Pipe"), 1;
	fd_target(sv[0], end, sizeof end);
	printf(DEMO_TR(api, ctx, "pipe = Pipe(): socketpair: pipe[0] = fd %d (%s), pipe[1] = fd %d\n",
	    "pipe = Pipe()：socketpair：pipe[0] = fd %d（%s），pipe[1] = fd %d\n"),
	    sv[0], end, sv[1]);
	api->note(me, DEMO_TR(api, ctx, "no time.sleep(): the step gate paces the processes",
	    "没有 time.sleep()：由步骤闸门控制各进程的节奏"));
	api->step(me, 24);
	fflush(stdout);
	if ((s = fork()) == 0) {
		close(ev[0]);
		close(ev[1]);
		eof_sender(ctx, api, sv[0], 0);
	}
	api->step(me, 25);
	fflush(stdout);
	if ((r = fork()) == 0) {
		close(ev[0]);
		eof_receiver(ctx, api, sv[1], -1, ev[1]);
	}
	close(ev[1]);   /* main only reads the receiver's "recv() called" */
	if (s < 0 || r < 0)
		return perror("fork"), 1;
	printf(DEMO_TR(api, ctx, "sender PID %d, receiver PID %d: fork gave each a copy of fds %d "
	    "and %d\n",
	    "发送进程 PID %d，接收进程 PID %d：fork 给了每个进程一份 fd %d 和 %d 的副本\n"), (int)s, (int)r, sv[0], sv[1]);
	api->step(me, 27);
	char how[64];
	waitpid(s, &st, 0);
	printf(DEMO_TR(api, ctx, "send_process.join(): the sender %s\n",
	    "send_process.join()：发送进程%s\n"),
	    demo_how_lang(st, api->zh(ctx), how, sizeof how));
	api->step(me, 29);
	while (calls < 4)               /* 4 items, then the 5th recv() */
		if (read_full(ev[0], &calls, sizeof calls) != 1)
			return fprintf(stderr, DEMO_TR(api, ctx, "the receiver died\n",
			    "接收进程死了\n")), 1;
	printf(DEMO_TR(api, ctx, "recv_process.join() waits: the receiver had all 4 items\n",
	    "recv_process.join() 在等：接收进程已经收到全部 4 项\n"));
	int blocked = eof_show(ctx, api, r, sv[1], end);
	close(sv[0]);
	close(sv[1]);
	printf(DEMO_TR(api, ctx, "main closes its copies: close(%d), close(%d)\n",
	    "main 关闭它的副本：close(%d)，close(%d)\n"), sv[0], sv[1]);
	api->step(me, 29);
	blocked += eof_show(ctx, api, r, sv[1], end);
	api->figure(me, "bug_blocked_checks", blocked);
	api->step(me, 29);
	kill(r, SIGINT);
	waitpid(r, &st, 0);
	close(ev[0]);
	printf(DEMO_TR(api, ctx, "Ctrl-C: kill(%d, SIGINT); the receiver %s%s\n",
	    "Ctrl-C：kill(%d, SIGINT)；接收进程%s%s\n"), (int)r,
	    WIFSIGNALED(st) ? DEMO_TR(api, ctx, "was killed by SIG",
	    "被杀死，信号 SIG") : "exited", WIFSIGNALED(st) ?
	    sigabbrev_np(WTERMSIG(st)) : "");
	api->figure(me, "bug_receiver_signal", WIFSIGNALED(st) ? WTERMSIG(st) : 0);

	api->note(me, DEMO_TR(api, ctx, "now the fix: every process closes the ends it does not use",
	    "现在是修正：每个进程关闭它不用的那一端"));
	api->step(me, 48);
	if (pipe(pf) != 0)
		return perror("pipe"), 1;
	printf(DEMO_TR(api, ctx, "recv_end, send_end = Pipe(duplex=False): pipe(): recv_end = fd %d, "
	    "send_end = fd %d\n",
	    "recv_end, send_end = Pipe(duplex=False)：pipe()：recv_end = fd %d，send_end = fd %d\n"), pf[0], pf[1]);
	api->step(me, 51);
	fflush(stdout);
	if ((s = fork()) == 0)
		eof_sender(ctx, api, pf[1], 1);
	api->step(me, 52);
	fflush(stdout);
	if ((r = fork()) == 0)
		eof_receiver(ctx, api, pf[0], pf[1], -1);
	if (s < 0 || r < 0)
		return perror("fork"), 1;
	printf(DEMO_TR(api, ctx, "sender PID %d, receiver PID %d\n",
	    "发送进程 PID %d，接收进程 PID %d\n"), (int)s, (int)r);
	api->step(me, 53);
	close(pf[1]);
	printf(DEMO_TR(api, ctx, "send_end.close(): main closes fd %d\n",
	    "send_end.close()：main 关闭 fd %d\n"), pf[1]);
	api->step(me, 54);
	close(pf[0]);
	printf(DEMO_TR(api, ctx, "recv_end.close(): main closes fd %d\n",
	    "recv_end.close()：main 关闭 fd %d\n"), pf[0]);
	api->step(me, 55);
	waitpid(s, &st, 0);
	printf(DEMO_TR(api, ctx, "send_process.join(): the sender %s\n",
	    "send_process.join()：发送进程%s\n"),
	    demo_how_lang(st, api->zh(ctx), how, sizeof how));
	api->step(me, 56);
	waitpid(r, &st, 0);
	printf(DEMO_TR(api, ctx, "recv_process.join() returns: the receiver %s\n",
	    "recv_process.join() 返回：接收进程%s\n"),
	    demo_how_lang(st, api->zh(ctx), how, sizeof how));
	api->figure(me, "fix_receiver_status", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

static const char *const eof_panes[] = { "main", "sender", "receiver", NULL };
static const char *const eof_panes_zh[] = { "main", "发送进程", "接收进程", NULL };

const struct systour_demo eof_demo = {
	.name = "pipe-eof",
	.title_en = "recv() gets EOFError only once every copy of the sending end "
	    "is closed",
	.title_zh = "发送端的每个副本都关闭之后，recv() 才会得到 EOFError",
	.code = eof_code,
	.panes = eof_panes,
	.panes_zh = eof_panes_zh,
	.run = eof_run,
};
