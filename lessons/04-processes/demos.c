/* demos.c — the live demos of lesson 04 (processes): fork with
 * copy-on-write, the notes' Process code that joins only the last child,
 * and Pool(3) as three pre-forked workers reading one task pipe. Built
 * into demos.so and loaded by the tutor. */
#define _GNU_SOURCE
#include "demo_lib.h"
#include "lesson_module.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- Helpers: what /proc says about a process ---------------------- */

/* Read a small /proc file of pid into buf; its length, or -1. */
static ssize_t
read_proc(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The state of pid if it is still our child (running or a zombie), else 0
 * (reaped: its PID is gone, or already someone else's). */
static char
child_state(pid_t pid)
{
	pid_t ppid = 0;
	char c = demo_proc_state(pid, &ppid, NULL);
	return c && ppid == getpid() ? c : 0;
}

static const char *
state_name(char c)
{
	return c == 'R' ? "running" : c == 'S' ? "sleeping" :
	    c == 'Z' ? "zombie" : c == 0 ? "reaped" : "other";
}

/* 1 if pid is blocked in read(2) on descriptor fd, by /proc/PID/syscall
 * ("0 0x3 ..." on x86-64); where that cannot be read, by its wchan. */
static int
blocked_in_read(pid_t pid, int fd)
{
	char buf[256];
	long nr;
	unsigned long arg;
	if (read_proc(pid, "syscall", buf, sizeof buf) > 0) {
		if (sscanf(buf, "%ld %lx", &nr, &arg) == 2)
			return nr == SYS_read && arg == (unsigned long)fd;
		if (strncmp(buf, "running", 7) == 0)
			return 0;
	}
	return read_proc(pid, "wchan", buf, sizeof buf) > 0 &&
	    strstr(buf, "pipe_read") != NULL;
}

static long
minor_faults(void)
{
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* ---- fork: one call, two returns, and copy-on-write ----------------- */

/* The lesson's os.fork example (the notes have none). */
static const char fork_code[] =
	"import os\n"                                                   /* 1 */
	"\n"                                                            /* 2 */
	"counter = 100\n"                                               /* 3 */
	"print('parent pid %s' % os.getpid(), flush=True)   # flush before fork: see the next step\n" /* 4 */
	"pid = os.fork()\n"                                             /* 5 */
	"if pid == 0:                        # child: fork returned 0\n" /* 6 */
	"    counter += 1\n"                                            /* 7 */
	"    print('child  pid %s ppid %s counter=%s' % (os.getpid(), os.getppid(), counter),\n" /* 8 */
	"          flush=True)               # os._exit will not flush the buffer for you\n" /* 9 */
	"    os._exit(0)                     # leave at once, without the parent's cleanup\n" /* 10 */
	"else:                               # parent: fork returned the child's pid\n" /* 11 */
	"    counter -= 1\n"                                            /* 12 */
	"    _, status = os.waitpid(pid, 0)\n"                          /* 13 */
	"    print('parent pid %s child %s exit=%s counter=%s'\n"       /* 14 */
	"          % (os.getpid(), pid, os.waitstatus_to_exitcode(status), counter))\n"; /* 15 */

/* One page of the module's data: after fork both processes map it
 * read-only, and the first write in each takes a page fault (the copy). */
static volatile int counter = 100;

static int
fork_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	api->step(me, 3);
	printf("counter = %d, &counter = %p\n", counter, (void *)&counter);
	api->step(me, 4);
	printf("parent pid %d\n", (int)getpid());
	fflush(stdout);         /* flush=True: nothing left in the buffer to copy */
	api->step(me, 5);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		me = api->to_pane(ctx, 1, "child");
		printf(DEMO_TR(api, ctx, "fork() = 0: I am the child\n",
		    "fork() = 0：我是子进程\n"));
		printf("PID %d, parent %d\n", (int)getpid(), (int)getppid());
		api->step(me, 7);
		long before = minor_faults();
		counter += 1;   /* the first write to this page since fork */
		long faults = minor_faults() - before;
		printf("counter += 1: %d, &counter = %p\n", counter,
		    (void *)&counter);
		printf(DEMO_TR(api, ctx, "%ld page fault: the kernel copied the page\n",
		    "%ld 次缺页：内核复制了这一页\n"), faults);
		api->figure(me, "child_counter", counter);
		api->figure(me, "child_write_faults", faults);
		api->step(me, 8);
		printf("child  pid %d ppid %d counter=%d\n", (int)getpid(),
		    (int)getppid(), counter);
		fflush(stdout);
		api->step(me, 10);
		printf("_exit(0)\n");
		fflush(stdout);
		_exit(0);
	}
	printf(DEMO_TR(api, ctx, "fork() = %d: I am the parent\n",
	    "fork() = %d：我是父进程\n"), (int)pid);
	api->step(me, 12);
	long before = minor_faults();
	counter -= 1;
	long faults = minor_faults() - before;
	printf("counter -= 1: %d, &counter = %p\n", counter, (void *)&counter);
	printf(DEMO_TR(api, ctx, "%ld page fault; the child's write is not here\n",
	    "%ld 次缺页；子进程写的值不在这里\n"), faults);
	api->figure(me, "parent_counter", counter);
	api->figure(me, "parent_write_faults", faults);
	api->step(me, 13);
	int status;
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	printf(DEMO_TR(api, ctx, "waitpid(%d): reaped, exit status %d\n",
	    "waitpid(%d)：已回收，退出状态 %d\n"), (int)pid,
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	api->step(me, 14);
	printf("parent pid %d child %d exit=%d counter=%d\n", (int)getpid(),
	    (int)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1, counter);
	return 0;
}

static const char *const fork_panes[] = { "parent", "child", NULL };
static const char *const fork_panes_zh[] = { "父进程", "子进程", NULL };

static const struct systour_demo fork_demo = {
	.name = "fork",
	.title_en = "fork(): one call, two returns, and copy-on-write",
	.title_zh = "fork()：一次调用，两次返回，以及写时复制",
	.code = fork_code,
	.panes = fork_panes,
	.panes_zh = fork_panes_zh,
	.run = fork_run,
};

/* ---- join-last: the notes' Process code joins only the last child ---- */

/* The notes' code verbatim (lines 1-17), then the fix from the lesson. */
static const char join_code[] =
	"# 使用Process 类 手动创建多个进程\n"                          /* 1 */
	"\n"                                                            /* 2 */
	"import os\n"                                                   /* 3 */
	"from multiprocessing import Process\n"                         /* 4 */
	"\n"                                                            /* 5 */
	"def run_pro(name):\n"                                          /* 6 */
	"    print('child process %s %s' % (name, os.getpid()))\n"      /* 7 */
	"\n"                                                            /* 8 */
	"if __name__ == '__main__':\n"                                  /* 9 */
	"    print('parent process %s' % os.getpid())\n"                /* 10 */
	"\n"                                                            /* 11 */
	"    for i in range(1, 5):\n"                                   /* 12 */
	"        p = Process(target=run_pro, args=(str(i),))\n"         /* 13 */
	"        print('process will start')\n"                         /* 14 */
	"        p.start()\n"                                           /* 15 */
	"    p.join()\n"                                                /* 16 */
	"    print('end')\n"                                            /* 17 */
	"\n"                                                            /* 18 */
	"# the fix: keep every p in a list procs, and join them all\n"  /* 19 */
	"    for p in procs:\n"                                         /* 20 */
	"        p.join()\n"                                            /* 21 */
	"    print('end')                          # now all 4 children have ended\n"; /* 22 */

#define NCHILD 4

/* Steps each child works in run_pro: child 1 the longest, as in the
 * lesson's time.sleep((5 - i) * 0.3). At an even pace child 3, started
 * earlier, ends before child 4 (a zombie at 'end'), and children 1 and 2
 * are still running at 'end'. */
static const int child_work[NCHILD] = { 18, 13, 4, 3 };

static void __attribute__((noreturn))
join_child(struct demo_ctx *ctx, const struct demo_api *api, int i)
{
	char who[32];
	snprintf(who, sizeof who, "child %d", i);
	struct demo_actor *me = api->to_pane(ctx, i, who);
	api->step(me, 7);
	printf("child process %d %d\n", i, (int)getpid());
	int n = child_work[i - 1];
	for (int k = 1; k <= n; k++) {
		api->step(me, 7);
		printf("working %d/%d\n", k, n);
	}
	printf(DEMO_TR(api, ctx, "run_pro done: _exit(0)\n",
	    "run_pro 结束：_exit(0)\n"));
	fflush(stdout);
	_exit(0);
}

/* Print each child's state from /proc; count them. */
static void
show_states(const pid_t *pids, char *state, int *unwaited, int *zombies)
{
	*unwaited = *zombies = 0;
	for (int i = 0; i < NCHILD; i++) {
		state[i] = child_state(pids[i]);
		printf("  child %d PID %d: %c %s\n", i + 1, (int)pids[i],
		    state[i] ? state[i] : '-', state_name(state[i]));
		*unwaited += state[i] != 0;
		*zombies += state[i] == 'Z';
	}
}

static int
join_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	pid_t pids[NCHILD];
	char state[NCHILD], seen_z[NCHILD] = { 0 }, how[64];
	int unwaited, zombies;

	api->step(me, 10);
	printf("parent process %d\n", (int)getpid());
	for (int i = 1; i <= NCHILD; i++) {
		api->step(me, 13);
		printf("Process(target=run_pro, args=('%d',))\n", i);
		api->step(me, 14);
		printf("process will start\n");
		api->step(me, 15);
		fflush(stdout);         /* what p.start() does before fork */
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			join_child(ctx, api, i);
		pids[i - 1] = pid;
		printf(DEMO_TR(api, ctx, "p.start(): fork() = %d, child %d\n",
		    "p.start()：fork() = %d，子进程 %d\n"), (int)pid, i);
	}

	/* the bug: p is the last Process, so only child 4 is waited for */
	api->step(me, 16);
	printf(DEMO_TR(api, ctx, "p.join(): waitpid(%d), child 4 only\n",
	    "p.join()：waitpid(%d)，只等子进程 4\n"), (int)pids[NCHILD - 1]);
	int status;
	if (waitpid(pids[NCHILD - 1], &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	printf(DEMO_TR(api, ctx, "child 4 reaped, %s\n",
	    "子进程 4 已回收，%s\n"), demo_how_lang(status, api->zh(ctx), how, sizeof how));
	api->step(me, 17);
	printf("end\n");
	printf(DEMO_TR(api, ctx, "/proc/PID/stat as 'end' prints:\n",
	    "打印 'end' 时的 /proc/PID/stat：\n"));
	show_states(pids, state, &unwaited, &zombies);
	api->note(me, DEMO_TR(api, ctx, "'end' printed with %d children never waited for",
	    "打印 'end' 时，有 %d 个子进程从未被等待"), unwaited);
	api->figure(me, "unwaited_at_end", unwaited);
	api->figure(me, "zombies_at_end", zombies);
	api->figure(me, "running_at_end", unwaited - zombies);
	for (int i = 0; i < NCHILD; i++)
		seen_z[i] = state[i] == 'Z';

	/* nobody waits for them: each one that ends stays a zombie. Watch the
	 * ones still running (the last to end first): waitid() with WNOWAIT
	 * returns once the child has ended, and leaves it unreaped */
	if (zombies < unwaited)
		printf(DEMO_TR(api, ctx, "waitid(WNOWAIT): see them end, reap none\n",
		    "waitid(WNOWAIT)：看着它们结束，但一个也不回收\n"));
	for (int i = NCHILD - 1; i >= 0; i--) {
		if (state[i] == 0 || state[i] == 'Z')
			continue;
		api->step(me, 17);
		siginfo_t si;
		if (waitid(P_PID, (id_t)pids[i], &si, WEXITED | WNOWAIT) != 0) {
			perror("waitid");
			return 1;
		}
		char c = child_state(pids[i]);
		printf("child %d PID %d: %c -> %c %s\n", i + 1, (int)pids[i],
		    state[i], c ? c : '-', state_name(c));
		state[i] = c;
		seen_z[i] = c == 'Z';
	}
	int zombies_seen = 0;
	for (int i = 0; i < NCHILD; i++)
		zombies_seen += seen_z[i];
	printf(DEMO_TR(api, ctx, "%d zombies seen, none waited for\n",
	    "看到 %d 个僵尸进程，没有一个被等待\n"), zombies_seen);
	api->figure(me, "zombies_seen", zombies_seen);

	/* the fix: one waitpid per child */
	api->step(me, 20);
	printf(DEMO_TR(api, ctx, "the fix: waitpid each child left\n",
	    "修正：对剩下的每个子进程调用 waitpid\n"));
	int reaped = 0;
	for (int i = 0; i < NCHILD; i++) {
		if (child_state(pids[i]) == 0)
			continue;       /* child 4, reaped by p.join() */
		api->step(me, 21);
		if (waitpid(pids[i], &status, 0) != pids[i]) {
			perror("waitpid");
			return 1;
		}
		reaped++;
		printf(DEMO_TR(api, ctx, "waitpid(%d): child %d %s, %s\n",
		    "waitpid(%d)：子进程 %d %s，%s\n"), (int)pids[i], i + 1,
		    demo_how_lang(status, api->zh(ctx), how, sizeof how),
		    state_name(child_state(pids[i])));
	}
	api->step(me, 22);
	show_states(pids, state, &unwaited, &zombies);
	printf(DEMO_TR(api, ctx, "end (now all 4 children have ended)\n",
	    "end（现在 4 个子进程都已结束）\n"));
	api->figure(me, "reaped_in_fix", reaped);
	api->figure(me, "left_unreaped", unwaited);
	return unwaited == 0 ? 0 : 1;
}

static const char *const join_panes[] = {
	"parent", "child 1", "child 2", "child 3", "child 4", NULL
};
static const char *const join_panes_zh[] = {
	"父进程", "子进程 1", "子进程 2", "子进程 3", "子进程 4", NULL };

static const struct systour_demo join_demo = {
	.name = "join-last",
	.title_en = "join() after the loop waits for the last child only",
	.title_zh = "循环后的 join() 只等待最后一个子进程",
	.code = join_code,
	.panes = join_panes,
	.panes_zh = join_panes_zh,
	.run = join_run,
};

/* ---- pool: Pool(3) is three pre-forked workers reading one pipe ----- */

/* The notes' code verbatim (its "线程" is the erratum: these are processes). */
static const char pool_code[] =
	"# 使用Pool 类创建多个线程\n"                                   /* 1 */
	"import os, random, time\n"                                     /* 2 */
	"from multiprocessing import Pool\n"                            /* 3 */
	"\n"                                                            /* 4 */
	"def task_run(name):\n"                                         /* 5 */
	"    print('task %s ,pid = %s start ' % (name, os.getpid()))\n" /* 6 */
	"    time.sleep(random.random() * 3)\n"                         /* 7 */
	"    print('task %s end ' % name)\n"                            /* 8 */
	"\n"                                                            /* 9 */
	"if __name__ == '__main__':\n"                                  /* 10 */
	"    print('current process %s' % os.getpid())\n"               /* 11 */
	"\n"                                                            /* 12 */
	"    p = Pool(processes=3)\n"                                   /* 13 */
	"\n"                                                            /* 14 */
	"    for i in range(5):\n"                                      /* 15 */
	"        p.apply_async(task_run, args=(str(i),))\n"             /* 16 */
	"\n"                                                            /* 17 */
	"    print('wait all subprocess')\n"                            /* 18 */
	"\n"                                                            /* 19 */
	"    p.close()\n"                                               /* 20 */
	"    p.join()\n"                                                /* 21 */
	"    print('all subprocess end')\n";                            /* 22 */

#define NWORKERS 3
#define NTASKS 5
#define IDLE_WAIT_MS 3000       /* for the workers to block in read(2) */

/* Fixed-size records: one write(2) and one read(2) each, never split
 * (a pipe write of at most PIPE_BUF bytes is atomic). */
struct task {
	int32_t id;             /* -1: end of tasks */
	int32_t steps;          /* how long task_run "sleeps" */
};

struct result {
	int32_t id, pid, worker, steps;
};

/* Steps of each task: different, like random.random() * 3, but the same
 * on every run. */
static const int task_steps[NTASKS] = { 5, 3, 4, 1, 2 };

static void __attribute__((noreturn))
pool_worker(struct demo_ctx *ctx, const struct demo_api *api, int w,
    int task_fd, int result_fd)
{
	char who[32];
	snprintf(who, sizeof who, "worker %d", w);
	struct demo_actor *me = api->to_pane(ctx, w, who);
	printf(DEMO_TR(api, ctx, "worker %d: PID %d, parent %d\n",
	    "工作进程 %d：PID %d，父进程 %d\n"), w, (int)getpid(),
	    (int)getppid());
	printf(DEMO_TR(api, ctx, "read(2) on the task pipe, fd %d\n",
	    "在任务管道上 read(2)，fd %d\n"), task_fd);
	fflush(stdout);
	for (;;) {
		struct task t;
		ssize_t n = read(task_fd, &t, sizeof t);
		if (n < 0 && errno == EINTR)
			continue;
		int bad = n != 0 && n != (ssize_t)sizeof t;     /* error, short */
		if (bad || n == 0 || t.id < 0) {
			printf(DEMO_TR(api, ctx, "read(2) = %zd: %s, _exit(%d)\n",
			    "read(2) = %zd：%s，_exit(%d)\n"), n, bad ? "error" :
			    n == 0 ? DEMO_TR(api, ctx, "end of file",
			    "文件结束") : DEMO_TR(api, ctx, "end of tasks",
			    "任务结束"), bad);
			fflush(stdout);
			_exit(bad);
		}
		api->step(me, 6);
		printf("task %d ,pid = %d start \n", t.id, (int)getpid());
		for (int k = 1; k <= t.steps; k++) {
			api->step(me, 7);
			printf(DEMO_TR(api, ctx, "task %d: working %d/%d\n",
			    "任务 %d：工作中 %d/%d\n"), t.id, k, t.steps);
		}
		api->step(me, 8);
		printf("task %d end \n", t.id);
		struct result r = { t.id, (int32_t)getpid(), w, t.steps };
		if (write(result_fd, &r, sizeof r) != (ssize_t)sizeof r) {
			perror("write result");
			_exit(1);
		}
	}
}

/* Wait, with short bounded sleeps, until every worker is blocked in
 * read(2) on the task pipe; how many are. */
static int
wait_idle(const pid_t *workers, int task_fd)
{
	int idle = 0;
	for (int ms = 0; ms < IDLE_WAIT_MS; ms++) {
		idle = 0;
		for (int w = 0; w < NWORKERS; w++)
			idle += blocked_in_read(workers[w], task_fd);
		if (idle == NWORKERS)
			break;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	return idle;
}

/* Wait, with short bounded sleeps, until the task pipe is empty again: a
 * worker has read(2) the task. 1 if it has. */
static int
wait_taken(int task_wfd)
{
	for (int ms = 0; ms < IDLE_WAIT_MS; ms++) {
		int queued = 0;
		if (ioctl(task_wfd, FIONREAD, &queued) != 0 || queued == 0)
			return 1;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	return 0;
}

static int
write_task(int fd, int id, int steps)
{
	struct task t = { id, steps };
	return write(fd, &t, sizeof t) == (ssize_t)sizeof t ? 0 : -1;
}

static int
pool_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	int tasks[2], results[2];
	pid_t workers[NWORKERS];

	api->step(me, 11);
	printf("current process %d\n", (int)getpid());

	/* Pool(3): the pipes, then every fork, now */
	api->step(me, 13);
	if (pipe(tasks) != 0 || pipe(results) != 0) {
		perror("pipe");
		return 1;
	}
	printf(DEMO_TR(api, ctx, "Pool(3): task pipe %d/%d, results %d/%d\n",
	    "Pool(3)：任务管道 %d/%d，结果管道 %d/%d\n"), tasks[0],
	    tasks[1], results[0], results[1]);
	fflush(stdout);
	for (int w = 0; w < NWORKERS; w++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(tasks[1]);
			close(results[0]);
			pool_worker(ctx, api, w + 1, tasks[0], results[1]);
		}
		workers[w] = pid;
		printf(DEMO_TR(api, ctx, "fork() = %d: worker %d\n",
		    "fork() = %d：工作进程 %d\n"), (int)pid, w + 1);
	}
	close(tasks[0]);
	close(results[1]);
	int idle = wait_idle(workers, tasks[0]);
	printf(DEMO_TR(api, ctx, "before any task: %d of %d workers in read(2)\n",
	    "还没有任务时：%d 个（共 %d 个）工作进程在 read(2) 里\n"), idle,
	    NWORKERS);
	for (int w = 0; w < NWORKERS; w++)
		printf("  worker %d PID %d: %c%s\n", w + 1, (int)workers[w],
		    demo_proc_state(workers[w], NULL, NULL),
		    blocked_in_read(workers[w], tasks[0]) ? DEMO_TR(api, ctx, ", in read(2)",
		    "，在 read(2) 里") : "");
	api->figure(me, "workers_idle_before_tasks", idle);

	/* apply_async: one fixed-size record into the pipe; no fork. Pool's
	 * task thread writes as fast as the pipe takes them; here each task
	 * is left to be read before the next goes in, so that with no delay
	 * (tasks that take no time) the worker woken for a task is not beaten
	 * to the queue by one that just finished. */
	api->step(me, 15);
	for (int i = 0; i < NTASKS; i++) {
		api->step(me, 16);
		if (write_task(tasks[1], i, task_steps[i]) != 0) {
			perror("write task");
			return 1;
		}
		printf(DEMO_TR(api, ctx, "apply_async: task %d (%d steps), %zu bytes\n",
		    "apply_async：任务 %d（%d 步），%zu 字节\n"), i,
		    task_steps[i], sizeof(struct task));
		wait_taken(tasks[1]);
	}
	api->step(me, 18);
	printf("wait all subprocess\n");

	/* close(): one end-of-tasks record per worker, then our end */
	api->step(me, 20);
	for (int w = 0; w < NWORKERS; w++)
		if (write_task(tasks[1], -1, 0) != 0) {
			perror("write end of tasks");
			return 1;
		}
	close(tasks[1]);
	printf(DEMO_TR(api, ctx, "close(): %d end-of-tasks records\n",
	    "close()：%d 条任务结束记录\n"), NWORKERS);

	/* join(): the results as they come, then waitpid every worker; which
	 * processes ran the tasks? */
	api->step(me, 21);
	int ran[NWORKERS] = { 0 }, nres = 0, in_pool = 0, distinct = 0;
	pid_t seen[NTASKS];
	for (;;) {
		struct result r;
		ssize_t n = read(results[0], &r, sizeof r);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof r)
			break;          /* end of file: every worker is gone */
		printf(DEMO_TR(api, ctx, "task %d ran in PID %d (worker %d)\n",
		    "任务 %d 在 PID %d（工作进程 %d）中运行\n"), r.id, r.pid,
		    r.worker);
		nres++;
		for (int w = 0; w < NWORKERS; w++)
			if (r.pid == workers[w]) {
				ran[w]++;
				in_pool++;
			}
		int k = 0;
		while (k < distinct && seen[k] != r.pid)
			k++;
		if (k == distinct && distinct < NTASKS)
			seen[distinct++] = r.pid;
	}
	close(results[0]);
	for (int w = 0; w < NWORKERS; w++) {
		int status;
		if (waitpid(workers[w], &status, 0) != workers[w]) {
			perror("waitpid");
			return 1;
		}
		char how[64];
		printf(DEMO_TR(api, ctx, "join(): waitpid(%d): worker %d %s\n",
		    "join()：waitpid(%d)：工作进程 %d %s\n"), (int)workers[w],
		    w + 1, demo_how_lang(status, api->zh(ctx), how, sizeof how));
	}

	int reused = 0;
	for (int w = 0; w < NWORKERS; w++) {
		reused += ran[w] > 1;
		printf(DEMO_TR(api, ctx, "worker %d PID %d ran %d task(s)\n",
		    "工作进程 %d（PID %d）运行了 %d 个任务\n"), w + 1,
		    (int)workers[w], ran[w]);
	}
	api->step(me, 22);
	printf("all subprocess end\n");
	api->figure(me, "tasks_done", nres);
	api->figure(me, "tasks_in_pool_workers", in_pool);
	api->figure(me, "distinct_worker_pids", distinct);
	api->figure(me, "reused_worker_pids", reused);
	return nres == NTASKS && in_pool == NTASKS ? 0 : 1;
}

static const char *const pool_panes[] = {
	"pool", "worker 1", "worker 2", "worker 3", NULL
};
static const char *const pool_panes_zh[] = {
	"进程池", "工作进程 1", "工作进程 2", "工作进程 3", NULL };

static const struct systour_demo pool_demo = {
	.name = "pool",
	.title_en = "Pool(3): three workers forked up front, reading one task pipe",
	.title_zh = "Pool(3)：预先 fork 的三个工作进程，读同一个任务管道",
	.code = pool_code,
	.panes = pool_panes,
	.panes_zh = pool_panes_zh,
	.run = pool_run,
};

static const struct systour_demo *const demos[] = {
	&fork_demo, &join_demo, &pool_demo, NULL
};

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "04-processes",
	.demos = demos,
};
