/* proc_group.c — a process tree in its own process group: limits, scratch
 * directory, containment (rlimit, cgroup pids.max, or user nobody), TERM
 * then KILL, and reaping only its own on the loop. See proc_group.h. */
#include "proc_group.h"
#include "loop.h"
#include "lang.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Built with AddressSanitizer: gcc says so with __SANITIZE_ADDRESS__,
 * clang with __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define PG_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PG_UNDER_ASAN 1
#endif
#endif
#ifndef PG_UNDER_ASAN
#define PG_UNDER_ASAN 0
#endif

#define CG_V2 "/sys/fs/cgroup"
#define CG_V1 "/sys/fs/cgroup/pids"
#define EMPTY_CHECK_MS 50       /* leader gone, group not yet empty */

const struct proc_group_limits proc_group_demo_limits = {
	.cpu_s = 60,
	.as_bytes = 1ULL << 30,
	.fsize_bytes = 64ULL << 20,
	.nofile = 256,
	.nproc = 512,
	.wall_ms = 0,
	.grace_ms = 500,
	.nice = 10,
};

struct proc_group {
	struct proc_group_limits lim;
	struct proc_group_sink sink;
	struct loop *loop;
	char scratch[4096];
	char cgroup[256];               /* its cgroup's directory, or "" */
	pid_t leader;
	int leader_done, finished, stopping, timed_out;
	struct loop_watch *w_leader, *w_group, *t_wall, *t_kill, *t_empty;
};

/* ---- Containment, detected once --------------------------------------- */

static struct {
	int known;
	enum proc_group_mode mode;
	const char *cg_root;            /* the pids hierarchy, in cgroup mode */
	uid_t uid;                      /* nobody's, in user mode */
	gid_t gid;
	char note[160];
} contain;

static int
write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	int rc = write(fd, text, n) == (ssize_t)n ? 0 : -1;
	close(fd);
	return rc;
}

/* Can we make a cgroup with pids.max under root? Try it. */
static int
cgroup_usable(const char *root)
{
	char dir[256], f[300];
	snprintf(dir, sizeof dir, "%s/systour-probe-%d", root, (int)getpid());
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return 0;
	snprintf(f, sizeof f, "%s/pids.max", dir);
	int ok = write_text(f, "max") == 0;
	rmdir(dir);
	return ok;
}

static void
detect(void)
{
	if (contain.known)
		return;
	contain.known = 1;
	if (geteuid() != 0) {
		contain.mode = PG_RLIMIT;
		snprintf(contain.note, sizeof contain.note,
		    LD("not root: RLIMIT_NPROC limits the demo's processes",
		    "非 root：RLIMIT_NPROC 限制演示的进程数"));
		return;
	}
	char *ctl = read_file(CG_V2 "/cgroup.subtree_control", NULL);
	int v2 = ctl && strstr(ctl, "pids") != NULL;
	free(ctl);
	if (v2 && cgroup_usable(CG_V2))
		contain.cg_root = CG_V2;
	else if (cgroup_usable(CG_V1))
		contain.cg_root = CG_V1;
	if (contain.cg_root) {
		contain.mode = PG_CGROUP;
		snprintf(contain.note, sizeof contain.note, LD("root: a cgroup "
		    "(%s) with pids.max contains the demo",
		    "root：用一个带 pids.max 的 cgroup（%s）限制演示"), contain.cg_root);
		return;
	}
	struct passwd *pw = getpwnam("nobody");
	if (pw && pw->pw_uid != 0) {
		contain.mode = PG_USER;
		contain.uid = pw->pw_uid;
		contain.gid = pw->pw_gid;
		snprintf(contain.note, sizeof contain.note, LD("root: the demo runs "
		    "as nobody (uid %d), where RLIMIT_NPROC holds",
		    "root：演示以 nobody（uid %d）身份运行，RLIMIT_NPROC 在那里生效"),
		    (int)pw->pw_uid);
		return;
	}
	contain.mode = PG_NONE;
	snprintf(contain.note, sizeof contain.note, LD("root, without a cgroup "
	    "or a user nobody: the number of processes is not limited",
	    "root，但没有 cgroup 也没有 nobody 用户：进程数不受限制"));
}

enum proc_group_mode
proc_group_mode(void)
{
	detect();
	return contain.mode;
}

const char *
proc_group_mode_name(enum proc_group_mode mode)
{
	static const char *const names[] = { "rlimit", "cgroup", "user", "none" };
	return mode <= PG_NONE ? names[mode] : "?";
}

const char *
proc_group_cgroup_root(void)
{
	detect();
	return contain.mode == PG_CGROUP ? contain.cg_root : NULL;
}

const char *
proc_group_mode_note(void)
{
	detect();
	return contain.note;
}

/* ---- Stale leftovers of dead tutors ------------------------------------ */

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void
remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The owner PID in a name of ours: the next to last field of
 * "systour-TAG-PID-XXXXXX" (a scratch directory) or "systour-PID-N" (a
 * cgroup); 0 if name is not one of those. */
static pid_t
owner_of(const char *name)
{
	if (strncmp(name, "systour-", 8) != 0)
		return 0;
	const char *last = strrchr(name, '-'), *p = last;
	while (p > name + 8 && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == last || p[-1] != '-' || last[1] == '\0')
		return 0;
	long pid = strtol(p, NULL, 10);
	return pid > 0 && pid < (1L << 22) ? (pid_t)pid : 0;
}

static int
pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* SIGKILL to every process listed in a cgroup's cgroup.procs; how many. */
static int
kill_cgroup(const char *dir)
{
	char path[300];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	char *procs = read_file(path, NULL);
	int n = 0;
	for (char *s = procs; s && *s;) {
		char *end;
		long pid = strtol(s, &end, 10);
		if (end == s)
			break;
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
		s = end;
	}
	free(procs);
	return n;
}

int
proc_group_clean_stale(const char *tmpdir)
{
	int removed = 0;
	if (tmpdir == NULL) {
		tmpdir = getenv("TMPDIR");
		if (tmpdir == NULL || *tmpdir == '\0')
			tmpdir = "/tmp";
	}
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		pid_t owner = owner_of(e->d_name);
		if (owner <= 0 || owner == getpid() || pid_alive(owner))
			continue;
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
		if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		remove_tree(path);
		removed += access(path, F_OK) != 0;
	}
	if (d)
		closedir(d);

	detect();
	if (contain.mode != PG_CGROUP)
		return removed;
	d = opendir(contain.cg_root);
	while (d && (e = readdir(d)) != NULL) {
		pid_t owner = owner_of(e->d_name);
		if (owner <= 0 || owner == getpid() || pid_alive(owner))
			continue;
		char path[300];
		snprintf(path, sizeof path, "%s/%s", contain.cg_root, e->d_name);
		for (int i = 0; i < 200 && rmdir(path) != 0 && errno == EBUSY; i++) {
			kill_cgroup(path);
			nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
		}
		removed += access(path, F_OK) != 0;
	}
	if (d)
		closedir(d);
	return removed;
}

/* ---- Making a group ---------------------------------------------------- */

struct proc_group *
proc_group_new(const char *tag, const struct proc_group_limits *lim,
    char **cause)
{
	static unsigned serial;
	struct proc_group *g = xcalloc(1, sizeof *g);
	g->lim = lim ? *lim : proc_group_demo_limits;
	detect();
	/* orphaned processes of the group are re-parented to us */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	const char *tmp = getenv("TMPDIR");
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(g->scratch, sizeof g->scratch, "%s/systour-%s-%d-XXXXXX", tmp,
	    tag, (int)getpid());
	if (mkdtemp(g->scratch) == NULL) {
		*cause = xasprintf(LD("cannot make a scratch directory in %s: %s",
		    "无法在 %s 中创建临时目录：%s"),
		    tmp, strerror(errno));
		g->scratch[0] = '\0';
		proc_group_free(g);
		return NULL;
	}
	if (contain.mode == PG_USER &&
	    chown(g->scratch, contain.uid, contain.gid) != 0) {
		*cause = xasprintf(LD("cannot give %s to nobody: %s",
		    "无法把 %s 交给 nobody：%s"), g->scratch,
		    strerror(errno));
		proc_group_free(g);
		return NULL;
	}
	if (contain.mode == PG_CGROUP) {
		char f[300], max[32];
		snprintf(g->cgroup, sizeof g->cgroup, "%s/systour-%d-%u",
		    contain.cg_root, (int)getpid(), ++serial);
		snprintf(f, sizeof f, "%s/pids.max", g->cgroup);
		if (g->lim.nproc > 0)
			snprintf(max, sizeof max, "%d", g->lim.nproc);
		else
			snprintf(max, sizeof max, "max");
		if (mkdir(g->cgroup, 0755) != 0 || write_text(f, max) != 0) {
			*cause = xasprintf(LD("cannot make the cgroup %s: %s",
			    "无法创建 cgroup %s：%s"),
			    g->cgroup, strerror(errno));
			rmdir(g->cgroup);
			g->cgroup[0] = '\0';
			proc_group_free(g);
			return NULL;
		}
	}
	return g;
}

const char *
proc_group_scratch(const struct proc_group *g)
{
	return g->scratch;
}

pid_t
proc_group_leader(const struct proc_group *g)
{
	return g->leader;
}

/* ---- In the child ------------------------------------------------------ */

static void
limit(int resource, unsigned long long value)
{
	struct rlimit rl;
	if (value == 0 || getrlimit(resource, &rl) != 0)
		return;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > value) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)value;
		setrlimit(resource, &rl);
	}
}

/* Say why the child cannot start, on its stderr, and leave. */
static void __attribute__((noreturn))
child_fail(const char *what)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf, "systour: %s: %s\n", what,
	    strerror(errno));
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nobody to tell */
	}
	_exit(127);
}

static void __attribute__((noreturn))
child_main(struct proc_group *g, const int *keep, int nkeep,
    int (*fn)(void *), void *arg)
{
	sigset_t none;

	/* first of all, so that nothing it starts escapes the limit */
	if (g->cgroup[0]) {
		char f[300], pid[16];
		snprintf(f, sizeof f, "%s/cgroup.procs", g->cgroup);
		snprintf(pid, sizeof pid, "%d", (int)getpid());
		if (write_text(f, pid) != 0)
			child_fail(LD("cannot join the demo's cgroup",
			    "无法加入演示的 cgroup"));
	}
	setpgid(0, 0);
	loop_after_fork();
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 0);

	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	for (int fd = 3; fd < 1024; fd++) {
		int kept = 0;
		for (int i = 0; i < nkeep; i++)
			kept |= keep[i] == fd;
		if (kept)
			fcntl(fd, F_SETFD, 0);  /* and across exec */
		else
			close(fd);
	}
	limit(RLIMIT_CPU, (unsigned long long)g->lim.cpu_s);
#if !PG_UNDER_ASAN      /* ASan reserves terabytes of address space */
	limit(RLIMIT_AS, g->lim.as_bytes);
#endif
	limit(RLIMIT_FSIZE, g->lim.fsize_bytes);
	limit(RLIMIT_NOFILE, (unsigned long long)g->lim.nofile);
	limit(RLIMIT_NPROC, (unsigned long long)g->lim.nproc);
	struct rlimit core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &core);
	if (g->lim.nice > 0)
		setpriority(PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0) +
		    g->lim.nice);

	if (contain.mode == PG_USER) {
		if (setgroups(0, NULL) != 0 || setgid(contain.gid) != 0 ||
		    setuid(contain.uid) != 0)
			child_fail(LD("cannot become the user nobody",
			    "无法切换为 nobody 用户"));
		/* the limit again: it was set while we were root */
		limit(RLIMIT_NPROC, (unsigned long long)g->lim.nproc);
	}
	int rc = fn(arg);
	fflush(stdout);
	fflush(stderr);
	_exit(rc & 0xff);
}

/* ---- In the tutor: reaping, stopping ----------------------------------- */

int
proc_group_alive(const struct proc_group *g)
{
	return g->leader > 0 && (kill(-g->leader, 0) == 0 || errno != ESRCH);
}

int
proc_group_finished(const struct proc_group *g)
{
	return g->finished;
}

int
proc_group_timed_out(const struct proc_group *g)
{
	return g->timed_out;
}

/* Once the leader is reaped and the group is empty: stop asking for the
 * group's exits (a later group may get its number) and say so, once. */
static void
check_empty(struct proc_group *g)
{
	if (g->finished || !g->leader_done)
		return;
	if (proc_group_alive(g)) {
		if (g->t_empty && !loop_timer_armed(g->t_empty))
			loop_timer_set(g->t_empty, EMPTY_CHECK_MS);
		return;
	}
	g->finished = 1;
	loop_cancel(g->w_group);
	g->w_group = NULL;
	loop_cancel(g->t_empty);
	g->t_empty = NULL;
	loop_cancel(g->t_wall);
	g->t_wall = NULL;
	if (g->sink.done)
		g->sink.done(g->sink.arg);
}

static void
on_child(struct loop *l, pid_t pid, int status, void *arg)
{
	struct proc_group *g = arg;
	if (pid == g->leader) {
		/* reaped by one watch or the other: the PID watch goes too,
		 * so that it never takes a later process that gets the PID */
		g->leader_done = 1;
		loop_cancel(g->w_leader);
		g->w_leader = NULL;
	}
	if (g->sink.exited)
		g->sink.exited(g->sink.arg, pid, status);
	check_empty(g);
}

static void
on_empty_check(struct loop *l, void *arg)
{
	check_empty(arg);
}

static void
on_wall(struct loop *l, void *arg)
{
	struct proc_group *g = arg;
	g->timed_out = 1;
	proc_group_stop(g);
}

static void
on_grace_over(struct loop *l, void *arg)
{
	proc_group_signal(arg, SIGKILL);
}

int
proc_group_spawn(struct proc_group *g, struct loop *l, const int *keep,
    int nkeep, int (*fn)(void *arg), void *arg,
    const struct proc_group_sink *sink, char **cause)
{
	if (sink)
		g->sink = *sink;
	g->loop = l;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		*cause = xasprintf(LD("cannot fork: %s",
		    "无法 fork：%s"), strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_main(g, keep, nkeep, fn, arg);
	setpgid(pid, pid);      /* also here: no race with our first kill() */
	g->leader = pid;
	g->w_leader = loop_child(l, pid, on_child, g);
	g->w_group = loop_child(l, -pid, on_child, g);
	g->t_empty = loop_timer(l, -1, on_empty_check, g);
	if (g->lim.wall_ms > 0)
		g->t_wall = loop_timer(l, g->lim.wall_ms, on_wall, g);
	return 0;
}

void
proc_group_signal(struct proc_group *g, int sig)
{
	if (g->leader > 0)
		kill(-g->leader, sig);
	if (g->cgroup[0] && sig == SIGKILL)
		kill_cgroup(g->cgroup);
}

void
proc_group_stop(struct proc_group *g)
{
	if (g->stopping || g->leader <= 0)
		return;
	g->stopping = 1;
	proc_group_signal(g, SIGTERM);
	g->t_kill = loop_timer(g->loop, g->lim.grace_ms, on_grace_over, g);
}

/* 1 while the cgroup still holds a process. */
static int
cgroup_busy(const struct proc_group *g)
{
	char path[300];
	if (!g->cgroup[0])
		return 0;
	snprintf(path, sizeof path, "%s/cgroup.procs", g->cgroup);
	char *procs = read_file(path, NULL);
	int busy = procs && procs[0] != '\0';
	free(procs);
	return busy;
}

void
proc_group_free(struct proc_group *g)
{
	if (g == NULL)
		return;
	if (g->leader > 0) {
		/* nothing of the group outlives it: kill it, reap it */
		long long deadline = now_ms() + 2000;
		for (;;) {
			proc_group_signal(g, SIGKILL);
			if (!g->leader_done && waitpid(g->leader, NULL, WNOHANG) > 0)
				g->leader_done = 1;
			while (waitpid(-g->leader, NULL, WNOHANG) > 0)
				;
			if ((!proc_group_alive(g) && !cgroup_busy(g)) ||
			    now_ms() >= deadline)
				break;
			nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
		}
	}
	loop_cancel(g->w_leader);
	loop_cancel(g->w_group);
	loop_cancel(g->t_wall);
	loop_cancel(g->t_kill);
	loop_cancel(g->t_empty);
	if (g->cgroup[0])
		rmdir(g->cgroup);
	if (g->scratch[0])
		remove_tree(g->scratch);
	free(g);
}
