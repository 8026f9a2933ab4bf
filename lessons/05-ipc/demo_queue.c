/* demo_queue.c — lesson 05's "queue" demo: a Queue built like
 * multiprocessing's (a pipe, locks and a counting semaphore in shared
 * memory), two writers and a reader; a full queue blocks put(), and
 * get(timeout) raises Empty. */
#define _GNU_SOURCE
#include "ipc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The largest message the queue's pipe is sized for (msg_pipe()). */
#define QUEUE_MSG_MAX (64 * 1024)

#ifndef SYS_poll
#define SYS_poll (-2)           /* arm64 has only ppoll */
#endif

/* ==== queue: the notes' Queue, two writers and one reader ==============
 * A Queue is a pipe and three semaphores in shared memory, as in
 * multiprocessing/queues.py: rlock (one get() at a time), wlock (one
 * writer on the pipe at a time) and slots (BoundedSemaphore(maxsize), the
 * free places). CPython's put() leaves the pipe write to a feeder thread;
 * here put() writes its frame itself. */

static struct timespec
deadline_in(long ms)            /* for sem_timedwait: CLOCK_REALTIME */
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += ms % 1000 * 1000000L;
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_sec++, ts.tv_nsec -= 1000000000L;
	return ts;
}

/* Wait until an actor posts ev (the demo's own bookkeeping, not the
 * notes' code), checking every 100 ms that none of our children died.
 * 0, or -1 if one did. */
static int
wait_event(sem_t *ev)
{
	for (;;) {
		struct timespec ts = deadline_in(100);
		if (sem_timedwait(ev, &ts) == 0)
			return 0;
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 ||
		    si.si_pid != 0)
			return -1;
	}
}

static void *
shared_mem(size_t size)         /* MAP_SHARED: fork keeps it shared */
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static const char queue_code[] =
	"import os, random, time\n"                                     /* 1 */
	"from multiprocessing import Process, Queue\n"
	"\n"
	"\n"
	"def write_fun(q, urls):\n"                                     /* 5 */
	"    print('write process %s' % (os.getpid(),) + 'start ')\n"
	"    for url in urls:\n"
	"        print('write %s to queue ' % url)\n"
	"        q.put(url)\n"
	"        time.sleep(random.random() * 3)\n"                     /* 10 */
	"\n"
	"\n"
	"def read_fun(q):\n"
	"    print('read process start')\n"
	"\n"                                                            /* 15 */
	"    while True:\n"
	"        url = q.get(True)\n"
	"        print('get data is %s' % url)\n"
	"\n"
	"\n"                                                            /* 20 */
	"if __name__ == '__main__':\n"
	"    q = Queue()\n"
	"    proc_write1 = Process(target=write_fun, args=(q, ['url-1', 'url-2', 'url-3']))\n"
	"    proc_write2 = Process(target=write_fun, args=(q, ['url-1', 'url-2', 'url-3']))\n"
	"    proc_read = Process(target=read_fun, args=(q,))\n"         /* 25 */
	"\n"
	"    proc_write1.start()\n"
	"    proc_write2.start()\n"
	"    proc_read.start()\n"
	"\n"                                                            /* 30 */
	"    proc_write2.join()\n"
	"    proc_write1.join()\n"
	"    proc_read.terminate()\n"
	"\n"
	"# What this demo changes, to show a full queue and a timeout:\n" /* 35 */
	"import queue\n"
	"q = Queue(maxsize=2)                 # bounded: put() blocks while 2 items wait\n"
	"def read_fun(q):\n"
	"    print('read process start')\n"
	"    while True:\n"                                             /* 40 */
	"        try:\n"
	"            url = q.get(True, timeout=1.0)\n"
	"        except queue.Empty:\n"
	"            print('queue.Empty after 1.0 s')\n"
	"            continue\n"                                        /* 45 */
	"        print('get data is %s' % url)\n";

struct mpqueue {
	sem_t rlock, wlock, slots;
	int rfd, wfd;                   /* the pipe */
};

struct queue_demo {                     /* shared by all four processes */
	struct mpqueue q;
	sem_t writer_blocked;           /* a writer is about to wait in put() */
	sem_t reader_in_get;            /* the reader is about to call get() */
	pid_t blocked;                  /* that writer */
	int puts_blocked;               /* put() calls that had to wait */
	int got, got_at_empty;          /* items taken; and at the last Empty */
};

/* q.put(obj, block): take a free slot (full: wait, or with block = 0 fail
 * with EAGAIN: queue.Full), then write one frame under the write lock. */
static int
queue_put(struct mpqueue *q, const void *obj, size_t len, int block)
{
	while (block ? sem_wait(&q->slots) : sem_trywait(&q->slots))
		if (errno != EINTR)
			return -1;
	while (sem_wait(&q->wlock))
		;
	int rc = msg_send(q->wfd, obj, len);
	sem_post(&q->wlock);
	return rc;
}

/* q.get(True, timeout=ms/1000): the read lock, then poll() until the pipe
 * has data, both within the timeout; one frame; give a slot back. -1 with
 * ETIMEDOUT is queue.Empty. */
static int
queue_get(struct mpqueue *q, void *buf, size_t cap, size_t *len, int ms)
{
	long long end = demo_now_ms() + ms;
	struct timespec ts = deadline_in(ms);
	while (sem_timedwait(&q->rlock, &ts))
		if (errno != EINTR)
			return -1;
	struct pollfd p = { q->rfd, POLLIN, 0 };
	int r;
	while ((r = poll(&p, 1, (int)(end > demo_now_ms() ? end - demo_now_ms() : 0))) < 0 &&
	    errno == EINTR)
		;
	if (r == 0)
		errno = ETIMEDOUT;
	if (r > 0)
		r = msg_recv(q->rfd, buf, cap, len);
	sem_post(&q->rlock);
	if (r != 1)
		return -1;
	sem_post(&q->slots);
	return 0;
}

static void __attribute__((noreturn))
queue_writer(struct demo_ctx *ctx, const struct demo_api *api,
    struct queue_demo *d, int n)
{
	static const char *const urls[] = { "url-1", "url-2", "url-3" };
	char who[32];
	snprintf(who, sizeof who, "writer %d", n);
	struct demo_actor *me = api->to_pane(ctx, n, who);
	api->step(me, 6);
	printf("write process %dstart \n", (int)getpid());
	for (int i = 0; i < 3; i++) {
		unsigned char obj[64];
		size_t len = pickle_str(obj, urls[i]);
		int free_slots;
		api->step(me, 8);
		printf("write %s to queue \n", urls[i]);
		api->step(me, 9);
		if (queue_put(&d->q, obj, len, 0) == 0)
			continue;
		const char *why = strerrorname_np(errno);
		sem_getvalue(&d->q.slots, &free_slots);
		printf(DEMO_TR(api, ctx, "put blocks: queue full (sem_trywait(slots): %s, %d free)\n",
		    "put 阻塞：队列已满（sem_trywait(slots)：%s，空位 %d）\n"),
		    why, free_slots);
		__atomic_add_fetch(&d->puts_blocked, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&d->blocked, getpid(), __ATOMIC_SEQ_CST);
		sem_post(&d->writer_blocked);
		long long t0 = demo_now_ms();
		if (queue_put(&d->q, obj, len, 1) != 0)
			child_exit(1);
		printf(DEMO_TR(api, ctx, "put returns after %lld ms: a get() gave a slot back\n",
		    "put 在 %lld 毫秒后返回：一次 get() 还回了一个空位\n"),
		    demo_now_ms() - t0);
	}
	child_exit(0);
}

static void __attribute__((noreturn))
queue_reader(struct demo_ctx *ctx, const struct demo_api *api,
    struct queue_demo *d)
{
	struct demo_actor *me = api->to_pane(ctx, 3, "reader");
	api->step(me, 39);
	printf("read process start\n");
	for (;;) {
		unsigned char obj[64];
		char url[64];
		size_t len;
		api->step(me, 42);
		sem_post(&d->reader_in_get);
		long long t0 = demo_now_ms();
		if (queue_get(&d->q, obj, sizeof obj, &len, 1000) == 0) {
			d->got++;
			unpickle(obj, len, url, sizeof url);
			api->step(me, 46);
			printf("get data is %s\n", url);
			continue;
		}
		long long waited = demo_now_ms() - t0;
		if (errno != ETIMEDOUT)
			child_exit(1);
		d->got_at_empty = d->got;
		api->step(me, 44);
		printf(DEMO_TR(api, ctx, "queue.Empty after 1.0 s (poll() timed out, measured %lld ms)\n",
		    "1.0 秒后 queue.Empty（poll() 超时，实测 %lld 毫秒）\n"),
		    waited);
		api->figure(me, "empty_after_ms", waited);
	}
}

static int
queue_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	struct queue_demo *d = shared_mem(sizeof *d);
	struct pstate ps;
	pid_t w[3], reader;
	int fds[2], v, st;

	api->step(me, 37);
	if (d == NULL)
		return perror("mmap(MAP_SHARED) for the queue's semaphores"), 1;
	/* the transport's pipe: room for several of the largest frames */
	if (msg_pipe(fds, QUEUE_MSG_MAX) != 0)
		return perror("pipe"), 1;
	d->q.rfd = fds[0], d->q.wfd = fds[1];
	sem_init(&d->q.rlock, 1, 1);
	sem_init(&d->q.wlock, 1, 1);
	sem_init(&d->q.slots, 1, 2);
	sem_init(&d->writer_blocked, 1, 0);
	sem_init(&d->reader_in_get, 1, 0);
	sem_getvalue(&d->q.slots, &v);
	int capacity = fcntl(fds[1], F_GETPIPE_SZ);
	printf(DEMO_TR(api, ctx, "q = Queue(maxsize=2): pipe [%d, %d] of %d bytes; rlock, wlock "
	    "and slots (value %d): process-shared semaphores in MAP_SHARED "
	    "memory\n",
	    "q = Queue(maxsize=2)：管道 [%d, %d]，%d 字节；rlock、wlock 和 slots（值 %d）：放在 MAP_SHARED 内存里的进程间共享信号量\n"), fds[0], fds[1], capacity, v);
	api->figure(me, "queue_maxsize", v);
	api->figure(me, "queue_pipe_capacity", capacity);
	api->note(me, DEMO_TR(api, ctx, "no time.sleep(): the step gate paces the processes",
	    "没有 time.sleep()：由步骤闸门控制各进程的节奏"));
	for (int n = 1; n <= 2; n++) {
		api->step(me, 26 + n);
		fflush(stdout);
		if ((w[n] = fork()) < 0)
			return perror("fork"), 1;
		if (w[n] == 0)
			queue_writer(ctx, api, d, n);
		printf(DEMO_TR(api, ctx, "proc_write%d.start(): writer %d is PID %d\n",
		    "proc_write%d.start()：写进程 %d 是 PID %d\n"), n, n, (int)w[n]);
	}
	api->step(me, 29);
	api->note(me, DEMO_TR(api, ctx, "main starts the reader once a put() blocks on the full queue",
	    "等某个 put() 在满队列上阻塞后，main 才启动读进程"));
	if (wait_event(&d->writer_blocked) != 0)
		return fprintf(stderr, DEMO_TR(api, ctx, "a writer died\n",
		    "一个写进程死了\n")), 1;
	pid_t b = __atomic_load_n(&d->blocked, __ATOMIC_SEQ_CST);
	int seen = wait_asleep(b, SYS_futex, SYS_futex, -1, "futex", &ps) == 0;
	sem_getvalue(&d->q.slots, &v);
	printf(DEMO_TR(api, ctx, "writer %d (PID %d) %s in put(): state %c, wchan %s; free slots: %d\n",
	    "写进程 %d（PID %d）%s在 put() 里：状态 %c，wchan %s；空位：%d\n"),
	    b == w[1] ? 1 : 2, (int)b, seen ? DEMO_TR(api, ctx, "is waiting",
	    "正在等待") : DEMO_TR(api, ctx, "is not seen waiting",
	    "没有被看到等待"),
	    ps.state, ps.wchan, v);
	api->figure(me, "writer_seen_waiting", seen);
	fflush(stdout);
	if ((reader = fork()) < 0)
		return perror("fork"), 1;
	if (reader == 0)
		queue_reader(ctx, api, d);
	printf(DEMO_TR(api, ctx, "proc_read.start(): reader is PID %d\n",
	    "proc_read.start()：读进程是 PID %d\n"), (int)reader);
	for (int n = 2; n >= 1; n--) {
		api->step(me, 33 - n);
		char how[64];
		waitpid(w[n], &st, 0);
		printf(DEMO_TR(api, ctx, "proc_write%d.join(): writer %d %s\n",
		    "proc_write%d.join()：写进程 %d %s\n"), n, n,
		    demo_how_lang(st, api->zh(ctx), how, sizeof how));
	}
	api->step(me, 33);
	api->note(me, DEMO_TR(api, ctx, "main terminates the reader once it has taken every item, "
	    "timed out, and called get() again",
	    "等读进程取完所有项、超时、又调用了一次 get() 之后，main 才终止它"));
	do
		if (wait_event(&d->reader_in_get) != 0)
			return fprintf(stderr, DEMO_TR(api, ctx, "the reader died\n",
			    "读进程死了\n")), 1;
	while (d->got_at_empty < 6);
	seen = wait_asleep(reader, SYS_poll, SYS_ppoll, -1, "poll", &ps) == 0;
	printf(DEMO_TR(api, ctx, "reader (PID %d) %s: state %c, wchan %s\n",
	    "读进程（PID %d）%s：状态 %c，wchan %s\n"), (int)reader, seen ?
	    DEMO_TR(api, ctx, "is blocked in get(), in poll()",
	    "阻塞在 get() 里，即 poll() 里") : DEMO_TR(api, ctx, "is not in get()",
	    "不在 get() 里"), ps.state, ps.wchan);
	kill(reader, SIGTERM);
	waitpid(reader, &st, 0);
	sem_getvalue(&d->q.rlock, &v);
	printf(DEMO_TR(api, ctx, "proc_read.terminate(): kill(%d, SIGTERM); the reader %s%s, "
	    "after taking %d items\n",
	    "proc_read.terminate()：kill(%d, SIGTERM)；读进程%s%s，此前取走了 %d 项\n"), (int)reader, WIFSIGNALED(st) ?
	    DEMO_TR(api, ctx, "was killed by SIG",
	    "被杀死，信号 SIG") : "exited", WIFSIGNALED(st) ?
	    sigabbrev_np(WTERMSIG(st)) : "", d->got);
	printf("rlock = %d: %s\n", v, v ? DEMO_TR(api, ctx, "the read lock is free",
	    "读锁是空闲的") : DEMO_TR(api, ctx, "it died "
	    "holding the queue's read lock: no get() can ever take it again",
	    "它死时还持有队列的读锁：再也没有 get() 能拿到它了"));
	api->figure(me, "items_got", d->got);
	api->figure(me, "puts_blocked", d->puts_blocked);
	api->figure(me, "reader_signal", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	api->figure(me, "rlock_after_terminate", v);
	return 0;
}

static const char *const queue_panes[] = { "main", "writer 1", "writer 2",
	"reader", NULL };
static const char *const queue_panes_zh[] = {
	"main", "写进程 1", "写进程 2", "读进程", NULL };

const struct systour_demo queue_demo = {
	.name = "queue",
	.title_en = "Queue: two writers and a reader; a full queue blocks put(), "
	    "get(timeout) raises Empty",
	.title_zh = "Queue：两个写进程和一个读进程；队列满时 put() 阻塞，"
	    "get(timeout) 抛出 Empty",
	.code = queue_code,
	.panes = queue_panes,
	.panes_zh = queue_panes_zh,
	.run = queue_run,
};
