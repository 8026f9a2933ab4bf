/* commands_manager.c — `systour manager` (the notes' service process) and
 * `systour worker` (the notes' task process). */
#include "manager.h"
#include "shell.h"
#include "worker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A whole number from lo to hi, or -1 after an error line. */
static int
number(struct app *app, const char *cmd, const char *opt, const char *v,
    long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
		app_errorf(app, "%s: --%s %s: not a number from %ld to %ld",
		    cmd, opt, v, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
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
	"tasks=", "maxsize=", "max-frame=", "depth", NULL };

const struct cmd_entry cmd_manager_entry = {
	.name = "manager",
	.usage = "[--host 127.0.0.1] [--port 8001] [--authkey qiye] [--tasks N] "
	    "[--maxsize N] [--max-frame BYTES] [--depth]",
	.help_en = "the notes' service process: task and result queues over TCP",
	.help_zh = "笔记中的服务进程：通过 TCP 提供任务队列和结果队列",
	.minargs = 0, .maxargs = 0, .options = manager_options,
	.flags = CMD_ONESHOT, .exec = cmd_manager_exec,
};

static enum cmd_retval
cmd_worker_exec(struct app *app, struct cmd_args *args)
{
	struct worker_opts o = { .authkey = "qiye", .timeout = 5,
	    .pace_ms = 100, .batch = 1, .lease = 30, .out = stdout };
	const char *v;
	long n;
	if (!cmd_has(args, "connect", &v)) {
		app_errorf(app, "worker: --connect HOST:PORT is needed");
		return CMD_USAGE;
	}
	const char *colon = strrchr(v, ':');
	if (colon == NULL || colon == v || colon[1] == '\0') {
		app_errorf(app, "worker: --connect %s: not HOST:PORT", v);
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
	if (cmd_has(args, "timeout", &v)) {
		if (number(app, "worker", "timeout", v, 0, 86400, &n) < 0)
			goto out;
		o.timeout = (double)n;
	}
	if (cmd_has(args, "pace", &v)) {
		if (number(app, "worker", "pace", v, 0, 10000, &n) < 0)
			goto out;
		o.pace_ms = n;
	}
	if (cmd_has(args, "batch", &v)) {
		if (number(app, "worker", "batch", v, 0, 10000, &n) < 0)
			goto out;
		o.batch = n;
	}
	if (cmd_has(args, "lease", &v)) {
		if (number(app, "worker", "lease", v, 1, 86400, &n) < 0)
			goto out;
		o.lease = (double)n;
	}
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
	"timeout=", "pace=", "batch=", "lease=", NULL };

const struct cmd_entry cmd_worker_entry = {
	.name = "worker",
	.usage = "--connect HOST:PORT [--authkey qiye] [--timeout SECONDS] "
	    "[--pace MS] [--batch N] [--lease SECONDS]",
	.help_en = "the notes' task process: take tasks, put 'success <task>'",
	.help_zh = "笔记中的任务进程：取任务，放回 'success <任务>'",
	.minargs = 0, .maxargs = 0, .options = worker_options,
	.flags = CMD_ONESHOT, .exec = cmd_worker_exec,
};
