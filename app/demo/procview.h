/* procview.h — "the kernel's view" of a live demo: what /proc says about
 * every process of one process group (PID, parent, state, threads, CPU%,
 * open file descriptors, and what is at the other end of each pipe and
 * socket).
 *
 * A scan reads /proc with plain open/read/readlink/getdents, no helper
 * programs, into buffers the procview keeps, so the caller can scan several
 * times a second: a group of ten processes with six fds each takes about
 * half a millisecond on a slow virtual machine, a group of four 0.2 ms.
 * Processes that vanish during a scan are left out without a word. The
 * procview remembers each process's CPU ticks, so CPU% is the share of one
 * CPU a process used between two scans (0 on the first scan that sees it).
 *
 * A socket is described from a copy of its fd taken with pidfd_getfd()
 * (getsockname, getpeername, TCP_INFO), and closed at once: reading
 * /proc/net/tcp walks the kernel's whole TCP hash table and takes
 * milliseconds on a machine with much memory. Sockets that can't be copied
 * are looked up in /proc/net instead (see procview_sockets_from_tables). */
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
 * PID) at one more depth. Returns the number of processes (0 for pgid <= 0
 * or a group that is gone), or -1 (errno set) when /proc can't be read.
 *
 * To be cheap, the scan walks down /proc/PID/task/TID/children from the
 * calling process and from the group's leader: that finds the whole group
 * when the caller started it and is a child subreaper, so that orphans
 * come back to it (as the demo supervisor does). When the caller is not a
 * subreaper, it reads every process in /proc, as procview_scan_all()
 * does. */
int procview_scan(struct procview *pv, pid_t pgid);

/* Like procview_scan(), but always reads every process in /proc: slower on
 * a busy machine, and right whoever adopted the group's orphans. */
int procview_scan_all(struct procview *pv, pid_t pgid);

/* Describe sockets only from the tables in /proc/net (on = 1), as a scan
 * does by itself for the sockets it can't copy; for tests.
 * Those tables cost milliseconds to read on a machine with much memory. */
void procview_sockets_from_tables(struct procview *pv, int on);

/* The pipes and sockets with these inode numbers are systour's own
 * plumbing (the panes' pipes, the report socket and the step gates, from
 * demo_plumbing()), not the notes' program's: procview_text() folds a
 * process's fds 3 and up on them into one line, "+ N systour pipes" (and
 * "and M sockets"), unless show is set. The standard streams
 * (fds 0-2) are always listed: where a program's print goes is part of the
 * lesson. ino is copied; n = 0 forgets the list. */
void procview_set_plumbing(struct procview *pv, const unsigned long *ino,
    int n, int show);

/* 1 if ino is one of the plumbing's pipes or sockets. */
int procview_is_plumbing(const struct procview *pv, unsigned long ino);

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
 *   2301   2290   S   1   0.0%  leader
 *     fd 0 r  /dev/null
 *     fd 1 w  pipe:[81230] -> PID 2290 systour fd 9 (r)
 *     fd 3 r  pipe:[81234] -> PID 2302 fd 4 (w)
 *     fd 5 rw socket:[81240] TCP 127.0.0.1:8001 LISTEN
 *     fd 6 rw socket:[81241] TCP 127.0.0.1:8001 -> 127.0.0.1:40312 ESTABLISHED
 *     2302   2301   S   1  98.5%  writer
 *       fd 4 w  pipe:[81234] -> PID 2301 fd 3 (r)
 *       fd 7 r  file /tmp/systour-x/a_long_directory…/data.txt
 *       fd 8 w  pipe:[81236] (no reader)
 *     2303   2301   Z   1   0.0%  child <zombie>
 *
 * Lines are indented by two spaces per depth (up to 8). Columns of a
 * process line: PID, PPID, state, threads, CPU%, name. An fd line gives
 * the fd, its access mode (r, w, rw; "-" for O_PATH) and what it refers
 * to. For a pipe: every other holder of the same pipe among the group and
 * the caller (named, as it is not in the group), then "(no reader)" or
 * "(no writer)" when none of them holds the other end. For a socket: its
 * TCP, UDP or UNIX endpoint (or the name of its protocol). For a file
 * "file PATH", a directory "dir PATH", a named pipe "fifo PATH", anything
 * else (devices, anon_inode:[eventfd]...) as the kernel names it. When the
 * fds can't be read, a line "(open fds: REASON)"; past PROCVIEW_MAX_FDS,
 * a line "… N more fds". */
char *procview_text(const struct procview *pv);

#endif
