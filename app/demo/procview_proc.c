/* procview_proc.c — the processes of a procview scan: each one's
 * /proc/PID/stat (name, state, parent, group, threads, CPU ticks), finding
 * the group's processes (down the children files from the caller and the
 * leader, or through every process in /proc), putting them in tree order,
 * and the share of a CPU each used since the previous scan. */
#include "procview_int.h"

#include <stdio.h>
#include <string.h>

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
int
pv_read_stat(struct procview *pv, pid_t pid, struct proc *pr)
{
	char path[32];
	snprintf(path, sizeof path, "%d/stat", (int)pid);
	ssize_t n = pv_slurp(pv, pv->procfd, path);
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

static int
ivec_has(const struct ivec *iv, int x)
{
	for (int i = 0; i < iv->n; i++)
		if (iv->v[i] == x)
			return 1;
	return 0;
}

/* Every process in /proc. */
int
pv_find_all(struct procview *pv, pid_t pgid)
{
	pv->pids.n = 0;
	if (pv_list_numbers(pv, pv->procfd, ".", &pv->pids) < 0)
		return -1;
	for (int i = 0; i < pv->pids.n; i++) {
		struct proc pr;
		if (pv_read_stat(pv, pv->pids.v[i], &pr) == 0 && pr.pgrp == pgid)
			add_proc(pv, &pr);
	}
	return 0;
}

/* Add to pv->walked the PIDs listed in the children file at path. */
static void
walk_children(struct procview *pv, const char *path)
{
	if (pv_slurp(pv, pv->procfd, path) < 0)
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
	if (pv_slurp(pv, pv->procfd, "loadavg") < 0)
		return -1;
	const char *p = strrchr(pv->buf, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/* Down the tree from the caller and from the leader. The processes seen
 * (the group's and the others on the way) are kept: while no PID has been
 * handed out since, no process can have joined them, and the next scan
 * reads just their stat again instead of their children files. */
void
pv_find_walk(struct procview *pv, pid_t pgid)
{
	long last = last_pid(pv);
	struct proc pr;
	if (last >= 0 && last == pv->walk_last && pgid == pv->walk_pgid &&
	    pv->self == pv->walk_self) {
		for (int i = 0; i < pv->walked.n; i++)
			if (pv_read_stat(pv, pv->walked.v[i], &pr) == 0 &&
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
		if (pv_read_stat(pv, pid, &pr) < 0)
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
		if (pv_list_numbers(pv, pv->procfd, path, &pv->tids) < 0)
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
void
pv_tree_order(struct procview *pv)
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

/* ---- CPU -------------------------------------------------------------- */

static int
cmp_prev(const void *a, const void *b)
{
	const struct prev *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

void
pv_compute_cpu(struct procview *pv, long long now)
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
