/* demo_pipe_full.c — lesson 05's "pipe-full" demo: a writer asleep in
 * write() on a full pipe until someone reads. */
#define _GNU_SOURCE
#include "ipc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ==== pipe-full: a writer asleep in write() on a full pipe ============= */

#define FULL_MAX 70000          /* the biggest message sent */

static const char full_code[] =
	"import fcntl, os, time\n"                                      /* 1 */
	"from multiprocessing import Process, Pipe\n"
	"\n"
	"def writer(conn, size):\n"
	"    conn.send_bytes(b'x' * size)            # blocks here if it does not fit\n"
	"    print('writer: sent %d bytes' % size, flush=True)\n"
	"\n"
	"if __name__ == '__main__':\n"
	"    r, w = os.pipe()\n"
	"    print(fcntl.fcntl(w, fcntl.F_GETPIPE_SZ))   # 65536\n"   /* 10 */
	"    for size in (60000, 70000):\n"
	"        rc, wc = Pipe(duplex=False)\n"
	"        p = Process(target=writer, args=(wc, size))\n"
	"        p.start()\n"
	"        p.join(timeout=1)\n"                                   /* 15 */
	"        print(size, 'writer still blocked after 1 s:', p.is_alive())\n"
	"        rc.recv_bytes()                     # only once someone reads can the writer go on\n"
	"        p.join()\n";

/* conn.send_bytes(b'x' * size): the frame (length, then the bytes), here
 * in writes of PIPE_BUF (4096) bytes so that each can be reported (CPython
 * uses one or two write()s). The pipe is blocking: a write that does not
 * fit sleeps until there is room. */
static void __attribute__((noreturn))
full_writer(struct demo_ctx *ctx, const struct demo_api *api, int wc,
    size_t size)
{
	static unsigned char frame[4 + FULL_MAX];
	size_t total = size + 4, done = 0;
	uint32_t n = htonl((uint32_t)size);

	struct demo_actor *me = api->to_pane(ctx, 1, "writer");
	memcpy(frame, &n, 4);
	memset(frame + 4, 'x', size);
	printf(DEMO_TR(api, ctx, "wc = fd %d, O_NONBLOCK %s; the frame is %zu bytes, written %d at "
	    "a time\n",
	    "wc = fd %d，O_NONBLOCK %s；这一帧 %zu 字节，每次写 %d 字节\n"), wc, fcntl(wc, F_GETFL) & O_NONBLOCK ? "on" : "off", total,
	    PIPE_BUF);
	api->step(me, 5);
	for (int k = 1; done < total; k++) {
		size_t chunk = total - done < PIPE_BUF ? total - done :
		    PIPE_BUF;
		ssize_t w = write(wc, frame + done, chunk);
		if (w < 0)
			child_exit(1);
		done += (size_t)w;
		printf(DEMO_TR(api, ctx, "write #%d: %zd bytes (%zu sent)\n",
		    "第 %d 次 write：%zd 字节（已发送 %zu）\n"), k, w, done);
	}
	api->step(me, 6);
	printf(DEMO_TR(api, ctx, "writer: sent %zu bytes\n",
	    "写进程：发送了 %zu 字节\n"), size);
	child_exit(0);
}

static int
full_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	static const size_t sizes[] = { 60000, 70000 };
	int fds[2], st, sz;

	api->step(me, 9);
	if (pipe(fds) != 0)
		return perror("pipe"), 1;
	api->step(me, 10);
	sz = fcntl(fds[1], F_GETPIPE_SZ);
	printf(DEMO_TR(api, ctx, "%d    (fcntl(%d, F_GETPIPE_SZ): what the pipe holds, in bytes)\n",
	    "%d    （fcntl(%d, F_GETPIPE_SZ)：管道能容纳的字节数）\n"), sz,
	    fds[1]);
	api->figure(me, "getpipe_sz", sz);
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < 2; i++) {
		size_t size = sizes[i];
		struct pstate ps;
		int queued = 0, blocked = 0;
		api->step(me, 12);
		if (pipe(fds) != 0)
			return perror("pipe"), 1;
		printf(DEMO_TR(api, ctx, "size %zu: rc, wc = Pipe(duplex=False): pipe(): rc = fd %d, "
		    "wc = fd %d\n",
		    "大小 %zu：rc, wc = Pipe(duplex=False)：pipe()：rc = fd %d，wc = fd %d\n"), size, fds[0], fds[1]);
		api->step(me, 14);
		fflush(stdout);
		pid_t p = fork();
		if (p < 0)
			return perror("fork"), 1;
		if (p == 0) {
			close(fds[0]);
			full_writer(ctx, api, fds[1], size);
		}
		close(fds[1]);
		printf(DEMO_TR(api, ctx, "p.start(): writer PID %d\n",
		    "p.start()：写进程 PID %d\n"), (int)p);
		/* join(timeout=1): once its bytes come, watch the pipe (FIONREAD)
		 * and the writer (/proc) for at most 1 s */
		api->step(me, 15);
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
		for (int t = 0; t < 1000 && !blocked; t++, nap_ms(1)) {
			ioctl(fds[0], FIONREAD, &queued);
			if ((size_t)queued == size + 4)
				break;
			blocked = asleep_in(p, SYS_write, SYS_write, fds[1],
			    "pipe_write", &ps);
		}
		ioctl(fds[0], FIONREAD, &queued);
		api->step(me, 16);
		printf(DEMO_TR(api, ctx, "%zu writer still blocked: %s\n",
		    "%zu 写进程仍然阻塞：%s\n"), size, blocked ? "True" : "False");
		if (blocked) {
			printf(DEMO_TR(api, ctx, "writer PID %d: state %c, wchan %s, in write(%d); the "
			    "pipe holds %d bytes (FIONREAD), F_GETPIPE_SZ is %d\n",
			    "写进程 PID %d：状态 %c，wchan %s，在 write(%d) 里；管道里有 %d 字节（FIONREAD），F_GETPIPE_SZ 是 %d\n"),
			    (int)p, ps.state, ps.wchan, fds[1], queued, sz);
			api->figure(me, "pipe_capacity", queued);
		} else
			printf(DEMO_TR(api, ctx, "the pipe holds %d bytes (FIONREAD): %s\n",
			    "管道里有 %d 字节（FIONREAD）：%s\n"), queued,
			    (size_t)queued == size + 4 ? DEMO_TR(api, ctx, "the whole frame, it fit",
			    "整帧都在，它放得下") :
			    DEMO_TR(api, ctx, "the writer was not seen blocked",
			    "没有看到写进程阻塞"));
		api->figure(me, i ? "blocked_70000" : "blocked_60000", blocked);
		api->step(me, 17);
		static char buf[FULL_MAX];
		size_t len = 0;
		int got = msg_recv(fds[0], buf, sizeof buf, &len);
		printf(DEMO_TR(api, ctx, "rc.recv_bytes(): %s %zu bytes; the writer can go on\n",
		    "rc.recv_bytes()：%s %zu 字节；写进程可以继续了\n"),
		    got == 1 ? "got" : DEMO_TR(api, ctx, "failed after",
		    "失败，之前收到"), len);
		api->step(me, 18);
		char how[64];
		waitpid(p, &st, 0);
		printf(DEMO_TR(api, ctx, "p.join(): the writer %s\n",
		    "p.join()：写进程%s\n"), demo_how_lang(st, api->zh(ctx), how, sizeof how));
		close(fds[0]);
	}
	return 0;
}

static const char *const full_panes[] = { "main", "writer", NULL };
static const char *const full_panes_zh[] = { "main", "写进程", NULL };

const struct systour_demo full_demo = {
	.name = "pipe-full",
	.title_en = "A full pipe: the writer sleeps in write() until someone reads",
	.title_zh = "管道满了：写进程在 write() 里睡眠，直到有人来读",
	.code = full_code,
	.panes = full_panes,
	.panes_zh = full_panes_zh,
	.run = full_run,
};
