/* commands_pickle.c — `pickle dis|repr|echo FILE|-`: disassemble a pickle
 * as `python3 -m pickletools` does, decode it safely and print its repr(),
 * or decode it and write it again in a given protocol (for testing the
 * encoder against python3). Standard input is read as the bytes arrive,
 * so `dis -` prints each opcode as soon as it is whole. */
#include "buf.h"
#include "pickle.h"
#include "shell.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
oneshot(const struct app *app)
{
	return strcmp(app->ui->name, "oneshot") == 0;
}

/* Read more of fd into b: bytes read, 0 at its end, -1 on an error.
 * Refuses (-2) to go past the input limit. */
static ssize_t
read_more(int fd, struct buf *b)
{
	if (b->len >= pickle_default_limits.max_input)
		return -2;
	/* read straight into the room reserved after len: 64 KiB at first,
	 * then at least 4 KiB */
	buf_reserve(b, b->cap ? 4096 : 65536);
	size_t want = b->cap - b->len - 1;
	if (want > pickle_default_limits.max_input - b->len + 1)
		want = pickle_default_limits.max_input - b->len + 1;
	for (;;) {
		ssize_t n = read(fd, b->data + b->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			b->len += (size_t)n;
			b->data[b->len] = '\0';
		}
		return n;
	}
}

static int
open_input(struct app *app, const char *sub, const char *path)
{
	if (strcmp(path, "-") == 0) {
		if (!oneshot(app)) {
			app_errorf(app, L(app->lang, "pickle %s: - (standard input) only from the "
			    "command line; give a file",
			    "pickle %s：- （标准输入）只能在命令行中使用；请给一个文件"), sub);
			return -1;
		}
		return STDIN_FILENO;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		app_errorf(app, "pickle %s: %s: %s", sub, path, strerror(errno));
	return fd;
}

/* The whole input; NULL after saying why. */
static unsigned char *
slurp(struct app *app, const char *sub, const char *path, size_t *len)
{
	int fd = open_input(app, sub, path);
	if (fd < 0)
		return NULL;
	struct buf b = BUF_INIT;
	ssize_t n;
	while ((n = read_more(fd, &b)) > 0)
		;
	int err = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	if (n == -1) {
		app_errorf(app, "pickle %s: %s: %s", sub, path, strerror(err));
		buf_free(&b);
		return NULL;
	}
	if (n == -2 || b.len > pickle_default_limits.max_input) {
		app_errorf(app, L(app->lang, "pickle %s: %s: more than %zu bytes",
		    "pickle %s：%s：超过 %zu 字节"), sub, path,
		    pickle_default_limits.max_input);
		buf_free(&b);
		return NULL;
	}
	return (unsigned char *)buf_detach(&b, len);
}

static enum cmd_retval
pickle_dis_cmd(struct app *app, const char *path)
{
	int fd = open_input(app, "dis", path);
	if (fd < 0)
		return CMD_ERR;
	struct pickle_dis *d = pickle_dis_new();
	struct buf b = BUF_INIT;
	int eof = 0, rc;
	enum cmd_retval ret = CMD_ERR;
	char *cause = NULL;
	for (;;) {
		char *line;
		rc = pickle_dis_next(d, (const unsigned char *)b.data, b.len, eof,
		    &line, NULL, &cause);
		if (line) {
			app_printf(app, "%s", line);
			free(line);
			if (oneshot(app))
				fflush(stdout);
		}
		if (rc == 1)
			continue;
		if (rc == 2) {
			ret = CMD_OK;
			break;
		}
		if (rc < 0) {
			app_errorf(app, "%s", cause);
			break;
		}
		ssize_t n = read_more(fd, &b);
		if (n == -2) {
			app_errorf(app, L(app->lang, "pickle dis: %s: more than %zu bytes without "
			    "a STOP",
			    "pickle dis：%s：超过 %zu 字节还没有 STOP"), path, pickle_default_limits.max_input);
			break;
		}
		if (n < 0) {
			app_errorf(app, L(app->lang, "pickle dis: %s: %s",
			    "pickle dis：%s：%s"), path, strerror(errno));
			break;
		}
		if (n == 0)
			eof = 1;
	}
	free(cause);
	buf_free(&b);
	pickle_dis_free(d);
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

/* Write all of p to stdout. */
static int
write_out(const unsigned char *p, size_t n)
{
	fflush(stdout);
	while (n > 0) {
		ssize_t k = write(STDOUT_FILENO, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static enum cmd_retval
cmd_pickle_exec(struct app *app, struct cmd_args *args)
{
	const char *sub = args->argv[0], *path = args->argv[1], *v;
	int protocol = 4;
	if (cmd_has(args, "protocol", &v)) {
		char *end;
		long p = strtol(v, &end, 10);
		if (strcmp(sub, "echo") != 0) {
			app_errorf(app, L(app->lang, "pickle %s: --protocol is for echo",
			    "pickle %s：--protocol 只用于 echo"), sub);
			return CMD_USAGE;
		}
		if (*v == '\0' || *end != '\0' || p < 2 || p > 5) {
			app_errorf(app, L(app->lang, "pickle echo: --protocol %s: not 2, 3, 4 or 5",
			    "pickle echo：--protocol %s：不是 2、3、4 或 5"), v);
			return CMD_USAGE;
		}
		protocol = (int)p;
	}
	if (strcmp(sub, "dis") == 0)
		return pickle_dis_cmd(app, path);
	if (strcmp(sub, "repr") != 0 && strcmp(sub, "echo") != 0) {
		app_errorf(app, L(app->lang, "pickle: %s: not dis, repr or echo (usage: pickle "
		    "dis|repr|echo FILE|- [--protocol N])",
		    "pickle：%s：不是 dis、repr 或 echo（用法：pickle dis|repr|echo FILE|- [--protocol N]）"), sub);
		return CMD_USAGE;
	}
	size_t len;
	unsigned char *buf = slurp(app, sub, path, &len);
	if (buf == NULL)
		return CMD_ERR;
	char *cause = NULL;
	struct pval *val = pickle_loads(buf, len, NULL, NULL, &cause);
	free(buf);
	if (val == NULL) {
		app_errorf(app, "%s", cause);
		free(cause);
		return CMD_ERR;
	}
	enum cmd_retval ret = CMD_OK;
	if (strcmp(sub, "repr") == 0) {
		char *s = pval_repr(val);
		app_printf(app, "%s\n", s);
		free(s);
	} else {
		unsigned char *out;
		size_t outlen;
		if (pickle_dumps(val, protocol, &out, &outlen, &cause) < 0) {
			app_errorf(app, "%s", cause);
			free(cause);
			ret = CMD_ERR;
		} else if (oneshot(app)) {
			if (write_out(out, outlen) < 0) {
				app_errorf(app, L(app->lang, "pickle echo: writing: %s",
				    "pickle echo：写出时：%s"), strerror(errno));
				ret = CMD_ERR;
			}
		} else {
			/* in the shell, the bytes as Python shows them */
			struct buf b = { 0 };
			pickle_repr_bytes(&b, out, outlen);
			app_printf(app, "%s\n", b.data);
			free(b.data);
		}
		if (ret == CMD_OK || out)
			free(out);
	}
	pval_free(val);
	return ret;
}

static const char *const pickle_options[] = { "protocol=", NULL };

static const struct cmd_optdoc pickle_optdoc[] = {
	{ "--protocol N", "echo: the protocol to write, 2 to 5 (default 4)",
	  "echo：写出所用的协议，2 到 5（默认 4）" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry cmd_pickle_entry = {
	.name = "pickle", .usage = "dis|repr|echo FILE|- [--protocol N]",
	.help_en = "pickle data: dis shows its opcodes as python3 -m pickletools "
	    "does; repr decodes it safely (no code runs) and prints the value; "
	    "echo decodes it and writes it again in protocol N (2-5, default 4) "
	    "to stdout, to test systour's encoder against python3",
	.help_zh = "pickle 数据：dis 像 python3 -m pickletools 一样列出操作码；"
	    "repr 安全地解码（不执行任何代码）并打印值；echo 解码后按协议 N"
	    "（2-5，默认 4）重新编码写到标准输出，用来拿 python3 检验 systour 的编码器",
	.minargs = 2, .maxargs = 2, .options = pickle_options,
	.optdoc = pickle_optdoc,
	.flags = CMD_ONESHOT | CMD_SHELL | CMD_STANDALONE,
	.exec = cmd_pickle_exec,
};
