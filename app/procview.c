/* procview.c — the kernel's view of a demo's process group, read from /proc.
 *
 * A scan finds the group's processes (walking down the children files from
 * the caller and the leader, or reading every /proc/PID/stat), reads each
 * one's stat and fd links, the caller's own ends of the group's pipes, and
 * what the sockets are connected to. Everything is opened relative to one
 * descriptor of /proc kept open, directories are listed with getdents64,
 * and every buffer is kept from scan to scan, so a scan allocates nothing
 * once they have grown. What a scan costs is system calls on /proc (a few
 * microseconds each): about 3 per process and 2 per fd. procview_text()
 * turns the scan into lines; matching pipe ends happens there. */
#include "procview.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define NONE ((size_t)-1)       /* no string in the pool */
#define MAX_INDENT 16           /* columns of indentation at most */
#define MIN_ROOM 12             /* columns a cut path keeps at least */
#define DENTS_SIZE 32768
#define SHORT_READ 3072         /* see slurp() */
#define NET_REREAD_NS 1000000000LL      /* /proc/net read again after */

enum fd_kind { FK_OTHER, FK_PIPE, FK_SOCK, FK_FILE, FK_DIR, FK_FIFO };
enum { MODE_UNKNOWN = -1, MODE_PATH = 3 };  /* besides O_RDONLY etc. */

/* One open fd of a group process, or a pipe end the caller holds. */
struct pfd {
	pid_t pid;              /* its holder */
	int fd;
	int mode;               /* O_RDONLY, O_WRONLY, O_RDWR, MODE_* */
	int kind;               /* enum fd_kind */
	unsigned long ino;      /* of a pipe or socket */
	size_t target;          /* the link's text, in the pool */
	size_t desc;            /* a socket's endpoint, in the pool, or NONE */
};

struct proc {
	struct procview_proc pub;
	pid_t pgrp;
	unsigned long long ticks;       /* utime + stime */
	unsigned long long start;       /* start time: tells a reused PID */
	int fd_first, fd_n;             /* described fds in pv->fds */
	int fd_err;                     /* errno when the fds can't be read */
	int parent, child, next;        /* tree links (indexes), -1 for none */
};

struct prev {
	pid_t pid;
	unsigned long long start, ticks;
};

struct sock {
	unsigned long ino;
	size_t desc;
};

/* A socket found in /proc/net, kept until the tables are read again. */
struct netent {
	unsigned long ino;
	char desc[160];
};

struct ivec {
	int *v;
	int n, cap;
};

struct procview {
	int procfd;                     /* /proc */
	int has_children;               /* /proc/PID/task/TID/children exists */
	long hz;                        /* clock ticks per second */
	pid_t self;
	char self_name[32];

	struct proc *procs, *tmp;
	int n, cap, tmpcap;
	struct pfd *fds;
	int nfds, fdcap;
	int *pipes;                     /* indexes of pipe fds, by inode */
	int npipes, pipecap;
	struct sock *socks;
	int nsocks, sockcap;
	struct prev *prev;
	int nprev, prevcap;
	long long prev_ns;              /* time of the previous scan, or 0 */

	int tables_only;                /* describe sockets from /proc/net */
	int no_pidfd;                   /* pidfd_getfd() is not there */
	struct netent *net;             /* the last reading of /proc/net */
	int nnet, netcap;
	unsigned long *asked;           /* the inodes it looked for, sorted */
	int nasked, askedcap;
	long long net_ns;               /* when, or 0 */

	char *pool;                     /* strings of the scan */
	size_t pooln, poolcap;
	char *buf;                      /* a file being read */
	size_t bufcap;
	char *dents;                    /* getdents64 buffer */
	struct ivec pids, tids, fdnums, queue;
	struct ivec walked;             /* what the last walk went through */
	long walk_last;                 /* last_pid() then, or -1 */
	pid_t walk_pgid, walk_self;
};

/* ---- Small helpers ---------------------------------------------------- */

static long long
mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
ivec_push(struct ivec *iv, int x)
{
	if (iv->n == iv->cap) {
		iv->cap = iv->cap ? iv->cap * 2 : 64;
		iv->v = xreallocarray(iv->v, iv->cap, sizeof *iv->v);
	}
	iv->v[iv->n++] = x;
}

static int
ivec_has(const struct ivec *iv, int x)
{
	for (int i = 0; i < iv->n; i++)
		if (iv->v[i] == x)
			return 1;
	return 0;
}

/* search() and sort() that take an empty (maybe NULL) array. */
static void *
search(const void *key, const void *base, int n, size_t size,
    int (*cmp)(const void *, const void *))
{
	return n > 0 ? bsearch(key, base, (size_t)n, size, cmp) : NULL;
}

static void
sort(void *base, int n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, (size_t)n, size, cmp);
}

/* Grow *p (of *cap elements of size) to hold at least n. */
static void *
grow(void *p, int *cap, int n, size_t size)
{
	if (n <= *cap)
		return p;
	int c = *cap ? *cap : 16;
	while (c < n)
		c *= 2;
	*cap = c;
	return xreallocarray(p, c, size);
}

/* Copy s (len bytes) into the pool with control characters as '?'. Its
 * offset. */
static size_t
pool_add(struct procview *pv, const char *s, size_t len)
{
	if (pv->pooln + len + 1 > pv->poolcap) {
		size_t c = pv->poolcap ? pv->poolcap : 4096;
		while (c < pv->pooln + len + 1)
			c *= 2;
		pv->pool = xrealloc(pv->pool, c);
		pv->poolcap = c;
	}
	size_t off = pv->pooln;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		pv->pool[off + i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	pv->pool[off + len] = '\0';
	pv->pooln += len + 1;
	return off;
}

static size_t
pool_printf(struct procview *pv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t
pool_printf(struct procview *pv, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof tmp)
		n = sizeof tmp - 1;
	return pool_add(pv, tmp, (size_t)n);
}

/* Read the file at path (relative to dirfd) into pv->buf, NUL-terminated.
 * Its length, or -1 with errno.
 *
 * The files of /proc read here are seq_files: a read gets records until
 * the next one would overflow the kernel's page-sized buffer, or the end.
 * Their records are shorter than 1 KiB, so a read shorter than
 * SHORT_READ bytes (into room for more than a page) was at the end, and
 * saves a read that would return 0. */
static ssize_t
slurp(struct procview *pv, int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	for (;;) {
		if (pv->bufcap - n < 8192) {
			pv->bufcap *= 2;
			pv->buf = xrealloc(pv->buf, pv->bufcap);
		}
		ssize_t k = read(fd, pv->buf + n, pv->bufcap - n - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (k < SHORT_READ)
			break;
	}
	close(fd);
	pv->buf[n] = '\0';
	return (ssize_t)n;
}

/* Append to out the names in the open directory fd that are numbers. The
 * count appended, or -1 with errno. A directory of
 * /proc fills getdents64 until it is full or at its end: a buffer left with
 * room for another entry is the end. */
static int
list_dir(struct procview *pv, int fd, struct ivec *out)
{
	int count = 0;
	for (;;) {
		ssize_t k = getdents64(fd, pv->dents, DENTS_SIZE);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		for (ssize_t off = 0; off < k;) {
			struct dirent64 *d = (struct dirent64 *)(pv->dents + off);
			off += d->d_reclen;
			const char *s = d->d_name;
			if (*s < '0' || *s > '9')
				continue;
			long v = 0;
			for (; *s >= '0' && *s <= '9' && v < INT_MAX / 10; s++)
				v = v * 10 + (*s - '0');
			if (*s != '\0')
				continue;
			ivec_push(out, (int)v);
			count++;
		}
		if (k < DENTS_SIZE - 512)
			break;
	}
	return count;
}

/* list_dir() on the directory at path, relative to dirfd. */
static int
list_numbers(struct procview *pv, int dirfd, const char *path,
    struct ivec *out)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int count = list_dir(pv, fd, out);
	int err = errno;
	close(fd);
	errno = err;
	return count;
}

/* ---- /proc/PID/stat --------------------------------------------------- */

/* Parse a stat line. The command name is between the first '(' and the
 * LAST ')', since it may hold spaces and parentheses itself. 0, or -1 if
 * the line is not one. */
static int
parse_stat(const char *buf, size_t len, struct proc *pr)
{
	const char *open = memchr(buf, '(', len);
	const char *close = memrchr(buf, ')', len);
	if (open == NULL || close == NULL || close < open)
		return -1;
	size_t nlen = (size_t)(close - open - 1);
	if (nlen >= sizeof pr->pub.name)
		nlen = sizeof pr->pub.name - 1;
	for (size_t i = 0; i < nlen; i++) {
		unsigned char c = (unsigned char)open[1 + i];
		pr->pub.name[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	pr->pub.name[nlen] = '\0';

	const char *p = close + 1;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return -1;
	pr->pub.state = *p++;
	unsigned long long f[23];       /* f[k] is field k, from 4 to 22 */
	for (int k = 4; k <= 22; k++) {
		char *end;
		f[k] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	pr->pub.ppid = (pid_t)f[4];
	pr->pgrp = (pid_t)f[5];
	pr->ticks = f[14] + f[15];
	pr->pub.threads = (int)f[20];
	pr->start = f[22];
	return 0;
}

/* Read /proc/PID/stat into pr. 0, or -1 (the process is gone). */
static int
read_stat(struct procview *pv, pid_t pid, struct proc *pr)
{
	char path[32];
	snprintf(path, sizeof path, "%d/stat", (int)pid);
	ssize_t n = slurp(pv, pv->procfd, path);
	if (n < 0)
		return -1;
	memset(pr, 0, sizeof *pr);
	pr->pub.pid = pid;
	return parse_stat(pv->buf, (size_t)n, pr);
}

static void
add_proc(struct procview *pv, const struct proc *pr)
{
	pv->procs = grow(pv->procs, &pv->cap, pv->n + 1, sizeof *pv->procs);
	pv->procs[pv->n++] = *pr;
}

/* ---- Finding the group ------------------------------------------------ */

/* Every process in /proc. */
static int
find_all(struct procview *pv, pid_t pgid)
{
	pv->pids.n = 0;
	if (list_numbers(pv, pv->procfd, ".", &pv->pids) < 0)
		return -1;
	for (int i = 0; i < pv->pids.n; i++) {
		struct proc pr;
		if (read_stat(pv, pv->pids.v[i], &pr) == 0 && pr.pgrp == pgid)
			add_proc(pv, &pr);
	}
	return 0;
}

/* Add to pv->walked the PIDs listed in the children file at path. */
static void
walk_children(struct procview *pv, const char *path)
{
	if (slurp(pv, pv->procfd, path) < 0)
		return;
	for (char *p = pv->buf; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (v > 0 && !ivec_has(&pv->walked, (int)v))
			ivec_push(&pv->walked, (int)v);
		p = end;
	}
}

/* The last PID the kernel handed out in our PID namespace (the last field
 * of /proc/loadavg), or -1. */
static long
last_pid(struct procview *pv)
{
	if (slurp(pv, pv->procfd, "loadavg") < 0)
		return -1;
	const char *p = strrchr(pv->buf, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/* Down the tree from the caller and from the leader. The processes seen
 * (the group's and the others on the way) are kept: while no PID has been
 * handed out since, no process can have joined them, and the next scan
 * reads just their stat again instead of their children files. */
static void
find_walk(struct procview *pv, pid_t pgid)
{
	long last = last_pid(pv);
	struct proc pr;
	if (last >= 0 && last == pv->walk_last && pgid == pv->walk_pgid &&
	    pv->self == pv->walk_self) {
		for (int i = 0; i < pv->walked.n; i++)
			if (read_stat(pv, pv->walked.v[i], &pr) == 0 &&
			    pr.pgrp == pgid)
				add_proc(pv, &pr);
		return;
	}
	pv->walked.n = 0;
	ivec_push(&pv->walked, (int)pv->self);
	if (pgid != pv->self)
		ivec_push(&pv->walked, (int)pgid);
	for (int i = 0; i < pv->walked.n; i++) {
		pid_t pid = pv->walked.v[i];
		char path[64];
		if (read_stat(pv, pid, &pr) < 0)
			continue;
		if (pr.pgrp == pgid)
			add_proc(pv, &pr);
		if (pr.pub.threads <= 1) {
			snprintf(path, sizeof path, "%d/task/%d/children",
			    (int)pid, (int)pid);
			walk_children(pv, path);
			continue;
		}
		pv->tids.n = 0;
		snprintf(path, sizeof path, "%d/task", (int)pid);
		if (list_numbers(pv, pv->procfd, path, &pv->tids) < 0)
			continue;
		for (int t = 0; t < pv->tids.n; t++) {
			snprintf(path, sizeof path, "%d/task/%d/children",
			    (int)pid, pv->tids.v[t]);
			walk_children(pv, path);
		}
	}
	pv->walk_last = last;
	pv->walk_pgid = pgid;
	pv->walk_self = pv->self;
}

/* ---- Tree order ------------------------------------------------------- */

static int
cmp_proc_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;
	return (x->pub.pid > y->pub.pid) - (x->pub.pid < y->pub.pid);
}

static int
find_proc(const struct proc *v, int n, pid_t pid)
{
	int lo = 0, hi = n - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (v[mid].pub.pid == pid)
			return mid;
		if (v[mid].pub.pid < pid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Put pv->procs in tree order and set each depth. */
static void
tree_order(struct procview *pv)
{
	int n = pv->n;
	struct proc *v = pv->procs;
	sort(v, n, sizeof *v, cmp_proc_pid);
	for (int i = 0; i < n; i++) {
		v[i].child = v[i].next = -1;
		int p = find_proc(v, n, v[i].pub.ppid);
		v[i].parent = p == i ? -1 : p;
	}
	/* children lists in PID order: prepend from the highest PID down */
	for (int i = n - 1; i >= 0; i--)
		if (v[i].parent >= 0) {
			v[i].next = v[v[i].parent].child;
			v[v[i].parent].child = i;
		}

	pv->tmp = grow(pv->tmp, &pv->tmpcap, n, sizeof *pv->tmp);
	pv->queue.n = 0;        /* used as the stack of the walk */
	int out = 0;
	/* roots first; then anything left (a loop of parents read at
	 * different moments) as roots too */
	for (int pass = 0; pass < 2; pass++)
		for (int r = 0; r < n; r++) {
			if (pass == 0 && v[r].parent >= 0)
				continue;
			if (v[r].pub.depth < 0)
				continue;       /* done */
			ivec_push(&pv->queue, r);
			v[r].pub.depth = 0;
			while (pv->queue.n > 0) {
				int i = pv->queue.v[--pv->queue.n];
				int depth = v[i].pub.depth;
				pv->tmp[out] = v[i];
				pv->tmp[out++].pub.depth = depth;
				v[i].pub.depth = -1;
				/* push children in reverse, to pop them in
				 * PID order */
				int k = pv->queue.n;
				for (int c = v[i].child; c >= 0; c = v[c].next) {
					if (v[c].pub.depth < 0)
						continue;
					ivec_push(&pv->queue, c);
					v[c].pub.depth = depth + 1;
				}
				for (int a = k, b = pv->queue.n - 1; a < b; a++, b--) {
					int t = pv->queue.v[a];
					pv->queue.v[a] = pv->queue.v[b];
					pv->queue.v[b] = t;
				}
			}
		}
	struct proc *t = pv->procs;
	int tc = pv->cap;
	pv->procs = pv->tmp;
	pv->cap = pv->tmpcap;
	pv->tmp = t;
	pv->tmpcap = tc;
}

/* ---- File descriptors ------------------------------------------------- */

/* The access mode of an fd. The kernel gives each link of /proc/PID/fd
 * the permission bits of the open file's mode (r-x read, -wx write, rwx
 * both): the same as O_ACCMODE in the flags of /proc/PID/fdinfo/FD, for one
 * lstat instead of reading a file. Neither bit: an O_PATH fd. */
static int
read_mode(int fddir, const char *name)
{
	struct stat st;
	if (fstatat(fddir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return MODE_UNKNOWN;
	int r = (st.st_mode & S_IRUSR) != 0, w = (st.st_mode & S_IWUSR) != 0;
	return r && w ? O_RDWR : w ? O_WRONLY : r ? O_RDONLY : MODE_PATH;
}

/* "pipe:[123]" gives 123 when prefix is "pipe:[". */
static int
link_inode(const char *link, const char *prefix, unsigned long *ino)
{
	size_t n = strlen(prefix);
	if (strncmp(link, prefix, n) != 0)
		return 0;
	char *end;
	*ino = strtoul(link + n, &end, 10);
	return *end == ']';
}

static struct pfd *
add_fd(struct procview *pv)
{
	pv->fds = grow(pv->fds, &pv->fdcap, pv->nfds + 1, sizeof *pv->fds);
	struct pfd *f = &pv->fds[pv->nfds++];
	memset(f, 0, sizeof *f);
	f->desc = NONE;
	return f;
}

/* Read the fds of pr: their links, kinds and modes. 0, or -1 when the
 * process is gone. */
static int
read_fds(struct procview *pv, struct proc *pr)
{
	char path[64], link[PATH_MAX];
	pid_t pid = pr->pub.pid;
	pr->fd_first = pv->nfds;
	pr->fd_n = 0;
	pv->fdnums.n = 0;
	snprintf(path, sizeof path, "%d/fd", (int)pid);
	int fddir = openat(pv->procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0 || list_dir(pv, fddir, &pv->fdnums) < 0) {
		pr->fd_err = errno;
		pr->pub.nfds = -1;
		if (fddir >= 0)
			close(fddir);
		return pr->fd_err == ENOENT || pr->fd_err == ESRCH ? -1 : 0;
	}
	pr->pub.nfds = pv->fdnums.n;
	int *nums = pv->fdnums.v;
	int count = pv->fdnums.n;
	for (int i = 1; i < count; i++)         /* mostly sorted already */
		for (int j = i; j > 0 && nums[j - 1] > nums[j]; j--) {
			int t = nums[j];
			nums[j] = nums[j - 1];
			nums[j - 1] = t;
		}
	for (int i = 0; i < count && pr->fd_n < PROCVIEW_MAX_FDS; i++) {
		char name[16];
		snprintf(name, sizeof name, "%d", nums[i]);
		ssize_t k = readlinkat(fddir, name, link, sizeof link - 1);
		if (k < 0) {
			pr->pub.nfds--;         /* closed meanwhile */
			continue;
		}
		link[k] = '\0';
		struct pfd *f = add_fd(pv);
		f->pid = pid;
		f->fd = nums[i];
		f->target = pool_add(pv, link, (size_t)k);
		/* a socket's file is always opened O_RDWR */
		if (link_inode(link, "socket:[", &f->ino)) {
			f->kind = FK_SOCK;
			f->mode = O_RDWR;
			pr->fd_n++;
			continue;
		}
		f->mode = read_mode(fddir, name);
		if (link_inode(link, "pipe:[", &f->ino))
			f->kind = FK_PIPE;
		else if (link[0] == '/' && strncmp(link, "/dev/", 5) != 0) {
			struct stat st;
			f->kind = FK_OTHER;
			if (fstatat(fddir, name, &st, 0) == 0) {
				if (S_ISREG(st.st_mode))
					f->kind = FK_FILE;
				else if (S_ISDIR(st.st_mode))
					f->kind = FK_DIR;
				else if (S_ISFIFO(st.st_mode))
					f->kind = FK_FIFO;
			}
		} else
			f->kind = FK_OTHER;
		pr->fd_n++;
	}
	close(fddir);
	return 0;
}

static int
cmp_pipe(const void *a, const void *b, void *arg)
{
	const struct pfd *fds = arg;
	const struct pfd *x = &fds[*(const int *)a], *y = &fds[*(const int *)b];
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* The first index in pv->pipes of a pipe fd with inode ino, or -1. */
static int
find_pipe(const struct procview *pv, unsigned long ino)
{
	int lo = 0, hi = pv->npipes;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (pv->fds[pv->pipes[mid]].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pv->npipes && pv->fds[pv->pipes[lo]].ino == ino ? lo : -1;
}

static void
index_pipes(struct procview *pv)
{
	pv->npipes = 0;
	pv->pipes = grow(pv->pipes, &pv->pipecap, pv->nfds, sizeof *pv->pipes);
	for (int i = 0; i < pv->nfds; i++)
		if (pv->fds[i].kind == FK_PIPE)
			pv->pipes[pv->npipes++] = i;
	if (pv->npipes > 1)
		qsort_r(pv->pipes, pv->npipes, sizeof *pv->pipes, cmp_pipe, pv->fds);
}

/* Add the caller's ends of the group's pipes (the demo supervisor reads
 * the panes), unless the caller is in the group and was read already. */
static void
read_caller_pipes(struct procview *pv)
{
	char link[64];
	for (int i = 0; i < pv->n; i++)
		if (pv->procs[i].pub.pid == pv->self)
			return;
	index_pipes(pv);
	if (pv->npipes == 0)
		return;
	pv->fdnums.n = 0;
	int fddir = openat(pv->procfd, "self/fd", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (fddir < 0)
		return;
	if (list_dir(pv, fddir, &pv->fdnums) < 0)
		pv->fdnums.n = 0;
	for (int i = 0; i < pv->fdnums.n; i++) {
		char name[16];
		unsigned long ino;
		snprintf(name, sizeof name, "%d", pv->fdnums.v[i]);
		ssize_t k = readlinkat(fddir, name, link, sizeof link - 1);
		if (k < 0)
			continue;
		link[k] = '\0';
		if (!link_inode(link, "pipe:[", &ino) || find_pipe(pv, ino) < 0)
			continue;
		struct pfd *f = add_fd(pv);
		f->pid = pv->self;
		f->fd = pv->fdnums.v[i];
		f->kind = FK_PIPE;
		f->ino = ino;
		f->mode = read_mode(fddir, name);
		f->target = pool_add(pv, link, (size_t)k);
	}
	close(fddir);
}

/* ---- Sockets ---------------------------------------------------------- */

/* A socket is described from a copy of its fd, taken with pidfd_getfd():
 * getsockname, getpeername and TCP_INFO cost a few microseconds, where
 * /proc/net/tcp walks the whole TCP hash table (milliseconds on a machine
 * with much memory). The copy is closed at once. Sockets that can't be
 * copied (no permission, an old kernel) are looked up by inode in
 * /proc/net/{tcp,tcp6,unix,udp,udp6}, read again only when such a socket
 * is new or the last reading is older than NET_REREAD_NS. */

static const char *const tcp_states[] = {
	"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
	"NEW_SYN_RECV",
};

static const char *
tcp_state(unsigned st)
{
	return st < sizeof tcp_states / sizeof *tcp_states ? tcp_states[st]
	    : "?";
}

static const char *
unix_type(int type)
{
	return type == SOCK_STREAM ? "STREAM" : type == SOCK_DGRAM ? "DGRAM"
	    : type == SOCK_SEQPACKET ? "SEQPACKET" : "?";
}

static int
cmp_sock(const void *a, const void *b)
{
	const struct sock *x = a, *y = b;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static struct sock *
find_sock(const struct procview *pv, unsigned long ino)
{
	struct sock key = { ino, NONE };
	return search(&key, pv->socks, pv->nsocks, sizeof *pv->socks, cmp_sock);
}

static int
cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return (x > y) - (x < y);
}

/* "127.0.0.1:8080", or "[::1]:8080", as /proc/net would show it. */
static void
format_ip(int family, const void *addr, unsigned port, char *out, size_t size)
{
	char ip[INET6_ADDRSTRLEN];
	if (inet_ntop(family, addr, ip, sizeof ip) == NULL)
		snprintf(ip, sizeof ip, "?");
	snprintf(out, size, family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
}

static void
format_sockaddr(const struct sockaddr_storage *ss, char *out, size_t size)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		format_ip(AF_INET6, &a->sin6_addr, ntohs(a->sin6_port), out, size);
	} else {
		const struct sockaddr_in *a = (const void *)ss;
		format_ip(AF_INET, &a->sin_addr, ntohs(a->sin_port), out, size);
	}
}

/* A UNIX socket's path from its address; an abstract name as "@name". */
static void
format_unix_path(const struct sockaddr_un *u, socklen_t len, char *out,
    size_t size)
{
	size_t n = len > offsetof(struct sockaddr_un, sun_path)
	    ? len - offsetof(struct sockaddr_un, sun_path) : 0;
	size_t k = 0;
	if (n > sizeof u->sun_path)
		n = sizeof u->sun_path;
	if (n > 0 && u->sun_path[0] != '\0')
		n = strnlen(u->sun_path, n);
	for (size_t i = 0; i < n && k + 1 < size; i++)
		out[k++] = u->sun_path[i] == '\0' ? '@' : u->sun_path[i];
	out[k] = '\0';
}

static int
sockopt_int(int sfd, int level, int name)
{
	int v = 0;
	socklen_t len = sizeof v;
	if (getsockopt(sfd, level, name, &v, &len) < 0)
		return -1;
	return v;
}

/* Describe the socket sfd (our copy of a group process's fd) into the
 * pool. 0, or -1 when it is of a kind described otherwise. */
static int
describe_fd(struct procview *pv, int sfd, size_t *desc)
{
	struct sockaddr_storage la, ra;
	socklen_t llen = sizeof la, rlen = sizeof ra;
	char l[160], r[80];
	int domain = sockopt_int(sfd, SOL_SOCKET, SO_DOMAIN);
	int type = sockopt_int(sfd, SOL_SOCKET, SO_TYPE);
	int proto = sockopt_int(sfd, SOL_SOCKET, SO_PROTOCOL);

	memset(&la, 0, sizeof la);
	memset(&ra, 0, sizeof ra);
	if (getsockname(sfd, (struct sockaddr *)&la, &llen) < 0)
		return -1;
	int peer = getpeername(sfd, (struct sockaddr *)&ra, &rlen) == 0;
	if (domain == AF_UNIX) {
		int listening = sockopt_int(sfd, SOL_SOCKET, SO_ACCEPTCONN) == 1;
		format_unix_path((const struct sockaddr_un *)&la, llen, l,
		    sizeof l);
		*desc = pool_printf(pv, "UNIX %s%s%s%s", unix_type(type),
		    listening ? " LISTEN" : peer ? " CONNECTED" : "",
		    *l ? " " : "", l);
		return 0;
	}
	if (domain != AF_INET && domain != AF_INET6)
		return -1;
	const char *six = domain == AF_INET6 ? "6" : "";
	format_sockaddr(&la, l, sizeof l);
	format_sockaddr(&ra, r, sizeof r);
	if (type == SOCK_STREAM && proto == IPPROTO_TCP) {
		struct tcp_info ti;
		socklen_t tlen = sizeof ti;
		memset(&ti, 0, sizeof ti);
		if (getsockopt(sfd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) < 0)
			return -1;
		if (ti.tcpi_state == TCP_LISTEN || !peer)
			*desc = pool_printf(pv, "TCP%s %s %s", six, l,
			    tcp_state(ti.tcpi_state));
		else
			*desc = pool_printf(pv, "TCP%s %s -> %s %s", six, l, r,
			    tcp_state(ti.tcpi_state));
		return 0;
	}
	if (type == SOCK_DGRAM && proto == IPPROTO_UDP) {
		if (peer)
			*desc = pool_printf(pv, "UDP%s %s -> %s", six, l, r);
		else
			*desc = pool_printf(pv, "UDP%s %s", six, l);
		return 0;
	}
	return -1;
}

/* Describe what sockets we can from copies of their fds. */
static void
describe_by_copy(struct procview *pv)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	pid_t cur = 0;
	int pidfd = -1;
	for (int i = 0; i < pv->nfds && !pv->no_pidfd; i++) {
		struct pfd *f = &pv->fds[i];
		if (f->kind != FK_SOCK || find_sock(pv, f->ino)->desc != NONE)
			continue;
		if (f->pid != cur) {
			if (pidfd >= 0)
				close(pidfd);
			cur = f->pid;
			pidfd = (int)syscall(SYS_pidfd_open, cur, 0);
			if (pidfd < 0 && errno == ENOSYS)
				pv->no_pidfd = 1;
		}
		if (pidfd < 0)
			continue;
		int sfd = (int)syscall(SYS_pidfd_getfd, pidfd, f->fd, 0);
		if (sfd < 0) {
			if (errno == ENOSYS)
				pv->no_pidfd = 1;
			continue;
		}
		struct stat st;
		/* the fd may have been closed and reused since readlink */
		if (fstat(sfd, &st) == 0 && (unsigned long)st.st_ino == f->ino)
			describe_fd(pv, sfd, &find_sock(pv, f->ino)->desc);
		close(sfd);
	}
	if (pidfd >= 0)
		close(pidfd);
#else
	pv->no_pidfd = 1;
#endif
}

/* Remember the description of socket ino from the tables, if wanted. */
static int
net_wanted(const struct procview *pv, unsigned long ino)
{
	return ino != 0 && search(&ino, pv->asked, pv->nasked,
	    sizeof *pv->asked, cmp_ulong) != NULL;
}

static void
net_put(struct procview *pv, unsigned long ino, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
net_put(struct procview *pv, unsigned long ino, const char *fmt, ...)
{
	va_list ap;
	pv->net = grow(pv->net, &pv->netcap, pv->nnet + 1, sizeof *pv->net);
	struct netent *e = &pv->net[pv->nnet++];
	e->ino = ino;
	va_start(ap, fmt);
	vsnprintf(e->desc, sizeof e->desc, fmt, ap);
	va_end(ap);
}

/* A hex address of /proc/net/tcp: each 32-bit word in host order. */
static int
parse_hex_addr(const char *hex, int v6, unsigned char *bytes)
{
	size_t words = v6 ? 4 : 1;
	if (strlen(hex) != words * 8)
		return -1;
	for (size_t w = 0; w < words; w++) {
		char part[9];
		memcpy(part, hex + 8 * w, 8);
		part[8] = '\0';
		uint32_t x = (uint32_t)strtoul(part, NULL, 16);
		memcpy(bytes + 4 * w, &x, 4);
	}
	return 0;
}

/* The wanted sockets of /proc/net/tcp, tcp6, udp or udp6. */
static void
read_inet(struct procview *pv, const char *file, const char *proto, int v6,
    int tcp)
{
	if (slurp(pv, pv->procfd, file) < 0)
		return;
	int family = v6 ? AF_INET6 : AF_INET;
	char *line = strchr(pv->buf, '\n');     /* after the header */
	while (line != NULL && *++line) {
		char lhex[40], rhex[40], l[80], r[80];
		unsigned char la[16], ra[16];
		unsigned lport, rport, st;
		unsigned long ino;
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		int ok = sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x "
		    "%x %*x:%*x %*x:%*x %*x %*u %*d %lu", lhex, &lport, rhex,
		    &rport, &st, &ino) == 6;
		line = eol;
		if (!ok || !net_wanted(pv, ino) || parse_hex_addr(lhex, v6, la) < 0
		    || parse_hex_addr(rhex, v6, ra) < 0)
			continue;
		format_ip(family, la, lport, l, sizeof l);
		format_ip(family, ra, rport, r, sizeof r);
		if (tcp && (st == 10 || rport == 0))
			net_put(pv, ino, "%s %s %s", proto, l, tcp_state(st));
		else if (tcp)
			net_put(pv, ino, "%s %s -> %s %s", proto, l, r,
			    tcp_state(st));
		else if (rport != 0)
			net_put(pv, ino, "%s %s -> %s", proto, l, r);
		else
			net_put(pv, ino, "%s %s", proto, l);
	}
}

/* The wanted sockets of /proc/net/unix:
 * "Num RefCount Protocol Flags Type St Inode Path". */
static void
read_unix(struct procview *pv)
{
	if (slurp(pv, pv->procfd, "net/unix") < 0)
		return;
	char *line = strchr(pv->buf, '\n');
	while (line != NULL && *++line) {
		unsigned flags, type, st;
		unsigned long ino;
		int end = 0;
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		int ok = sscanf(line, "%*x: %*x %*x %x %x %x %lu%n", &flags,
		    &type, &st, &ino, &end) == 4;
		char *path = line + end;
		line = eol;
		if (!ok || !net_wanted(pv, ino))
			continue;
		while (*path == ' ')
			path++;
		net_put(pv, ino, "UNIX %s%s%s%s", unix_type((int)type),
		    flags & 0x10000 ? " LISTEN" : st == 3 ? " CONNECTED" : "",
		    *path ? " " : "", path);
	}
}

static int
cmp_netent(const void *a, const void *b)
{
	const struct netent *x = a, *y = b;
	return (x->ino > y->ino) - (x->ino < y->ino);
}

/* Describe the sockets left from the tables in /proc/net. */
static void
describe_by_tables(struct procview *pv, long long now)
{
	int need = pv->net_ns == 0 || now - pv->net_ns >= NET_REREAD_NS;
	int n = 0;
	for (int i = 0; i < pv->nsocks; i++)
		if (pv->socks[i].desc == NONE) {
			n++;
			need |= !net_wanted(pv, pv->socks[i].ino);
		}
	if (n == 0)
		return;
	if (need) {
		pv->nasked = 0;
		pv->asked = grow(pv->asked, &pv->askedcap, n, sizeof *pv->asked);
		for (int i = 0; i < pv->nsocks; i++)
			if (pv->socks[i].desc == NONE)
				pv->asked[pv->nasked++] = pv->socks[i].ino;
		pv->nnet = 0;
		read_inet(pv, "net/tcp", "TCP", 0, 1);
		read_inet(pv, "net/tcp6", "TCP6", 1, 1);
		read_unix(pv);
		read_inet(pv, "net/udp", "UDP", 0, 0);
		read_inet(pv, "net/udp6", "UDP6", 1, 0);
		sort(pv->net, pv->nnet, sizeof *pv->net, cmp_netent);
		pv->net_ns = now;
	}
	for (int i = 0; i < pv->nsocks; i++) {
		struct netent key, *e;
		if (pv->socks[i].desc != NONE)
			continue;
		key.ino = pv->socks[i].ino;
		e = search(&key, pv->net, pv->nnet, sizeof *pv->net,
		    cmp_netent);
		if (e)
			pv->socks[i].desc = pool_add(pv, e->desc, strlen(e->desc));
	}
}

static void
describe_sockets(struct procview *pv, long long now)
{
	pv->nsocks = 0;
	for (int i = 0; i < pv->nfds; i++)
		if (pv->fds[i].kind == FK_SOCK) {
			pv->socks = grow(pv->socks, &pv->sockcap, pv->nsocks + 1,
			    sizeof *pv->socks);
			pv->socks[pv->nsocks++] = (struct sock){ pv->fds[i].ino, NONE };
		}
	if (pv->nsocks == 0)
		return;
	sort(pv->socks, pv->nsocks, sizeof *pv->socks, cmp_sock);
	int u = 0;
	for (int i = 0; i < pv->nsocks; i++)
		if (u == 0 || pv->socks[u - 1].ino != pv->socks[i].ino)
			pv->socks[u++] = pv->socks[i];
	pv->nsocks = u;

	if (!pv->tables_only)
		describe_by_copy(pv);
	describe_by_tables(pv, now);

	for (int i = 0; i < pv->nfds; i++) {
		struct pfd *f = &pv->fds[i];
		if (f->kind != FK_SOCK)
			continue;
		struct sock *s = find_sock(pv, f->ino);
		if (s->desc == NONE) {
			/* another protocol (netlink, packet...), or a socket
			 * not bound yet: its protocol's name */
			char path[64], proto[32];
			snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)f->pid,
			    f->fd);
			ssize_t k = getxattr(path, "system.sockprotoname", proto,
			    sizeof proto - 1);
			if (k > 0)
				s->desc = pool_add(pv, proto, strnlen(proto,
				    (size_t)k));
		}
		f->desc = s->desc;
	}
}

/* ---- CPU -------------------------------------------------------------- */

static int
cmp_prev(const void *a, const void *b)
{
	const struct prev *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void
compute_cpu(struct procview *pv, long long now)
{
	double wall = pv->prev_ns ? (double)(now - pv->prev_ns) * pv->hz / 1e9
	    : 0;
	for (int i = 0; i < pv->n; i++) {
		struct proc *pr = &pv->procs[i];
		struct prev key = { pr->pub.pid, 0, 0 };
		struct prev *p = search(&key, pv->prev, pv->nprev,
		    sizeof *pv->prev, cmp_prev);
		pr->pub.cpu = 0;
		if (p && p->start == pr->start && pr->ticks >= p->ticks &&
		    wall > 0)
			pr->pub.cpu = (double)(pr->ticks - p->ticks) / wall * 100;
	}
	pv->prev = grow(pv->prev, &pv->prevcap, pv->n, sizeof *pv->prev);
	for (int i = 0; i < pv->n; i++)
		pv->prev[i] = (struct prev){ pv->procs[i].pub.pid,
		    pv->procs[i].start, pv->procs[i].ticks };
	pv->nprev = pv->n;
	sort(pv->prev, pv->nprev, sizeof *pv->prev, cmp_prev);
	pv->prev_ns = now;
}

/* ---- Scanning --------------------------------------------------------- */

struct procview *
procview_new(void)
{
	struct procview *pv = xcalloc(1, sizeof *pv);
	pv->procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pv->hz = sysconf(_SC_CLK_TCK);
	if (pv->hz <= 0)
		pv->hz = 100;
	pv->self = getpid();
	pv->bufcap = 16384;
	pv->buf = xmalloc(pv->bufcap);
	pv->dents = xmalloc(DENTS_SIZE);
	pv->walk_last = -1;
	if (pv->procfd >= 0) {
		pv->has_children = faccessat(pv->procfd, "thread-self/children",
		    R_OK, 0) == 0;
		struct proc me;
		if (read_stat(pv, pv->self, &me) == 0)
			memcpy(pv->self_name, me.pub.name, sizeof pv->self_name);
	}
	return pv;
}

void
procview_free(struct procview *pv)
{
	if (pv == NULL)
		return;
	if (pv->procfd >= 0)
		close(pv->procfd);
	free(pv->procs);
	free(pv->tmp);
	free(pv->fds);
	free(pv->pipes);
	free(pv->socks);
	free(pv->prev);
	free(pv->net);
	free(pv->asked);
	free(pv->pool);
	free(pv->buf);
	free(pv->dents);
	free(pv->pids.v);
	free(pv->tids.v);
	free(pv->fdnums.v);
	free(pv->queue.v);
	free(pv->walked.v);
	free(pv);
}

static int
scan(struct procview *pv, pid_t pgid, int all)
{
	long long now = mono_ns();
	pv->self = getpid();
	pv->n = pv->nfds = pv->npipes = pv->nsocks = 0;
	pv->pooln = 0;
	if (pv->procfd < 0) {
		errno = ENOENT;
		return -1;
	}
	if (pgid > 0) {
		int reaper = 0;
		if (prctl(PR_GET_CHILD_SUBREAPER, &reaper) < 0)
			reaper = 0;
		if (!all && pv->has_children && (reaper || pv->self == 1))
			find_walk(pv, pgid);
		else if (find_all(pv, pgid) < 0)
			return -1;
	}
	int kept = 0;
	for (int i = 0; i < pv->n; i++) {
		int first = pv->nfds;
		if (read_fds(pv, &pv->procs[i]) < 0) {
			pv->nfds = first;       /* gone since its stat */
			continue;
		}
		pv->procs[kept++] = pv->procs[i];
	}
	pv->n = kept;
	tree_order(pv);
	read_caller_pipes(pv);
	index_pipes(pv);
	describe_sockets(pv, now);
	compute_cpu(pv, now);
	return pv->n;
}

int
procview_scan(struct procview *pv, pid_t pgid)
{
	return scan(pv, pgid, 0);
}

int
procview_scan_all(struct procview *pv, pid_t pgid)
{
	return scan(pv, pgid, 1);
}

void
procview_sockets_from_tables(struct procview *pv, int on)
{
	pv->tables_only = on;
}

int
procview_count(const struct procview *pv)
{
	return pv->n;
}

const struct procview_proc *
procview_proc(const struct procview *pv, int i)
{
	if (i < 0 || i >= pv->n)
		return NULL;
	return &pv->procs[i].pub;
}

/* ---- Text ------------------------------------------------------------- */

struct sbuf {
	char *s;
	size_t n, cap;
};

static void
sb_put(struct sbuf *sb, const char *s, size_t len)
{
	if (sb->n + len + 1 > sb->cap) {
		size_t c = sb->cap ? sb->cap : 1024;
		while (c < sb->n + len + 1)
			c *= 2;
		sb->s = xrealloc(sb->s, c);
		sb->cap = c;
	}
	memcpy(sb->s + sb->n, s, len);
	sb->n += len;
	sb->s[sb->n] = '\0';
}

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sb_put(sb, s, strlen(s));
	free(s);
}

/* Columns of UTF-8 text: one per character. */
static int
cols(const char *s, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Byte offset of character k of s (len bytes). */
static size_t
char_offset(const char *s, size_t len, int k)
{
	size_t i = 0;
	for (; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k-- == 0)
			break;
	return i;
}

/* Append s, cut in the middle with "…" to at most room columns. */
static void
sb_fit(struct sbuf *sb, const char *s, int room)
{
	size_t len = strlen(s);
	int w = cols(s, len);
	if (room < MIN_ROOM)
		room = MIN_ROOM;
	if (w <= room) {
		sb_put(sb, s, len);
		return;
	}
	int head = (room - 1) / 2, tail = room - 1 - head;
	sb_put(sb, s, char_offset(s, len, head));
	sb_put(sb, "…", strlen("…"));
	size_t from = char_offset(s, len, w - tail);
	sb_put(sb, s + from, len - from);
}

static const char *
mode_name(int mode)
{
	switch (mode) {
	case O_RDONLY: return "r";
	case O_WRONLY: return "w";
	case O_RDWR: return "rw";
	case MODE_PATH: return "-";
	default: return "?";
	}
}

static int
in_group(const struct procview *pv, pid_t pid)
{
	for (int i = 0; i < pv->n; i++)
		if (pv->procs[i].pub.pid == pid)
			return 1;
	return 0;
}

/* Whether g holds the other end of the pipe from f. */
static int
other_end(const struct pfd *f, const struct pfd *g)
{
	if (f->mode == O_WRONLY)
		return g->mode == O_RDONLY || g->mode == O_RDWR;
	if (f->mode == O_RDONLY)
		return g->mode == O_WRONLY || g->mode == O_RDWR;
	return 1;
}

/* The rest of a pipe's line: the other holders of the pipe, those of the
 * other end first, in room columns; then "(no reader)" or "(no writer)"
 * when none of them holds the other end. */
static void
pipe_peers(const struct procview *pv, const struct pfd *f, struct sbuf *sb,
    int room)
{
	int lo = find_pipe(pv, f->ino), hi = lo;
	while (hi >= 0 && hi < pv->npipes && pv->fds[pv->pipes[hi]].ino == f->ino)
		hi++;
	int total = 0, others = 0, shown = 0;
	for (int i = lo; i >= 0 && i < hi; i++) {
		const struct pfd *g = &pv->fds[pv->pipes[i]];
		if (g->pid == f->pid && g->fd == f->fd)
			continue;
		total++;
		others += other_end(f, g);
	}
	const char *missing = others ? "" : f->mode == O_WRONLY ?
	    " (no reader)" : f->mode == O_RDONLY ? " (no writer)" : "";
	room -= cols(missing, strlen(missing));
	for (int pass = 0; pass < 2 && shown >= 0; pass++)
		for (int i = lo; i >= 0 && i < hi; i++) {
			const struct pfd *g = &pv->fds[pv->pipes[i]];
			if ((g->pid == f->pid && g->fd == f->fd) ||
			    other_end(f, g) != (pass == 0))
				continue;
			char item[96];
			if (in_group(pv, g->pid))
				snprintf(item, sizeof item, "PID %d fd %d (%s)",
				    (int)g->pid, g->fd, mode_name(g->mode));
			else
				snprintf(item, sizeof item, "PID %d %s fd %d (%s)",
				    (int)g->pid, pv->self_name, g->fd,
				    mode_name(g->mode));
			const char *sep = shown ? ", " : " -> ";
			int w = cols(sep, strlen(sep)) + cols(item, strlen(item));
			/* keep room for ", +N more" unless this is the last */
			if (w + (shown + 1 < total ? 10 : 0) > room) {
				sb_printf(sb, "%s+%d more", sep, total - shown);
				shown = -1;
				break;
			}
			sb_put(sb, sep, strlen(sep));
			sb_put(sb, item, strlen(item));
			room -= w;
			shown++;
		}
	sb_put(sb, missing, strlen(missing));
}

static void
fd_line(const struct procview *pv, const struct pfd *f, int indent,
    struct sbuf *sb)
{
	size_t start = sb->n;
	sb_printf(sb, "%*sfd %d %-2s ", indent, "", f->fd, mode_name(f->mode));
	int room = PROCVIEW_COLS - cols(sb->s + start, sb->n - start);
	const char *target = pv->pool + f->target;
	const char *word = NULL;
	switch (f->kind) {
	case FK_PIPE:
		sb_put(sb, target, strlen(target));
		pipe_peers(pv, f, sb, room - cols(target, strlen(target)));
		sb_put(sb, "\n", 1);
		return;
	case FK_SOCK:
		sb_put(sb, target, strlen(target));
		if (f->desc != NONE) {
			sb_put(sb, " ", 1);
			sb_fit(sb, pv->pool + f->desc,
			    room - 1 - cols(target, strlen(target)));
		}
		sb_put(sb, "\n", 1);
		return;
	case FK_FILE: word = "file "; break;
	case FK_DIR: word = "dir "; break;
	case FK_FIFO: word = "fifo "; break;
	default: break;
	}
	if (word) {
		sb_put(sb, word, strlen(word));
		room -= (int)strlen(word);
	}
	sb_fit(sb, target, room);
	sb_put(sb, "\n", 1);
}

char *
procview_text(const struct procview *pv)
{
	struct sbuf sb = { 0 };
	sb_put(&sb, "", 0);
	for (int i = 0; i < pv->n; i++) {
		const struct proc *pr = &pv->procs[i];
		int indent = 2 * pr->pub.depth;
		if (indent > MAX_INDENT)
			indent = MAX_INDENT;
		sb_printf(&sb, "%*s%-6d %-6d %c %3d %5.1f%%  %s%s\n", indent, "",
		    (int)pr->pub.pid, (int)pr->pub.ppid, pr->pub.state,
		    pr->pub.threads, pr->pub.cpu, pr->pub.name,
		    pr->pub.state == 'Z' ? " <zombie>" : "");
		if (pr->pub.nfds < 0) {
			sb_printf(&sb, "%*s  (open fds: %s)\n", indent, "",
			    strerror(pr->fd_err));
			continue;
		}
		for (int k = 0; k < pr->fd_n; k++)
			fd_line(pv, &pv->fds[pr->fd_first + k], indent + 2, &sb);
		if (pr->pub.nfds > pr->fd_n)
			sb_printf(&sb, "%*s  … %d more fds\n", indent, "",
			    pr->pub.nfds - pr->fd_n);
	}
	return sb.s;
}
