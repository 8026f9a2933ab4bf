/* common.c — the helpers lesson 05's demos share (declared in ipc.h): the
 * pickles they send and how strace shows them, what /proc says about an
 * actor, and how an actor ends. */
#define _GNU_SOURCE
#include "ipc.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

size_t
pickle_str(unsigned char *out, const char *s)  /* s: at most 255 bytes */
{
	unsigned char body[260];
	size_t n = strlen(s);
	body[0] = 0x8c, body[1] = (unsigned char)n;    /* SHORT_BINUNICODE */
	memcpy(body + 2, s, n);
	body[n + 2] = 0x94;                             /* MEMOIZE */
	return pickle_frame(out, body, n + 3);
}

size_t
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
void
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
const char *
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
read_pstate(pid_t pid, struct pstate *ps)
{
	char path[64], buf[512];
	memset(ps, 0, sizeof *ps);
	ps->state = '?';
	ps->nr = -100;
	char state = demo_proc_state(pid, NULL, NULL);
	if (state)
		ps->state = state;
	snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
	if (slurp(path, buf, sizeof buf) > 0 &&
	    sscanf(buf, "%ld %lx", &ps->nr, &ps->arg0) < 1)
		ps->nr = -1;
	snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
	slurp(path, ps->wchan, sizeof ps->wchan);
}

/* Is pid asleep (state S) in system call nr or nr2, on fd if fd >= 0
 * (without /proc/PID/syscall: in a kernel function named like wchan)? */
int
asleep_in(pid_t pid, long nr, long nr2, long fd, const char *wchan,
    struct pstate *ps)
{
	read_pstate(pid, ps);
	int in_call = ps->nr == -100 ? strstr(ps->wchan, wchan) != NULL :
	    (ps->nr == nr || ps->nr == nr2) && (fd < 0 || (long)ps->arg0 == fd);
	return ps->state == 'S' && in_call;
}

void
nap_ms(long ms)
{
	nanosleep(&(struct timespec){ ms / 1000, ms % 1000 * 1000000L }, NULL);
}

/* Watch pid until it is asleep as above: 1 ms naps, at most 2000. */
int
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
int
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

const char *
fd_target(int fd, char *out, size_t cap)        /* "pipe:[123]" */
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

void __attribute__((noreturn))
child_exit(int status)          /* an actor ends: flush, no atexit */
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}
