/* procview.c — the kernel's view of a demo's process group, read from /proc:
 * the procview object and one scan from start to end.
 *
 * A scan finds the group's processes (walking down the children files from
 * the caller and the leader, or reading every /proc/PID/stat:
 * procview_proc.c), reads each one's fd links and the caller's own ends of
 * the group's pipes (procview_fd.c), and what the sockets are connected to
 * (procview_sock.c). Everything is opened relative to one descriptor of
 * /proc kept open, directories are listed with getdents64, and every buffer
 * is kept from scan to scan, so a scan allocates nothing once they have
 * grown; the readers of those buffers are here. What a scan costs is
 * system calls on /proc (a few microseconds each): about 3 per process and
 * 2 per fd. procview_text() (procview_text.c) turns the scan into lines;
 * matching pipe ends happens there. */
#include "procview_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define DENTS_SIZE 32768
#define SHORT_READ 3072         /* see pv_slurp() */

/* ---- Reading /proc into the buffers ----------------------------------- */

static long long
mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Copy s (len bytes) into the pool with control characters as '?'. Its
 * offset. */
size_t
pv_pool_add(struct procview *pv, const char *s, size_t len)
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

/* Read the file at path (relative to dirfd) into pv->buf, NUL-terminated.
 * Its length, or -1 with errno.
 *
 * The files of /proc read here are seq_files: a read gets records until
 * the next one would overflow the kernel's page-sized buffer, or the end.
 * Their records are shorter than 1 KiB, so a read shorter than
 * SHORT_READ bytes (into room for more than a page) was at the end, and
 * saves a read that would return 0. */
ssize_t
pv_slurp(struct procview *pv, int dirfd, const char *path)
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
int
pv_list_dir(struct procview *pv, int fd, struct ivec *out)
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

/* pv_list_dir() on the directory at path, relative to dirfd. */
int
pv_list_numbers(struct procview *pv, int dirfd, const char *path,
    struct ivec *out)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int count = pv_list_dir(pv, fd, out);
	int err = errno;
	close(fd);
	errno = err;
	return count;
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
		if (pv_read_stat(pv, pv->self, &me) == 0)
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
	free(pv->plumbing);
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
			pv_find_walk(pv, pgid);
		else if (pv_find_all(pv, pgid) < 0)
			return -1;
	}
	int kept = 0;
	for (int i = 0; i < pv->n; i++) {
		int first = pv->nfds;
		if (pv_read_fds(pv, &pv->procs[i]) < 0) {
			pv->nfds = first;       /* gone since its stat */
			continue;
		}
		pv->procs[kept++] = pv->procs[i];
	}
	pv->n = kept;
	pv_tree_order(pv);
	pv_read_caller_pipes(pv);
	pv_index_pipes(pv);
	pv_describe_sockets(pv, now);
	pv_compute_cpu(pv, now);
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

static int
cmp_ino(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

void
procview_set_plumbing(struct procview *pv, const unsigned long *ino, int n,
    int show)
{
	free(pv->plumbing);
	pv->plumbing = NULL;
	pv->nplumbing = n > 0 ? n : 0;
	if (pv->nplumbing > 0) {
		pv->plumbing = xreallocarray(NULL, (size_t)n, sizeof *ino);
		memcpy(pv->plumbing, ino, (size_t)n * sizeof *ino);
		sort(pv->plumbing, n, sizeof *ino, cmp_ino);
	}
	pv->show_plumbing = show;
}

int
procview_is_plumbing(const struct procview *pv, unsigned long ino)
{
	return search(&ino, pv->plumbing, pv->nplumbing, sizeof ino,
	    cmp_ino) != NULL;
}

