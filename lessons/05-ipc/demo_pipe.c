/* demo_pipe.c — lesson 05's "pipe" demo: Pipe() is a socketpair, both
 * ends send and receive; Pipe(duplex=False) is a pipe, one way. */
#define _GNU_SOURCE
#include "ipc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ==== pipe: Pipe() is a socketpair, Pipe(duplex=False) a pipe ========== */

static const char pipe_code[] =
	"from multiprocessing import Pipe\n"                            /* 1 */
	"\n"
	"a, b = Pipe()                   # duplex=True (the default): both ends send and receive\n"
	"a.send('hi'); print(b.recv())   # hi\n"
	"b.send([1, 2]); print(a.recv()) # [1, 2]: the other way works too\n" /* 5 */
	"\n"
	"r, w = Pipe(duplex=False)       # simplex: the first only receives, the second only sends\n"
	"w.send('x'); print(r.recv())    # x\n"
	"try:\n"
	"    r.send('y')\n"                                             /* 10 */
	"except OSError as e:\n"
	"    print(e)                    # connection is read-only\n";

/* conn.send(obj), obj already pickled: the frame as strace shows it.
 * Returns the bytes written, or -errno. */
static long long
send_show(struct demo_ctx *ctx, const struct demo_api *api,
    const char *call, int fd, const unsigned char *obj, size_t len)
{
	unsigned char frame[256];
	char s[1024];
	uint32_t n = htonl((uint32_t)len);
	memcpy(frame, &n, 4);
	memcpy(frame + 4, obj, len);
	if (msg_send(fd, obj, len) != 0) {
		printf("%s: write(%d) = -1 %s (%s)\n", call, fd,
		    strerrorname_np(errno), strerror(errno));
		return -errno;
	}
	printf(DEMO_TR(api, ctx, "%s: %zu bytes on fd %d: %s\n",
	    "%s：%zu 字节，在 fd %d 上：%s\n"), call, len + 4, fd,
	    strace_str(s, sizeof s, frame, len + 4));
	return (long long)len + 4;
}

/* print(conn.recv()): one frame, unpickled. */
static void
recv_show(struct demo_ctx *ctx, const struct demo_api *api,
    const char *call, int fd)
{
	unsigned char obj[256];
	char text[128];
	size_t len;
	if (msg_recv(fd, obj, sizeof obj, &len) != 1) {
		printf("%s: %s\n", call, errno ? strerror(errno) : "EOF");
		return;
	}
	unpickle(obj, len, text, sizeof text);
	printf(DEMO_TR(api, ctx, "%s    (%s: a 4-byte length, then %zu bytes of pickle from fd %d)\n",
	    "%s    （%s：4 字节的长度，然后是 %zu 字节 pickle，来自 fd %d）\n"),
	    text, call, len, fd);
}

static const char *
access_mode(int fd)
{
	int m = fcntl(fd, F_GETFL) & O_ACCMODE;
	return m == O_RDONLY ? "O_RDONLY" : m == O_WRONLY ? "O_WRONLY" : "O_RDWR";
}

static int
pipe_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	unsigned char obj[64];
	char t0[64], t1[64];
	int sv[2], pf[2], st;
	pid_t kid[2];

	api->step(me, 3);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return perror("socketpair"), 1;
	printf(DEMO_TR(api, ctx, "a, b = Pipe(): socketpair(AF_UNIX, SOCK_STREAM): a = fd %d (%s, %s), "
	    "b = fd %d (%s, %s)\n",
	    "a, b = Pipe()：socketpair(AF_UNIX, SOCK_STREAM)：a = fd %d（%s，%s），b = fd %d（%s，%s）\n"), sv[0], fd_target(sv[0], t0, sizeof t0),
	    access_mode(sv[0]), sv[1], fd_target(sv[1], t1, sizeof t1),
	    access_mode(sv[1]));
	fflush(stdout);
	if ((kid[0] = fork()) < 0)
		return perror("fork"), 1;
	if (kid[0] == 0) {
		static const int v[] = { 1, 2 };
		me = api->to_pane(ctx, 1, "child b");
		close(sv[0]);
		api->step(me, 4);
		recv_show(ctx, api, "b.recv()", sv[1]);
		api->step(me, 5);
		api->figure(me, "duplex_b_to_a_bytes", send_show(ctx, api, "b.send([1, 2])",
		    sv[1], obj, pickle_ints(obj, v, 2)));
		child_exit(0);
	}
	close(sv[1]);
	api->step(me, 4);
	api->figure(me, "duplex_a_to_b_bytes", send_show(ctx, api, "a.send('hi')", sv[0],
	    obj, pickle_str(obj, "hi")));
	api->step(me, 5);
	recv_show(ctx, api, "a.recv()", sv[0]);

	api->step(me, 7);
	if (pipe(pf) != 0)
		return perror("pipe"), 1;
	printf(DEMO_TR(api, ctx, "r, w = Pipe(duplex=False): pipe(): r = fd %d (%s, %s), w = fd %d "
	    "(%s, %s)\n",
	    "r, w = Pipe(duplex=False)：pipe()：r = fd %d（%s，%s），w = fd %d（%s，%s）\n"), pf[0], fd_target(pf[0], t0, sizeof t0), access_mode(pf[0]),
	    pf[1], fd_target(pf[1], t1, sizeof t1), access_mode(pf[1]));
	fflush(stdout);
	if ((kid[1] = fork()) < 0)
		return perror("fork"), 1;
	if (kid[1] == 0) {
		char c;
		me = api->to_pane(ctx, 2, "child w");
		close(pf[0]);
		api->step(me, 8);
		api->figure(me, "simplex_bytes", send_show(ctx, api, "w.send('x')", pf[1],
		    obj, pickle_str(obj, "x")));
		if (read(pf[1], &c, 1) < 0)
			printf(DEMO_TR(api, ctx, "w only sends: read(%d) = -1 %s (%s)\n",
			    "w 只能发送：read(%d) = -1 %s（%s）\n"), pf[1],
			    strerrorname_np(errno), strerror(errno));
		api->figure(me, "write_end_read_errno", errno);
		child_exit(0);
	}
	close(pf[1]);
	api->step(me, 8);
	recv_show(ctx, api, "r.recv()", pf[0]);
	api->step(me, 10);
	long long r = send_show(ctx, api, "r.send('y')", pf[0], obj, pickle_str(obj, "y"));
	api->step(me, 12);
	printf(DEMO_TR(api, ctx, "connection is read-only    (OSError: Python checks before writing; "
	    "the kernel says %s)\n",
	    "connection is read-only    （OSError：Python 在写之前就检查了；内核说的是 %s）\n"), r < 0 ? strerrorname_np((int)-r) : "nothing");
	api->figure(me, "read_end_send_errno", r < 0 ? -r : 0);
	for (int i = 0; i < 2; i++) {
		char how[64];
		waitpid(kid[i], &st, 0);
		printf("child %c (PID %d) %s\n", "bw"[i], (int)kid[i],
		    demo_how_lang(st, api->zh(ctx), how, sizeof how));
	}
	return 0;
}

static const char *const pipe_panes[] = { "main", "child b", "child w", NULL };
static const char *const pipe_panes_zh[] = { "main", "子进程 b", "子进程 w", NULL };

const struct systour_demo pipe_demo = {
	.name = "pipe",
	.title_en = "Pipe(): a socketpair, both ends send and receive; "
	    "Pipe(duplex=False): a pipe, one way",
	.title_zh = "Pipe()：socketpair，两端都能收发；Pipe(duplex=False)：pipe，只有一个方向",
	.code = pipe_code,
	.panes = pipe_panes,
	.panes_zh = pipe_panes_zh,
	.run = pipe_run,
};
