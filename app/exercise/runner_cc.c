/* runner_cc.c — compiling a C exercise for the runner: the system cc with
 * the sanitizers where they work (again without them when the compiler
 * has none), in a proc_group of its own in the check's scratch directory,
 * its message kept for the "compiles" sub-check; the program cached by
 * the hash of its sources and flags, so an unchanged exercise is not
 * compiled again. See runner.h. */
#include "runner.h"
#include "runner_int.h"
#include "buf.h"
#include "loop.h"
#include "proc_group.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* FNV-1a, 64 bits. */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Where the program built from these sources is kept, or NULL. */
char *
ex_run_cache_path(struct ex_run *run)
{
	uint64_t h = 14695981039346656037ULL;
	h = fnv(h, CC_BASE CC_SAN, sizeof CC_BASE CC_SAN);
	for (int i = 0; i < run->ex.nfiles; i++) {
		size_t len;
		char *p = xasprintf("%s/%s", run->learner_dir, run->ex.files[i]);
		char *data = read_file(p, &len);
		free(p);
		h = fnv(h, run->ex.files[i], strlen(run->ex.files[i]) + 1);
		if (data)
			h = fnv(h, data, len);
		free(data);
	}
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *base = xdg && *xdg == '/' ? xasprintf("%s/systour/build", xdg) :
	    xasprintf("%s/.cache/systour/build", home && *home ? home : "/tmp");
	char *id = xstrdup(run->ex.id);
	for (char *s = id; *s; s++)
		if (*s == '/')
			*s = '_';
	char *path = xasprintf("%s/%s-%016llx", base, id, (unsigned long long)h);
	free(id);
	free(base);
	return path;
}

/* In the compiler's leader: cc in the check's scratch directory. */
static int
cc_child(void *arg)
{
	struct ex_run *run = arg;
	dup2(run->fd_out, STDOUT_FILENO);
	dup2(run->fd_out, STDERR_FILENO);
	close(run->fd_out);
	if (chdir(proc_group_scratch(run->g)) != 0)
		return 126;
	const char *argv[64];
	int n = 0;
	argv[n++] = "cc";
	argv[n++] = "-Wall";
	argv[n++] = "-Wextra";
	argv[n++] = "-g";
	if (run->san) {
		argv[n++] = "-fsanitize=address,undefined";
		argv[n++] = "-fno-omit-frame-pointer";
	}
	argv[n++] = "-o";
	argv[n++] = "prog";
	for (int i = 0; i < run->ex.nfiles && n < 60; i++) {
		size_t l = strlen(run->ex.files[i]);
		if (l > 2 && strcmp(run->ex.files[i] + l - 2, ".c") == 0)
			argv[n++] = run->ex.files[i];
	}
	argv[n++] = "-lpthread";
	argv[n] = NULL;
	execvp("cc", (char **)argv);
	dprintf(STDERR_FILENO, LD("systour: cannot run cc: %s\n",
	    "systour：无法运行 cc：%s\n"), strerror(errno));
	return 127;
}

const char *
ex_cc_flags(void)
{
	return "cc " CC_BASE " [" CC_SAN "] -o prog FILES.c -lpthread";
}

static void on_cc_done(void *arg);

static void
on_cc_exit(void *arg, pid_t pid, int status)
{
	struct ex_run *run = arg;
	if (pid == proc_group_leader(run->cc)) {
		run->leader_status = status;
		run->leader_seen = 1;
	}
}

static void
on_cc_judge(struct loop *l, void *arg)
{
	struct ex_run *run = arg;
	loop_cancel(run->t_start);
	run->t_start = NULL;
	ex_run_drain(run, run->fd_out, &run->out);
	loop_cancel(run->w_out);
	run->w_out = NULL;
	close(run->fd_out);
	run->fd_out = -1;
	int st = run->leader_status, timed = proc_group_timed_out(run->cc);
	proc_group_free(run->cc);
	run->cc = NULL;
	run->r.compile_ms = now_ms() - run->t_cc;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && !timed) {
		char *prog = xasprintf("%s/prog", proc_group_scratch(run->g));
		if (run->cache_path) {
			char *dir = xstrdup(run->cache_path);
			*strrchr(dir, '/') = '\0';
			if (mkdir_p(dir) == 0)
				ex_copy_file(prog, run->cache_path, 1);
			free(dir);
		}
		free(prog);
		buf_clear(&run->out);
		run->total = 0;
		ex_run_check(run);
		return;
	}
	const char *msg = buf_str(&run->out);
	/* a compiler without the sanitizers: again without them */
	if (run->san && !timed && (strstr(msg, "asan") || strstr(msg, "ubsan") ||
	    strstr(msg, "sanitize"))) {
		run->san = 0;
		buf_clear(&run->out);
		if (ex_run_cc(run) == 0)
			return;
	}
	run->r.status = EX_FAIL;
	ex_result_add(&run->r, "compiles", EX_FAIL, timed ?
	    (L(LANG_OF(run->zh), "the compiler timed out",
	    "编译器超时")) : msg);
	ex_result_message(&run->r, "%s", L(LANG_OF(run->zh),
	    "it does not compile: fix the compiler's first error first.",
	    "编译失败：先修正编译器指出的第一个错误。"));
	ex_run_finish(run);
}

static void
on_cc_done(void *arg)
{
	struct ex_run *run = arg;
	run->t_start = loop_timer(run->loop, 0, on_cc_judge, run);
}

int
ex_run_cc(struct ex_run *run)
{
	char *cause = NULL;
	static const struct proc_group_limits cc_lim = {
		.cpu_s = 60, .as_bytes = 0, .fsize_bytes = 256ULL << 20,
		.nofile = 256, .nproc = 64, .wall_ms = CC_WALL_MS,
		.grace_ms = GRACE_MS, .nice = 0,
	};
	int p[2];
	run->leader_seen = 0;
	run->cc = proc_group_new("cc", &cc_lim, &cause);
	if (run->cc == NULL || pipe2(p, O_CLOEXEC) != 0) {
		run->r.status = EX_ERROR;
		ex_result_message(&run->r, LD("cannot compile: %s",
		    "无法编译：%s"),
		    cause ? cause :
		    strerror(errno));
		free(cause);
		ex_run_finish(run);
		return -1;
	}
	run->fd_out = p[1];
	struct proc_group_sink sink = { run, on_cc_exit, on_cc_done };
	int rc = proc_group_spawn(run->cc, run->loop, &p[1], 1, cc_child, run,
	    &sink, &cause);
	close(p[1]);
	run->fd_out = p[0];
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	if (rc != 0) {
		run->r.status = EX_ERROR;
		ex_result_message(&run->r, LD("cannot compile: %s",
		    "无法编译：%s"),
		    cause);
		free(cause);
		ex_run_finish(run);
		return -1;
	}
	run->w_out = loop_fd(run->loop, p[0], LOOP_READ, ex_run_on_pipe, run);
	return 0;
}

