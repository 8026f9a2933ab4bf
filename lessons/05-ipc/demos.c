/* demos.c — the live demos of lesson 05 (IPC): a Queue built like
 * multiprocessing's (a pipe, locks and a counting semaphore), Pipe duplex
 * and simplex, when recv() sees EOF, and a writer stuck on a full pipe.
 * Built into demos.so and loaded by the tutor. */
#define _GNU_SOURCE
#include "lesson_module.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_poll
#define SYS_poll (-2)           /* arm64 has only ppoll */
#endif

#include "transport.h"

/* ---- pickle.dumps(obj) for what the demos send -------------------------
 * Protocol 4 (Python 3.8+): PROTO 4, FRAME and its 8-byte length, the
 * body, STOP. The body is a short str, or a list of small ints. */

static size_t
pickle_frame(unsigned char *out, const unsigned char *body, size_t n)
{
	out[0] = 0x80, out[1] = 4, out[2] = 0x95;
	for (int i = 0; i < 8; i++)
		out[3 + i] = (unsigned char)((n + 1) >> (8 * i));
	memcpy(out + 11, body, n);
	out[11 + n] = '.';
	return n + 12;
}

static size_t
pickle_str(unsigned char *out, const char *s)  /* s: at most 255 bytes */
{
	unsigned char body[260];
	size_t n = strlen(s);
	body[0] = 0x8c, body[1] = (unsigned char)n;    /* SHORT_BINUNICODE */
	memcpy(body + 2, s, n);
	body[n + 2] = 0x94;                             /* MEMOIZE */
	return pickle_frame(out, body, n + 3);
}

static size_t
pickle_ints(unsigned char *out, const int *v, int count)   /* 2..100 */
{
	unsigned char body[256] = { ']', 0x94, '(' };   /* list, MARK */
	size_t n = 3;
	for (int i = 0; i < count; i++)
		body[n++] = 'K', body[n++] = (unsigned char)v[i];  /* BININT1 */
	body[n++] = 'e';                                /* APPENDS */
	return pickle_frame(out, body, n);
}

/* What print(pickle.loads(p)) shows, for the two kinds above. */
static void
unpickle(const unsigned char *p, size_t n, char *out, size_t cap)
{
	snprintf(out, cap, "?");
	if (n < 13 || p[0] != 0x80 || p[2] != 0x95)
		return;
	if (p[11] == 0x8c && 13u + p[12] <= n)
		snprintf(out, cap, "%.*s", p[12], (const char *)p + 13);
	if (p[11] == ']') {
		size_t o = (size_t)snprintf(out, cap, "[");
		for (size_t i = 14; i + 1 < n && p[i] == 'K' && o + 8 < cap; i += 2)
			o += (size_t)snprintf(out + o, cap - o, "%s%d", o > 1 ?
			    ", " : "", p[i + 1]);
		snprintf(out + o, cap - o, "]");
	}
}

/* Bytes as strace shows them: "\0\0\0\21\200\4\225...hi\224." */
static const char *
strace_str(char *out, size_t cap, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n && o + 6 < cap; i++) {
		const char *esc = strchr("\t\n\v\f\r", p[i]);
		if (p[i] && esc)
			o += (size_t)sprintf(out + o, "\\%c", "tnvfr"[esc - "\t\n\v\f\r"]);
		else if (p[i] == '"' || p[i] == '\\')
			o += (size_t)sprintf(out + o, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			out[o++] = (char)p[i];
		else
			o += (size_t)sprintf(out + o, i + 1 < n && p[i + 1] >= '0' &&
			    p[i + 1] <= '7' ? "\\%03o" : "\\%o", p[i]);
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* ---- What the kernel sees, from /proc --------------------------------- */

struct pstate {
	char state;             /* /proc/PID/stat: R, S, D ... */
	long nr;                /* /proc/PID/syscall: the call it is in (-1:
	                         * running, -100: unreadable) */
	unsigned long arg0;     /* and its first argument */
	char wchan[64];         /* /proc/PID/wchan: where it waits in the kernel */
};

static ssize_t
slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void
proc_state(pid_t pid, struct pstate *ps)
{
	char path[64], buf[512];
	memset(ps, 0, sizeof *ps);
	ps->state = '?';
	ps->nr = -100;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	char *e = slurp(path, buf, sizeof buf) > 0 ? strrchr(buf, ')') : NULL;
	if (e && e[1] == ' ')
		ps->state = e[2];
	snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
	if (slurp(path, buf, sizeof buf) > 0 &&
	    sscanf(buf, "%ld %lx", &ps->nr, &ps->arg0) < 1)
		ps->nr = -1;
	snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
	slurp(path, ps->wchan, sizeof ps->wchan);
}

/* Is pid asleep (state S) in system call nr or nr2, on fd if fd >= 0
 * (without /proc/PID/syscall: in a kernel function named like wchan)? */
static int
asleep_in(pid_t pid, long nr, long nr2, long fd, const char *wchan,
    struct pstate *ps)
{
	proc_state(pid, ps);
	int in_call = ps->nr == -100 ? strstr(ps->wchan, wchan) != NULL :
	    (ps->nr == nr || ps->nr == nr2) && (fd < 0 || (long)ps->arg0 == fd);
	return ps->state == 'S' && in_call;
}

static void
nap_ms(long ms)
{
	nanosleep(&(struct timespec){ ms / 1000, ms % 1000 * 1000000L }, NULL);
}

/* Watch pid until it is asleep as above: 1 ms naps, at most 2000. */
static int
wait_asleep(pid_t pid, long nr, long nr2, long fd, const char *wchan,
    struct pstate *ps)
{
	for (int i = 0; i < 2000; i++, nap_ms(1))
		if (asleep_in(pid, nr, nr2, fd, wchan, ps))
			return 0;
	return -1;
}

/* The file descriptors of pid open on object want ("pipe:[123]"), as
 * "3 5"; their count. */
static int
fds_on(pid_t pid, const char *want, char *out, size_t cap)
{
	char path[64], link[64];
	int count = 0;
	size_t o = 0;
	snprintf(out, cap, "none");
	for (int i = 0; i < 256; i++) {
		snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, i);
		ssize_t k = readlink(path, link, sizeof link - 1);
		link[k > 0 ? k : 0] = '\0';
		if (k > 0 && strcmp(link, want) == 0 && o + 8 < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%d", count++ ?
			    " " : "", i);
	}
	return count;
}

static const char *
fd_target(int fd, char *out, size_t cap)        /* "pipe:[123]" */
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

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

static void __attribute__((noreturn))
child_exit(int status)          /* an actor ends: flush, no atexit */
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}


/* ==== queue: the notes' Queue, two writers and one reader ==============
 * A Queue is a pipe and three semaphores in shared memory, as in
 * multiprocessing/queues.py: rlock (one get() at a time), wlock (one
 * writer on the pipe at a time) and slots (BoundedSemaphore(maxsize), the
 * free places). CPython's put() leaves the pipe write to a feeder thread;
 * here put() writes its frame itself. */

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
	long long end = now_ms() + ms;
	struct timespec ts = deadline_in(ms);
	while (sem_timedwait(&q->rlock, &ts))
		if (errno != EINTR)
			return -1;
	struct pollfd p = { q->rfd, POLLIN, 0 };
	int r;
	while ((r = poll(&p, 1, (int)(end > now_ms() ? end - now_ms() : 0))) < 0 &&
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
	char who[16];
	snprintf(who, sizeof who, "writer %d", n);
	api->to_pane(ctx, n, who);
	api->step(ctx, 6);
	printf("write process %dstart \n", (int)getpid());
	for (int i = 0; i < 3; i++) {
		unsigned char obj[64];
		size_t len = pickle_str(obj, urls[i]);
		int free_slots;
		api->step(ctx, 8);
		printf("write %s to queue \n", urls[i]);
		api->step(ctx, 9);
		if (queue_put(&d->q, obj, len, 0) == 0)
			continue;
		const char *why = strerrorname_np(errno);
		sem_getvalue(&d->q.slots, &free_slots);
		printf("put blocks: queue full (sem_trywait(slots): %s, %d free)\n",
		    why, free_slots);
		__atomic_add_fetch(&d->puts_blocked, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&d->blocked, getpid(), __ATOMIC_SEQ_CST);
		sem_post(&d->writer_blocked);
		long long t0 = now_ms();
		if (queue_put(&d->q, obj, len, 1) != 0)
			child_exit(1);
		printf("put returns after %lld ms: a get() gave a slot back\n",
		    now_ms() - t0);
	}
	child_exit(0);
}

static void __attribute__((noreturn))
queue_reader(struct demo_ctx *ctx, const struct demo_api *api,
    struct queue_demo *d)
{
	api->to_pane(ctx, 3, "reader");
	api->step(ctx, 39);
	printf("read process start\n");
	for (;;) {
		unsigned char obj[64];
		char url[64];
		size_t len;
		api->step(ctx, 42);
		sem_post(&d->reader_in_get);
		long long t0 = now_ms();
		if (queue_get(&d->q, obj, sizeof obj, &len, 1000) == 0) {
			d->got++;
			unpickle(obj, len, url, sizeof url);
			api->step(ctx, 46);
			printf("get data is %s\n", url);
			continue;
		}
		long long waited = now_ms() - t0;
		if (errno != ETIMEDOUT)
			child_exit(1);
		d->got_at_empty = d->got;
		api->step(ctx, 44);
		printf("queue.Empty after 1.0 s (poll() timed out, measured %lld ms)\n",
		    waited);
		api->figure(ctx, "empty_after_ms", waited);
	}
}

static int
queue_run(struct demo_ctx *ctx, const struct demo_api *api)
{
	struct queue_demo *d = shared_mem(sizeof *d);
	struct pstate ps;
	pid_t w[3], reader;
	int fds[2], v, st;

	api->step(ctx, 37);
	if (d == NULL)
		return perror("mmap(MAP_SHARED) for the queue's semaphores"), 1;
	if (pipe(fds) != 0)
		return perror("pipe"), 1;
	d->q.rfd = fds[0], d->q.wfd = fds[1];
	sem_init(&d->q.rlock, 1, 1);
	sem_init(&d->q.wlock, 1, 1);
	sem_init(&d->q.slots, 1, 2);
	sem_init(&d->writer_blocked, 1, 0);
	sem_init(&d->reader_in_get, 1, 0);
	sem_getvalue(&d->q.slots, &v);
	printf("q = Queue(maxsize=2): pipe [%d, %d]; rlock, wlock and slots "
	    "(value %d): process-shared semaphores in MAP_SHARED memory\n",
	    fds[0], fds[1], v);
	api->figure(ctx, "queue_maxsize", v);
	api->note(ctx, "no time.sleep(): the step gate paces the processes");
	for (int n = 1; n <= 2; n++) {
		api->step(ctx, 26 + n);
		fflush(stdout);
		if ((w[n] = fork()) < 0)
			return perror("fork"), 1;
		if (w[n] == 0)
			queue_writer(ctx, api, d, n);
		printf("proc_write%d.start(): writer %d is PID %d\n", n, n, (int)w[n]);
	}
	api->step(ctx, 29);
	api->note(ctx, "main starts the reader once a put() blocks on the full queue");
	if (wait_event(&d->writer_blocked) != 0)
		return fprintf(stderr, "a writer died\n"), 1;
	pid_t b = __atomic_load_n(&d->blocked, __ATOMIC_SEQ_CST);
	int seen = wait_asleep(b, SYS_futex, SYS_futex, -1, "futex", &ps) == 0;
	sem_getvalue(&d->q.slots, &v);
	printf("writer %d (PID %d) %s in put(): state %c, wchan %s; free slots: %d\n",
	    b == w[1] ? 1 : 2, (int)b, seen ? "is waiting" : "is not seen waiting",
	    ps.state, ps.wchan, v);
	api->figure(ctx, "writer_seen_waiting", seen);
	fflush(stdout);
	if ((reader = fork()) < 0)
		return perror("fork"), 1;
	if (reader == 0)
		queue_reader(ctx, api, d);
	printf("proc_read.start(): reader is PID %d\n", (int)reader);
	for (int n = 2; n >= 1; n--) {
		api->step(ctx, 33 - n);
		waitpid(w[n], &st, 0);
		printf("proc_write%d.join(): writer %d exited with status %d\n", n, n,
		    WEXITSTATUS(st));
	}
	api->step(ctx, 33);
	api->note(ctx, "main terminates the reader once it has taken every item, "
	    "timed out, and called get() again");
	do
		if (wait_event(&d->reader_in_get) != 0)
			return fprintf(stderr, "the reader died\n"), 1;
	while (d->got_at_empty < 6);
	seen = wait_asleep(reader, SYS_poll, SYS_ppoll, -1, "poll", &ps) == 0;
	printf("reader (PID %d) %s: state %c, wchan %s\n", (int)reader, seen ?
	    "is blocked in get(), in poll()" : "is not in get()", ps.state, ps.wchan);
	kill(reader, SIGTERM);
	waitpid(reader, &st, 0);
	sem_getvalue(&d->q.rlock, &v);
	printf("proc_read.terminate(): kill(%d, SIGTERM); the reader %s%s, "
	    "after taking %d items\n", (int)reader, WIFSIGNALED(st) ?
	    "was killed by SIG" : "exited", WIFSIGNALED(st) ?
	    sigabbrev_np(WTERMSIG(st)) : "", d->got);
	printf("rlock = %d: %s\n", v, v ? "the read lock is free" : "it died "
	    "holding the queue's read lock: no get() can ever take it again");
	api->figure(ctx, "items_got", d->got);
	api->figure(ctx, "puts_blocked", d->puts_blocked);
	api->figure(ctx, "reader_signal", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	api->figure(ctx, "rlock_after_terminate", v);
	return 0;
}

static const char *const queue_panes[] = { "main", "writer 1", "writer 2",
	"reader", NULL };

static const struct systour_demo queue_demo = {
	.name = "queue",
	.title_en = "Queue: two writers and a reader; a full queue blocks put(), "
	    "get(timeout) raises Empty",
	.title_zh = "Queue：两个写进程和一个读进程；队列满时 put() 阻塞，"
	    "get(timeout) 抛出 Empty",
	.code = queue_code,
	.panes = queue_panes,
	.run = queue_run,
};

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
send_show(const char *call, int fd, const unsigned char *obj, size_t len)
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
	printf("%s: %zu bytes on fd %d: %s\n", call, len + 4, fd,
	    strace_str(s, sizeof s, frame, len + 4));
	return (long long)len + 4;
}

/* print(conn.recv()): one frame, unpickled. */
static void
recv_show(const char *call, int fd)
{
	unsigned char obj[256];
	char text[128];
	size_t len;
	if (msg_recv(fd, obj, sizeof obj, &len) != 1) {
		printf("%s: %s\n", call, errno ? strerror(errno) : "EOF");
		return;
	}
	unpickle(obj, len, text, sizeof text);
	printf("%s    (%s: a 4-byte length, then %zu bytes of pickle from fd %d)\n",
	    text, call, len, fd);
}

static const char *
access_mode(int fd)
{
	int m = fcntl(fd, F_GETFL) & O_ACCMODE;
	return m == O_RDONLY ? "O_RDONLY" : m == O_WRONLY ? "O_WRONLY" : "O_RDWR";
}

static int
pipe_run(struct demo_ctx *ctx, const struct demo_api *api)
{
	unsigned char obj[64];
	char t0[64], t1[64];
	int sv[2], pf[2], st;
	pid_t kid[2];

	api->step(ctx, 3);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return perror("socketpair"), 1;
	printf("a, b = Pipe(): socketpair(AF_UNIX, SOCK_STREAM): a = fd %d (%s, %s), "
	    "b = fd %d (%s, %s)\n", sv[0], fd_target(sv[0], t0, sizeof t0),
	    access_mode(sv[0]), sv[1], fd_target(sv[1], t1, sizeof t1),
	    access_mode(sv[1]));
	fflush(stdout);
	if ((kid[0] = fork()) < 0)
		return perror("fork"), 1;
	if (kid[0] == 0) {
		static const int v[] = { 1, 2 };
		api->to_pane(ctx, 1, "child b");
		close(sv[0]);
		api->step(ctx, 4);
		recv_show("b.recv()", sv[1]);
		api->step(ctx, 5);
		api->figure(ctx, "duplex_b_to_a_bytes", send_show("b.send([1, 2])",
		    sv[1], obj, pickle_ints(obj, v, 2)));
		child_exit(0);
	}
	close(sv[1]);
	api->step(ctx, 4);
	api->figure(ctx, "duplex_a_to_b_bytes", send_show("a.send('hi')", sv[0],
	    obj, pickle_str(obj, "hi")));
	api->step(ctx, 5);
	recv_show("a.recv()", sv[0]);

	api->step(ctx, 7);
	if (pipe(pf) != 0)
		return perror("pipe"), 1;
	printf("r, w = Pipe(duplex=False): pipe(): r = fd %d (%s, %s), w = fd %d "
	    "(%s, %s)\n", pf[0], fd_target(pf[0], t0, sizeof t0), access_mode(pf[0]),
	    pf[1], fd_target(pf[1], t1, sizeof t1), access_mode(pf[1]));
	fflush(stdout);
	if ((kid[1] = fork()) < 0)
		return perror("fork"), 1;
	if (kid[1] == 0) {
		char c;
		api->to_pane(ctx, 2, "child w");
		close(pf[0]);
		api->step(ctx, 8);
		api->figure(ctx, "simplex_bytes", send_show("w.send('x')", pf[1],
		    obj, pickle_str(obj, "x")));
		if (read(pf[1], &c, 1) < 0)
			printf("w only sends: read(%d) = -1 %s (%s)\n", pf[1],
			    strerrorname_np(errno), strerror(errno));
		api->figure(ctx, "write_end_read_errno", errno);
		child_exit(0);
	}
	close(pf[1]);
	api->step(ctx, 8);
	recv_show("r.recv()", pf[0]);
	api->step(ctx, 10);
	long long r = send_show("r.send('y')", pf[0], obj, pickle_str(obj, "y"));
	api->step(ctx, 12);
	printf("connection is read-only    (OSError: Python checks before writing; "
	    "the kernel says %s)\n", r < 0 ? strerrorname_np((int)-r) : "nothing");
	api->figure(ctx, "read_end_send_errno", r < 0 ? -r : 0);
	for (int i = 0; i < 2; i++) {
		waitpid(kid[i], &st, 0);
		printf("child %c (PID %d) exited with status %d\n", "bw"[i],
		    (int)kid[i], WEXITSTATUS(st));
	}
	return 0;
}

static const char *const pipe_panes[] = { "main", "child b", "child w", NULL };

static const struct systour_demo pipe_demo = {
	.name = "pipe",
	.title_en = "Pipe(): a socketpair, both ends send and receive; "
	    "Pipe(duplex=False): a pipe, one way",
	.title_zh = "Pipe()：socketpair，两端都能收发；Pipe(duplex=False)：pipe，只有一个方向",
	.code = pipe_code,
	.panes = pipe_panes,
	.run = pipe_run,
};

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
	api->to_pane(ctx, 1, "sender");
	for (int i = 0; i < 4; i++) {
		unsigned char obj[64];
		api->step(ctx, fix ? 34 : 7);
		printf("send data is %s\n", eof_urls[i]);
		api->step(ctx, fix ? 35 : 8);
		if (msg_send(fd, obj, pickle_str(obj, eof_urls[i])) != 0)
			perror("send");
	}
	if (fix) {
		api->step(ctx, 36);
		close(fd);
		printf("conn.close(): closed fd %d\n", fd);
	}
	printf("send_fun returns; the process exits and its descriptors close\n");
	child_exit(0);
}

/* recv_fun: the notes' (send_end < 0: no close, no EOFError) or the fix. */
static void __attribute__((noreturn))
eof_receiver(struct demo_ctx *ctx, const struct demo_api *api, int fd,
    int send_end, int calls_ev)
{
	int fix = send_end >= 0;
	api->to_pane(ctx, 2, "receiver");
	if (fix) {
		api->step(ctx, 39);
		close(send_end);
		printf("send_end.close(): closed fd %d, my copy of the sending end\n",
		    send_end);
	}
	for (int n = 0;; n++) {
		unsigned char obj[64];
		char url[64];
		size_t len;
		api->step(ctx, fix ? 42 : 14);
		if (calls_ev >= 0)      /* tell main of each recv() call */
			while (write(calls_ev, &n, sizeof n) < 0 && errno == EINTR)
				;
		int r = msg_recv(fd, obj, sizeof obj, &len);
		if (r == 0 && fix) {
			api->step(ctx, 43);
			printf("read(%d) returned 0, end of file: EOFError, after %d "
			    "items\n", fd, n);
			api->figure(ctx, "fix_items", n);
			api->step(ctx, 44);
			child_exit(0);
		}
		if (r != 1)
			child_exit(1);
		unpickle(obj, len, url, sizeof url);
		if (fix)
			api->step(ctx, 45);
		printf("recv data is %s\n", url);
	}
}

/* The notes' receiver as the kernel sees it: asleep in read() or not, and
 * who still holds the sending end (object end). */
static int
eof_show(pid_t r, int fd, const char *end)
{
	struct pstate ps;
	char in_r[64], in_me[64];
	int asleep = wait_asleep(r, SYS_read, SYS_read, fd, "unix_stream", &ps) == 0;
	fds_on(getpid(), end, in_me, sizeof in_me);
	fds_on(r, end, in_r, sizeof in_r);
	printf("receiver PID %d: state %c, wchan %s: %s\n", (int)r, ps.state,
	    ps.wchan, asleep ? "still blocked in recv()" : "not in recv()");
	printf("the sending end pipe[0] (%s) is open in main (fd: %s) and in the "
	    "receiver (fd: %s)\n", end, in_me, in_r);
	return asleep;
}

static int
eof_run(struct demo_ctx *ctx, const struct demo_api *api)
{
	char end[64];
	int sv[2], pf[2], ev[2], st, calls = 0;
	pid_t s, r;

	api->step(ctx, 19);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || pipe(ev) != 0)
		return perror("Pipe"), 1;
	fd_target(sv[0], end, sizeof end);
	printf("pipe = Pipe(): socketpair: pipe[0] = fd %d (%s), pipe[1] = fd %d\n",
	    sv[0], end, sv[1]);
	api->note(ctx, "no time.sleep(): the step gate paces the processes");
	api->step(ctx, 24);
	fflush(stdout);
	if ((s = fork()) == 0) {
		close(ev[0]);
		close(ev[1]);
		eof_sender(ctx, api, sv[0], 0);
	}
	api->step(ctx, 25);
	fflush(stdout);
	if ((r = fork()) == 0) {
		close(ev[0]);
		eof_receiver(ctx, api, sv[1], -1, ev[1]);
	}
	close(ev[1]);   /* main only reads the receiver's "recv() called" */
	if (s < 0 || r < 0)
		return perror("fork"), 1;
	printf("sender PID %d, receiver PID %d: fork gave each a copy of fds %d "
	    "and %d\n", (int)s, (int)r, sv[0], sv[1]);
	api->step(ctx, 27);
	waitpid(s, &st, 0);
	printf("send_process.join(): the sender exited with status %d\n",
	    WEXITSTATUS(st));
	api->step(ctx, 29);
	while (calls < 4)               /* 4 items, then the 5th recv() */
		if (read_full(ev[0], &calls, sizeof calls) != 1)
			return fprintf(stderr, "the receiver died\n"), 1;
	printf("recv_process.join() waits: the receiver had all 4 items\n");
	int blocked = eof_show(r, sv[1], end);
	close(sv[0]);
	close(sv[1]);
	printf("main closes its copies: close(%d), close(%d)\n", sv[0], sv[1]);
	api->step(ctx, 29);
	blocked += eof_show(r, sv[1], end);
	api->figure(ctx, "bug_blocked_checks", blocked);
	api->step(ctx, 29);
	kill(r, SIGINT);
	waitpid(r, &st, 0);
	close(ev[0]);
	printf("Ctrl-C: kill(%d, SIGINT); the receiver %s%s\n", (int)r,
	    WIFSIGNALED(st) ? "was killed by SIG" : "exited", WIFSIGNALED(st) ?
	    sigabbrev_np(WTERMSIG(st)) : "");
	api->figure(ctx, "bug_receiver_signal", WIFSIGNALED(st) ? WTERMSIG(st) : 0);

	api->note(ctx, "now the fix: every process closes the ends it does not use");
	api->step(ctx, 48);
	if (pipe(pf) != 0)
		return perror("pipe"), 1;
	printf("recv_end, send_end = Pipe(duplex=False): pipe(): recv_end = fd %d, "
	    "send_end = fd %d\n", pf[0], pf[1]);
	api->step(ctx, 51);
	fflush(stdout);
	if ((s = fork()) == 0)
		eof_sender(ctx, api, pf[1], 1);
	api->step(ctx, 52);
	fflush(stdout);
	if ((r = fork()) == 0)
		eof_receiver(ctx, api, pf[0], pf[1], -1);
	if (s < 0 || r < 0)
		return perror("fork"), 1;
	printf("sender PID %d, receiver PID %d\n", (int)s, (int)r);
	api->step(ctx, 53);
	close(pf[1]);
	printf("send_end.close(): main closes fd %d\n", pf[1]);
	api->step(ctx, 54);
	close(pf[0]);
	printf("recv_end.close(): main closes fd %d\n", pf[0]);
	api->step(ctx, 55);
	waitpid(s, &st, 0);
	printf("send_process.join(): the sender exited with status %d\n",
	    WEXITSTATUS(st));
	api->step(ctx, 56);
	waitpid(r, &st, 0);
	printf("recv_process.join() returns: the receiver exited with status %d\n",
	    WEXITSTATUS(st));
	api->figure(ctx, "fix_receiver_status", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

static const char *const eof_panes[] = { "main", "sender", "receiver", NULL };

static const struct systour_demo eof_demo = {
	.name = "pipe-eof",
	.title_en = "recv() gets EOFError only once every copy of the sending end "
	    "is closed",
	.title_zh = "发送端的每个副本都关闭之后，recv() 才会得到 EOFError",
	.code = eof_code,
	.panes = eof_panes,
	.run = eof_run,
};

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

	api->to_pane(ctx, 1, "writer");
	memcpy(frame, &n, 4);
	memset(frame + 4, 'x', size);
	printf("wc = fd %d, O_NONBLOCK %s; the frame is %zu bytes, written %d at "
	    "a time\n", wc, fcntl(wc, F_GETFL) & O_NONBLOCK ? "on" : "off", total,
	    PIPE_BUF);
	api->step(ctx, 5);
	for (int k = 1; done < total; k++) {
		size_t chunk = total - done < PIPE_BUF ? total - done :
		    PIPE_BUF;
		ssize_t w = write(wc, frame + done, chunk);
		if (w < 0)
			child_exit(1);
		done += (size_t)w;
		printf("write #%d: %zd bytes (%zu sent)\n", k, w, done);
	}
	api->step(ctx, 6);
	printf("writer: sent %zu bytes\n", size);
	child_exit(0);
}

static int
full_run(struct demo_ctx *ctx, const struct demo_api *api)
{
	static const size_t sizes[] = { 60000, 70000 };
	int fds[2], st, sz;

	api->step(ctx, 9);
	if (pipe(fds) != 0)
		return perror("pipe"), 1;
	api->step(ctx, 10);
	sz = fcntl(fds[1], F_GETPIPE_SZ);
	printf("%d    (fcntl(%d, F_GETPIPE_SZ): what the pipe holds, in bytes)\n", sz,
	    fds[1]);
	api->figure(ctx, "getpipe_sz", sz);
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < 2; i++) {
		size_t size = sizes[i];
		struct pstate ps;
		int queued = 0, blocked = 0;
		api->step(ctx, 12);
		if (pipe(fds) != 0)
			return perror("pipe"), 1;
		printf("size %zu: rc, wc = Pipe(duplex=False): pipe(): rc = fd %d, "
		    "wc = fd %d\n", size, fds[0], fds[1]);
		api->step(ctx, 14);
		fflush(stdout);
		pid_t p = fork();
		if (p < 0)
			return perror("fork"), 1;
		if (p == 0) {
			close(fds[0]);
			full_writer(ctx, api, fds[1], size);
		}
		close(fds[1]);
		printf("p.start(): writer PID %d\n", (int)p);
		/* join(timeout=1): once its bytes come, watch the pipe (FIONREAD)
		 * and the writer (/proc) for at most 1 s */
		api->step(ctx, 15);
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
		api->step(ctx, 16);
		printf("%zu writer still blocked: %s\n", size, blocked ? "True" : "False");
		if (blocked) {
			printf("writer PID %d: state %c, wchan %s, in write(%d); the "
			    "pipe holds %d bytes (FIONREAD), F_GETPIPE_SZ is %d\n",
			    (int)p, ps.state, ps.wchan, fds[1], queued, sz);
			api->figure(ctx, "pipe_capacity", queued);
		} else
			printf("the pipe holds %d bytes (FIONREAD): %s\n", queued,
			    (size_t)queued == size + 4 ? "the whole frame, it fit" :
			    "the writer was not seen blocked");
		api->figure(ctx, i ? "blocked_70000" : "blocked_60000", blocked);
		api->step(ctx, 17);
		static char buf[FULL_MAX];
		size_t len = 0;
		int got = msg_recv(fds[0], buf, sizeof buf, &len);
		printf("rc.recv_bytes(): %s %zu bytes; the writer can go on\n",
		    got == 1 ? "got" : "failed after", len);
		api->step(ctx, 18);
		waitpid(p, &st, 0);
		printf("p.join(): the writer exited with status %d\n", WEXITSTATUS(st));
		close(fds[0]);
	}
	return 0;
}

static const char *const full_panes[] = { "main", "writer", NULL };

static const struct systour_demo full_demo = {
	.name = "pipe-full",
	.title_en = "A full pipe: the writer sleeps in write() until someone reads",
	.title_zh = "管道满了：写进程在 write() 里睡眠，直到有人来读",
	.code = full_code,
	.panes = full_panes,
	.run = full_run,
};

static const struct systour_demo *const demos[] = { &queue_demo, &pipe_demo,
	&eof_demo, &full_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "05-ipc",
	.demos = demos,
};
