/* procview_int.h — what the files of the procview share and nobody else
 * sees: the snapshot a scan fills (struct procview and the records in it),
 * small helpers for its growing arrays, and the steps of a scan, each
 * defined in the file of its concern:
 *
 *   procview.c       the object, one scan from start to end, and reading
 *                    /proc files and directories into its buffers
 *   procview_proc.c  the group's processes: stat, finding them, tree
 *                    order, CPU%
 *   procview_fd.c    their open fds, and the pipe index that matches ends
 *   procview_sock.c  what each socket is connected to
 *   procview_text.c  the snapshot as lines of text
 *
 * Only app/procview*.c include this; the contract is procview.h. */
#ifndef SYSTOUR_PROCVIEW_INT_H
#define SYSTOUR_PROCVIEW_INT_H

#include "procview.h"
#include "util.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>

#define NONE ((size_t)-1)       /* no string in the pool */

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

	unsigned long *plumbing;        /* systour's own pipes, sorted */
	int nplumbing;
	int show_plumbing;              /* list them one by one */

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

/* ---- Growing arrays --------------------------------------------------- */

static inline void
ivec_push(struct ivec *iv, int x)
{
	if (iv->n == iv->cap) {
		iv->cap = iv->cap ? iv->cap * 2 : 64;
		iv->v = xreallocarray(iv->v, iv->cap, sizeof *iv->v);
	}
	iv->v[iv->n++] = x;
}

/* search() and sort() that take an empty (maybe NULL) array. */
static inline void *
search(const void *key, const void *base, int n, size_t size,
    int (*cmp)(const void *, const void *))
{
	return n > 0 ? bsearch(key, base, (size_t)n, size, cmp) : NULL;
}

static inline void
sort(void *base, int n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, (size_t)n, size, cmp);
}

/* Grow *p (of *cap elements of size) to hold at least n. */
static inline void *
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

/* ---- procview.c: the snapshot's buffers -------------------------------- */

size_t pv_pool_add(struct procview *pv, const char *s, size_t len);
ssize_t pv_slurp(struct procview *pv, int dirfd, const char *path);
int pv_list_dir(struct procview *pv, int fd, struct ivec *out);
int pv_list_numbers(struct procview *pv, int dirfd, const char *path,
    struct ivec *out);

/* ---- procview_proc.c: processes --------------------------------------- */

int pv_read_stat(struct procview *pv, pid_t pid, struct proc *pr);
int pv_find_all(struct procview *pv, pid_t pgid);
void pv_find_walk(struct procview *pv, pid_t pgid);
void pv_tree_order(struct procview *pv);
void pv_compute_cpu(struct procview *pv, long long now);

/* ---- procview_fd.c: fds and pipes ------------------------------------- */

int pv_read_fds(struct procview *pv, struct proc *pr);
void pv_index_pipes(struct procview *pv);
int pv_find_pipe(const struct procview *pv, unsigned long ino);
void pv_read_caller_pipes(struct procview *pv);

/* ---- procview_sock.c: sockets ----------------------------------------- */

void pv_describe_sockets(struct procview *pv, long long now);

#endif
