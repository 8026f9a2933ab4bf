/* test_procview.c — unit tests for the kernel's view (app/demo/procview.c).
 *
 * Each test forks a real process group and scans it. The leader holds the
 * read end of a pipe whose write end a child holds, a TCP listening socket
 * on 127.0.0.1 with one accepted connection, and a listening UNIX socket;
 * the "writer" child (named "wr) it (er", to try the parsing of stat) also
 * holds /dev/null as fd 0, a file under a long path and the write end of a
 * pipe nobody reads; a child exits and stays a zombie (never waited for); a
 * child has 3 threads and holds the client end of the TCP connection; an
 * optional child spins, and more optional children sleep. The test process
 * is a child subreaper (as the demo supervisor is), so at the end of each
 * test it kills the group and reaps every process of it.
 *
 * test_walk_and_full_scan_agree prints how long one scan of a group of ten
 * processes takes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procview.h"
#include "util.h"

#define WRITER_NAME "wr) it (er"
#define LONG_DIR "a_rather_long_directory_name_for_the_kernel_view_"

/* What the leader tells the test once the group is ready. */
struct report {
	pid_t	leader, writer, zombie, client, busy;
	pid_t	sleeper[8];
	int	nsleepers;
	int	pipe_r, pipe_w;         /* leader's read end, writer's write end */
	int	lonely_w;               /* writer's end of a pipe nobody reads */
	int	file_fd;                /* writer's file under the long path */
	int	listen_fd, conn_fd, unix_fd;    /* leader's */
	int	client_fd;              /* client's */
	int	port, client_port;
};

struct group {
	struct report	r;
	char		dir[64];
	char		path[512];      /* a file under a long path */
	char		sockpath[108];
};

/* ------------------------------------------------------------ helpers */

static long long
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* State and utime+stime of pid from its stat; -1 if it is gone. */
static int
proc_stat(pid_t pid, char *state, unsigned long long *ticks)
{
	char			 path[64], buf[1024], *p;
	FILE			*f;
	size_t			 n;
	unsigned long long	 ut, st;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    state, &ut, &st) != 3)
		return -1;
	if (ticks)
		*ticks = ut + st;
	return 0;
}

static int
has_state(pid_t pid, char want)
{
	char	st;

	return proc_stat(pid, &st, NULL) == 0 && st == want;
}

/* Close every fd from 3 up but the n in keep. */
static void
keep_only(const int *keep, int n)
{
	for (int fd = 3; fd < 1024; fd++) {
		int	kept = 0;

		for (int i = 0; i < n; i++)
			kept |= keep[i] == fd;
		if (!kept)
			close(fd);
	}
}

static void
ready(int fd)
{
	char	c = 1;

	if (write(fd, &c, 1) != 1)
		_exit(101);
	close(fd);
}

static void *
sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void __attribute__((noreturn))
leader_main(const struct group *g, int report_w, int with_busy, int sleepers)
{
	struct report		r;
	struct sockaddr_in	a;
	struct sockaddr_un	u;
	socklen_t		alen = sizeof a;
	int			rd[2], p[2], q[2], cfd;
	char			c;

	memset(&r, 0, sizeof r);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	keep_only(&report_w, 1);        /* what the test runner left open */
	r.leader = getpid();
	if (pipe(rd) < 0 || pipe(p) < 0 || pipe(q) < 0)
		_exit(102);
	close(q[0]);
	r.pipe_r = p[0];
	r.pipe_w = p[1];
	r.lonely_w = q[1];
	if ((r.file_fd = open(g->path, O_RDONLY)) < 0)
		_exit(103);

	r.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(r.listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(r.listen_fd, 4) < 0 ||
	    getsockname(r.listen_fd, (struct sockaddr *)&a, &alen) < 0)
		_exit(104);
	r.port = ntohs(a.sin_port);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cfd, (struct sockaddr *)&a, sizeof a) < 0)
		_exit(105);
	alen = sizeof a;
	getsockname(cfd, (struct sockaddr *)&a, &alen);
	r.client_port = ntohs(a.sin_port);
	if ((r.conn_fd = accept(r.listen_fd, NULL, NULL)) < 0)
		_exit(106);

	r.unix_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&u, 0, sizeof u);
	u.sun_family = AF_UNIX;
	snprintf(u.sun_path, sizeof u.sun_path, "%s", g->sockpath);
	if (bind(r.unix_fd, (struct sockaddr *)&u, sizeof u) < 0 ||
	    listen(r.unix_fd, 4) < 0)
		_exit(107);

	if ((r.writer = fork()) == 0) {
		int	keep[] = { rd[1], p[1], q[1], r.file_fd };
		int	null = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, WRITER_NAME);
		dup2(null, 0);
		keep_only(keep, 4);
		ready(rd[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	close(q[1]);
	close(r.file_fd);

	if ((r.zombie = fork()) == 0)
		_exit(0);

	if ((r.client = fork()) == 0) {
		int		keep[] = { rd[1], cfd };
		pthread_t	t;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		keep_only(keep, 2);
		for (int i = 0; i < 2; i++)
			if (pthread_create(&t, NULL, sleeper, NULL) != 0)
				_exit(108);
		ready(rd[1]);
		for (;;)
			pause();
	}
	r.client_fd = cfd;
	close(cfd);

	if (with_busy && (r.busy = fork()) == 0) {
		volatile unsigned long	spin = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		keep_only(&rd[1], 1);
		ready(rd[1]);
		for (;;)
			spin++;
	}

	for (int i = 0; i < sleepers && i < 8; i++)
		if ((r.sleeper[r.nsleepers++] = fork()) == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			keep_only(&rd[1], 1);
			ready(rd[1]);
			for (;;)
				pause();
		}

	/* everyone is ready once every write end is closed */
	close(rd[1]);
	while (read(rd[0], &c, 1) > 0)
		continue;
	close(rd[0]);
	if (write(report_w, &r, sizeof r) != (ssize_t)sizeof r)
		_exit(109);
	close(report_w);
	for (;;)
		pause();
}

/* Whether the zombie is one, and the others but the busy child sleep. */
static int
settled(const struct group *g)
{
	for (int i = 0; i < g->r.nsleepers; i++)
		if (!has_state(g->r.sleeper[i], 'S'))
			return 0;
	return has_state(g->r.zombie, 'Z') && has_state(g->r.leader, 'S') &&
	    has_state(g->r.writer, 'S') && has_state(g->r.client, 'S');
}

/* Start the group, with a busy child or not, and with that many more
 * children that sleep. */
static void
group_start(struct group *g, int with_busy, int sleepers)
{
	char		 sub[400];
	int		 rep[2];
	pid_t		 pid;
	size_t		 got = 0;
	ssize_t		 k;
	long long	 deadline;
	FILE		*f;

	memset(g, 0, sizeof *g);
	snprintf(g->dir, sizeof g->dir, "/tmp/procview.XXXXXX");
	assert_non_null(mkdtemp(g->dir));
	snprintf(sub, sizeof sub, "%s/%s1/%s2/%s3", g->dir, LONG_DIR, LONG_DIR,
	    LONG_DIR);
	assert_int_equal(mkdir_p(sub), 0);
	snprintf(g->path, sizeof g->path, "%s/data.txt", sub);
	f = fopen(g->path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(g->sockpath, sizeof g->sockpath, "%s/s.sock", g->dir);

	assert_int_equal(pipe(rep), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(rep[0]);
		setpgid(0, 0);
		leader_main(g, rep[1], with_busy, sleepers);
	}
	setpgid(pid, pid);
	close(rep[1]);
	while ((k = read(rep[0], (char *)&g->r + got, sizeof g->r - got)) > 0)
		got += (size_t)k;
	close(rep[0]);
	if (got != sizeof g->r) {
		int	st;

		waitpid(pid, &st, 0);
		fail_msg("the leader failed: status %d", st);
	}
	/* the zombie has closed its files but may not be a zombie yet, and
	 * the others may not be in pause() yet */
	deadline = mono_us() + 5000000;
	while (mono_us() < deadline && !settled(g))
		usleep(1000);
	assert_true(settled(g));
}

static void
group_stop(struct group *g)
{
	char	sub[400];

	kill(-g->r.leader, SIGKILL);
	for (;;) {
		if (waitpid(-g->r.leader, NULL, 0) > 0 || errno == EINTR)
			continue;
		break;
	}
	unlink(g->path);
	unlink(g->sockpath);
	for (int i = 3; i >= 1; i--) {
		snprintf(sub, sizeof sub, "%s", g->dir);
		for (int j = 1; j <= i; j++)
			snprintf(sub + strlen(sub), sizeof sub - strlen(sub),
			    "/%s%d", LONG_DIR, j);
		rmdir(sub);
	}
	rmdir(g->dir);
}

/* The lines of pid's block in text: its process line and its fd lines.
 * Allocated. */
static char *
block_of(const char *text, pid_t pid)
{
	const char	*p = text, *start = NULL;

	while (*p) {
		const char	*eol = strchr(p, '\n'), *s = p;

		assert_non_null(eol);
		while (*s == ' ')
			s++;
		if (*s >= '0' && *s <= '9') {       /* a process line */
			if (start)
				return xstrndup(start, (size_t)(p - start));
			if (atoi(s) == pid)
				start = p;
		}
		p = eol + 1;
	}
	if (start == NULL)
		fail_msg("PID %d not in:\n%s", (int)pid, text);
	return xstrdup(start);
}

/* The line for fd in a block, without indentation and newline; NULL if
 * there is none. Allocated. */
static char *
fd_line(const char *block, int fd)
{
	char		 want[32];
	const char	*p = block;

	snprintf(want, sizeof want, "fd %d ", fd);
	while (*p) {
		const char	*eol = strchr(p, '\n'), *s = p;

		while (*s == ' ')
			s++;
		if (strncmp(s, want, strlen(want)) == 0)
			return xstrndup(s, (size_t)(eol - s));
		p = eol + 1;
	}
	return NULL;
}

#define assert_has(hay, needle) do {					\
	if (strstr((hay), (needle)) == NULL)				\
		fail_msg("\"%s\" not in:\n%s", (needle), (hay));	\
} while (0)

#define assert_has_not(hay, needle) do {				\
	if (strstr((hay), (needle)) != NULL)				\
		fail_msg("\"%s\" in:\n%s", (needle), (hay));		\
} while (0)

/* The fd line of pid's fd in the text, which must exist. Allocated. */
static char *
line_for(const char *text, pid_t pid, int fd)
{
	char	*b = block_of(text, pid), *ln = fd_line(b, fd);

	if (ln == NULL)
		fail_msg("no fd %d for PID %d in:\n%s", fd, (int)pid, b);
	free(b);
	return ln;
}

/* The number of fd lines in a block. */
static int
fd_lines(const char *block)
{
	int	n = 0;

	for (const char *p = block; *p;) {
		const char	*eol = strchr(p, '\n');

		while (*p == ' ')
			p++;
		n += strncmp(p, "fd ", 3) == 0;
		p = eol + 1;
	}
	return n;
}

static const struct procview_proc *
find(const struct procview *pv, pid_t pid)
{
	for (int i = 0; i < procview_count(pv); i++)
		if (procview_proc(pv, i)->pid == pid)
			return procview_proc(pv, i);
	fail_msg("PID %d not scanned", (int)pid);
	return NULL;
}

/* Columns of a line: one per UTF-8 character. */
static int
columns(const char *s, size_t len)
{
	int	n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static int
cmp_pid(const void *a, const void *b)
{
	pid_t	x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* -------------------------------------------------------------- tests */

static void
test_processes_and_tree(void **state)
{
	struct group			 g;
	struct procview			*pv;
	const struct procview_proc	*p;
	pid_t				 kids[3];
	char				*text, *b;

	group_start(&g, 0, 0);
	pv = procview_new();
	assert_int_equal(procview_scan(pv, g.r.leader), 4);
	assert_int_equal(procview_count(pv), 4);

	p = procview_proc(pv, 0);
	assert_int_equal(p->pid, g.r.leader);
	assert_int_equal(p->ppid, getpid());
	assert_int_equal(p->depth, 0);
	assert_int_equal(p->state, 'S');
	assert_int_equal(p->threads, 1);
	assert_int_equal(p->nfds, 7);   /* 0-2, pipe, TCP x2, UNIX */

	kids[0] = g.r.writer;
	kids[1] = g.r.zombie;
	kids[2] = g.r.client;
	qsort(kids, 3, sizeof *kids, cmp_pid);
	for (int i = 0; i < 3; i++) {
		p = procview_proc(pv, 1 + i);
		assert_int_equal(p->pid, kids[i]);
		assert_int_equal(p->ppid, g.r.leader);
		assert_int_equal(p->depth, 1);
	}
	assert_null(procview_proc(pv, 4));

	p = find(pv, g.r.writer);
	assert_string_equal(p->name, WRITER_NAME);
	assert_int_equal(p->state, 'S');
	assert_int_equal(p->threads, 1);
	assert_int_equal(p->nfds, 6);   /* 0-2, two pipes, the file */

	p = find(pv, g.r.zombie);
	assert_int_equal(p->state, 'Z');
	assert_int_equal(p->nfds, 0);

	p = find(pv, g.r.client);
	assert_int_equal(p->threads, 3);
	assert_int_equal(p->nfds, 4);   /* 0-2, the TCP client */

	text = procview_text(pv);
	b = block_of(text, g.r.zombie);
	assert_has(b, " Z ");
	assert_has(b, "<zombie>");
	assert_int_equal(fd_lines(b), 0);
	free(b);
	b = block_of(text, g.r.writer);
	assert_int_equal(fd_lines(b), 6);
	assert_has(b, "  " WRITER_NAME "\n");
	free(b);
	/* the leader's line is not indented, its children's are */
	assert_true(text[0] != ' ');
	b = block_of(text, g.r.client);
	assert_true(strncmp(b, "  ", 2) == 0 && b[2] != ' ');
	free(b);

	free(text);
	procview_free(pv);
	group_stop(&g);
}

static void
test_pipes(void **state)
{
	struct group	 g;
	struct procview	*pv;
	char		*text, *rd, *wr, *lonely, want[96];
	const char	*ino_r, *ino_w;

	group_start(&g, 0, 0);
	pv = procview_new();
	procview_scan(pv, g.r.leader);
	text = procview_text(pv);

	rd = line_for(text, g.r.leader, g.r.pipe_r);
	wr = line_for(text, g.r.writer, g.r.pipe_w);
	snprintf(want, sizeof want, "fd %d r  pipe:[", g.r.pipe_r);
	assert_has(rd, want);
	snprintf(want, sizeof want, "fd %d w  pipe:[", g.r.pipe_w);
	assert_has(wr, want);
	/* the same pipe */
	ino_r = strchr(rd, '[');
	ino_w = strchr(wr, '[');
	assert_int_equal(strtoul(ino_r + 1, NULL, 10),
	    strtoul(ino_w + 1, NULL, 10));
	/* each end names the other */
	snprintf(want, sizeof want, "] -> PID %d fd %d (w)", (int)g.r.writer,
	    g.r.pipe_w);
	assert_has(rd, want);
	snprintf(want, sizeof want, "] -> PID %d fd %d (r)", (int)g.r.leader,
	    g.r.pipe_r);
	assert_has(wr, want);
	assert_has_not(rd, "(no");
	assert_has_not(wr, "(no");

	lonely = line_for(text, g.r.writer, g.r.lonely_w);
	snprintf(want, sizeof want, "fd %d w  pipe:[", g.r.lonely_w);
	assert_has(lonely, want);
	assert_has(lonely, "] (no reader)");

	free(rd);
	free(wr);
	free(lonely);
	free(text);
	procview_free(pv);
	group_stop(&g);
}

static void
test_files_and_widths(void **state)
{
	struct group	 g;
	struct procview	*pv;
	char		*text, *ln, want[64];
	const char	*name;

	group_start(&g, 0, 0);
	name = strrchr(g.path, '/');
	pv = procview_new();
	procview_scan(pv, g.r.leader);
	text = procview_text(pv);

	ln = line_for(text, g.r.writer, 0);
	assert_string_equal(ln, "fd 0 r  /dev/null");
	free(ln);

	/* a long path is cut in the middle: its start and its end show */
	ln = line_for(text, g.r.writer, g.r.file_fd);
	snprintf(want, sizeof want, "fd %d r  file /tmp/procview.", g.r.file_fd);
	assert_has(ln, want);
	assert_has(ln, "…");
	assert_true(strlen(ln) > strlen(name) &&
	    strcmp(ln + strlen(ln) - strlen(name), name) == 0);
	free(ln);

	for (const char *p = text; *p;) {
		const char	*eol = strchr(p, '\n');

		assert_non_null(eol);
		if (columns(p, (size_t)(eol - p)) > PROCVIEW_COLS)
			fail_msg("too wide: %.*s", (int)(eol - p), p);
		p = eol + 1;
	}
	free(text);
	procview_free(pv);
	group_stop(&g);
}

/* Sockets, described from copies of their fds (tables = 0) or from the
 * tables in /proc/net (tables = 1), read the same. With the tables, the
 * test also listens on 60 more ports, so that /proc/net/tcp takes several
 * reads. */
static void
check_sockets(int tables)
{
	struct group	 g;
	struct procview	*pv;
	char		*text, *ln, want[128];
	int		 extra[60], nextra = tables ? 60 : 0;

	group_start(&g, 0, 0);
	for (int i = 0; i < nextra; i++) {
		struct sockaddr_in	a;

		memset(&a, 0, sizeof a);
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		extra[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(extra[i] >= 0);
		assert_int_equal(bind(extra[i], (struct sockaddr *)&a, sizeof a), 0);
		assert_int_equal(listen(extra[i], 1), 0);
	}
	pv = procview_new();
	procview_sockets_from_tables(pv, tables);
	procview_scan(pv, g.r.leader);
	text = procview_text(pv);

	ln = line_for(text, g.r.leader, g.r.listen_fd);
	snprintf(want, sizeof want, "fd %d rw socket:[", g.r.listen_fd);
	assert_has(ln, want);
	snprintf(want, sizeof want, "] TCP 127.0.0.1:%d LISTEN", g.r.port);
	assert_has(ln, want);
	free(ln);

	ln = line_for(text, g.r.leader, g.r.conn_fd);
	snprintf(want, sizeof want,
	    "] TCP 127.0.0.1:%d -> 127.0.0.1:%d ESTABLISHED", g.r.port,
	    g.r.client_port);
	assert_has(ln, want);
	free(ln);

	ln = line_for(text, g.r.client, g.r.client_fd);
	snprintf(want, sizeof want,
	    "] TCP 127.0.0.1:%d -> 127.0.0.1:%d ESTABLISHED", g.r.client_port,
	    g.r.port);
	assert_has(ln, want);
	free(ln);

	ln = line_for(text, g.r.leader, g.r.unix_fd);
	assert_has(ln, "] UNIX STREAM LISTEN ");
	assert_has(ln, "/s.sock");
	free(ln);

	free(text);
	procview_free(pv);
	for (int i = 0; i < nextra; i++)
		close(extra[i]);
	group_stop(&g);
}

static void
test_sockets(void **state)
{
	check_sockets(0);
}

static void
test_sockets_from_tables(void **state)
{
	check_sockets(1);
}

/* CPU% is 0 on the first scan; on the next, a child that spins shows its
 * share of a CPU, as the test measures it itself from /proc. */
static void
test_cpu(void **state)
{
	struct group			 g;
	struct procview			*pv;
	const struct procview_proc	*p;
	unsigned long long		 t0, t;
	long long			 w0, w, deadline;
	long				 hz = sysconf(_SC_CLK_TCK);
	double				 share;
	char				 st;

	group_start(&g, 1, 0);
	pv = procview_new();
	assert_int_equal(procview_scan(pv, g.r.leader), 5);
	for (int i = 0; i < 5; i++)
		assert_true(procview_proc(pv, i)->cpu == 0);

	/* let the busy child spin for 200 ms of CPU time */
	assert_int_equal(proc_stat(g.r.busy, &st, &t0), 0);
	w0 = mono_us();
	deadline = w0 + 10000000;
	do {
		usleep(10000);
		assert_int_equal(proc_stat(g.r.busy, &st, &t), 0);
	} while (t < t0 + (unsigned long long)hz / 5 && mono_us() < deadline);
	assert_true(t >= t0 + (unsigned long long)hz / 5);
	w = mono_us();
	share = (double)(t - t0) / hz * 1e8 / (double)(w - w0);

	assert_int_equal(procview_scan(pv, g.r.leader), 5);
	p = find(pv, g.r.busy);
	print_message("busy child: %.1f%% CPU (the test measured %.1f%%); "
	    "writer %.1f%%\n", p->cpu, share, find(pv, g.r.writer)->cpu);
	/* The share depends on how loaded the machine is (on a busy one the
	 * child gets far less than a CPU), so compare with what the test
	 * measured over nearly the same interval, not with a fixed figure. */
	if (!(p->cpu > share / 2 && p->cpu < share * 1.5 + 5))
		fail_msg("the busy child shows %.1f%% CPU; the test measured "
		    "%.1f%%", p->cpu, share);
	assert_true(find(pv, g.r.writer)->cpu < 20);
	assert_true(p->cpu > find(pv, g.r.writer)->cpu);
	procview_free(pv);
	group_stop(&g);
}

/* Walking down from the leader and the caller finds what reading all of
 * /proc finds; and how long a scan of ten processes takes. */
static void
test_walk_and_full_scan_agree(void **state)
{
	struct group	 g;
	struct procview	*walk, *all;
	char		*t1, *t2;
	long long	 t;
	int		 n, rounds = 200, fds = 0;
	double		 us_walk, us_all, us_text;

	group_start(&g, 0, 6);
	walk = procview_new();
	all = procview_new();
	n = procview_scan(walk, g.r.leader);
	assert_int_equal(n, 10);
	assert_int_equal(procview_scan_all(all, g.r.leader), n);
	for (int i = 0; i < n; i++) {
		const struct procview_proc	*a = procview_proc(walk, i);
		const struct procview_proc	*b = procview_proc(all, i);

		assert_int_equal(a->pid, b->pid);
		assert_int_equal(a->ppid, b->ppid);
		assert_int_equal(a->depth, b->depth);
		assert_int_equal(a->state, b->state);
		assert_int_equal(a->threads, b->threads);
		assert_int_equal(a->nfds, b->nfds);
		fds += a->nfds;
	}
	t1 = procview_text(walk);
	t2 = procview_text(all);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);

	t = mono_us();
	for (int i = 0; i < rounds; i++)
		procview_scan(walk, g.r.leader);
	us_walk = (double)(mono_us() - t) / rounds;
	t = mono_us();
	for (int i = 0; i < rounds; i++)
		procview_scan_all(all, g.r.leader);
	us_all = (double)(mono_us() - t) / rounds;
	t = mono_us();
	for (int i = 0; i < rounds; i++)
		free(procview_text(walk));
	us_text = (double)(mono_us() - t) / rounds;
	print_message("one scan of %d processes with %d fds: %.0f us "
	    "(reading all of /proc: %.0f us); procview_text: %.0f us\n", n, fds,
	    us_walk, us_all, us_text);
	assert_true(us_walk < 5000);

	procview_free(walk);
	procview_free(all);
	group_stop(&g);
}

/* A group that is gone, or no group at all, gives no lines. */
static void
test_empty_group(void **state)
{
	struct group	 g;
	struct procview	*pv;
	char		*text;

	group_start(&g, 0, 0);
	group_stop(&g);
	pv = procview_new();
	assert_int_equal(procview_scan(pv, g.r.leader), 0);
	assert_int_equal(procview_scan_all(pv, g.r.leader), 0);
	assert_int_equal(procview_scan(pv, 0), 0);
	assert_int_equal(procview_count(pv), 0);
	text = procview_text(pv);
	assert_string_equal(text, "");
	free(text);
	procview_free(pv);
}

/* Someone who may not read the group's fds still sees its processes. */
static void
test_fds_not_readable(void **state)
{
	struct group	 g;
	pid_t		 pid;
	int		 st;

	if (geteuid() != 0)
		skip();
	group_start(&g, 0, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct procview			*pv;
		const struct procview_proc	*p;
		char				*text;

		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		pv = procview_new();
		if (procview_scan(pv, g.r.leader) != 4)
			_exit(3);
		p = procview_proc(pv, 0);
		if (p->pid != g.r.leader || p->nfds != -1 || p->threads != 1)
			_exit(4);
		if (find(pv, g.r.client)->threads != 3 ||
		    find(pv, g.r.zombie)->state != 'Z')
			_exit(5);
		text = procview_text(pv);
		if (strstr(text, "(open fds: Permission denied)") == NULL)
			_exit(6);
		free(text);
		procview_free(pv);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	group_stop(&g);
}

/* A process with more fds than are described gets a line that counts the
 * rest. */
static void
test_many_fds(void **state)
{
	struct procview	*pv;
	pid_t		 pid;
	int		 go[2];
	char		 c, *text, want[32];

	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		keep_only(&go[1], 1);
		for (int fd = 0; fd < 100; fd++)
			if (fd != go[1] && fcntl(fd, F_GETFD) < 0 &&
			    open("/dev/null", O_RDONLY) < 0)
				_exit(2);
		/* go[1] is one of fds 0-99: close it as the ready sign, and
		 * take its number back */
		close(go[1]);
		if (open("/dev/null", O_RDONLY) < 0)
			_exit(3);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	close(go[1]);
	while (read(go[0], &c, 1) > 0)
		continue;
	close(go[0]);

	pv = procview_new();
	assert_int_equal(procview_scan(pv, pid), 1);
	/* the fd is taken back just after the ready sign: wait for it */
	for (int i = 0; i < 1000 && procview_proc(pv, 0)->nfds != 100; i++) {
		usleep(1000);
		procview_scan(pv, pid);
	}
	assert_int_equal(procview_proc(pv, 0)->nfds, 100);
	text = procview_text(pv);
	assert_int_equal(fd_lines(text), PROCVIEW_MAX_FDS);
	snprintf(want, sizeof want, "  … %d more fds\n", 100 - PROCVIEW_MAX_FDS);
	assert_has(text, want);
	free(text);
	procview_free(pv);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* systour's own pipes (the plumbing) fold into one line per process, and
 * come back one by one when asked for. */
static void
test_plumbing_folded(void **state)
{
	struct group	 g;
	struct procview	*pv;
	char		*text, *ln, *b;
	unsigned long	 ino[2];

	group_start(&g, 0, 0);
	pv = procview_new();
	procview_scan(pv, g.r.leader);
	text = procview_text(pv);
	ln = line_for(text, g.r.leader, g.r.pipe_r);
	ino[0] = strtoul(strchr(ln, '[') + 1, NULL, 10);
	free(ln);
	ln = line_for(text, g.r.writer, g.r.lonely_w);
	ino[1] = strtoul(strchr(ln, '[') + 1, NULL, 10);
	free(ln);
	free(text);
	assert_false(procview_is_plumbing(pv, ino[0]));

	procview_set_plumbing(pv, ino, 2, 0);
	assert_true(procview_is_plumbing(pv, ino[0]));
	assert_true(procview_is_plumbing(pv, ino[1]));
	text = procview_text(pv);
	b = block_of(text, g.r.leader);
	assert_null(fd_line(b, g.r.pipe_r));
	assert_has(b, "+ 1 systour pipe\n");
	free(b);
	/* the writer holds the task pipe's other end and the lonely pipe */
	b = block_of(text, g.r.writer);
	assert_null(fd_line(b, g.r.pipe_w));
	assert_null(fd_line(b, g.r.lonely_w));
	assert_has(b, "+ 2 systour pipes\n");
	free(b);
	free(text);

	procview_set_plumbing(pv, ino, 2, 1);
	text = procview_text(pv);
	assert_has_not(text, "systour pipe");
	free(line_for(text, g.r.leader, g.r.pipe_r));
	free(line_for(text, g.r.writer, g.r.lonely_w));
	free(text);

	procview_set_plumbing(pv, NULL, 0, 0);
	assert_false(procview_is_plumbing(pv, ino[0]));
	procview_free(pv);
	group_stop(&g);
}

static int
become_subreaper(void **state)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_processes_and_tree),
		cmocka_unit_test(test_pipes),
		cmocka_unit_test(test_files_and_widths),
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_sockets_from_tables),
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_walk_and_full_scan_agree),
		cmocka_unit_test(test_empty_group),
		cmocka_unit_test(test_fds_not_readable),
		cmocka_unit_test(test_many_fds),
		cmocka_unit_test(test_plumbing_folded),
	};

	return cmocka_run_group_tests(tests, become_subreaper, NULL);
}
