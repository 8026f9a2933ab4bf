/* demo_redis.c — lesson 08's `redis-queue` demo: the task queue in Redis
 * Streams. The leader starts a real redis-server (AOF on) in the scratch
 * directory on a free loopback port (when redis-server is not installed,
 * its pane says what to install, and that is all), then `systour manager
 * --redis` putting 30 tasks, three `systour worker --redis`, and a pane that
 * asks Redis twice a second for the stream, the pending entries list (each
 * entry's consumer, idle time and delivery count) and the dead letters. It
 * puts one poison task (a value no worker can read) among them, kills a
 * worker holding a batch (its entries sit pending until a janitor claims
 * them past the lease), kills the manager and starts a second one, which
 * puts none of the tasks twice and carries on. The figures are read from
 * Redis at the end. Redis is spoken to here with a few lines of RESP over a
 * socket (a lesson module links with nothing but libc). */
#define _GNU_SOURCE
#include "demo_lib.h"
#include "lesson_module.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RQ_TASKS	"30"
#define RQ_NTASKS	30
#define RQ_WORKERS	3
#define RQ_LEASE	"3"	/* s: the janitor claims entries idle longer */
#define RQ_PACE		"300"	/* ms per task */
#define RQ_DEADLINE_MS	60000
#define PANE_MON	1
#define PANE_M1		2
#define PANE_W1		3	/* workers: 3, 4, 5 */
#define PANE_M2		PANE_M1	/* the second takes the first's pane */

static const char rq_code[] =
	"import redis\n"
	"r = redis.Redis(port=PORT)\n"
	"r.xgroup_create('systour:tasks', 'workers', id='0', mkstream=True)\n"
	"for i in range(30):                       # systour manager --redis\n"
	"    r.xadd('systour:tasks', {'s': 'ImageUrl_%d' % i})\n"
	"while True:                               # systour worker --redis\n"
	"    got = r.xreadgroup('workers', me, {'systour:tasks': '>'}, count=3)\n"
	"    for stream, entries in got:\n"
	"        for eid, fields in entries:\n"
	"            download(fields)              # kill -9 here: stays in the PEL\n"
	"            r.hsetnx('systour:done', eid, result)\n"
	"            r.xack('systour:tasks', 'workers', eid)\n"
	"    # the janitor: what sat pending past the lease is ours now\n"
	"    r.xautoclaim('systour:tasks', 'workers', me, min_idle_time=3000)\n";

static char rq_exe[PATH_MAX] = "/proc/self/exe";

static int
rq_line(const char *what)
{
	const char *p = strstr(rq_code, what);
	int line = 1;
	for (const char *q = rq_code; p && q < p; q++)
		line += *q == '\n';
	return p ? line : 0;
}

/* ------------------------------------------------------- a little RESP */

/* A reply: type '+', '-', ':', '$' (s, n bytes; n -1: nil), '*' (el). */
struct rv {
	char		 type;
	long long	 n;
	char		*s;
	struct rv	**el;
};

static void
rv_free(struct rv *v)
{
	if (v == NULL)
		return;
	for (long long i = 0; v->type == '*' && i < v->n; i++)
		rv_free(v->el[i]);
	free(v->el);
	free(v->s);
	free(v);
}

static struct rv *
rv_read(FILE *f, int depth)
{
	char line[512];
	if (depth > 8 || fgets(line, sizeof line, f) == NULL)
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	struct rv *v = calloc(1, sizeof *v);
	if (v == NULL)
		return NULL;
	v->type = line[0];
	switch (v->type) {
	case '+':
	case '-':
		v->s = strdup(line + 1);
		break;
	case ':':
		v->n = atoll(line + 1);
		break;
	case '$':
		v->n = atoll(line + 1);
		if (v->n >= 0 && v->n < (1 << 20)) {
			v->s = calloc(1, (size_t)v->n + 3);
			if (v->s == NULL || fread(v->s, 1, (size_t)v->n + 2, f) !=
			    (size_t)v->n + 2) {
				rv_free(v);
				return NULL;
			}
			v->s[v->n] = '\0';
		}
		break;
	case '*':
		v->n = atoll(line + 1);
		if (v->n > 0 && v->n < 100000) {
			v->el = calloc((size_t)v->n, sizeof *v->el);
			for (long long i = 0; v->el && i < v->n; i++)
				if ((v->el[i] = rv_read(f, depth + 1)) == NULL) {
					v->n = i;
					rv_free(v);
					return NULL;
				}
		} else if (v->n > 0)
			v->n = 0;
		break;
	default:
		rv_free(v);
		return NULL;
	}
	return v;
}

/* One command (its words, NULL-terminated) and its reply, or NULL. */
static struct rv *
cmd(FILE *f, const char *const *argv)
{
	int n = 0;
	while (argv[n])
		n++;
	fprintf(f, "*%d\r\n", n);
	for (int i = 0; i < n; i++)
		fprintf(f, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
	if (fflush(f) != 0)
		return NULL;
	return rv_read(f, 0);
}

static FILE *
dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "r+");
	if (f == NULL)
		close(fd);
	return f;
}

static long long
integer(FILE *f, const char *const *argv)
{
	struct rv *v = cmd(f, argv);
	long long n = v && v->type == ':' ? v->n : -1;
	rv_free(v);
	return n;
}

/* ------------------------------------------------------------ processes */

static void
rq_close_from_3(void)
{
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

static int
free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

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

/* Fork a child in pane, titled who, that execs argv. */
static pid_t
spawn(struct demo_ctx *ctx, const struct demo_api *api, int pane,
    const char *who, const char *path, char *const *argv)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	api->to_pane(ctx, pane, who);
	printf("» execv(\"%s\"", path);
	for (int i = 1; argv[i]; i++)
		printf(", \"%s\"", argv[i]);
	printf(")\n");
	fflush(stdout);
	rq_close_from_3();
	execv(path, argv);
	perror(path);
	_exit(127);
}

/* The Redis pane: the stream, the PEL, the dead letters, twice a second. */
static void
monitor(struct demo_ctx *ctx, const struct demo_api *api, int port)
{
	struct demo_actor *me = api->to_pane(ctx, PANE_MON, "redis-cli (RESP)");
	FILE *f = NULL;
	for (;;) {
		if (f == NULL && (f = dial(port)) == NULL) {
			usleep(200000);
			continue;
		}
		static const char *const xl[] = { "XLEN", "systour:tasks", NULL };
		static const char *const dl[] = { "XLEN", "systour:dead", NULL };
		static const char *const hl[] = { "HLEN", "systour:done", NULL };
		static const char *const pe[] = { "XPENDING", "systour:tasks",
		    "workers", "-", "+", "6", NULL };
		long long len = integer(f, xl), dead = integer(f, dl),
		    done = integer(f, hl);
		struct rv *p = cmd(f, pe);
		if (len < 0 || p == NULL) {
			rv_free(p);
			fclose(f);
			f = NULL;
			api->print(me, "%s\n", DEMO_TR(api, ctx,
			    "(Redis does not answer)", "（Redis 没有回答）"));
			usleep(500000);
			continue;
		}
		api->print(me, "%s %lld, %s %lld, %s %lld\n",
		    DEMO_TR(api, ctx, "stream", "stream 条目"), len,
		    DEMO_TR(api, ctx, "results", "结果"), done,
		    DEMO_TR(api, ctx, "dead letters", "死信"), dead);
		for (long long i = 0; p->type == '*' && i < p->n; i++) {
			struct rv *e = p->el[i];
			if (e->type != '*' || e->n != 4)
				continue;
			api->print(me, "  PEL %s %s %s %lld ms, %s %lld\n",
			    e->el[0]->s, e->el[1]->s,
			    DEMO_TR(api, ctx, "idle", "空闲"), e->el[2]->n,
			    DEMO_TR(api, ctx, "delivered", "投递"), e->el[3]->n);
		}
		rv_free(p);
		usleep(500000);
	}
}

static int
wait_exit(pid_t pid, int ms)
{
	long long end = demo_now_ms() + ms;
	int status;
	while (demo_now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(20000);
	}
	return -1;
}

static int
rq_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	char redis[PATH_MAX], url[64], ps[16];
	ssize_t n = readlink("/proc/self/exe", rq_exe, sizeof rq_exe - 1);
	if (n > 0)
		rq_exe[n] = '\0';
	if (in_path("redis-server", redis, sizeof redis) < 0) {
		printf("%s\n", DEMO_TR(api, ctx,
		    "redis-server is not installed: on Debian, apt-get install "
		    "redis-server; then run this demo again.",
		    "没有安装 redis-server：在 Debian 上执行 apt-get install "
		    "redis-server，然后再运行本演示。"));
		fflush(stdout);
		return 0;
	}
	int port = free_port();
	snprintf(ps, sizeof ps, "%d", port);
	snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);
	const char *dir = api->scratch(ctx);
	char *const rargv[] = { "redis-server", "--port", ps, "--bind",
	    "127.0.0.1", "--dir", (char *)dir, "--save", "", "--appendonly",
	    "yes", "--logfile", "redis.log", NULL };
	printf("%s\n", DEMO_TR(api, ctx,
	    "» redis-server on a free port, AOF on, its data in the scratch "
	    "directory", "» 在空闲端口上启动 redis-server，打开 AOF，数据放在临时目录"));
	pid_t rs = spawn(ctx, api, 0, "redis-server", redis, rargv);
	FILE *f = NULL;
	for (int i = 0; i < 200 && (f = dial(port)) == NULL; i++)
		usleep(50000);
	if (f == NULL) {
		printf("%s\n", DEMO_TR(api, ctx, "redis-server did not start "
		    "(see redis.log)", "redis-server 没有启动（见 redis.log）"));
		kill(rs, SIGKILL);
		return 1;
	}
	static const char *const grp[] = { "XGROUP", "CREATE", "systour:tasks",
	    "workers", "0", "MKSTREAM", NULL };
	static const char *const poison[] = { "XADD", "systour:tasks", "*",
	    "p", "not a pickle", NULL };
	rv_free(cmd(f, grp));
	rv_free(cmd(f, poison));
	printf("%s\n", DEMO_TR(api, ctx,
	    "» XADD systour:tasks * p 'not a pickle': a poison task first",
	    "» XADD systour:tasks * p 'not a pickle'：先放一个有毒的任务"));
	api->step(me, rq_line("r.xgroup_create"));

	pid_t mon = fork();
	if (mon == 0)
		monitor(ctx, api, port);
	char *const margv[] = { "systour", "manager", "--port", "0", "--redis",
	    url, "--tasks", RQ_TASKS, "--depth", NULL };
	pid_t m1 = spawn(ctx, api, PANE_M1, DEMO_TR(api, ctx,
	    "systour manager 1", "systour 管理进程 1"), rq_exe, margv);
	api->step(me, rq_line("r.xadd"));
	pid_t w[RQ_WORKERS];
	char *const wargv[] = { "systour", "worker", "--redis", url, "--batch",
	    "3", "--pace", RQ_PACE, "--lease", RQ_LEASE, "--timeout", "3",
	    NULL };
	for (int i = 0; i < RQ_WORKERS; i++) {
		char who[32];
		snprintf(who, sizeof who, DEMO_TR(api, ctx, "systour worker %d",
		    "systour 工作进程 %d"), i + 1);
		w[i] = spawn(ctx, api, PANE_W1 + i, who, rq_exe, wargv);
	}
	api->step(me, rq_line("got = r.xreadgroup"));
	usleep(1500000);
	kill(w[0], SIGKILL);
	printf("%s\n", DEMO_TR(api, ctx,
	    "» kill -9 worker 1: its batch stays in the PEL, idle, until a "
	    "janitor claims it past the lease (" RQ_LEASE " s)",
	    "» kill -9 工人 1：它的一批任务留在 PEL 中空闲着，直到超过租期（"
	    RQ_LEASE " 秒）被清理者认领"));
	api->step(me, rq_line("download(fields)"));
	usleep(1500000);
	kill(m1, SIGKILL);
	printf("%s\n", DEMO_TR(api, ctx,
	    "» kill -9 manager 1; manager 2 starts: the tasks are in Redis, "
	    "none is put twice",
	    "» kill -9 管理进程 1；启动管理进程 2：任务都在 Redis 中，没有一个被放两次"));
	pid_t m2 = spawn(ctx, api, PANE_M2, DEMO_TR(api, ctx,
	    "systour manager 2", "systour 管理进程 2"), rq_exe, margv);
	api->step(me, rq_line("r.xautoclaim"));

	static const char *const hl[] = { "HLEN", "systour:done", NULL };
	static const char *const dl[] = { "XLEN", "systour:dead", NULL };
	static const char *const xl[] = { "XLEN", "systour:tasks", NULL };
	long long end = demo_now_ms() + RQ_DEADLINE_MS, done = 0, dead = 0;
	while (demo_now_ms() < end) {
		done = integer(f, hl);
		dead = integer(f, dl);
		if (done >= RQ_NTASKS && dead >= 1)
			break;
		usleep(200000);
	}
	long long entries = integer(f, xl);
	usleep(700000);		/* one more look from the Redis pane */
	int m2_ok = wait_exit(m2, 5000) == 0;
	for (int i = 1; i < RQ_WORKERS; i++)
		if (wait_exit(w[i], 10000) < 0)
			kill(w[i], SIGTERM);
	kill(mon, SIGKILL);
	static const char *const down[] = { "SHUTDOWN", "NOSAVE", NULL };
	rv_free(cmd(f, down));
	fclose(f);
	wait_exit(rs, 5000);
	kill(rs, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	printf(DEMO_TR(api, ctx,
	    "%lld results, each once (by task id); %lld dead letter; %lld "
	    "entries in the stream for %d tasks and the poison\n",
	    "%lld 个结果，每个一次（按任务 id）；%lld 个死信；stream 中有 %lld "
	    "个条目（%d 个任务加一个有毒任务）\n"), done, dead, entries,
	    RQ_NTASKS);
	fflush(stdout);
	api->figure(me, "redis_results", done);
	api->figure(me, "redis_dead_letters", dead);
	api->figure(me, "redis_entries", entries);
	api->figure(me, "second_manager_done", m2_ok);
	return done == RQ_NTASKS && dead == 1 ? 0 : 1;
}

static const char *const rq_panes[] = {
	"leader", "Redis: stream, PEL, dead letters", "managers", "worker 1",
	"worker 2", "worker 3", NULL
};

static const char *const rq_panes_zh[] = {
	"主控", "Redis：stream、PEL、死信", "管理进程", "工人 1", "工人 2",
	"工人 3", NULL
};

const struct systour_demo redis_queue_demo = {
	.name = "redis-queue",
	.title_en = "The task queue in Redis Streams: a worker and the manager "
	    "killed, nothing lost, each result once, a poison task dead",
	.title_zh = "放在 Redis Streams 中的任务队列：杀掉一个工人和管理进程，"
	    "什么也不丢，每个结果一次，有毒任务成为死信",
	.code = rq_code,
	.panes = rq_panes,
	.panes_zh = rq_panes_zh,
	.run = rq_run,
};
