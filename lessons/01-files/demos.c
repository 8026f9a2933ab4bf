/* demos.c — the live demos of lesson 01 (files): where written data is
 * (stdio buffer or kernel) under each buffering policy, what each open()
 * mode does to an existing file, and close running on the error path of
 * try/finally and with. Built into demos.so and loaded by the tutor. */
#define _GNU_SOURCE
#include "demo_lib.h"
#include "lesson_module.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Shared helpers ---------------------------------------------------- */

typedef int (*actor_fn)(struct demo_ctx *, const struct demo_api *,
    struct demo_actor *, void *);

/* The learner's language, set by each demo's run function before it forks:
 * many helpers below print without seeing the demo's ctx. */
static int zh;
#define TR(en, zh_) (zh ? (zh_) : (en))

static const char *
errname(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

static long long
size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void
scratch_path(struct demo_ctx *ctx, const struct demo_api *api, char *out,
    const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", api->scratch(ctx), name);
}

/* api->figure() with a printf-made name. */
static void __attribute__((format(printf, 4, 5)))
figuref(const struct demo_api *api, struct demo_actor *me, long long value,
    const char *fmt, ...)
{
	char name[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	api->figure(me, name, value);
}

/* Fork an actor: its own pane first thing, then fn; its status is fn's. */
static pid_t
spawn(struct demo_ctx *ctx, const struct demo_api *api, int pane,
    const char *who, actor_fn fn, void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct demo_actor *me = api->to_pane(ctx, pane, who);
		int rc = fn(ctx, api, me, arg);
		fflush(stdout);
		_exit(rc & 0xff);
	}
	if (pid < 0)
		printf("fork: %s\n", strerror(errno));
	return pid;
}

/* Wait for an actor and say how it ended; 0 if it exited with 0. */
static int
reap(pid_t pid, const char *who)
{
	int status = 0x7f;      /* "stopped": neither exited nor killed */
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	char how[64];
	printf("waitpid: %s (PID %d) %s\n", who, (int)pid,
	    demo_how_lang(status, zh, how, sizeof how));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---- buffering: when does written data reach the file? ----------------- */

static const char buffering_code[] =
	"import os  # 'wb' panes write these strings as bytes\n"       /* 1 */
	"f = open(name, 'wb', buffering=0)    # unbuffered\n"           /* 2 */
	"f = open(name, 'w', buffering=1)     # line-buffered\n"        /* 3 */
	"f = open(name, 'wb', buffering=128)  # 128-byte buffer\n"      /* 4 */
	"f = open(name,'w')                   # default size\n"         /* 5 */
	"for i in range(8):\n"                                          /* 6 */
	"    f.write('content ' * 4)          # 32 bytes\n"             /* 7 */
	"    f.write('line %d\\n' % i)         # 7 bytes, a newline\n"  /* 8 */
	"f.write('end')                       # 3 bytes\n"              /* 9 */
	"f.flush()\n"                                                   /* 10 */
	"f.close()\n"                                                   /* 11 */
	"os.stat(name).st_size                # watcher pane\n";        /* 12 */

#define FULL_BUF 128            /* the small buffer of the third writer */

struct writer {
	const char *who, *who_zh;       /* pane title */
	const char *file;
	const char *key;        /* prefix of its figures */
	int mode;               /* _IONBF, _IOLBF, _IOFBF; -1: stdio's default */
	int line;               /* its open() line in the code */
	const char *how, *how_zh;
};

static const struct writer writers[] = {
	{ "unbuffered writer", "无缓冲的写进程", "unbuffered.txt", "unbuffered",
	  _IONBF, 2, "setvbuf(fp, NULL, _IONBF, 0): a write(2) per write",
	  "setvbuf(fp, NULL, _IONBF, 0)：每次写都调用一次 write(2)" },
	{ "line-buffered writer", "行缓冲的写进程", "line.txt", "line", _IOLBF, 3,
	  "setvbuf(fp, NULL, _IOLBF, BUFSIZ): a write(2) per line",
	  "setvbuf(fp, NULL, _IOLBF, BUFSIZ)：每行调用一次 write(2)" },
	{ "128-byte writer", "128 字节缓冲的写进程", "full128.txt", "full",
	  _IOFBF, 4, "setvbuf(fp, buf, _IOFBF, 128): a write(2) when full",
	  "setvbuf(fp, buf, _IOFBF, 128)：缓冲满了才调用一次 write(2)" },
	{ "default writer", "默认缓冲的写进程", "default.txt", "default", -1, 5,
	  "no setvbuf: stdio picks the size at the first write",
	  "不调用 setvbuf：stdio 在第一次写时选定大小" },
};
#define NWRITERS 4
static int watch_fds[2] = { -1, -1 };   /* the watcher's: writers close them */

struct writing {                /* what one writer has seen so far */
	const struct writer *w;
	FILE *fp;
	char path[PATH_MAX];
	long long total, disk, changes, jump_min, jump_max;
};

/* One f.write(): into stdio, then ask the kernel how big the file is. */
static void
put(struct demo_ctx *ctx, const struct demo_api *api, struct demo_actor *me, struct writing *s,
    int line, const char *text, const char *as_python)
{
	api->step(me, line);
	fputs(text, s->fp);
	s->total += (long long)strlen(text);
	long long disk = size_of(s->path);
	printf(TR("write(%s): total %lld, in buffer %zu, on disk %lld\n",
	    "write(%s)：共 %lld，缓冲里 %zu，磁盘上 %lld\n"),
	    as_python, s->total, __fpending(s->fp), disk);
	if (disk != s->disk) {  /* it reached the kernel: by how much? */
		long long jump = disk - s->disk;
		s->jump_min = s->changes++ == 0 || jump < s->jump_min ? jump :
		    s->jump_min;
		s->jump_max = jump > s->jump_max ? jump : s->jump_max;
		s->disk = disk;
		if (s->w->mode == _IOFBF && s->changes == 1)
			printf(TR("stdio filled its %d bytes to the brim, then wrote them "
			    "all (Python writes out what it holds instead)\n",
			    "stdio 把它的 %d 字节缓冲装满，才一次写出全部（Python 则是写出它手里已有的）\n"), FULL_BUF);
	}
	if (s->w->mode < 0 && s->total == (long long)strlen(text))
		printf(TR("stdio made its buffer now: %zu bytes (__fbufsize)\n",
		    "stdio 现在才建立缓冲：%zu 字节（__fbufsize）\n"),
		    __fbufsize(s->fp));
}

static int
writer_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me, void *argp)
{
	static char small[FULL_BUF];
	struct writing s = { .w = argp };
	const char *key = s.w->key;
	char text[32], py[32];
	struct stat st;

	close(watch_fds[0]);
	close(watch_fds[1]);
	scratch_path(ctx, api, s.path, s.w->file);
	api->step(me, s.w->line);
	s.fp = fopen(s.path, "w");
	if (s.fp == NULL) {
		printf("fopen %s: %s\n", s.path, strerror(errno));
		return 1;
	}
	printf("fopen(\"%s\", \"w\") = fd %d\n", s.w->file, fileno(s.fp));
	if (s.w->mode >= 0)     /* glibc ignores the size when buf is NULL */
		setvbuf(s.fp, s.w->mode == _IOFBF ? small : NULL, s.w->mode,
		    s.w->mode == _IOFBF ? sizeof small : BUFSIZ);
	printf("%s\n", TR(s.w->how, s.w->how_zh));
	if (s.w->mode < 0 && fstat(fileno(s.fp), &st) == 0) {
		printf(TR("fstat: st_blksize %ld\n",
		    "fstat：st_blksize %ld\n"), (long)st.st_blksize);
		api->figure(me, "st_blksize", (long long)st.st_blksize);
	}

	for (int i = 0; i < 8; i++) {
		put(ctx, api, me, &s, 7, "content content content content ",
		    "'content ' * 4");
		snprintf(text, sizeof text, "line %d\n", i);
		snprintf(py, sizeof py, "'line %d\\n'", i);
		put(ctx, api, me, &s, 8, text, py);
	}
	put(ctx, api, me, &s, 9, "end", "'end'");
	figuref(api, me, (long long)__fbufsize(s.fp), "%s_buffer_size", key);
	figuref(api, me, s.disk, "%s_size_before_flush", key);
	figuref(api, me, s.changes, "%s_disk_changes", key);
	if (s.changes > 0) {
		figuref(api, me, s.jump_min, "%s_jump_min", key);
		figuref(api, me, s.jump_max, "%s_jump_max", key);
	}

	api->step(me, 10);
	int rc = fflush(s.fp);
	long long after = size_of(s.path);
	printf(TR("fflush = %d: on disk %lld of %lld\n",
	    "fflush = %d：磁盘上 %lld / %lld\n"), rc, after, s.total);
	figuref(api, me, after, "%s_size_after_flush", key);
	figuref(api, me, s.total, "%s_bytes_written", key);

	api->step(me, 11);
	rc = fclose(s.fp);
	printf(TR("fclose = %d: on disk %lld\n",
	    "fclose = %d：磁盘上 %lld\n"), rc, size_of(s.path));
	return rc == 0 && after == s.total ? 0 : 1;
}

/* Print a line for each watched file whose size changed since last time. */
static long long
watch_sizes(char paths[NWRITERS][PATH_MAX], long long seen[NWRITERS])
{
	long long changes = 0;
	for (int k = 0; k < NWRITERS; k++) {
		long long now = size_of(paths[k]);
		if (now == seen[k])
			continue;
		if (seen[k] < 0)
			printf(TR("%-14s created, %lld bytes\n",
			    "%-14s 已创建，%lld 字节\n"), writers[k].file, now);
		else
			printf("%-14s %4lld -> %4lld bytes (+%lld)\n", writers[k].file,
			    seen[k], now, now - seen[k]);
		seen[k] = now;
		changes++;
	}
	return changes;
}

/* The leader: start the four writers, then stat() their files each time
 * inotify says one was written, until every writer has gone. */
static int
buffering_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	zh = api->zh(ctx);
	char paths[NWRITERS][PATH_MAX];
	long long seen[NWRITERS], changes = 0;
	pid_t pids[NWRITERS];
	int done[2], bad = 0;

	for (int k = 0; k < NWRITERS; k++) {
		scratch_path(ctx, api, paths[k], writers[k].file);
		seen[k] = -1;
	}
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, api->scratch(ctx), IN_CREATE |
	    IN_MODIFY | IN_CLOSE_WRITE) < 0 || pipe(done) != 0) {
		printf(TR("inotify or pipe: %s\n",
		    "inotify 或 pipe：%s\n"), strerror(errno));
		return 1;
	}
	watch_fds[0] = in;
	watch_fds[1] = done[0];
	api->step(me, 12);
	printf(TR("stat() on each file whenever inotify reports a write\n",
	    "每当 inotify 报告一次写入，就对每个文件调用 stat()\n"));
	api->note(me, TR("each writer stat()s its own file after each write; this "
	    "pane prints every change of st_size as it happens",
	    "每个写进程每次写后都 stat() 自己的文件；这个窗格在 st_size 变化时立刻打印出来"));

	for (int k = 0; k < NWRITERS; k++)
		pids[k] = spawn(ctx, api, k + 1, TR(writers[k].who,
		    writers[k].who_zh), writer_run,
		    (void *)&writers[k]);
	close(done[1]);         /* end of file on done[0]: all writers gone */

	for (;;) {              /* no timeout: inotify or the pipe wakes us */
		struct pollfd p[2] = { { done[0], POLLIN, 0 }, { in, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		char ev[4096];
		while (read(in, ev, sizeof ev) > 0)
			;       /* which file does not matter: stat them all */
		changes += watch_sizes(paths, seen);
		if (p[0].revents & (POLLIN | POLLHUP))
			break;  /* nothing is ever written there: this is EOF */
	}
	changes += watch_sizes(paths, seen);
	close(done[0]);
	close(in);
	for (int k = 0; k < NWRITERS; k++)
		figuref(api, me, seen[k], "watcher_final_%s", writers[k].key);
	api->figure(me, "watcher_changes", changes);
	for (int k = 0; k < NWRITERS; k++)
		bad |= reap(pids[k], TR(writers[k].who, writers[k].who_zh));
	return bad ? 1 : 0;
}

static const char *const buffering_panes[] = { "watcher", "unbuffered",
	"line", "128 bytes", "default", NULL };
static const char *const buffering_panes_zh[] = {
	"观察者", "无缓冲", "行缓冲", "128 字节", "默认", NULL };

static const struct systour_demo buffering_demo = {
	.name = "buffering",
	.title_en = "Buffering: when written bytes reach the file",
	.title_zh = "缓冲：写入的字节何时到达文件",
	.code = buffering_code,
	.panes = buffering_panes,
	.panes_zh = buffering_panes_zh,
	.run = buffering_run,
};

/* ---- modes: r, w, a, +, b, x on an existing file ----------------------- */

static const char modes_code[] =
	"import os\n"                                                   /* 1 */
	"def try_mode(mode):\n"                                         /* 2 */
	"    try:\n"                                                    /* 3 */
	"        with open('demo.txt', mode) as f:\n"                   /* 4 */
	"            if mode in ('r', 'rb'):\n"                         /* 5 */
	"                f.read()\n"                                    /* 6 */
	"            else:\n"                                           /* 7 */
	"                f.seek(0)\n"                                   /* 8 */
	"                f.write(b'XY' if 'b' in mode else 'XY')\n"     /* 9 */
	"        print(mode, open('demo.txt', 'rb').read().hex(' '))\n" /* 10 */
	"    except OSError as e:\n"                                    /* 11 */
	"        print(mode, type(e).__name__)\n"                       /* 12 */
	"\n"                                                            /* 13 */
	"for mode in ['r', 'rb', 'r+', 'w', 'w+', 'a', 'a+', 'x']:\n"   /* 14 */
	"    with open('demo.txt', 'wb') as f:\n"                       /* 15 */
	"        f.write(b'hello\\n')\n"                                /* 16 */
	"    print('before', open('demo.txt', 'rb').read().hex(' '))\n" /* 17 */
	"    try_mode(mode)\n"                                          /* 18 */
	"os.remove('demo.txt')\n"                                       /* 19 */
	"for mode in ['r', 'x']:            # no file now\n"            /* 20 */
	"    try_mode(mode)\n";                                         /* 21 */

/* The lesson's mode_to_flags(): Python's mode string as open(2) flags. */
static int
mode_flags(const char *mode)
{
	int plus = strchr(mode, '+') != NULL;
	int acc = plus ? O_RDWR : mode[0] == 'r' ? O_RDONLY : O_WRONLY;
	switch (mode[0]) {
	case 'r': return acc;
	case 'w': return acc | O_CREAT | O_TRUNC;
	case 'a': return acc | O_CREAT | O_APPEND;
	case 'x': return acc | O_CREAT | O_EXCL;
	}
	return -1;
}

static const struct { int bit; const char *name; } flag_names[] = {
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
#if defined(__x86_64__)
	{ 0100000, "O_LARGEFILE" },     /* the kernel's value; 0 in libc here */
#elif defined(__aarch64__)
	{ 0400000, "O_LARGEFILE" },
#endif
	{ O_CLOEXEC, "O_CLOEXEC" },
};

static void
flags_text(int flags, char *out, size_t cap)
{
	int acc = flags & O_ACCMODE;
	size_t n = (size_t)snprintf(out, cap, "%s", acc == O_RDONLY ? "O_RDONLY"
	    : acc == O_WRONLY ? "O_WRONLY" : "O_RDWR");
	flags &= ~O_ACCMODE;
	for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
		if (flags & flag_names[i].bit && n < cap) {
			n += (size_t)snprintf(out + n, cap - n, "|%s",
			    flag_names[i].name);
			flags &= ~flag_names[i].bit;
		}
	if (flags && n < cap)
		snprintf(out + n, cap - n, "|0%o", (unsigned)flags);
}

/* The file's bytes in hex, as Python's .hex(' '); out holds 3 per byte. */
static void
hex_text(const char *path, char out[200])
{
	unsigned char b[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
	snprintf(out, 200, "%s", n < 0 ? strerror(errno) : "(empty)");
	for (ssize_t i = 0; i < n; i++)
		sprintf(out + (i ? 3 * i - 1 : 0), "%s%02x", i ? " " : "", b[i]);
	if (fd >= 0)
		close(fd);
}

struct ask {                    /* a question for the kernel pane */
	int fd;
	char what[8];           /* "open", "read", "write" */
	char tag[16];           /* the mode: "r+", "x_missing" */
};

struct modes_state {
	int ask_wr, answer_rd;  /* to and from the kernel pane */
	char path[PATH_MAX];
};

/* The kernel pane: reads /proc/LEADER/fdinfo/FD for each question. */
static int
kernel_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me, void *argp)
{
	int *fds = argp;        /* ask_rd, answer_wr, and two to close */
	pid_t leader = getppid();
	struct ask q;

	close(fds[2]);
	close(fds[3]);
	while (read(fds[0], &q, sizeof q) == (ssize_t)sizeof q) {
		char path[64], text[512], flags[160];
		long long pos = -1;
		unsigned fl = 0;
		snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)leader, q.fd);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
		if (n < 0)
			printf("%s: %s\n", path, strerror(errno));
		else {          /* "pos:\t0\nflags:\t02100001\n..." */
			text[n] = '\0';
			sscanf(text, "pos: %lld flags: %o", &pos, &fl);
			flags_text((int)fl, flags, sizeof flags);
			printf(TR("%-5s %-3s fd %d pos %lld, flags %s\n",
			    "%-5s %-3s fd %d 位置 %lld，标志 %s\n"), q.what, q.tag,
			    q.fd, pos, flags);
			figuref(api, me, pos, "pos_after_%s_%s", q.what, q.tag);
		}
		if (fd >= 0)
			close(fd);
		fflush(stdout);
		if (write(fds[1], "k", 1) != 1)
			break;
	}
	return 0;
}

static void
ask_kernel(struct modes_state *m, int fd, const char *what, const char *mode)
{
	struct ask q = { .fd = fd };
	char c;
	snprintf(q.what, sizeof q.what, "%s", what);
	snprintf(q.tag, sizeof q.tag, "%s", mode);
	fflush(stdout);
	if (write(m->ask_wr, &q, sizeof q) == (ssize_t)sizeof q)
		(void)!read(m->answer_rd, &c, 1);       /* wait for its line */
}

/* try_mode(mode): open the existing (or missing) demo.txt the way Python
 * would for mode, read or seek(0)+write "XY", close, show the bytes. tag
 * names the figures ("x" or "x_missing"). */
static void
try_mode(struct demo_ctx *ctx, const struct demo_api *api, struct demo_actor *me,
    struct modes_state *m, const char *mode, const char *tag)
{
	char flags[160], hex[200];
	int fl = mode_flags(mode) | O_CLOEXEC, reads = strcmp(mode, "r") == 0 ||
	    strcmp(mode, "rb") == 0;

	api->step(me, 4);
	flags_text(fl, flags, sizeof flags);
	int fd = open(m->path, fl, 0666);
	int e = errno;
	figuref(api, me, fl, "open_flags_%s", tag);
	if (fd < 0) {
		printf("open(\"demo.txt\", %s, 0666) = -1 %s\n", flags, errname(e));
		api->step(me, 12);
		printf("%-3s %s (%s)\n", mode, e == ENOENT ? "FileNotFoundError" :
		    e == EEXIST ? "FileExistsError" : "OSError", strerror(e));
		figuref(api, me, e, "errno_%s", tag);
		return;
	}
	printf("open(\"demo.txt\", %s, 0666) = %d\n", flags, fd);
	struct stat st;
	fstat(fd, &st);
	printf(TR("right after open: %lld bytes\n",
	    "刚 open 之后：%lld 字节\n"), (long long)st.st_size);
	figuref(api, me, (long long)st.st_size, "size_at_open_%s", tag);
	if (mode[0] == 'a')     /* Python's 'a' also moves to the end itself */
		printf("lseek(%d, 0, SEEK_END) = %lld\n", fd,
		    (long long)lseek(fd, 0, SEEK_END));
	ask_kernel(m, fd, "open", tag);

	if (reads) {
		char b[4096];
		api->step(me, 6);
		ssize_t n = read(fd, b, sizeof b);
		printf("read(%d, buf, %zu) = %zd\n", fd, sizeof b, n);
		ask_kernel(m, fd, "read", tag);
	} else {
		api->step(me, 8);
		printf("lseek(%d, 0, SEEK_SET) = %lld\n", fd,
		    (long long)lseek(fd, 0, SEEK_SET));
		api->step(me, 9);
		ssize_t n = write(fd, "XY", 2);
		if (n < 0)
			printf("write(%d, \"XY\", 2) = -1 %s\n", fd, errname(errno));
		else
			printf("write(%d, \"XY\", 2) = %zd\n", fd, n);
		ask_kernel(m, fd, "write", tag);
	}
	printf("close(%d) = %d\n", fd, close(fd));
	api->step(me, 10);
	hex_text(m->path, hex);
	printf("%-3s after:  %s\n", mode, hex);
	figuref(api, me, size_of(m->path), "size_after_%s", tag);
}

static int
modes_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	zh = api->zh(ctx);
	static const char *const modes[] = { "r", "rb", "r+", "w", "w+", "a",
		"a+", "x" };
	struct modes_state m;
	int ask[2], answer[2];
	char hex[200];

	signal(SIGPIPE, SIG_IGN);       /* a dead kernel pane: EPIPE, not death */
	scratch_path(ctx, api, m.path, "demo.txt");
	if (pipe(ask) != 0 || pipe(answer) != 0) {
		printf("pipe: %s\n", strerror(errno));
		return 1;
	}
	int kfds[4] = { ask[0], answer[1], ask[1], answer[0] };
	pid_t kernel = spawn(ctx, api, 1, TR("reads /proc/PID/fdinfo",
	    "读取 /proc/PID/fdinfo"), kernel_run,
	    kfds);
	close(ask[0]);
	close(answer[1]);
	m.ask_wr = ask[1];
	m.answer_rd = answer[0];
	api->note(me, TR("the kernel pane reads /proc/%d/fdinfo/FD: the flags the open "
	    "file keeps (O_CREAT, O_TRUNC, O_EXCL act at open and are gone) and "
	    "the position",
	    "kernel 窗格读取 /proc/%d/fdinfo/FD：打开的文件保留的标志（O_CREAT、O_TRUNC、O_EXCL 只在 open 时起作用，之后就没了）和位置"), (int)getpid());

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		printf("--- mode '%s' ---\n", modes[i]);
		api->step(me, 15);
		int fd = open(m.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		api->step(me, 16);
		if (fd < 0 || write(fd, "hello\n", 6) != 6) {
			printf(TR("cannot make demo.txt: %s\n",
			    "无法创建 demo.txt：%s\n"), strerror(errno));
			return 1;
		}
		close(fd);
		api->step(me, 17);
		hex_text(m.path, hex);
		printf("before: %s\n", hex);
		try_mode(ctx, api, me, &m, modes[i], modes[i]);
	}
	api->step(me, 19);
	printf("unlink(\"demo.txt\") = %d\n", unlink(m.path));
	printf(TR("--- mode 'r', no file ---\n",
	    "--- 模式 'r'，没有文件 ---\n"));
	try_mode(ctx, api, me, &m, "r", "r_missing");
	printf(TR("--- mode 'x', no file ---\n",
	    "--- 模式 'x'，没有文件 ---\n"));
	try_mode(ctx, api, me, &m, "x", "x_missing");

	close(m.ask_wr);        /* the kernel pane reads end of file, exits */
	close(m.answer_rd);
	return reap(kernel, TR("kernel pane",
	    "kernel 窗格")) ? 1 : 0;
}

static const char *const modes_panes[] = { "python", "kernel", NULL };
static const char *const modes_panes_zh[] = { "python", "内核", NULL };

static const struct systour_demo modes_demo = {
	.name = "modes",
	.title_en = "File modes: what r, w, a, +, b and x do to a file",
	.title_zh = "文件模式：r、w、a、+、b 和 x 对文件做了什么",
	.code = modes_code,
	.panes = modes_panes,
	.panes_zh = modes_panes_zh,
	.run = modes_run,
};

/* ---- with-close: close runs when a write fails halfway ----------------- */

static const char with_code[] =
	"import resource, signal\n"                                     /* 1 */
	"signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not death\n"
	"soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)\n"      /* 3 */
	"resource.setrlimit(resource.RLIMIT_FSIZE, (1000, hard))\n"     /* 4 */
	"\n"                                                            /* 5 */
	"try:                            # pane try/finally\n"          /* 6 */
	"    f = open(name,'w')\n"                                      /* 7 */
	"    f.write('content' * 200)    # 1400 bytes, buffered\n"      /* 8 */
	"    f.flush()                   # OSError at 1000 bytes\n"     /* 9 */
	"finally:\n"                                                    /* 10 */
	"    if f:\n"                                                   /* 11 */
	"        f.close()               # runs all the same\n"         /* 12 */
	"\n"                                                            /* 13 */
	"with open(name,'w') as f:       # pane with\n"                 /* 14 */
	"    f.write('content' * 200)\n"                                /* 15 */
	"    f.flush()                   # __exit__ closes f\n";        /* 16 */

#define FSIZE_LIMIT 1000

/* Python's BufferedWriter in small: write() fills buf, flush() loops on
 * write(2) and keeps what it could not write, close() flushes and then
 * releases the fd whatever the flush did. */
struct pyfile {
	int fd;
	size_t len;
	long long written;      /* bytes write(2) accepted */
	const char *key;        /* "try" or "with": prefix of its figures */
	char path[PATH_MAX];
	struct demo_ctx *ctx;
	const struct demo_api *api;
	struct demo_actor *me;
	char buf[4096];
};

static int
py_flush(struct pyfile *f)
{
	size_t off = 0;
	while (off < f->len) {
		ssize_t w = write(f->fd, f->buf + off, f->len - off);
		if (w < 0) {
			int e = errno;
			printf("write(%d, \"%.4s...\", %zu) = -1 %s\n", f->fd,
			    f->buf + off, f->len - off, errname(e));
			memmove(f->buf, f->buf + off, f->len - off);
			f->len -= off;
			errno = e;
			return -1;
		}
		printf("write(%d, \"%.4s...\", %zu) = %zd%s\n", f->fd, f->buf + off,
		    f->len - off, w, (size_t)w < f->len - off ? " (short)" : "");
		off += (size_t)w;
		f->written += w;
	}
	f->len = 0;
	return 0;
}

static int
py_close(struct pyfile *f)
{
	int flush_err = 0;
	if (f->len > 0) {
		printf(TR("close(): first flush the %zu bytes still buffered\n",
		    "close()：先 flush 缓冲里还剩的 %zu 字节\n"), f->len);
		if (py_flush(f) < 0)
			flush_err = errno;
	}
	int fd = f->fd, rc = close(fd);
	printf("close(%d) = %d\n", fd, rc);
	int gone = fcntl(fd, F_GETFD) < 0 && errno == EBADF;
	printf("fcntl(%d, F_GETFD): %s\n", fd, gone ? TR("EBADF, the fd is released",
	    "EBADF，fd 已经释放")
	    : TR("still open!",
	    "还开着！"));
	f->fd = -1;
	long long size = size_of(f->path);
	printf(TR("on disk: %lld bytes\n",
	    "磁盘上：%lld 字节\n"), size);
	if (flush_err)
		printf(TR("close() raises OSError [Errno %d] again: its flush failed, "
		    "but the fd was closed\n",
		    "close() 再次抛出 OSError [Errno %d]：它的 flush 失败了，但 fd 已经关闭\n"), flush_err);
	figuref(f->api, f->me, 1, "%s_close_ran", f->key);
	figuref(f->api, f->me, rc, "%s_close_rc", f->key);
	figuref(f->api, f->me, gone, "%s_fd_closed", f->key);
	figuref(f->api, f->me, size, "%s_size_on_disk", f->key);
	return rc;
}

static void
py_open(struct pyfile *f)
{
	f->fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (f->fd < 0)
		printf("open: -1 %s\n", errname(errno));
	else
		printf("open(\"%s.txt\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC) = %d\n",
		    f->key, f->fd);
}

static void
py_write(struct pyfile *f)
{
	for (int i = 0; i < 200; i++, f->len += 7)
		memcpy(f->buf + f->len, "content", 7);
	printf(TR("1400 bytes into the buffer, no system call (%zu buffered)\n",
	    "1400 字节进了缓冲，没有系统调用（缓冲了 %zu）\n"),
	    f->len);
}

static void
raised(struct pyfile *f, int e)
{
	printf(TR("OSError: [Errno %d] %s, after %lld bytes\n",
	    "OSError: [Errno %d] %s，写了 %lld 字节之后\n"), e, strerror(e),
	    f->written);
	figuref(f->api, f->me, e, "%s_errno", f->key);
	figuref(f->api, f->me, f->written, "%s_bytes_written", f->key);
}

/* Lines 2-4: this actor's files stop at FSIZE_LIMIT bytes. */
static void
limit_file_size(struct demo_ctx *ctx, const struct demo_api *api, struct demo_actor *me)
{
	struct rlimit rl;
	api->step(me, 2);
	signal(SIGXFSZ, SIG_IGN);
	printf(TR("SIGXFSZ ignored: past the limit, write(2) fails with EFBIG\n",
	    "忽略 SIGXFSZ：超过限制后，write(2) 以 EFBIG 失败\n"));
	api->step(me, 3);
	getrlimit(RLIMIT_FSIZE, &rl);
	printf(TR("RLIMIT_FSIZE: soft %lld, hard %lld\n",
	    "RLIMIT_FSIZE：软限制 %lld，硬限制 %lld\n"), (long long)rl.rlim_cur,
	    (long long)rl.rlim_max);
	api->step(me, 4);
	rl.rlim_cur = FSIZE_LIMIT;
	printf("setrlimit(RLIMIT_FSIZE, {%d, %lld}) = %d\n", FSIZE_LIMIT,
	    (long long)rl.rlim_max, setrlimit(RLIMIT_FSIZE, &rl));
}

/* try/finally, as C does it: one cleanup exit every path goes through. */
static int
tryfinally_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me, void *arg)
{
	struct pyfile f = { .fd = -1, .key = "try", .ctx = ctx, .api = api,
	    .me = me };
	(void)arg;
	scratch_path(ctx, api, f.path, "try.txt");
	limit_file_size(ctx, api, me);
	api->step(me, 6);
	api->step(me, 7);
	py_open(&f);
	if (f.fd < 0)
		goto finally;
	api->step(me, 8);
	py_write(&f);
	api->step(me, 9);
	if (py_flush(&f) < 0) {
		raised(&f, errno);
		goto finally;   /* the exception leaves the try block */
	}
finally:
	api->step(me, 11);
	if (f.fd >= 0) {
		api->step(me, 12);
		py_close(&f);
	}
	return 0;
}

/* with, as GCC and Clang do it: the cleanup attribute calls with_exit()
 * when f goes out of scope, by whatever path. */
static void
with_exit(struct pyfile *f)
{
	if (f->fd < 0)
		return;
	f->api->step(f->me, 14);
	printf(TR("leaving the with block: __exit__ calls close()\n",
	    "离开 with 块：__exit__ 调用 close()\n"));
	py_close(f);
}

/* The with statement: f lives in this function; whichever way the
 * function is left, with_exit(&f) runs. */
static int
with_stmt(struct demo_ctx *ctx, const struct demo_api *api, struct demo_actor *me)
{
	__attribute__((cleanup(with_exit))) struct pyfile f = { .fd = -1,
		.key = "with", .ctx = ctx, .api = api, .me = me };
	scratch_path(ctx, api, f.path, "with.txt");
	api->step(me, 14);
	py_open(&f);            /* a failed open enters no block */
	if (f.fd < 0)
		return -1;
	api->step(me, 15);
	py_write(&f);
	api->step(me, 16);
	if (py_flush(&f) < 0) {
		raised(&f, errno);
		return -1;      /* the exception leaves the block: cleanup runs */
	}
	return 0;
}

static int
with_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me, void *arg)
{
	(void)arg;
	limit_file_size(ctx, api, me);
	if (with_stmt(ctx, api, me) < 0)
		printf(TR("the OSError goes on to the caller; the file is closed\n",
		    "OSError 继续抛给调用者；文件已经关闭\n"));
	return 0;
}

static int
with_close_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	zh = api->zh(ctx);
	struct rlimit rl;
	getrlimit(RLIMIT_FSIZE, &rl);
	printf(TR("my RLIMIT_FSIZE: %lld; each actor lowers its own to %d\n",
	    "我的 RLIMIT_FSIZE：%lld；每个角色把自己的降到 %d\n"),
	    (long long)rl.rlim_cur, FSIZE_LIMIT);
	api->figure(me, "limit", FSIZE_LIMIT);
	pid_t t = spawn(ctx, api, 1, "try/finally", tryfinally_run, NULL);
	pid_t w = spawn(ctx, api, 2, "with", with_run, NULL);
	int bad = reap(t, "try/finally") | reap(w, "with");
	static const char *const keys[] = { "try", "with" };
	for (int i = 0; i < 2; i++) {
		char path[PATH_MAX], name[16];
		snprintf(name, sizeof name, "%s.txt", keys[i]);
		scratch_path(ctx, api, path, name);
		long long size = size_of(path);
		printf(TR("stat(\"%s\"): %lld bytes\n",
		    "stat(\"%s\")：%lld 字节\n"), name, size);
		figuref(api, me, size, "%s_size_seen_by_parent", keys[i]);
	}
	return bad ? 1 : 0;
}

static const char *const with_panes[] = { "parent", "try/finally", "with",
	NULL };
static const char *const with_panes_zh[] = {
	"父进程", "try/finally", "with", NULL };

static const struct systour_demo with_demo = {
	.name = "with-close",
	.title_en = "try/finally and with: close runs when a write fails",
	.title_zh = "try/finally 与 with：写入失败时 close 照样执行",
	.code = with_code,
	.panes = with_panes,
	.panes_zh = with_panes_zh,
	.run = with_close_run,
};

static const struct systour_demo *const demos[] = { &buffering_demo,
	&modes_demo, &with_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "01-files",
	.demos = demos,
};
