/* commands_net.c — `systour serve echo|http` and `systour client H:P`, the
 * socket peers of the network lessons (app/net/). */
#include "net.h"
#include "shell.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <stdio.h>
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
		app_errorf(app, L(app->lang,
		    "%s: --%s %s: not a number from %ld to %ld",
		    "%s：--%s %s：不是 %ld 到 %ld 之间的数"),
		    cmd, opt, v, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

static enum cmd_retval
cmd_serve_exec(struct app *app, struct cmd_args *args)
{
	const char *what = args->argv[0];
	int http = strcmp(what, "http") == 0;
	if (!http && strcmp(what, "echo") != 0) {
		app_errorf(app, L(app->lang,
		    "serve: %s: not a server (echo or http)",
		    "serve：%s：没有这种服务器（echo 或 http）"), what);
		return CMD_USAGE;
	}
	const char *cmd = http ? "serve http" : "serve echo";
	struct serve_opts o = { .host = "127.0.0.1",
	    .port = http ? SERVE_HTTP_PORT : SERVE_ECHO_PORT,
	    .idle_ms = SERVE_IDLE_MS, .out = stdout, .log = stderr,
	    .greeting = http ? NULL : "welcome to here\n" };
	const char *v;
	long n;
	cmd_has(args, "host", &o.host);
	cmd_has(args, "port", &o.port);
	if (number(app, cmd, "port", o.port, 0, 65535, &n) < 0)
		return CMD_USAGE;
	if (cmd_has(args, "delay", &v)) {
		if (!http) {
			app_errorf(app, L(app->lang,
			    "serve echo: --delay: only serve http "
			    "delays its answers",
			    "serve echo：--delay：只有 serve http 会推迟应答"));
			return CMD_USAGE;
		}
		if (number(app, cmd, "delay", v, 0, 600000, &n) < 0)
			return CMD_USAGE;
		o.delay_ms = (int)n;
	}
	if (cmd_has(args, "idle", &v)) {
		if (number(app, cmd, "idle", v, 1, 86400, &n) < 0)
			return CMD_USAGE;
		o.idle_ms = (int)n * 1000;
	}
	char *cause = NULL;
	int rc = http ? serve_http_run(&o, &cause) : serve_echo_run(&o, &cause);
	if (rc != 0) {
		app_errorf(app, "%s: %s", cmd, cause);
		free(cause);
		return CMD_ERR;
	}
	return CMD_OK;
}

static const char *const serve_options[] = { "host=", "port=", "delay=",
	"idle=", NULL };

static const struct cmd_optdoc serve_optdoc[] = {
	{ "--host ADDR", "the address to listen on (default 127.0.0.1)",
	  "监听的地址（默认 127.0.0.1）" },
	{ "--port N", "the TCP port (default: http " SERVE_HTTP_PORT ", echo "
	    SERVE_ECHO_PORT ";\n0: any free port, named on the first line)",
	  "TCP 端口（默认：http " SERVE_HTTP_PORT "，echo " SERVE_ECHO_PORT
	    "；\n0：任一空闲端口，第一行会写出它）" },
	{ "--delay MS", "http: delay every answer by MS milliseconds, without\n"
	    "holding up other clients (0 to 600000)",
	  "http：每个应答推迟 MS 毫秒，不耽误其他客户端\n（0 到 600000）" },
	{ "--idle SECONDS", "close a connection idle this long (default 30;\n"
	    "an unfinished HTTP request gets 408)",
	  "连接空闲这么久就关闭（默认 30；\n未发完的 HTTP 请求得到 408）" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_serve_entry = {
	.name = "serve",
	.usage = "echo|http [--host 127.0.0.1] [--port N] [--delay MS] "
	    "[--idle SECONDS]",
	.help_en = "a server on epoll: echo (greets with the notes' line, "
	    "then echoes) or http (GET / and /slow/MS); its first line is "
	    "'listening on HOST:PORT'",
	.help_zh = "基于 epoll 的服务器：echo（先发笔记中的欢迎语，再原样"
	    "回送）或 http（GET / 和 /slow/MS）；第一行是 "
	    "'listening on HOST:PORT'",
	.minargs = 1, .maxargs = 1, .options = serve_options,
	.optdoc = serve_optdoc,
	.flags = CMD_ONESHOT | CMD_STANDALONE, .exec = cmd_serve_exec,
};

static enum cmd_retval
cmd_client_exec(struct app *app, struct cmd_args *args)
{
	struct client_opts o = { .timeout_ms = 5000, .log = stderr };
	char *host, *port;
	const char *v;
	long n;
	if (net_split_hostport(args->argv[0], &host, &port) < 0) {
		app_errorf(app, L(app->lang, "client: %s: not HOST:PORT",
		    "client：%s：不是 HOST:PORT"), args->argv[0]);
		return CMD_USAGE;
	}
	enum cmd_retval ret = CMD_USAGE;
	if (number(app, "client", "port", port, 1, 65535, &n) < 0)
		goto out;
	if (cmd_has(args, "timeout", &v)) {
		if (number(app, "client", "timeout", v, 1, 3600, &n) < 0)
			goto out;
		o.timeout_ms = (int)n * 1000;
	}
	o.host = host;
	o.port = port;
	char *cause = NULL;
	if (client_run(&o, &cause) != 0) {
		app_errorf(app, "client: %s", cause);
		free(cause);
		ret = CMD_ERR;
	} else
		ret = CMD_OK;
out:
	free(host);
	free(port);
	return ret;
}

static const char *const client_options[] = { "timeout=", NULL };

static const struct cmd_optdoc client_optdoc[] = {
	{ "--timeout SECONDS", "give up connecting after this long (default 5)",
	  "连接超过这么久就放弃（默认 5）" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_client_entry = {
	.name = "client",
	.usage = "HOST:PORT [--timeout SECONDS]",
	.help_en = "connect, send stdin's lines, print what the server sends "
	    "until it closes",
	.help_zh = "连接服务器，发送标准输入的各行，打印服务器发来的内容，"
	    "直到它关闭连接",
	.minargs = 1, .maxargs = 1, .options = client_options,
	.optdoc = client_optdoc,
	.flags = CMD_ONESHOT | CMD_STANDALONE, .exec = cmd_client_exec,
};
