/* procview.h — "the kernel's view" of a live demo: what /proc says about
 * every process of one process group (PID, parent, state, threads, CPU%,
 * open file descriptors, and what is at the other end of each pipe and
 * socket).
 *
 * A scan reads /proc with plain open/read/getdents, no helper programs, into
 * buffers the procview keeps, so the caller can scan several times a second:
 * a group of ten processes takes a fraction of a millisecond. Processes that
 * vanish during a scan are left out without a word. The procview remembers
 * each process's CPU ticks, so that CPU% is the share of one CPU a process
 * used between two scans (0 on the first scan that sees it). */
#ifndef SYSTOUR_PROCVIEW_H
#define SYSTOUR_PROCVIEW_H

#include <sys/types.h>

#define PROCVIEW_COLS    100    /* no line of procview_text() is wider */
#define PROCVIEW_MAX_FDS 64     /* fds described per process; more are
				   counted and summed up in one line */

struct procview;

/* One process of the last scan. */
struct procview_proc {
	pid_t pid, ppid;
	char state;             /* as /proc gives it: R S D Z T t I X ... */
	int threads;
	int depth;              /* 0 when the parent is not in the group */
	int nfds;               /* open fds; -1 when they can't be read */
	double cpu;             /* % of one CPU since the previous scan */
	char name[32];          /* the command name (comm), control
				   characters shown as '?' */
};

/* A new procview, with no scan yet. Free it with procview_free(). */
struct procview *procview_new(void);

/* Free pv and everything it holds. Safe with NULL. */
void procview_free(struct procview *pv);

/* Scan every process whose process group is pgid, zombies included, and
 * sort them in tree order: each process is followed by its children (by
 * PID) at one more depth. Returns the number of processes, or -1 (errno
 * set) when /proc can't be read.
 *
 * To be cheap, the scan walks down from the group's leader and from the
 * calling process, which is where the group's processes are when the caller
 * started the group and is a subreaper (as the demo supervisor is). When the
 * caller is not a subreaper, or when that walk finds nobody, it reads every
 * process in /proc instead, as procview_scan_all() does. */
int procview_scan(struct procview *pv, pid_t pgid);

/* Like procview_scan(), but always reads every process in /proc: slower on
 * a busy machine, and right whoever adopted the group's orphans. */
int procview_scan_all(struct procview *pv, pid_t pgid);

/* Describe sockets only from the tables in /proc/net (on = 1), as a scan
 * does by itself for the sockets it can't copy (see procview.c); for tests.
 * Those tables cost milliseconds to read on a machine with much memory. */
void procview_sockets_from_tables(struct procview *pv, int on);

/* Number of processes in the last scan (0 before the first). */
int procview_count(const struct procview *pv);

/* Process i (0 <= i < procview_count()) of the last scan, in tree order.
 * Valid until the next scan or procview_free(). */
const struct procview_proc *procview_proc(const struct procview *pv, int i);

/* The last scan as text, one line per process and under it one line per
 * open fd, each line ending with '\n' and at most PROCVIEW_COLS columns
 * wide (long paths are cut in the middle with "…"). Allocated: the caller
 * frees it. "" when the group is empty.
 *
 *   2301   2290  S   1   0.0%  leader
 *     fd 0 r  /dev/null
 *     fd 3 r  pipe:[81234] -> PID 2302 fd 4 (w)
 *     fd 5 rw socket:[81240] TCP 127.0.0.1:8001 LISTEN
 *     fd 6 rw socket:[81241] TCP 127.0.0.1:8001 -> 127.0.0.1:40312 ESTABLISHED
 *     2302   2301  S   1   0.0%  writer
 *       fd 4 w  pipe:[81234] -> PID 2301 fd 3 (r)
 *       fd 7 r  file /tmp/demo/data.txt
 *     2303   2301  Z   1   0.0%  child <zombie>
 *
 * Lines are indented by two spaces per depth. Columns of a process line:
 * PID, PPID, state, threads, CPU%, name. An fd line gives the fd, its
 * access mode (r, w, rw; "-" for O_PATH) and what it refers to: for a pipe,
 * every other holder of the same pipe among the group and the caller, and
 * "(no reader)" or "(no writer)" when none of them holds the other end; for
 * a socket, its TCP, UDP or UNIX endpoint from /proc/net (or its protocol);
 * for a file "file PATH", a directory "dir PATH", a device just its path. */
char *procview_text(const struct procview *pv);

#endif
