/* demos.c — the live demo of lesson 08 (the distributed task queue): the
 * real `systour manager` (this very program, exec'd again) on a free
 * loopback port, printing the depth of its task and result queues as they
 * change; four `systour worker` processes that lease tasks from it; and,
 * when python3 is installed, the notes' own task process script as a
 * CPython worker. The leader relays the manager's output into its pane and
 * marks the notes' six steps as the manager's lines show them happen; each
 * worker pane has a small parent that waits for its worker and says how it
 * ended, so that a worker killed with `k` (SIGKILL) shows it, and the
 * manager's line shows its leased task going back to the queue to be done
 * by another worker. Built into demos.so and loaded by the tutor. */
#define _GNU_SOURCE
#include "demo_lib.h"
#include "lesson_module.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NTASKS          40
#define NWORKERS        4       /* panes 2..5; the CPython worker is pane 6 */
#define PY_PANE         (NWORKERS + 1)
#define PACE_MS         "1000"  /* a worker's "download": as the notes' sleep(1) */
#define WORKER_TIMEOUT  "3"     /* s without a task, then a worker leaves */
#define STALL_MS        2000    /* no worker left, manager still waiting */

/* The notes' service process, as the manager runs it: 40 tasks instead of
 * 10, a free port instead of 8001, and comments where systour differs. */
static const char manager_code[] =
	"# 服务进程\n"
	"from multiprocessing.managers import BaseManager\n"
	"from multiprocessing import freeze_support, Queue\n"
	"\n"
	"# 任务个数\n"
	"task_number = 40        # the notes: 10\n"
	"\n"
	"# 收发队列\n"
	"task_quue = Queue(task_number)\n"
	"result_queue = Queue(task_number)\n"
	"\n"
	"\n"
	"def get_task():\n"
	"    return task_quue\n"
	"\n"
	"\n"
	"def get_result():\n"
	"    return result_queue\n"
	"\n"
	"\n"
	"# 创建类似的queueManager\n"
	"class QueueManager(BaseManager):\n"
	"    pass\n"
	"\n"
	"\n"
	"def win_run():\n"
	"    # 注册在网络上，callable 关联了Queue 对象\n"
	"    # 将Queue对象在网络中暴露\n"
	"    QueueManager.register('get_task_queue', callable=get_task)\n"
	"    QueueManager.register('get_result_queue', callable=get_result)\n"
	"    # 绑定端口和设置验证口令\n"
	"    # (the demo: port 0, any free port the kernel picks)\n"
	"    manager = QueueManager(address=('127.0.0.1', 8001), authkey='qiye'.encode())\n"
	"\n"
	"    # 启动管理，监听信息通道\n"
	"    manager.start()      # here: systour manager --port 0 --tasks 40\n"
	"\n"
	"    try:\n"
	"\n"
	"        # 通过网络获取任务队列和结果队列\n"
	"        # (systour manager --tasks: the same process, no round trip)\n"
	"        task = manager.get_task_queue()\n"
	"        result = manager.get_result_queue()\n"
	"\n"
	"        # 添加任务\n"
	"        for url in [\"ImageUrl_\" + str(i) for i in range(40)]:\n"
	"            print('url is %s' % url)\n"
	"            task.put(url)\n"
	"\n"
	"        print('try get result')\n"
	"        for i in range(40):\n"
	"            print('result is %s' % result.get(timeout=10))\n"
	"\n"
	"    finally:\n"
	"        manager.shutdown()\n"
	"\n"
	"\n"
	"if __name__ == '__main__':\n"
	"    freeze_support()\n"
	"    win_run()\n";

/* The notes' task process, word for word; only its port (8001) is
 * replaced by the manager's. */
static const char task_script[] =
	"import time\n"
	"\n"
	"from multiprocessing.managers import BaseManager\n"
	"\n"
	"\n"
	"class QueueManager(BaseManager):\n"
	"    pass\n"
	"\n"
	"\n"
	"# 使用QueueManager 注册用于获取Queue的方法名称\n"
	"QueueManager.register('get_task_queue')\n"
	"QueueManager.register('get_result_queue')\n"
	"\n"
	"server_address = '127.0.0.1'\n"
	"# 端口 和 验证口令注意保持与服务进程完全一致\n"
	"m = QueueManager(address=(server_address, 8001), authkey='qiye'.encode())\n"
	"\n"
	"# 从网络连接\n"
	"m.connect()\n"
	"\n"
	"# 获取queue 对象\n"
	"task = m.get_task_queue()\n"
	"result = m.get_result_queue()\n"
	"\n"
	"# 从任务队列中获取任务，并把结果写入result 队列中\n"
	"while not task.empty():\n"
	"    image_url = task.get(timeout=5)\n"
	"    print('download image %s' % image_url)\n"
	"    time.sleep(1)\n"
	"    result.put('success %s' % image_url)\n"
	"print('work exit')\n";

/* This very program (the tutor's binary), which the demo runs as
 * `systour manager` and `systour worker`: /proc/self/exe resolved, so that
 * the kernel's view names them systour, not exe. */
static char self_exe[PATH_MAX] = "/proc/self/exe";

static void
find_self(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = '\0';
		/* not when the file was replaced since: "... (deleted)" */
		if (access(buf, X_OK) == 0)
			memcpy(self_exe, buf, (size_t)n + 1);
	}
}

/* The line (from 1) of manager_code that holds what; 0 if none. */
static int
line_of(const char *what)
{
	const char *p = strstr(manager_code, what);
	int line = 1;
	if (p == NULL)
		return 0;
	for (const char *s = manager_code; s < p; s++)
		line += *s == '\n';
	return line;
}

/* Close every descriptor from 3 up: what is exec'd keeps only its stdio. */
static void
close_from_3(void)
{
	for (int fd = 3; fd < 256; fd++)
		close(fd);
}

/* A pane's parent: wait for the process it started and say how it ended;
 * leave with a status that carries it (128 + the signal for a signal). */
static void __attribute__((noreturn))
wait_and_tell(pid_t pid, int zh)
{
	int status;
	char buf[80];
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			_exit(1);
		}
	printf("» waitpid: %s\n", demo_how_lang(status, zh, buf, sizeof buf));
	fflush(stdout);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1);
}

/* Pane pane: a parent that starts `systour worker` and waits for it. */
static pid_t
start_worker(struct demo_ctx *ctx, const struct demo_api *api, int pane,
    const char *port)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	char who[32], addr[64];
	snprintf(who, sizeof who, DEMO_TR(api, ctx, "parent of worker %d",
	    "工作进程 %d 的父进程"), pane);
	api->to_pane(ctx, pane, who);
	snprintf(addr, sizeof addr, "127.0.0.1:%s", port);
	printf("» fork() + execl(\"%s\", \"systour\", \"worker\", "
	    "\"--connect\", \"%s\", \"--pace\", \"" PACE_MS "\", \"--lease\", "
	    "\"30\", \"--timeout\", \"" WORKER_TIMEOUT "\")\n", self_exe, addr);
	fflush(stdout);
	pid_t w = fork();
	if (w < 0) {
		perror("fork");
		_exit(1);
	}
	if (w == 0) {
		api->to_pane(ctx, pane, DEMO_TR(api, ctx, "systour worker",
		    "systour 工作进程"));
		close_from_3();
		execl(self_exe, "systour", "worker", "--connect", addr,
		    "--pace", PACE_MS, "--lease", "30", "--timeout",
		    WORKER_TIMEOUT, (char *)NULL);
		perror(self_exe);
		_exit(127);
	}
	wait_and_tell(w, api->zh(ctx));
}

/* The full path of prog found in PATH, into buf; 0, or -1 if not there. */
static int
in_path(const char *prog, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	while (path && *path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, len, "%.*s/%s", (int)n, n ? path : ".", prog);
		struct stat st;
		if (access(buf, X_OK) == 0 && stat(buf, &st) == 0 &&
		    S_ISREG(st.st_mode))
			return 0;
		path += n + (path[n] == ':');
	}
	return -1;
}

/* The CPython pane: the notes' task process under python3, its port the
 * manager's; one line instead when python3 is not installed. */
static pid_t
start_python(struct demo_ctx *ctx, const struct demo_api *api,
    const char *port)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	char python[4096], file[4200];
	api->to_pane(ctx, PY_PANE, DEMO_TR(api, ctx, "parent of python3",
	    "python3 的父进程"));
	if (in_path("python3", python, sizeof python) < 0) {
		printf(DEMO_TR(api, ctx, "python3 is not installed (not in PATH): no CPython "
		    "worker in this run\n",
		    "没有安装 python3（PATH 里没有）：这次运行没有 CPython 工作进程\n"));
		fflush(stdout);
		_exit(0);
	}
	snprintf(file, sizeof file, "%s/task_process.py", api->scratch(ctx));
	FILE *f = fopen(file, "w");
	const char *at = strstr(task_script, "8001");
	if (f == NULL || at == NULL) {
		perror(file);
		_exit(1);
	}
	fprintf(f, "%.*s%s%s", (int)(at - task_script), task_script, port,
	    at + 4);
	if (fclose(f) != 0) {
		perror(file);
		_exit(1);
	}
	printf(DEMO_TR(api, ctx, "» the notes' task process, its port 8001 changed to %s:\n",
	    "» 笔记中的任务进程，端口 8001 改成了 %s：\n"), port);
	printf("» fork() + execl(\"%s\", \"python3\", \"-u\", \"task_process.py\")\n",
	    python);
	fflush(stdout);
	pid_t w = fork();
	if (w < 0) {
		perror("fork");
		_exit(1);
	}
	if (w == 0) {
		api->to_pane(ctx, PY_PANE, DEMO_TR(api, ctx, "python3 (CPython)",
		    "python3（CPython）"));
		close_from_3();
		if (chdir(api->scratch(ctx)) != 0)
			perror("chdir");
		execl(python, "python3", "-u", "task_process.py", (char *)NULL);
		perror("execl python3");
		_exit(127);
	}
	wait_and_tell(w, api->zh(ctx));
}

/* ---- The leader: the manager's relay --------------------------------- */

struct relay {
	struct demo_ctx *ctx;
	const struct demo_api *api;
	struct demo_actor *me;          /* the leader's actor */
	pid_t manager;
	char port[16];
	pid_t kids[NWORKERS + 1];       /* the panes' parents */
	int kid_code[NWORKERS + 1];     /* their exit codes; -1 running */
	int started;                    /* the workers have been started */
	int put_seen, result_seen, done_seen;
	int results[NTASKS];            /* "result is success ImageUrl_i" */
	int requeued[NTASKS];
	int others;                     /* results not of that form */
	long queued, leased;            /* from the last depth line */
};

static int
task_index(const char *s)
{
	int i;
	char tail;
	if (sscanf(s, "ImageUrl_%d%c", &i, &tail) >= 1 && i >= 0 && i < NTASKS)
		return i;
	return -1;
}

/* Note the tasks a "back to the queue (ImageUrl_3, ...)" line names. */
static void
note_requeued(struct relay *r, const char *line)
{
	const char *p = strstr(line, "back to the queue (");
	if (p == NULL)
		return;
	for (p += strlen("back to the queue ("); *p && *p != ')';) {
		int i = task_index(p);
		if (i >= 0)
			r->requeued[i]++;
		p += strcspn(p, ",)");
		p += strspn(p, ", ");
	}
}

static void
start_workers(struct relay *r)
{
	for (int i = 0; i < NWORKERS; i++)
		r->kids[i] = start_worker(r->ctx, r->api, i + 1, r->port);
	r->kids[NWORKERS] = start_python(r->ctx, r->api, r->port);
	for (int i = 0; i <= NWORKERS; i++) {
		r->kid_code[i] = -1;
		if (r->kids[i] < 0)
			perror("fork");
	}
	r->started = 1;
}

/* One line of the manager's: mark the step it shows, then show it. */
static void
on_manager_line(struct relay *r, char *line)
{
	struct demo_actor *me = r->me;
	const struct demo_api *api = r->api;
	struct demo_ctx *ctx = r->ctx;
	const char *p;

	if (!r->started && (p = strstr(line, "listening on ")) != NULL) {
		const char *colon = strrchr(p, ':');
		snprintf(r->port, sizeof r->port, "%s", colon ? colon + 1 : "");
		printf("%s\n", line);
		api->step(me, line_of("task_quue = Queue"));
		printf(DEMO_TR(api, ctx, "» 1 the queues: the task queue and the result queue live "
		    "in the manager (--maxsize %d, as Queue(task_number))\n",
		    "» 1 队列：任务队列和结果队列都在管理进程里（--maxsize %d，相当于 Queue(task_number)）\n"),
		    NTASKS);
		printf(DEMO_TR(api, ctx, "» --depth draws them: █ queued, ▒ leased (a worker has "
		    "it, not acked yet), ░ in the result queue; \"task 31+4\" "
		    "is 31 queued + 4 leased\n",
		    "» --depth 把它们画出来：█ 排队中，▒ 已租出（某个工作进程拿着，还没确认），░ 在结果队列里；\"task 31+4\" 表示 31 个排队 + 4 个租出\n"));
		api->step(me, line_of("QueueManager.register('get_task_queue'"));
		printf(DEMO_TR(api, ctx, "» 2 registered: 'create' with get_task_queue or "
		    "get_result_queue gives a proxy its queue\n",
		    "» 2 注册：用 get_task_queue 或 get_result_queue 调用 'create'，代理就拿到了它的队列\n"));
		api->step(me, line_of("manager = QueueManager("));
		printf(DEMO_TR(api, ctx, "» 3 address 127.0.0.1, port 0: the kernel picked %s; "
		    "authkey 'qiye'\n",
		    "» 3 地址 127.0.0.1，端口 0：内核选了 %s；authkey 'qiye'\n"), r->port);
		api->step(me, line_of("manager.start()"));
		printf(DEMO_TR(api, ctx, "» 4 started: listening on 127.0.0.1:%s; now %d systour "
		    "workers and the notes' CPython worker connect\n",
		    "» 4 已启动：在 127.0.0.1:%s 上监听；现在 %d 个 systour 工作进程和笔记中的 CPython 工作进程连上来\n"), r->port,
		    NWORKERS);
		fflush(stdout);
		start_workers(r);
		return;
	}
	if (!r->put_seen && strncmp(line, "url is ", 7) == 0) {
		r->put_seen = 1;
		api->step(me, line_of("task = manager.get_task_queue()"));
		printf(DEMO_TR(api, ctx, "» 5 the queues: with --tasks the service side is the "
		    "manager itself (the workers get theirs over TCP)\n",
		    "» 5 队列：带 --tasks 时，服务端就是管理进程自己（工作进程通过 TCP 拿到各自的队列）\n"));
		api->step(me, line_of("task.put(url)"));
		printf(DEMO_TR(api, ctx, "» 6 put the tasks:\n",
		    "» 6 放入任务：\n"));
	}
	if (strncmp(line, "result is ", 10) == 0) {
		if (!r->result_seen) {
			r->result_seen = 1;
			api->step(me, line_of("result.get(timeout=10)"));
		}
		int i = strncmp(line + 10, "success ", 8) == 0 ?
		    task_index(line + 18) : -1;
		if (i >= 0)
			r->results[i]++;
		else
			r->others++;
	}
	note_requeued(r, line);
	if (strncmp(line, "depth ", 6) == 0 && (p = strstr(line, " task ")))
		sscanf(p, " task %ld+%ld", &r->queued, &r->leased);
	if (!r->done_seen && strstr(line, "results are in") != NULL) {
		r->done_seen = 1;
		printf("%s\n", line);
		api->step(me, line_of("manager.shutdown()"));
		printf(DEMO_TR(api, ctx, "» every result is in: the manager ends once its "
		    "clients have gone\n",
		    "» 结果全部到齐：客户端都离开后，管理进程就结束\n"));
		return;
	}
	printf("%s\n", line);
}

/* Reap what has ended (without waiting); 1 if the manager has. */
static int
reap(struct relay *r, int *manager_status)
{
	int status, gone = 0;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == r->manager) {
			*manager_status = status;
			gone = 1;
		}
		for (int i = 0; i <= NWORKERS; i++)
			if (pid == r->kids[i])
				r->kid_code[i] = WIFEXITED(status) ?
				    WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	return gone;
}

static int
kids_running(const struct relay *r)
{
	int n = 0;
	for (int i = 0; r->started && i <= NWORKERS; i++)
		n += r->kids[i] > 0 && r->kid_code[i] < 0;
	return n;
}

/* The end: who ended how, and whether every result came exactly once. */
static int
summary(struct relay *r, int manager_status)
{
	char buf[80];
	int once = 0, missing = 0, twice = 0, requeued = 0;
	const struct demo_api *api = r->api;
	struct demo_ctx *ctx = r->ctx;
	printf(DEMO_TR(api, ctx, "» waitpid(%d): systour manager %s\n",
	    "» waitpid(%d)：systour 管理进程%s\n"), (int)r->manager,
	    demo_how_lang(manager_status, api->zh(ctx), buf, sizeof buf));
	printf(DEMO_TR(api, ctx, "» exit statuses:",
	    "» 退出状态："));
	for (int i = 0; r->started && i <= NWORKERS; i++) {
		int c = r->kid_code[i];
		if (i < NWORKERS)
			printf("%s worker %d: ", i ? " ·" : "", i + 1);
		else
			printf(" · python3: ");
		if (c > 128)
			printf("SIG%s", sigabbrev_np(c - 128) ?
			    sigabbrev_np(c - 128) : "?");
		else
			printf("%d", c);
	}
	printf("\n");
	for (int i = 0; i < NTASKS; i++) {
		once += r->results[i] == 1;
		missing += r->results[i] == 0;
		twice += r->results[i] > 1;
		if (r->requeued[i]) {
			requeued++;
			printf(DEMO_TR(api, ctx, "» ImageUrl_%d went back to the queue %d time%s; "
			    "its result came %d time%s\n",
			    "» ImageUrl_%d 回到队列 %d 次%.0s；它的结果来了 %d 次%.0s\n"), i, r->requeued[i],
			    r->requeued[i] == 1 ? "" : "s", r->results[i],
			    r->results[i] == 1 ? "" : "s");
		}
	}
	if (missing == 0 && twice == 0 && r->others == 0)
		printf(DEMO_TR(api, ctx, "» results: %d of %d, each exactly once\n",
		    "» 结果：%d / %d，每个恰好一次\n"), once, NTASKS);
	else {
		printf(DEMO_TR(api, ctx, "» results: %d of %d exactly once; missing:",
		    "» 结果：%d / %d 恰好一次；缺少："), once, NTASKS);
		for (int i = 0; i < NTASKS; i++)
			if (r->results[i] == 0)
				printf(" ImageUrl_%d", i);
		printf(DEMO_TR(api, ctx, "; more than once: %d; others: %d\n",
		    "；多于一次：%d；其他：%d\n"), twice, r->others);
	}
	r->api->figure(r->me, "results_once", once);
	r->api->figure(r->me, "results_missing", missing);
	r->api->figure(r->me, "results_twice", twice);
	r->api->figure(r->me, "requeued", requeued);
	fflush(stdout);
	return missing == 0 && twice == 0 && r->others == 0 &&
	    WIFEXITED(manager_status) && WEXITSTATUS(manager_status) == 0 ? 0 : 1;
}

static int
manager_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	struct relay r = { .ctx = ctx, .api = api, .me = me };
	int rel[2], manager_status = 0, manager_gone = 0;
	char tasks[16], maxsize[16];

	find_self();
	snprintf(tasks, sizeof tasks, "%d", NTASKS);
	snprintf(maxsize, sizeof maxsize, "%d", NTASKS);
	if (pipe2(rel, O_CLOEXEC) < 0) {
		perror("pipe2");
		return 1;
	}
	printf(DEMO_TR(api, ctx, "» pipe() + fork() + execl(\"%s\", \"systour\", "
	    "\"manager\", \"--port\", \"0\", \"--tasks\", \"%s\", \"--maxsize\", "
	    "\"%s\", \"--depth\"): its output comes through this process\n",
	    "» pipe() + fork() + execl(\"%s\", \"systour\", \"manager\", \"--port\", \"0\", \"--tasks\", \"%s\", \"--maxsize\", \"%s\", \"--depth\")：它的输出经过这个进程\n"),
	    self_exe, tasks, maxsize);
	fflush(stdout);
	pid_t leader = getpid();
	r.manager = fork();
	if (r.manager < 0) {
		perror("fork");
		return 1;
	}
	if (r.manager == 0) {
		/* its stdout and stderr are the pipe this process relays */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != leader)
			_exit(1);
		dup2(rel[1], STDOUT_FILENO);
		dup2(rel[1], STDERR_FILENO);
		close_from_3();
		execl(self_exe, "systour", "manager", "--port", "0",
		    "--tasks", tasks, "--maxsize", maxsize, "--depth",
		    (char *)NULL);
		perror(self_exe);
		_exit(127);
	}
	close(rel[1]);
	char who[64];
	snprintf(who, sizeof who, DEMO_TR(api, ctx, "relay for manager PID %d",
	    "管理进程 PID %d 的中继"), (int)r.manager);
	api->release(me);       /* the pane is retitled: a new actor */
	me = r.me = api->to_pane(ctx, 0, who);

	char buf[8192];
	size_t have = 0;
	long long stall = -1;   /* since when no worker is left (ms) */
	for (int open = 1; open;) {
		struct pollfd p = { rel[0], POLLIN, 0 };
		int n = poll(&p, 1, 100);
		if (n < 0 && errno != EINTR) {
			perror("poll");
			break;
		}
		if (n > 0) {
			ssize_t k = read(rel[0], buf + have, sizeof buf - 1 - have);
			if (k <= 0 && !(k < 0 && errno == EINTR))
				open = 0;
			else if (k > 0)
				have += (size_t)k;
			char *s = buf, *nl;
			buf[have] = '\0';
			while ((nl = memchr(s, '\n', have - (size_t)(s - buf)))) {
				*nl = '\0';
				on_manager_line(&r, s);
				s = nl + 1;
			}
			have -= (size_t)(s - buf);
			memmove(buf, s, have);
			if (have == sizeof buf - 1 || (!open && have > 0)) {
				buf[have] = '\0';
				on_manager_line(&r, buf);
				have = 0;
			}
		}
		manager_gone |= reap(&r, &manager_status);
		/* every worker gone, and the manager still waits for results
		 * that cannot come: say so, and end it */
		if (r.started && !manager_gone && kids_running(&r) == 0) {
			if (stall < 0)
				stall = demo_now_ms();
			else if (stall > 0 && demo_now_ms() - stall >= STALL_MS) {
				stall = 0;      /* once */
				if (r.queued > 0)
					printf(DEMO_TR(api, ctx, "» no worker is left to take the "
					    "%ld task%s back in the queue: ",
					    "» 没有工作进程剩下来接走退回队列的 %ld 个任务%.0s："),
					    r.queued, r.queued == 1 ? "" : "s");
				else
					printf(DEMO_TR(api, ctx, "» a task taken with get() (no "
					    "lease: the CPython worker) went "
					    "with its worker; its result cannot "
					    "come: ",
					    "» 一个用 get() 取走的任务（没有租约：CPython 工作进程）随它的工作进程一起没了；它的结果不会来了："));
				printf(DEMO_TR(api, ctx, "SIGTERM to the manager\n",
				    "向管理进程发送 SIGTERM\n"));
				fflush(stdout);
				kill(r.manager, SIGTERM);
			}
		}
	}
	close(rel[0]);
	/* the manager has closed its output: wait for it and every pane */
	while (!manager_gone || kids_running(&r) > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		if (pid == r.manager) {
			manager_status = status;
			manager_gone = 1;
		}
		for (int i = 0; i <= NWORKERS; i++)
			if (pid == r.kids[i])
				r.kid_code[i] = WIFEXITED(status) ?
				    WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	return summary(&r, manager_status);
}

static const char *const manager_panes[] = {
	"manager", "worker 1", "worker 2", "worker 3", "worker 4",
	"CPython worker", NULL
};
static const char *const manager_panes_zh[] = {
	"管理进程", "工作进程 1", "工作进程 2", "工作进程 3", "工作进程 4", "CPython 工作进程", NULL };

static const struct systour_demo manager_demo = {
	.name = "manager",
	.title_en = "BaseManager's task queue on the network: systour manager, "
	    "four systour workers and the notes' CPython worker (x kills a worker)",
	.title_zh = "网络上的 BaseManager 任务队列：systour manager、四个 systour "
	    "worker 和笔记中的 CPython 任务进程（k 杀死一个 worker）",
	.code = manager_code,
	.panes = manager_panes,
	.panes_zh = manager_panes_zh,
	.run = manager_run,
};

extern const struct systour_demo redis_queue_demo;	/* demo_redis.c */

static const struct systour_demo *const demos[] = { &manager_demo,
	&redis_queue_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "08-distributed",
	.demos = demos,
};
