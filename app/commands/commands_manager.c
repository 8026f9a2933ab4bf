/* commands_manager.c — `systour manager` (the notes' service process) and
 * `systour worker` (the notes' task process). */
#include "manager.h"
#include "shell.h"
#include "worker.h"
#include "lang.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* A whole number from lo to hi, or -1 after an error line. */
static int
number(struct app *app, const char *cmd, const char *opt, const char *v,
    long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
		app_errorf(app, L(app->lang, "%s: --%s %s: not a number from %ld to %ld",
		    "%s：--%s %s：不是 %ld 到 %ld 之间的数"),
		    cmd, opt, v, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

/* What one queued task of --tasks costs the manager ("ImageUrl_N" as a
 * str value and its queue slot), measured: 2,000,000 tasks in an
 * unbounded queue took 185 MB. */
#define TASK_BYTES 100

/* The memory this process may still take, in bytes: MemAvailable from
 * /proc/meminfo, or less under an address-space or data limit; -1 if
 * neither is known. */
static long long
mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long long kb = -1, avail;
	if (f) {
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
				break;
		fclose(f);
	}
	avail = kb < 0 ? -1 : kb * 1024;
	static const int res[] = { RLIMIT_AS, RLIMIT_DATA };
	for (size_t i = 0; i < sizeof res / sizeof res[0]; i++) {
		struct rlimit rl;
		if (getrlimit(res[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    (avail < 0 || (long long)rl.rlim_cur < avail))
			avail = (long long)rl.rlim_cur;
	}
	return avail;
}

/* --tasks N puts every task at once when the queue is unbounded: refuse,
 * up front, a count whose tasks would take more than half the memory
 * available, naming the limit. 0 if it fits. */
static int
tasks_fit(struct app *app, long tasks, long maxsize)
{
	long queued = maxsize > 0 && maxsize < tasks ? maxsize : tasks;
	long long avail = mem_available();
	if (avail < 0 || (long long)queued * TASK_BYTES <= avail / 2)
		return 0;
	long fit = (long)(avail / 2 / TASK_BYTES);
	app_errorf(app, L(app->lang,
	    "manager: --tasks %ld: the queue would hold %ld tasks at once, "
	    "about %lld MB, more than half the memory available (%lld MB); "
	    "at most %ld, or bound the queue with --maxsize",
	    "manager: --tasks %ld：队列会同时存放 %ld 个任务，约 %lld MB，"
	    "超过可用内存（%lld MB）的一半；最多 %ld 个，或用 --maxsize "
	    "限制队列"), tasks, queued,
	    (long long)queued * TASK_BYTES >> 20, avail >> 20, fit);
	return -1;
}

static enum cmd_retval
cmd_manager_exec(struct app *app, struct cmd_args *args)
{
	struct manager_opts o = { .host = "127.0.0.1", .port = "8001",
	    .authkey = "qiye", .out = stdout, .log = stderr };
	const char *v;
	long n;
	cmd_has(args, "host", &o.host);
	cmd_has(args, "port", &o.port);
	cmd_has(args, "authkey", &o.authkey);
	if (cmd_has(args, "tasks", &v)) {
		if (number(app, "manager", "tasks", v, 0, 100000000, &n) < 0)
			return CMD_USAGE;
		o.tasks = n;
	}
	if (cmd_has(args, "maxsize", &v)) {
		if (number(app, "manager", "maxsize", v, 0, 1000000000, &n) < 0)
			return CMD_USAGE;
		o.maxsize = n;
	}
	if (cmd_has(args, "max-frame", &v)) {
		if (number(app, "manager", "max-frame", v, 256, 1L << 30, &n) < 0)
			return CMD_USAGE;
		o.max_frame = (size_t)n;
	}
	o.depth = cmd_has(args, "depth", NULL);
	cmd_has(args, "redis", &o.redis);
	if (o.tasks > 0 && tasks_fit(app, o.tasks, o.maxsize) < 0)
		return CMD_USAGE;
	if (number(app, "manager", "port", o.port, 0, 65535, &n) < 0)
		return CMD_USAGE;
	char *cause = NULL;
	int rc = manager_run(&o, &cause);
	if (rc != 0) {
		app_errorf(app, "manager: %s", cause);
		free(cause);
	}
	return rc == 0 ? CMD_OK : rc == 2 ? CMD_USAGE : CMD_ERR;
}

static const char *const manager_options[] = { "host=", "port=", "authkey=",
	"tasks=", "maxsize=", "max-frame=", "depth", "redis=", NULL };

static const struct cmd_optdoc manager_optdoc[] = {
	{ "--host ADDR", "the address to listen on (default 127.0.0.1); off\n"
	    "loopback, --authkey must be your own, 8 bytes or more",
	  "监听的地址（默认 127.0.0.1）；不是回环地址时，\n"
	    "--authkey 必须是你自己的，至少 8 个字节" },
	{ "--port N", "the TCP port (default 8001; 0: any free port)",
	  "TCP 端口（默认 8001；0：任一空闲端口）" },
	{ "--authkey KEY", "the key a client must prove it knows (default\n"
	    "qiye, the notes' key)",
	  "客户端必须证明自己知道的口令（默认 qiye，\n笔记中的口令）" },
	{ "--tasks N", "put the notes' tasks ImageUrl_0 ... ImageUrl_N-1,\n"
	    "print the results as they come; exit once all are\n"
	    "in and the clients have gone",
	  "放入笔记中的任务 ImageUrl_0 … ImageUrl_N-1，结果\n"
	    "到达时打印；全部到齐且客户端离开后退出" },
	{ "--maxsize N", "at most N items in each queue (default 0: no bound)",
	  "每个队列最多 N 项（默认 0：不限）" },
	{ "--max-frame BYTES", "drop a client that sends a longer frame\n"
	    "(256 to 1073741824, default 16777216)",
	  "客户端发来更长的帧就断开它\n（256 到 1073741824，默认 16777216）" },
	{ "--depth", "print a line with a bar each time a queue's depth\n"
	    "changes (at most ten a second)",
	  "队列深度变化时打印一行带条形图的状态\n（每秒最多十行）" },
	{ "--redis URL", "keep the queues in Redis Streams, so that they\n"
	    "outlive this process and several managers share\n"
	    "them: redis://[:PASSWORD@]HOST[:PORT][/DB]",
	  "把队列放在 Redis Streams 中，任务在本进程退出后\n"
	    "仍然保留，多个管理进程可以共用：\n"
	    "redis://[:密码@]主机[:端口][/库]" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_manager_entry = {
	.name = "manager",
	.usage = "[--host 127.0.0.1] [--port 8001] [--authkey qiye] [--tasks N] "
	    "[--maxsize N] [--max-frame BYTES] [--depth] [--redis URL]",
	.help_en = "the notes' service process: task and result queues over TCP",
	.help_zh = "笔记中的服务进程：通过 TCP 提供任务队列和结果队列",
	.minargs = 0, .maxargs = 0, .options = manager_options,
	.optdoc = manager_optdoc,
	.flags = CMD_ONESHOT | CMD_STANDALONE, .exec = cmd_manager_exec,
};

/* The options of `worker` that mean the same with --redis. */
static int
worker_common(struct app *app, struct cmd_args *args, struct worker_opts *o)
{
	const char *v;
	long n;
	if (cmd_has(args, "timeout", &v)) {
		if (number(app, "worker", "timeout", v, 0, 86400, &n) < 0)
			return -1;
		o->timeout = (double)n;
	}
	if (cmd_has(args, "pace", &v)) {
		if (number(app, "worker", "pace", v, 0, 10000, &n) < 0)
			return -1;
		o->pace_ms = n;
	}
	if (cmd_has(args, "batch", &v)) {
		if (number(app, "worker", "batch", v, 0, 10000, &n) < 0)
			return -1;
		o->batch = n;
	}
	if (cmd_has(args, "lease", &v)) {
		if (number(app, "worker", "lease", v, 1, 86400, &n) < 0)
			return -1;
		o->lease = (double)n;
	}
	return 0;
}

/* worker --redis URL: tasks straight from Redis Streams. */
static enum cmd_retval
worker_redis(struct app *app, struct cmd_args *args, struct worker_opts *o)
{
	if (cmd_has(args, "connect", NULL)) {
		app_errorf(app, L(app->lang,
		    "worker: --connect and --redis: one or the other",
		    "worker：--connect 和 --redis 只能选一个"));
		return CMD_USAGE;
	}
	if (worker_common(app, args, o) < 0)
		return CMD_USAGE;
	if (o->batch < 1)
		o->batch = 1;
	char *cause = NULL;
	if (worker_redis_run(o, &cause) != 0) {
		app_errorf(app, "worker: %s", cause);
		free(cause);
		return CMD_ERR;
	}
	return CMD_OK;
}

static enum cmd_retval
cmd_worker_exec(struct app *app, struct cmd_args *args)
{
	struct worker_opts o = { .authkey = "qiye", .timeout = 5,
	    .pace_ms = 100, .batch = 1, .lease = 30, .out = stdout };
	const char *v;
	long n;
	if (cmd_has(args, "redis", &o.redis))
		return worker_redis(app, args, &o);
	if (!cmd_has(args, "connect", &v)) {
		app_errorf(app, L(app->lang,
		    "worker: --connect HOST:PORT or --redis URL is needed",
		    "worker：需要 --connect HOST:PORT 或 --redis URL"));
		return CMD_USAGE;
	}
	const char *colon = strrchr(v, ':');
	if (colon == NULL || colon == v || colon[1] == '\0') {
		app_errorf(app, L(app->lang, "worker: --connect %s: not HOST:PORT",
		    "worker：--connect %s：不是 HOST:PORT 形式"), v);
		return CMD_USAGE;
	}
	char *host = strndup(v, (size_t)(colon - v));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	o.host = host;
	o.port = colon + 1;
	enum cmd_retval ret = CMD_USAGE;
	if (number(app, "worker", "connect", o.port, 1, 65535, &n) < 0)
		goto out;
	cmd_has(args, "authkey", &o.authkey);
	if (worker_common(app, args, &o) < 0)
		goto out;
	char *cause = NULL;
	if (worker_run(&o, &cause) != 0) {
		app_errorf(app, "worker: %s", cause);
		free(cause);
		ret = CMD_ERR;
	} else
		ret = CMD_OK;
out:
	free(host);
	return ret;
}

static const char *const worker_options[] = { "connect=", "authkey=",
	"timeout=", "pace=", "batch=", "lease=", "redis=", NULL };

static const struct cmd_optdoc worker_optdoc[] = {
	{ "--connect HOST:PORT", "the manager to work for (this or --redis)",
	  "为哪个管理进程工作（此项或 --redis）" },
	{ "--authkey KEY", "the manager's key (default qiye)",
	  "管理进程的口令（默认 qiye）" },
	{ "--timeout SECONDS", "stop when no task comes for this long (default 5)",
	  "这么久没有任务就结束（默认 5）" },
	{ "--pace MS", "the \"download\": MS of sleep per task, 0 to\n"
	    "10000 (default 100)",
	  "“下载”：每个任务睡眠 MS 毫秒，0 到 10000（默认 100）" },
	{ "--batch N", "lease up to N tasks at a time from systour manager\n"
	    "(default 1); 0: the notes' get, without leases",
	  "一次从 systour manager 租用至多 N 个任务（默认 1）；\n"
	    "0：笔记中的 get，不租用" },
	{ "--lease SECONDS", "how long a lease lasts; then its tasks go back to\n"
	    "the queue (default 30)",
	  "租约的时长，过期后任务回到队列（默认 30）" },
	{ "--redis URL", "take tasks straight from Redis Streams instead of\n"
	    "a manager: redis://[:PASSWORD@]HOST[:PORT][/DB]",
	  "不经管理进程，直接从 Redis Streams 取任务：\n"
	    "redis://[:密码@]主机[:端口][/库]" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_worker_entry = {
	.name = "worker",
	.usage = "--connect HOST:PORT | --redis URL [--authkey qiye] "
	    "[--timeout SECONDS] [--pace MS] [--batch N] [--lease SECONDS]",
	.help_en = "the notes' task process: take tasks, put 'success <task>'",
	.help_zh = "笔记中的任务进程：取任务，放回 'success <任务>'",
	.minargs = 0, .maxargs = 0, .options = worker_options,
	.optdoc = worker_optdoc,
	.flags = CMD_ONESHOT | CMD_STANDALONE, .exec = cmd_worker_exec,
};
