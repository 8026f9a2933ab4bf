/* runner.c — a check of a learner's exercise in a sandbox, on the loop:
 * copy, compile (cached), run the check in a proc_group, read its TAP.
 * See runner.h. */
#include "runner.h"
#include "runner_int.h"
#include "buf.h"
#include "lang.h"
#include "loop.h"
#include "proc_group.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define READ_CHUNK 65536

/* CPU time the tutor itself has used (not its children), microseconds. */
static long long
cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* ---- Ending ------------------------------------------------------------ */

static void
run_free(struct ex_run *run)
{
	loop_cancel(run->w_out);
	loop_cancel(run->w_err);
	loop_cancel(run->t_start);
	if (run->fd_out >= 0)
		close(run->fd_out);
	if (run->fd_err >= 0)
		close(run->fd_err);
	proc_group_free(run->cc);
	proc_group_free(run->g);
	buf_free(&run->out);
	buf_free(&run->err);
	ex_result_free(&run->r);
	free(run->ex.id);
	free(run->ex.dir);
	free(run->ex.first);
	for (int i = 0; i < run->ex.nfiles; i++)
		free(run->ex.files[i]);
	free(run->ex.files);
	free(run->learner_dir);
	free(run->systour);
	free(run->cache_path);
	free(run);
}

/* Hand the result over and free the run. */
void
ex_run_finish(struct ex_run *run)
{
	struct ex_result r = run->r;
	memset(&run->r, 0, sizeof run->r);
	if (r.message == NULL)
		r.message = xstrdup("");
	run->stage = ST_DONE;
	ex_run_done_fn *done = run->done;
	void *arg = run->arg;
	long long t0 = run->t0, cpu0 = run->cpu0;
	run_free(run);          /* the group killed, its files removed: counts */
	r.run_ms = now_ms() - t0 - r.compile_ms;
	r.runner_cpu_us = cpu_us() - cpu0;
	done(arg, &r);
}

void
ex_run_cancel(struct ex_run *run)
{
	if (run)
		run_free(run);
}

/* ---- Reading the check's output ---------------------------------------- */

/* Read what is there on fd into b, counting it; 1 at EOF. */
int
ex_run_drain(struct ex_run *run, int fd, struct buf *b)
{
	char chunk[READ_CHUNK];
	size_t limit = (size_t)run->ex.lim.output_kb * 1024;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n == 0)
			return 1;
		if (n < 0)
			return errno != EAGAIN && errno != EINTR;
		run->total += (size_t)n;
		if (b->len < limit + 1)
			buf_add(b, chunk, (size_t)n);
		if (run->total > limit && !run->over) {
			run->over = 1;
			proc_group_stop(run->g);
		}
	}
}

void
ex_run_on_pipe(struct loop *l, int fd, unsigned events, void *arg)
{
	struct ex_run *run = arg;
	int out = fd == run->fd_out;
	if (ex_run_drain(run, fd, out ? &run->out : &run->err)) {
		loop_cancel(out ? run->w_out : run->w_err);
		if (out)
			run->w_out = NULL;
		else
			run->w_err = NULL;
	}
}

/* The end of stderr, for a message: its last lines, at most 1 KiB. */
static const char *
err_tail(struct ex_run *run)
{
	const char *s = buf_str(&run->err);
	size_t len = strlen(s);
	return len > 1024 ? s + len - 1024 : s;
}

static void
describe_status(struct buf *b, int st, int zh)
{
	if (WIFEXITED(st))
		buf_printf(b, L(LANG_OF(zh), "exit status %d", "退出码 %d"),
		    WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		buf_printf(b, L(LANG_OF(zh), "killed by %s", "被信号 %s 终止"),
		    sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
}

/* The check's group is empty: judge. */
static void
judge(struct ex_run *run)
{
	struct ex_result *r = &run->r;
	int zh = run->zh;
	if (run->fd_out >= 0)
		ex_run_drain(run, run->fd_out, &run->out);
	if (run->fd_err >= 0)
		ex_run_drain(run, run->fd_err, &run->err);
	char *other = NULL;
	int ntests = ex_tap_parse(r, buf_str(&run->out), &other);
	int st = run->leader_status;
	struct buf m = BUF_INIT;
	r->status = ex_result_judge(r);
	if (proc_group_timed_out(run->g)) {
		r->status = EX_ERROR;
		buf_printf(&m, L(LANG_OF(zh),
		    "timed out after %d s: an endless loop?",
		    "%d 秒后超时：是死循环吗？"), run->ex.lim.wall_s);
	} else if (run->over) {
		r->status = EX_ERROR;
		buf_printf(&m, L(LANG_OF(zh),
		    "printed more than %d KiB: stopped (printing without "
		    "end?)", "输出超过 %d KiB，已停止：是在无休止地打印吗？"),
		    run->ex.lim.output_kb);
	} else if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGXCPU ||
	    WTERMSIG(st) == SIGKILL)) {
		/* SIGXCPU at the soft limit, SIGKILL at the hard one (the same
		 * here); we sent no SIGKILL: we did not stop the group */
		r->status = EX_ERROR;
		buf_printf(&m, L(LANG_OF(zh),
		    "used more than %d s of CPU time: an endless loop?",
		    "CPU 时间超过 %d 秒：是死循环吗？"),
		    run->ex.lim.cpu_s);
	} else if (r->status != EX_FAIL && !(WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0)) {
		r->status = EX_ERROR;
		buf_printf(&m, L(LANG_OF(zh), "the check itself ended badly (",
		    "检查程序异常结束（"));
		describe_status(&m, st, zh);
		buf_adds(&m, L(LANG_OF(zh), ")", "）"));
	} else if (ntests == 0) {
		r->status = EX_ERROR;
		buf_adds(&m, L(LANG_OF(zh), "the check printed no result",
		    "检查程序没有给出任何结果"));
	}
	if (r->status == EX_ERROR && run->err.len) {
		if (m.len)
			buf_addc(&m, '\n');
		buf_adds(&m, err_tail(run));
	}
	if (r->status == EX_ERROR && other && *other) {
		/* the end of what it printed that was not TAP: 8 lines */
		const char *tail = other + strlen(other);
		for (int lines = 0; tail > other && lines < 9; )
			if (*--tail == '\n')
				lines++;
		if (*tail == '\n')
			tail++;
		if (m.len)
			buf_addc(&m, '\n');
		buf_adds(&m, tail);
	}
	free(other);
	while (m.len && m.data[m.len - 1] == '\n')
		m.data[--m.len] = '\0';
	free(r->message);
	r->message = buf_detach(&m, NULL);
	ex_run_finish(run);
}

static void
on_check_exit(void *arg, pid_t pid, int status)
{
	struct ex_run *run = arg;
	if (pid == proc_group_leader(run->g)) {
		run->leader_status = status;
		run->leader_seen = 1;
	}
}

static void
on_judge(struct loop *l, void *arg)
{
	struct ex_run *run = arg;
	loop_cancel(run->t_start);
	run->t_start = NULL;
	judge(run);
}

/* Judge in a round of its own, outside the group's callback (which must
 * not free the group under itself). */
static void
on_check_done(void *arg)
{
	struct ex_run *run = arg;
	run->t_start = loop_timer(run->loop, 0, on_judge, run);
}

/* ---- Running the check ------------------------------------------------- */

static void
setenv_all(struct ex_run *run, const char *scratch)
{
	setenv("EX_DIR", scratch, 1);
	if (run->ex.track == EX_C)
		setenv("EX_RUN", "./prog", 1);
	else {
		char *r = xasprintf("python3 -u %s", run->ex.first);
		setenv("EX_RUN", r, 1);
		free(r);
	}
	setenv("EX_SRC", run->ex.dir, 1);
	setenv("EX_LANG", run->zh ? "zh" : "en", 1);
	setenv("SYSTOUR", run->systour, 1);
	setenv("PYTHONDONTWRITEBYTECODE", "1", 1);
	if (run->san) {
		char *o = xasprintf("detect_leaks=0:hard_rss_limit_mb=%d:"
		    "allocator_may_return_null=1:abort_on_error=0",
		    run->ex.lim.mem_mb);
		setenv("ASAN_OPTIONS", o, 1);
		free(o);
	}
}

/* In the check's leader: stdout and stderr on the pipes, then exec. */
static int
check_child(void *arg)
{
	struct ex_run *run = arg;
	const char *scratch = proc_group_scratch(run->g);
	dup2(run->fd_out, STDOUT_FILENO);
	dup2(run->fd_err, STDERR_FILENO);
	close(run->fd_out);
	close(run->fd_err);
	if (chdir(scratch) != 0)
		return 126;
	setenv_all(run, scratch);
	char *check = xasprintf("%s/check", run->ex.dir);
	char *argv[] = { check, NULL };
	execve(check, argv, environ);
	dprintf(STDERR_FILENO, LD("systour: cannot run %s: %s\n",
	    "systour：无法运行 %s：%s\n"), check,
	    strerror(errno));
	return 126;
}

void
ex_run_check(struct ex_run *run)
{
	char *cause = NULL;
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) != 0) {
		ex_result_message(&run->r, LD("cannot make a pipe: %s",
		    "无法创建管道：%s"), strerror(errno));
		run->r.status = EX_ERROR;
		ex_run_finish(run);
		return;
	}
	if (pipe2(pe, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		ex_result_message(&run->r, LD("cannot make a pipe: %s",
		    "无法创建管道：%s"), strerror(errno));
		run->r.status = EX_ERROR;
		ex_run_finish(run);
		return;
	}
	run->stage = ST_CHECK;
	/* the child's ends, as the child sees them through run */
	run->fd_out = po[1];
	run->fd_err = pe[1];
	int keep[2] = { po[1], pe[1] };
	struct proc_group_sink sink = { run, on_check_exit, on_check_done };
	int rc = proc_group_spawn(run->g, run->loop, keep, 2, check_child, run,
	    &sink, &cause);
	close(po[1]);
	close(pe[1]);
	run->fd_out = po[0];
	run->fd_err = pe[0];
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	if (rc != 0) {
		run->r.status = EX_ERROR;
		ex_result_message(&run->r, "%s", cause);
		free(cause);
		ex_run_finish(run);
		return;
	}
	run->w_out = loop_fd(run->loop, po[0], LOOP_READ, ex_run_on_pipe, run);
	run->w_err = loop_fd(run->loop, pe[0], LOOP_READ, ex_run_on_pipe, run);
}

/* ---- Starting ---------------------------------------------------------- */

/* Copy the learner's files into the scratch directory (given to nobody
 * when that is the containment). 0, or -1 with the message set. */
static int
copy_in(struct ex_run *run)
{
	const char *scratch = proc_group_scratch(run->g);
	struct passwd *pw = proc_group_mode() == PG_USER ? getpwnam("nobody") :
	    NULL;
	for (int i = 0; i < run->ex.nfiles; i++) {
		char *from = xasprintf("%s/%s", run->learner_dir, run->ex.files[i]);
		char *to = xasprintf("%s/%s", scratch, run->ex.files[i]);
		int rc = ex_copy_file(from, to, 0);
		if (rc != 0)
			ex_result_message(&run->r, L(LANG_OF(run->zh),
			    "cannot read %s: %s", "无法读取 %s：%s"), from,
			    strerror(errno));
		else if (pw && chown(to, pw->pw_uid, pw->pw_gid) != 0)
			rc = -1;
		free(from);
		free(to);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* The first round: copy, then compile or check. */
static void
on_start(struct loop *l, void *arg)
{
	struct ex_run *run = arg;
	loop_cancel(run->t_start);
	run->t_start = NULL;
	if (copy_in(run) != 0) {
		run->r.status = EX_ERROR;
		ex_run_finish(run);
		return;
	}
	if (run->ex.track != EX_C) {
		ex_run_check(run);
		return;
	}
	run->san = 1;
	run->cache_path = ex_run_cache_path(run);
	char *prog = xasprintf("%s/prog", proc_group_scratch(run->g));
	int cached = !run->no_cache && access(run->cache_path, X_OK) == 0 &&
	    ex_copy_file(run->cache_path, prog, 1) == 0;
	free(prog);
	if (cached) {
		ex_run_check(run);
		return;
	}
	run->t_cc = now_ms();
	run->stage = ST_CC;
	ex_run_cc(run);
}

static void
on_skip(struct loop *l, void *arg)
{
	struct ex_run *run = arg;
	loop_cancel(run->t_start);
	run->t_start = NULL;
	ex_run_finish(run);
}

struct ex_run *
ex_run_start(struct loop *l, const struct ex_run_opts *o,
    ex_run_done_fn *done, void *arg, char **cause)
{
	const struct exercise *ex = o->ex;
	struct ex_run *run = xcalloc(1, sizeof *run);
	run->t0 = now_ms();     /* everything the runner does counts */
	run->cpu0 = cpu_us();
	run->loop = l;
	run->fd_out = run->fd_err = -1;
	run->ex.id = xstrdup(ex->id);
	run->ex.dir = xstrdup(ex->dir);
	run->ex.first = xstrdup(ex->files[0]);
	run->ex.track = ex->track;
	run->ex.lim = ex->lim;
	run->ex.files = xcalloc((size_t)ex->nfiles, sizeof (char *));
	for (int i = 0; i < ex->nfiles; i++)
		run->ex.files[i] = xstrdup(ex->files[i]);
	run->ex.nfiles = ex->nfiles;
	run->learner_dir = xstrdup(o->learner_dir);
	if (o->systour)
		run->systour = xstrdup(o->systour);
	else {
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		run->systour = xstrdup(n > 0 ? exe : "systour");
	}
	run->zh = o->zh;
	run->no_cache = o->no_cache;
	run->done = done;
	run->arg = arg;

	char *missing = ex_missing(ex);
	if (missing) {
		run->r.status = EX_SKIP;
		ex_result_message(&run->r, L(LANG_OF(run->zh),
		    "skipped: install %s", "已跳过：需要安装 %s"), missing);
		free(missing);
		run->t_start = loop_timer(l, 0, on_skip, run);
		return run;
	}

	const struct ex_limits *el = &ex->lim;
	struct proc_group_limits lim = {
		.cpu_s = el->cpu_s,
		/* under ASan the program reserves terabytes of address
		 * space: its memory is limited by ASan's RSS limit then */
		.as_bytes = ex->track == EX_C ? 0 :
		    (unsigned long long)el->mem_mb << 20,
		.fsize_bytes = (unsigned long long)el->fsize_mb << 20,
		.nofile = el->nofile,
		.nproc = el->procs,
		.wall_ms = el->wall_s * 1000,
		.grace_ms = GRACE_MS,
		.nice = 5,
	};
	if (proc_group_mode() == PG_RLIMIT)
		lim.nproc += ex_user_processes();
	run->g = proc_group_new("ex", &lim, cause);
	if (run->g == NULL) {
		run_free(run);
		return NULL;
	}
	run->t_start = loop_timer(l, 0, on_start, run);
	return run;
}

/* ---- Waiting for one --------------------------------------------------- */

struct waiter {
	int done;
	struct ex_result *out;
};

static void
on_waited(void *arg, struct ex_result *r)
{
	struct waiter *w = arg;
	*w->out = *r;
	w->done = 1;
}

int
ex_run_wait(struct loop *l, const struct ex_run_opts *o,
    struct ex_result *out, char **cause)
{
	struct waiter w = { 0, out };
	struct ex_run *run = ex_run_start(l, o, on_waited, &w, cause);
	if (run == NULL)
		return -1;
	while (!w.done)
		loop_once(l, -1);
	return 0;
}
