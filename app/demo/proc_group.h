/* proc_group.h — a process tree in a process group of its own, owned by
 * the tutor: resource limits, a scratch directory made for it and removed
 * after, a wall-clock limit, stop = SIGTERM to the group then SIGKILL after
 * a grace period, reaping only its own processes, and containment of a
 * fork bomb also when the tutor runs as root. The demo supervisor runs a
 * demo's leader in one; the exercise runner runs the learner's program in
 * one.
 *
 * Containment. RLIMIT_NPROC limits the processes of a user, and does
 * nothing for root (the kernel does not check it for a process with
 * CAP_SYS_RESOURCE or CAP_SYS_ADMIN). So, detected once per tutor, in this
 * order:
 *   rlimit   not root: RLIMIT_NPROC is in force.
 *   cgroup   root, and the pids controller can be written (cgroup v2 at
 *            /sys/fs/cgroup, or v1 at /sys/fs/cgroup/pids): the group runs
 *            in a cgroup of its own with pids.max; stopping it also kills
 *            every process of the cgroup, those that left the process
 *            group included. The processes keep the tutor's user, so they
 *            read and write what the tutor can (a 0700 TMPDIR, the
 *            lessons' files).
 *   user     root, no cgroup: the group runs as the user "nobody" (groups
 *            dropped), where RLIMIT_NPROC is in force; the scratch
 *            directory is given to that user.
 *   none     root, neither: not contained, and proc_group_mode_note()
 *            says so.
 * A PID namespace is not used: the learner reads the demo's PIDs in the
 * panes and in the kernel view, which must be the ones the tutor sees.
 *
 * The tutor must be a child subreaper (proc_group_new makes it one), so
 * the orphans of the group come back to it; they are reaped with
 * waitpid(-pgid) on the loop (loop_child), and no other child of the tutor
 * is touched.
 *
 * Thread-safety: none; call everything from the loop's thread. */
#ifndef SYSTOUR_PROC_GROUP_H
#define SYSTOUR_PROC_GROUP_H

#include <sys/types.h>

struct loop;
struct proc_group;

enum proc_group_mode { PG_RLIMIT, PG_CGROUP, PG_USER, PG_NONE };

struct proc_group_limits {
	int cpu_s;                      /* RLIMIT_CPU; 0: none */
	unsigned long long as_bytes;    /* RLIMIT_AS (not under ASan); 0: none */
	unsigned long long fsize_bytes; /* RLIMIT_FSIZE; 0: none */
	int nofile;                     /* RLIMIT_NOFILE; 0: none */
	int nproc;                      /* RLIMIT_NPROC and pids.max; 0: none */
	int wall_ms;                    /* stop after this long; 0: never */
	int grace_ms;                   /* from SIGTERM to SIGKILL */
	int nice;                       /* added to the group's niceness, so
	                                 * that the tutor stays responsive
	                                 * while it spins (0: none) */
};

/* What the demos get: CPU 60 s, 1 GiB of address space, 64 MiB files,
 * 256 descriptors, 512 processes, no wall-clock limit, 500 ms grace,
 * niceness +10. */
extern const struct proc_group_limits proc_group_demo_limits;

/* What the group reports. Every callback is optional and runs on the
 * loop's thread. */
struct proc_group_sink {
	void *arg;
	/* A process of the group was reaped: status as waitpid gives it. */
	void (*exited)(void *arg, pid_t pid, int status);
	/* The leader was reaped and the group is empty: once. */
	void (*done)(void *arg);
};

/* The containment in force for this tutor (detected once). */
enum proc_group_mode proc_group_mode(void);

/* Its name ("rlimit", "cgroup", "user", "none") and a line that says what
 * it means ("root: a cgroup with pids.max 512 contains the demo"). */
const char *proc_group_mode_name(enum proc_group_mode mode);
const char *proc_group_mode_note(void);

/* Where the group's cgroups go ("/sys/fs/cgroup/pids"); NULL unless the
 * mode is cgroup. */
const char *proc_group_cgroup_root(void);

/* Remove what tutors that are no longer alive left behind: their scratch
 * directories in tmpdir (NULL: $TMPDIR or /tmp), named
 * systour-TAG-PID-XXXXXX, and their cgroups. A directory whose owner PID
 * is alive is left alone. Returns how many were removed. */
int proc_group_clean_stale(const char *tmpdir);

/* A new group, not yet started: its scratch directory (in $TMPDIR or /tmp,
 * named systour-TAG-PID-XXXXXX), its cgroup where that is the mode. NULL
 * and *cause (allocated) when either cannot be made. The caller owns the
 * group and frees it with proc_group_free(). */
struct proc_group *proc_group_new(const char *tag,
    const struct proc_group_limits *lim, char **cause);

/* The scratch directory's path: the group's, valid until it is freed. */
const char *proc_group_scratch(const struct proc_group *g);

/* Fork the group's leader and watch it on loop l. In the child: a process
 * group of its own, default signal dispositions and an empty mask, stdin
 * on /dev/null, every descriptor from 3 up closed but the nkeep in keep
 * (which stay open across exec), the limits, the containment; then
 * fn(arg), whose value is the leader's exit status. In the tutor: sink's
 * callbacks as the group's processes are reaped. 0, or -1 and *cause. */
int proc_group_spawn(struct proc_group *g, struct loop *l, const int *keep,
    int nkeep, int (*fn)(void *arg), void *arg,
    const struct proc_group_sink *sink, char **cause);

/* The leader's PID, which is also the process group's number; 0 before
 * spawn. */
pid_t proc_group_leader(const struct proc_group *g);

/* 1 while any process of the group (a zombie included) is there. */
int proc_group_alive(const struct proc_group *g);

/* 1 once the leader was reaped and the group is empty. */
int proc_group_finished(const struct proc_group *g);

/* 1 if the wall-clock limit stopped the group. */
int proc_group_timed_out(const struct proc_group *g);

/* Send sig to every process of the group (and, in cgroup mode, of its
 * cgroup). */
void proc_group_signal(struct proc_group *g, int sig);

/* Stop the group: SIGTERM now, SIGKILL when the grace period is over (a
 * timer on the loop). Calling it again does nothing. */
void proc_group_stop(struct proc_group *g);

/* SIGKILL to everything of the group, reap what is ours (waiting at most
 * 2 s for the group to empty), remove the cgroup and the scratch
 * directory, cancel the loop's watches, free g. Safe with NULL. The sink
 * is not called. */
void proc_group_free(struct proc_group *g);

#endif
