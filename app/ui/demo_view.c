/* demo_view.c — a live demo drawn in split panes: the notes' code with each
 * actor's line marked, one pane per actor fed through its pipe, and the
 * kernel's view refreshed from /proc four times a second. The supervisor
 * (demo.c) does the work; this file keeps the panes and draws them. */
#include "demo_view.h"
#include "loop.h"
#include "draw.h"
#include "pane.h"
#include "procview.h"
#include "store.h"
#include "term.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define KERNEL_EVERY_MS 250     /* the kernel's view: 4 times a second */

struct demo_view {
	const struct systour_demo *d;
	enum lang lang;
	struct store *store;
	struct demo_run *run;
	int paused0, delay0;    /* how it was started, for restart */

	int nactors;
	struct pane *actor[DEMO_MAX_PANES];     /* pane i is actor i's */
	pid_t pane_pid[DEMO_MAX_PANES];
	struct pane *code, *kernel, *chart;     /* chart: NULL until a figure */
	struct pane *list[DEMO_MAX_PANES + 3];  /* all of them, as laid out */
	int nlist;

	struct procview *pv;
	struct loop *loop;
	struct loop_watch *w_kernel;    /* the next scan */
	int show_plumbing;      /* list systour's own pipes one by one */

	int focus;              /* index in list */
	int zoom;
	char note[200];

	long long started_ms;
	time_t started;
	int stopped;            /* the learner stopped it */
	int leader_status;      /* -1 until the leader is reaped */
	int done;               /* finished and recorded */
};

/* The list of panes, in the order of Tab and of the layout: the actors,
 * then the code, the chart when there is one, the kernel's view. */
static void
make_list(struct demo_view *v)
{
	v->nlist = 0;
	for (int i = 0; i < v->nactors; i++)
		v->list[v->nlist++] = v->actor[i];
	v->list[v->nlist++] = v->code;
	if (v->chart)
		v->list[v->nlist++] = v->chart;
	v->list[v->nlist++] = v->kernel;
}

/* ---- What the supervisor reports -------------------------------------- */

static void
on_line(void *arg, int pane, const char *text, size_t len)
{
	struct demo_view *v = arg;
	if (pane >= 0 && pane < v->nactors)
		pane_text_add(v->actor[pane], text, len);
}

static void
on_title(void *arg, int pane, const char *who, pid_t pid, pid_t tid)
{
	struct demo_view *v = arg;
	if (pane < 0 || pane >= v->nactors)
		return;
	struct pane *p = v->actor[pane];
	const char *name = pane_text_name(p);
	if (tid != pid)
		snprintf(p->title, sizeof p->title, "%s: %s, PID %d TID %d",
		    name, who, (int)pid, (int)tid);
	else
		snprintf(p->title, sizeof p->title, "%s: %s, PID %d", name,
		    who, (int)pid);
	v->pane_pid[pane] = pid;
}

static void
on_position(void *arg, int pane, int line)
{
	struct demo_view *v = arg;
	if (pane >= 0 && pane < v->nactors)
		pane_code_mark(v->code, pane, line);
}

static void
on_note(void *arg, const char *text)
{
	struct demo_view *v = arg;
	snprintf(v->note, sizeof v->note, "%s", text);
}

static void
on_figure(void *arg, const char *name, long long value)
{
	struct demo_view *v = arg;
	snprintf(v->note, sizeof v->note, "%s = %lld", name, value);
	if (v->chart == NULL) {
		/* the first figure: a chart joins the layout */
		v->chart = pane_chart_new(L(v->lang, "figures measured",
		    "测得的数字"));
		struct pane *focused = v->list[v->focus];
		make_list(v);
		for (int i = 0; i < v->nlist; i++)
			if (v->list[i] == focused)
				v->focus = i;
	}
	chart_set(v->chart, name, (double)value, "");
}

static void
on_exited(void *arg, pid_t pid, const char *who, int status)
{
	struct demo_view *v = arg;
	char line[160], how[64];
	int pane = 0;
	for (int i = 0; i < v->nactors; i++)
		if (v->pane_pid[i] == pid)
			pane = i;
	/* yellow for an exit, red for a signal */
	snprintf(line, sizeof line, "\033[%dm── PID %d (%s) %s\033[0m",
	    WIFSIGNALED(status) ? 31 : 33, (int)pid, who,
	    demo_how_lang(status, v->lang == LANG_ZH, how, sizeof how));
	pane_text_add(v->actor[pane], line, strlen(line));
	if (pid == demo_pgid(v->run))
		v->leader_status = status;
}

static void scan_kernel(struct demo_view *v);
static void record(struct demo_view *v);

/* Every process reaped and every pane read: the last look at the kernel,
 * and the run goes into the progress store. */
static void
on_finished(void *arg)
{
	struct demo_view *v = arg;
	pane_code_unmark_all(v->code);
	loop_timer_set(v->w_kernel, -1);
	scan_kernel(v);
	record(v);
}

static const struct demo_sink view_sink = {
	.line = on_line, .title = on_title, .position = on_position,
	.note = on_note, .figure = on_figure, .exited = on_exited,
	.finished = on_finished,
};

/* ---- Starting and ending ---------------------------------------------- */

static int
begin(struct demo_view *v, char **cause)
{
	struct demo_sink sink = view_sink;
	sink.arg = v;
	for (int i = 0; i < v->nactors; i++) {
		pane_free(v->actor[i]);
		v->actor[i] = pane_text_new(v->lang == LANG_ZH &&
		    v->d->panes_zh ? v->d->panes_zh[i] : v->d->panes[i]);
		v->pane_pid[i] = 0;
	}
	pane_free(v->code);
	v->code = pane_code_new("", v->d->code);
	snprintf(v->code->title, sizeof v->code->title, "%s — %s",
	    L(v->lang, "code", "代码"), L(v->lang, v->d->title_en, v->d->title_zh));
	if (v->kernel == NULL)
		v->kernel = pane_kernel_new(L(v->lang, "kernel: processes and "
		    "file descriptors (/proc)", "内核视角：进程与文件描述符（/proc）"));
	pane_kernel_set(v->kernel, NULL);
	pane_free(v->chart);
	v->chart = NULL;
	make_list(v);
	if (v->focus >= v->nlist)
		v->focus = 0;
	v->note[0] = '\0';
	v->stopped = 0;
	v->leader_status = -1;
	v->done = 0;
	v->started_ms = now_ms();
	v->started = time(NULL);
	loop_timer_set(v->w_kernel, 0);
	v->run = demo_start(v->loop, v->d, &sink, v->paused0, v->delay0,
	    v->lang, cause);
	return v->run ? 0 : -1;
}

int
demo_view_finished(const struct demo_view *v)
{
	return v->done;
}

/* Over: ran to its end, was stopped and is gone, or never started. */
static int
over(const struct demo_view *v)
{
	return v->done || v->run == NULL || demo_finished(v->run);
}

/* Record how the run ended, once. */
static void
record(struct demo_view *v)
{
	if (v->done || v->run == NULL)
		return;
	char ended[80];
	store_demo_run(v->store, v->d->name, (long long)v->started,
	    now_ms() - v->started_ms, demo_ending(v->leader_status, v->stopped,
	    ended, sizeof ended));
	v->done = 1;
}

static void on_kernel_due(struct loop *l, void *arg);

struct demo_view *
demo_view_start(struct loop *loop, const struct systour_demo *d,
    enum lang lang, int paused, int delay_ms, struct store *store,
    char **cause)
{
	struct demo_view *v = xcalloc(1, sizeof *v);
	v->loop = loop;
	v->w_kernel = loop_timer(loop, -1, on_kernel_due, v);
	v->d = d;
	v->lang = lang;
	v->store = store;
	v->paused0 = paused;
	v->delay0 = delay_ms;
	while (v->nactors < DEMO_MAX_PANES && d->panes[v->nactors])
		v->nactors++;
	v->pv = procview_new();
	if (begin(v, cause) != 0) {
		/* the view stays, and says in its first pane why */
		char *s = xasprintf(L(lang, "The demo could not start: %s",
		    "演示无法启动：%s"), *cause);
		pane_text_add(v->actor[0], s, strlen(s));
		free(s);
		free(*cause);
		*cause = NULL;
		v->done = 1;
	}
	return v;
}

void
demo_view_free(struct demo_view *v)
{
	if (v == NULL)
		return;
	if (v->run && !demo_finished(v->run))
		v->stopped = 1;
	record(v);
	demo_free(v->run);
	loop_cancel(v->w_kernel);
	for (int i = 0; i < v->nlist; i++)
		pane_free(v->list[i]);
	procview_free(v->pv);
	free(v);
}

/* ---- The kernel's view ---------------------------------------------- */

/* Read the kernel's view of the demo's group into its pane, systour's own
 * pipes and sockets (the supervisor's plumbing: panes, reports, gates)
 * folded unless the learner asked for them (f). */
static void
scan_kernel(struct demo_view *v)
{
	unsigned long ino[256];
	int n = demo_plumbing(v->run, ino, (int)(sizeof ino / sizeof ino[0]));
	procview_set_plumbing(v->pv, ino, n, v->show_plumbing);
	procview_scan(v->pv, demo_pgid(v->run));
	pane_kernel_set(v->kernel, procview_text(v->pv));
}

/* Four times a second while the demo runs: what the kernel sees. */
static void
on_kernel_due(struct loop *l, void *arg)
{
	struct demo_view *v = arg;
	if (v->run == NULL || v->done)
		return;
	/* an actor that is gone is at no line any more */
	for (int i = 0; i < v->nactors; i++)
		if (v->pane_pid[i] > 0 && kill(v->pane_pid[i], 0) != 0)
			pane_code_mark(v->code, i, 0);
	scan_kernel(v);
	loop_timer_set(v->w_kernel, KERNEL_EVERY_MS);
}

/* ---- Drawing ---------------------------------------------------------- */

static const char *
state_name(struct demo_view *v)
{
	if (v->run == NULL)
		return L(v->lang, "could not start", "无法启动");
	if (over(v) && v->stopped)
		return L(v->lang, "stopped", "已停止");
	if (over(v))
		return L(v->lang, "finished", "已结束");
	if (v->stopped)
		return L(v->lang, "stopping", "正在停止");
	return demo_paused(v->run) ? L(v->lang, "paused", "已暂停") :
	    L(v->lang, "running", "运行中");
}

void
demo_view_draw(struct demo_view *v, int top, int rows, char *status,
    size_t len)
{
	if (v->zoom)
		pane_draw(v->list[v->focus], top, 0, rows, COLS, 1);
	else {
		struct pane_box box[DEMO_MAX_PANES + 3];
		pane_layout(v->list, v->nlist, top, 0, rows, COLS, box);
		int divider = -1;
		for (int i = 0; i < v->nlist; i++) {
			pane_draw(v->list[i], box[i].y, box[i].x, box[i].h,
			    box[i].w, i == v->focus);
			if (v->list[i]->place == PANE_SIDE && box[i].w < COLS)
				divider = box[i].x + box[i].w;
		}
		for (int y = top; divider >= 0 && y < top + rows; y++)
			mvaddch(y, divider, ACS_VLINE);
	}
	if (status)
		demo_view_status(v, status, len, COLS - 2);
}

/* Append " · what" to status if it still fits in width columns. */
static int
status_add(char *status, size_t len, int width, const char *what)
{
	char *s = xasprintf("%s · %s", status, what);
	int fits = text_width(s) <= width && strlen(s) < len;
	if (fits)
		snprintf(status, len, "%s", s);
	free(s);
	return fits;
}

void
demo_view_status(struct demo_view *v, char *status, size_t len, int width)
{
	enum lang lg = v->lang;
	if (over(v))
		snprintf(status, len, "%s %s · %s%s%s", L(lg, "demo", "演示"),
		    v->d->name, state_name(v), *v->note ? " · " : "", v->note);
	else
		snprintf(status, len, L(lg, "demo %s · %s · %d ms%s%s",
		    "演示 %s · %s · %d 毫秒%s%s"), v->d->name, state_name(v),
		    demo_delay(v->run), *v->note ? " · " : "", v->note);
	/* the keys, most used first, as many as fit */
	const char *running[] = {
		!over(v) && demo_paused(v->run) ? L(lg, "Space resume", "空格 继续") :
		    L(lg, "Space pause", "空格 暂停"),
		L(lg, "n step", "n 单步"), L(lg, "q stop", "q 停止"),
		L(lg, "x kill", "x 杀死"), L(lg, "+/- speed", "+/- 快慢"),
		L(lg, "Tab focus", "Tab 切换"), L(lg, "z zoom", "z 放大"),
		L(lg, "r restart", "r 重来"), L(lg, "f pipes", "f 管道"), NULL,
	};
	const char *ended[] = {
		L(lg, "q close", "q 关闭"), L(lg, "r restart", "r 重来"),
		L(lg, "Tab focus", "Tab 切换"), L(lg, "z zoom", "z 放大"),
		L(lg, "f pipes", "f 管道"), NULL,
	};
	const char **keys = over(v) ? ended : running;
	for (int i = 0; keys[i] && status_add(status, len, width, keys[i]); i++)
		;
}

/* ---- Keys and commands ------------------------------------------------ */

static void
scroll_by(struct demo_view *v, int by)
{
	pane_scroll(v->list[v->focus], by);
}

pid_t
demo_view_kill(struct demo_view *v, int pane, char **why)
{
	if (over(v)) {
		*why = xasprintf("%s", L(v->lang, "the demo is over",
		    "演示已结束"));
		return -1;
	}
	if (pane < 0) {
		/* the focused actor, or the next one that can be killed */
		int from = v->focus < v->nactors ? v->focus : 0;
		for (int i = 0; i < v->nactors && pane < 0; i++)
			if (demo_can_kill(v->run, (from + i) % v->nactors))
				pane = (from + i) % v->nactors;
		if (pane < 0) {
			*why = xasprintf("%s", L(v->lang, "no actor is left to kill "
			    "(the leader is stopped with q)",
			    "没有可杀的角色了（主控进程用 q 停止）"));
			return -1;
		}
	}
	pid_t pid = demo_kill(v->run, pane, why);
	if (pid > 0)
		snprintf(v->note, sizeof v->note, L(v->lang,
		    "SIGKILL to PID %d (pane %d, %s)", "已向 PID %d 发送 SIGKILL（窗格 %d，%s）"),
		    (int)pid, pane + 1, pane_text_name(v->actor[pane]));
	return pid;
}

int
demo_view_key(struct demo_view *v, enum demo_key k)
{
	char *cause = NULL;
	int finished = over(v);
	switch (k) {
	case DK_PAUSE:
		if (!finished)
			demo_pause(v->run, !demo_paused(v->run));
		break;
	case DK_STEP:
		if (!finished) {
			/* Say who went on: an actor released into a call that
			 * blocks (waitpid, read) prints nothing, and n must
			 * never look as if it did nothing. */
			demo_pause(v->run, 1);
			int p = demo_step(v->run);
			if (p >= 0 && p < v->nactors)
				snprintf(v->note, sizeof v->note, L(v->lang,
				    "n: %s goes on", "n：%s 继续"),
				    pane_text_name(v->actor[p]));
			else
				snprintf(v->note, sizeof v->note, "%s", L(v->lang,
				    "n: the next actor to reach a step goes on",
				    "n：下一个到达步骤的角色继续"));
		}
		break;
	case DK_FASTER:
		if (!finished)
			demo_set_delay(v->run, demo_delay(v->run) / 2);
		break;
	case DK_SLOWER:
		if (!finished)
			demo_set_delay(v->run, demo_delay(v->run) ?
			    demo_delay(v->run) * 2 : 50);
		break;
	case DK_RESTART:
		if (!finished)
			v->stopped = 1;
		record(v);
		if (v->run)
			v->delay0 = demo_delay(v->run);
		demo_free(v->run);
		v->run = NULL;
		if (begin(v, &cause) != 0) {
			char *s = xasprintf(L(v->lang, "The demo could not start: %s",
			    "演示无法启动：%s"), cause);
			pane_text_add(v->actor[0], s, strlen(s));
			free(s);
			free(cause);
			v->done = 1;
		}
		break;
	case DK_STOP:
		if (finished)
			return 1;
		v->stopped = 1;
		demo_stop(v->run);
		break;
	case DK_KILL:
		if (demo_view_kill(v, -1, &cause) < 0) {
			snprintf(v->note, sizeof v->note, "x: %s", cause);
			free(cause);
		}
		break;
	case DK_PLUMBING:
		v->show_plumbing = !v->show_plumbing;
		if (v->run)
			scan_kernel(v);         /* at once, running or over */
		break;
	case DK_ZOOM:
		v->zoom = !v->zoom;
		break;
	case DK_FOCUS:
		/* the next pane that scrolls (a chart does not) */
		do
			v->focus = (v->focus + 1) % v->nlist;
		while (v->list[v->focus]->ops->scroll == NULL);
		break;
	case DK_UP:
		scroll_by(v, -1);
		break;
	case DK_DOWN:
		scroll_by(v, 1);
		break;
	case DK_PGUP:
		scroll_by(v, -10);
		break;
	case DK_PGDN:
		scroll_by(v, 10);
		break;
	case DK_TOP:
		scroll_by(v, -PANE_SCROLLBACK);
		break;
	case DK_BOTTOM:
		scroll_by(v, PANE_SCROLLBACK);
		break;
	}
	return 0;
}

int
demo_view_control(struct demo_view *v, const char *what)
{
	static const struct {
		const char *name;
		enum demo_key key;
	} map[] = {
		{ "step", DK_STEP }, { "faster", DK_FASTER }, { "slower", DK_SLOWER },
		{ "restart", DK_RESTART }, { "stop", DK_STOP },
	};
	if (strcmp(what, "pause") == 0 || strcmp(what, "resume") == 0) {
		if (!over(v))
			demo_pause(v->run, what[0] == 'p');
		return 0;
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(what, map[i].name) == 0) {
			if (map[i].key == DK_STOP && over(v))
				return 0;
			demo_view_key(v, map[i].key);
			return 0;
		}
	return -1;
}
