/* demo_view.c — a live demo drawn in split panes: the notes' code with each
 * actor's line marked, one pane per actor fed through its pipe, and the
 * kernel's view refreshed from /proc four times a second. The supervisor
 * (demo.c) does the work; this file keeps the panes and draws them. */
#include "demo_view.h"
#include "draw.h"
#include "highlight.h"
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

	int npanes;
	struct pane panes[DEMO_MAX_PANES];
	pid_t pane_pid[DEMO_MAX_PANES];
	int pos[DEMO_MAX_PANES];        /* the code line each actor is at */

	struct procview *pv;
	char *kernel;           /* the last scan as text */
	long long kernel_at;    /* when to scan next */

	int focus;              /* 0..npanes-1 actors, npanes code, +1 kernel */
	int zoom;
	int code_top, kernel_top;
	int code_held;          /* the learner scrolled the code: it stays */
	int show_plumbing;      /* list systour's own pipes one by one */
	char note[200];

	long long started_ms;
	time_t started;
	int stopped;            /* the learner stopped it */
	int leader_status;      /* -1 until the leader is reaped */
	int done;               /* finished and recorded */
};

/* ---- What the supervisor reports -------------------------------------- */

static void
on_line(void *arg, int pane, const char *text, size_t len)
{
	struct demo_view *v = arg;
	if (pane >= 0 && pane < v->npanes)
		pane_add(&v->panes[pane], text, len);
}

static void
on_title(void *arg, int pane, const char *who, pid_t pid, pid_t tid)
{
	struct demo_view *v = arg;
	if (pane < 0 || pane >= v->npanes)
		return;
	struct pane *p = &v->panes[pane];
	char name[sizeof p->name];
	memcpy(name, p->name, sizeof name);
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
	if (pane >= 0 && pane < v->npanes)
		v->pos[pane] = line;
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
}

static void
on_exited(void *arg, pid_t pid, const char *who, int status)
{
	struct demo_view *v = arg;
	char line[160], how[64];
	int pane = 0;
	for (int i = 0; i < v->npanes; i++)
		if (v->pane_pid[i] == pid)
			pane = i;
	/* yellow for an exit, red for a signal */
	snprintf(line, sizeof line, "\033[%dm── PID %d (%s) %s\033[0m",
	    WIFSIGNALED(status) ? 31 : 33, (int)pid, who,
	    demo_how(status, how, sizeof how));
	pane_add(&v->panes[pane], line, strlen(line));
	if (pid == demo_pgid(v->run))
		v->leader_status = status;
}

static const struct demo_sink view_sink = {
	.line = on_line, .title = on_title, .position = on_position,
	.note = on_note, .figure = on_figure, .exited = on_exited,
};

/* ---- Starting and ending ---------------------------------------------- */

static int
begin(struct demo_view *v, char **cause)
{
	struct demo_sink sink = view_sink;
	sink.arg = v;
	for (int i = 0; i < v->npanes; i++) {
		pane_free(&v->panes[i]);
		pane_init(&v->panes[i], v->d->panes[i]);
		v->pane_pid[i] = 0;
		v->pos[i] = 0;
	}
	v->note[0] = '\0';
	v->code_held = 0;
	v->stopped = 0;
	v->leader_status = -1;
	v->done = 0;
	v->started_ms = now_ms();
	v->started = time(NULL);
	v->kernel_at = 0;
	v->run = demo_start(v->d, &sink, v->paused0, v->delay0, cause);
	return v->run ? 0 : -1;
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

struct demo_view *
demo_view_start(const struct systour_demo *d, enum lang lang, int paused,
    int delay_ms, struct store *store, char **cause)
{
	struct demo_view *v = xcalloc(1, sizeof *v);
	v->d = d;
	v->lang = lang;
	v->store = store;
	v->paused0 = paused;
	v->delay0 = delay_ms;
	while (v->npanes < DEMO_MAX_PANES && d->panes[v->npanes])
		v->npanes++;
	for (int i = 0; i < v->npanes; i++)
		pane_init(&v->panes[i], d->panes[i]);
	v->pv = procview_new();
	if (begin(v, cause) != 0) {
		/* the view stays, and says in its first pane why */
		char *s = xasprintf(L(lang, "The demo could not start: %s",
		    "演示无法启动：%s"), *cause);
		pane_add(&v->panes[0], s, strlen(s));
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
	for (int i = 0; i < v->npanes; i++)
		pane_free(&v->panes[i]);
	procview_free(v->pv);
	free(v->kernel);
	free(v);
}

/* ---- The loop --------------------------------------------------------- */

int
demo_view_pollfds(struct demo_view *v, struct pollfd *fds, int max)
{
	return v->run && !v->done ? demo_pollfds(v->run, fds, max) : 0;
}

int
demo_view_timeout(struct demo_view *v)
{
	if (v->run == NULL || v->done)
		return -1;
	int t = demo_timeout(v->run);
	long long k = v->kernel_at - now_ms();
	if (k < 0)
		k = 0;
	return t < 0 || t > k ? (int)k : t;
}

void
demo_view_work(struct demo_view *v)
{
	if (v->run == NULL || v->done)
		return;
	demo_work(v->run);
	if (now_ms() >= v->kernel_at) {
		/* an actor that is gone is at no line any more */
		for (int i = 0; i < v->npanes; i++)
			if (v->pane_pid[i] > 0 && kill(v->pane_pid[i], 0) != 0)
				v->pos[i] = 0;
		procview_scan(v->pv, demo_pgid(v->run));
		free(v->kernel);
		v->kernel = procview_text(v->pv);
		v->kernel_at = now_ms() + KERNEL_EVERY_MS;
	}
	if (demo_finished(v->run)) {
		memset(v->pos, 0, sizeof v->pos);
		procview_scan(v->pv, demo_pgid(v->run));
		free(v->kernel);
		v->kernel = procview_text(v->pv);
		record(v);
	}
}

/* ---- Drawing ---------------------------------------------------------- */

/* A box's title bar: the focused one stands out. */
static void
draw_title(int y, int x, int w, const char *title, int focused)
{
	short pair;
	attr_t a = term_ui_attr(focused ? UI_SELECTED : UI_BAR, &pair);
	draw_fill(y, x, w, a, pair);
	draw_text(y, x + 1, w - 2, title, a | (focused ? A_BOLD : 0), pair);
}

/* Cells cut to w columns at (y, x). */
static void
draw_cells(int y, int x, int w, const struct cells *cs, int kind)
{
	int col = 0;
	for (int i = 0; i < cs->n && col + cs->c[i].width <= w; i++) {
		short pair;
		attr_t a = term_attr(cs->c[i].style, kind, &pair);
		draw_cell(y, x + col, &cs->c[i], a, pair);
		col += cs->c[i].width;
	}
}

static void
draw_pane(struct demo_view *v, int i, int y, int x, int h, int w)
{
	struct pane *p = &v->panes[i];
	struct cells cs = { 0 };
	draw_title(y, x, w, p->title, v->focus == i);
	int rows = h - 1;
	if (p->scroll > p->n - rows)
		p->scroll = p->n - rows > 0 ? p->n - rows : 0;
	int first = p->n - rows - p->scroll;
	if (first < 0)
		first = 0;
	for (int r = 0; r < rows && first + r < p->n; r++) {
		pane_decode(pane_line(p, first + r), &cs);
		draw_cells(y + 1 + r, x + 1, w - 1, &cs, LK_TEXT);
	}
	cells_free(&cs);
}

static void
draw_code(struct demo_view *v, int y, int x, int h, int w)
{
	struct cells cs = { 0 };
	int state = 0, line = 0, shown = 0;
	const char *s = v->d->code ? v->d->code : "";
	char *title = xasprintf("%s — %s", L(v->lang, "code", "代码"),
	    L(v->lang, v->d->title_en, v->d->title_zh));
	draw_title(y, x, w, title, v->focus == v->npanes);
	free(title);
	/* code longer than the pane follows the first marked line, unless
	 * the learner has scrolled it */
	int first = 0;
	for (int i = 0; i < v->npanes; i++)
		if (v->pos[i] > 0 && (first == 0 || v->pos[i] < first))
			first = v->pos[i];
	if (!v->code_held && first > 0 && (first <= v->code_top ||
	    first > v->code_top + h - 1)) {
		v->code_top = first - 1 - (h - 1) / 3;
		if (v->code_top < 0)
			v->code_top = 0;
	}
	while (*s) {
		size_t n = strcspn(s, "\n");
		line++;
		cells_clear(&cs);
		cells_add(&cs, s, n, S_TEXT);
		highlight_line(HL_PYTHON, cs.c, cs.n, &state);
		s += n + (s[n] == '\n');
		if (line <= v->code_top)
			continue;
		if (shown >= h - 1)
			break;
		/* which actors are here: their pane numbers */
		char mark[8] = "   ";
		int k = 0;
		for (int i = 0; i < v->npanes && k < 3; i++)
			if (v->pos[i] == line)
				mark[k++] = (char)('1' + i);
		int yy = y + 1 + shown++;
		char num[32];
		snprintf(num, sizeof num, "%s%3d ", mark, line);
		short pair;
		attr_t a = k ? term_ui_attr(UI_SELECTED, &pair) : A_DIM;
		if (!k)
			pair = 0;
		draw_text(yy, x, 8, num, a, pair);
		draw_cells(yy, x + 8, w - 8, &cs, LK_CODE);
	}
	cells_free(&cs);
}

static void
draw_kernel(struct demo_view *v, int y, int x, int h, int w)
{
	draw_title(y, x, w, L(v->lang, "kernel: processes and file descriptors "
	    "(/proc)", "内核视角：进程与文件描述符（/proc）"), v->focus == v->npanes + 1);
	const char *s = v->kernel ? v->kernel : "";
	int line = 0, shown = 0;
	while (*s && shown < h - 1) {
		size_t n = strcspn(s, "\n");
		if (line++ >= v->kernel_top) {
			char *t = xstrndup(s, n);
			draw_text(y + 1 + shown++, x + 1, w - 1, t, A_NORMAL, 0);
			free(t);
		}
		s += n + (s[n] == '\n');
	}
}

/* Draw thing i (an actor's pane, the code, the kernel) in a box. */
static void
draw_thing(struct demo_view *v, int i, int y, int x, int h, int w)
{
	if (h < 2 || w < 10)
		return;
	if (i < v->npanes)
		draw_pane(v, i, y, x, h, w);
	else if (i == v->npanes)
		draw_code(v, y, x, h, w);
	else
		draw_kernel(v, y, x, h, w);
}

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
	int cols = COLS;
	if (v->zoom)
		draw_thing(v, v->focus, top, 0, rows, cols);
	else {
		int left = cols * 2 / 5 < 40 ? 40 : cols * 2 / 5;
		int right = cols - left - 1;
		int code_lines = 1;
		for (const char *s = v->d->code; s && *s; s++)
			code_lines += *s == '\n';
		int code_h = code_lines + 1 < rows / 2 ? code_lines + 1 : rows / 2;
		draw_thing(v, v->npanes, top, 0, code_h, left);
		draw_thing(v, v->npanes + 1, top + code_h, 0, rows - code_h, left);
		for (int y = top; y < top + rows; y++)
			mvaddch(y, left, ACS_VLINE);
		int ncol = v->npanes <= 3 ? 1 : 2;
		int nrow = (v->npanes + ncol - 1) / ncol;
		int pw = (right - (ncol - 1)) / ncol;
		for (int i = 0; i < v->npanes; i++) {
			int r = i / ncol, c = i % ncol;
			int y0 = top + r * rows / nrow, y1 = top + (r + 1) * rows / nrow;
			draw_thing(v, i, y0, left + 1 + c * (pw + 1), y1 - y0, pw);
		}
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
	if (v->focus < v->npanes) {
		struct pane *p = &v->panes[v->focus];
		p->scroll -= by;        /* scrolling down goes toward the newest */
		if (p->scroll < 0)
			p->scroll = 0;
		if (p->scroll > p->n)
			p->scroll = p->n;
	} else {
		int *top = v->focus == v->npanes ? &v->code_top : &v->kernel_top;
		v->code_held |= v->focus == v->npanes;
		*top += by;
		if (*top < 0)
			*top = 0;
	}
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
		int from = v->focus < v->npanes ? v->focus : 0;
		for (int i = 0; i < v->npanes && pane < 0; i++)
			if (demo_can_kill(v->run, (from + i) % v->npanes))
				pane = (from + i) % v->npanes;
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
		    (int)pid, pane + 1, v->panes[pane].name);
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
			demo_pause(v->run, 1);
			demo_step(v->run);
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
			pane_add(&v->panes[0], s, strlen(s));
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
		v->kernel_at = 0;       /* show it at the next round */
		break;
	case DK_ZOOM:
		v->zoom = !v->zoom;
		break;
	case DK_FOCUS:
		v->focus = (v->focus + 1) % (v->npanes + 2);
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
