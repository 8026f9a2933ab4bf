/* view_exercise.c — an exercise in the TUI: the learner's file open in
 * their editor ($VISUAL, $EDITOR, else vi) in a terminal pane on the left
 * (vt.h: a pty and libvterm), the checker's results on the right. Every
 * save is checked again (watch.h); the run is on the loop, so the editor
 * and the keys stay live meanwhile. Keys go to the editor until Ctrl-]
 * gives them back to systour. Where there is no pty (or
 * SYSTOUR_EDITOR_PANE=off), the left pane shows the file and `e` runs the
 * editor with curses suspended; the screen comes back after. */
#include "commands_exercise.h"
#include "draw.h"
#include "exercise.h"
#include "loop.h"
#include "pane_vterm.h"
#include "runner.h"
#include "term.h"
#include "tui_int.h"
#include "util.h"
#include "watch.h"
#include "lang.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PREFIX_KEY 0x1d         /* Ctrl-]: keys back to systour */

struct exview {
	struct tui *t;
	struct app *app;
	const struct exercise *ex;
	char *dir;                      /* the learner's folder */
	struct vt *vt;                  /* the editor, or NULL */
	struct pane *ed, *chk;          /* editor (or file) pane, checker */
	struct ex_watch *w;
	struct ex_run *run;
	struct loop_watch *t_reap;      /* the editor ended: free it */
	int editor_focus;
	int fallback;                   /* no pane: curses suspended */
	int editor_gone;
	long long saved_at;
	enum ex_status last;
	int have_last, checks;
	char state[128];                /* "checking…", "PASS 12 ms" */
};

static int
zh(struct exview *xv)
{
	return xv->app->lang == LANG_ZH;
}

/* The editor's command: $VISUAL, $EDITOR, else vi or nano. */
static char *
editor_line(void)
{
	const char *e = getenv("VISUAL");
	if (e == NULL || *e == '\0')
		e = getenv("EDITOR");
	if (e == NULL || *e == '\0')
		e = access("/usr/bin/vi", X_OK) == 0 || access("/bin/vi", X_OK) == 0 ?
		    "vi" : "nano";
	return xasprintf("exec %s \"$1\"", e);
}

/* ---- The checker pane --------------------------------------------------- */

static void
chk_lines(struct exview *xv, const char *text)
{
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		pane_text_add(xv->chk, s, n);
		s += n + (nl != NULL);
	}
}

static void
chk_new(struct exview *xv)
{
	pane_free(xv->chk);
	xv->chk = pane_text_new(L(LANG_OF(zh(xv)), "checker", "检查结果"));
	xv->chk->place = PANE_MAIN;
	char *head = xasprintf("%s  %s\n%s/%s\n", xv->ex->id,
	    exercise_title(xv->ex, zh(xv)), xv->dir, xv->ex->files[0]);
	chk_lines(xv, head);
	free(head);
}

/* File preview in the fallback: the learner's first file. */
static void
preview(struct exview *xv)
{
	if (!xv->fallback)
		return;
	pane_free(xv->ed);
	char *path = xasprintf("%s/%s", xv->dir, xv->ex->files[0]);
	xv->ed = pane_text_new(xv->ex->files[0]);
	xv->ed->place = PANE_SIDE;
	char *text = read_file(path, NULL);
	free(path);
	if (text) {
		for (const char *s = text; *s;) {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			pane_text_add(xv->ed, s, n);
			s += n + (nl != NULL);
		}
		pane_scroll(xv->ed, -PANE_SCROLLBACK);
	}
	free(text);
}

/* ---- Checking ----------------------------------------------------------- */

static void start_check(struct exview *xv);

static void
on_result(void *arg, struct ex_result *r)
{
	struct exview *xv = arg;
	xv->run = NULL;
	ex_record_attempt(xv->app, xv->ex->id, r);
	chk_new(xv);
	char *s = ex_result_text(r, xv->ex->id, zh(xv));
	chk_lines(xv, s);
	free(s);
	if (xv->saved_at) {
		char *m = xasprintf(L(LANG_OF(zh(xv)),
		    "(%lld ms from the save to this result; the check "
		    "ran %lld ms)", "（从保存到结果 %lld 毫秒，其中检查 %lld "
		    "毫秒）"), now_ms() - xv->saved_at, r->run_ms +
		    r->compile_ms);
		chk_lines(xv, m);
		free(m);
	}
	static const char *const head[] = { "PASS", "FAIL", "ERROR",
	    "SKIPPED" };
	static const char *const head_zh[] = { "通过", "未通过", "出错",
	    "已跳过" };
	snprintf(xv->state, sizeof xv->state, "%s",
	    zh(xv) ? head_zh[r->status] :
	    head[r->status]);
	xv->last = r->status;
	xv->have_last = 1;
	xv->checks++;
	ex_result_free(r);
	ex_watch_resume(xv->w);
	preview(xv);
}

static void
start_check(struct exview *xv)
{
	char *cause = NULL;
	if (xv->run)
		return;
	struct ex_run_opts o = { .ex = xv->ex, .learner_dir = xv->dir,
	    .zh = zh(xv) };
	ex_watch_pause(xv->w);
	xv->run = ex_run_start(xv->t->loop, &o, on_result, xv, &cause);
	if (xv->run == NULL) {
		tui_set_status(xv->t, 1, cause);
		free(cause);
		ex_watch_resume(xv->w);
		return;
	}
	snprintf(xv->state, sizeof xv->state, "%s", L(LANG_OF(zh(xv)),
	    "checking…", "检查中…"));
}

static void
on_saved(void *arg, long long first_ms)
{
	struct exview *xv = arg;
	xv->saved_at = first_ms;
	start_check(xv);
}

/* ---- The editor --------------------------------------------------------- */

static void
on_reap(struct loop *l, void *arg)
{
	struct exview *xv = arg;
	loop_cancel(xv->t_reap);
	xv->t_reap = NULL;
	pane_vterm_set(xv->ed, NULL);
	vt_free(xv->vt);
	xv->vt = NULL;
}

static void
on_editor_exit(void *arg, int status)
{
	struct exview *xv = arg;
	xv->editor_gone = 1;
	xv->editor_focus = 0;
	/* not inside the vt's own callback */
	if (xv->t_reap == NULL)
		xv->t_reap = loop_timer(xv->t->loop, 0, on_reap, xv);
}

static int
open_editor(struct exview *xv)
{
	char *line = editor_line(), *cause = NULL;
	char *argv[] = { "sh", "-c", line, "sh", xv->ex->files[0], NULL };
	struct vt_sink sink = { xv, NULL, on_editor_exit };
	int rows = tui_body_rows() - 1, cols = COLS * 3 / 5;
	xv->vt = vt_spawn(xv->t->loop, rows > 2 ? rows : 24, cols > 20 ? cols : 80,
	    argv, xv->dir, &sink, &cause);
	free(line);
	if (xv->vt == NULL) {
		tui_set_status(xv->t, 1, cause);
		free(cause);
		return -1;
	}
	pane_vterm_set(xv->ed, xv->vt);
	xv->editor_gone = 0;
	xv->editor_focus = 1;
	return 0;
}

/* The fallback: curses suspended, the editor on the terminal, the screen
 * back after. */
static void
edit_suspended(struct exview *xv)
{
	char *line = editor_line();
	def_prog_mode();
	endwin();
	pid_t pid = fork();
	if (pid == 0) {
		if (chdir(xv->dir) != 0)
			_exit(126);
		signal(SIGINT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		execl("/bin/sh", "sh", "-c", line, "sh", xv->ex->files[0],
		    (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0)
			;
	free(line);
	reset_prog_mode();
	term_resize();
	clearok(curscr, TRUE);
	preview(xv);
}

/* ---- The view ----------------------------------------------------------- */

static void
exercise_init(struct view *v, void *arg)
{
	const struct app_view *what = arg;
	struct exview *xv = xcalloc(1, sizeof *xv);
	v->data = xv;
	xv->t = v->tui;
	xv->app = v->tui->app;
	xv->ex = what->exercise;
	xv->dir = xstrdup(what->workspace);
	chk_new(xv);
	const char *pane = getenv("SYSTOUR_EDITOR_PANE");
	xv->fallback = pane && strcmp(pane, "off") == 0;
	if (!xv->fallback) {
		xv->ed = pane_vterm_new(xv->ex->files[0], NULL);
		if (open_editor(xv) != 0) {
			pane_free(xv->ed);
			xv->ed = NULL;
			xv->fallback = 1;
		}
	}
	preview(xv);
	char *cause = NULL;
	xv->w = ex_watch_new(xv->t->loop, xv->dir,
	    (const char *const *)xv->ex->files, xv->ex->nfiles, on_saved, xv,
	    &cause);
	if (xv->w == NULL) {
		char *m = xasprintf(L(LANG_OF(zh(xv)),
		    "%s: press r to check after a save", "%s：保存后按 r 检查"),
		    cause);
		tui_set_status(xv->t, 1, m);
		free(m);
		free(cause);
	}
	start_check(xv);
}

static void
exercise_free_view(struct view *v)
{
	struct exview *xv = v->data;
	ex_run_cancel(xv->run);
	ex_watch_free(xv->w);
	loop_cancel(xv->t_reap);
	vt_free(xv->vt);
	pane_free(xv->ed);
	pane_free(xv->chk);
	free(xv->dir);
	free(xv);
}

static void
exercise_draw(struct view *v, int top, int rows)
{
	struct exview *xv = v->data;
	int left = COLS * 3 / 5;
	if (left < 40)
		left = 40;
	int right = COLS - left - 1;
	if (xv->ed)
		pane_draw(xv->ed, top, 0, rows, left, xv->editor_focus);
	if (xv->vt == NULL && !xv->fallback) {
		const char *m = L(LANG_OF(zh(xv)),
		    "the editor was closed: press e to open it again",
		    "编辑器已关闭：按 e 重新打开");
		draw_text(top + 2, 2, left - 4, m, A_DIM, 0);
	}
	short pair;
	attr_t a = term_ui_attr(UI_BAR, &pair);
	for (int r = 0; r < rows; r++)
		draw_text(top + r, left, 1, "│", a, pair);
	pane_draw(xv->chk, top, left + 1, rows, right, !xv->editor_focus);
	int y, x;
	if (xv->editor_focus && xv->vt && pane_vterm_cursor(xv->ed, &y, &x)) {
		xv->t->cursor_y = y;
		xv->t->cursor_x = x;
	}
}

static size_t
exercise_raw(struct view *v, const unsigned char *b, size_t n)
{
	struct exview *xv = v->data;
	if (!xv->editor_focus || xv->vt == NULL)
		return 0;
	const unsigned char *p = memchr(b, PREFIX_KEY, n);
	size_t upto = p ? (size_t)(p - b) : n;
	if (upto)
		vt_keys(xv->vt, (const char *)b, upto);
	if (p) {
		xv->editor_focus = 0;
		return upto + 1;
	}
	return n;
}

/* Open the exercise after this one (in id order); 1 if there is one. */
static int
open_next(struct exview *xv)
{
	const struct exercise_set *set = xv->app->exercises;
	for (int i = 0; set && i + 1 < set->n; i++)
		if (&set->v[i] == xv->ex) {
			char *cmd = xasprintf("exercise %s", set->v[i + 1].id);
			cmd_exec_line(xv->app, cmd);
			free(cmd);
			return 1;
		}
	tui_set_status(xv->t, 0, L(LANG_OF(zh(xv)),
	    "this is the last exercise", "这是最后一个练习"));
	return 0;
}

static int
exercise_key(struct view *v, enum key k, wchar_t ch)
{
	struct exview *xv = v->data;
	struct app *app = xv->app;
	if (k == K_ESC || (k == K_CHAR && ch == 'q')) {
		tui_pop(xv->t);
		return 1;
	}
	if (k == K_ENTER || k == K_TAB || (k == K_CHAR && (ch == 'e' ||
	    ch == PREFIX_KEY))) {
		if (xv->fallback)
			edit_suspended(xv);
		else if (xv->vt)
			xv->editor_focus = 1;
		else if (xv->t_reap == NULL)
			open_editor(xv);
		return 1;
	}
	if (k != K_CHAR) {
		int by = k == K_UP || k == K_WHEEL_UP ? -1 : k == K_DOWN ||
		    k == K_WHEEL_DOWN ? 1 : k == K_PGUP ? -10 : k == K_PGDN ?
		    10 : 0;
		if (by)
			pane_scroll(xv->chk, by);
		return by != 0;
	}
	switch (ch) {
	case 'r':
		xv->saved_at = 0;
		start_check(xv);
		return 1;
	case 'h': {
		char *s = ex_next_hint(app, xv->ex);
		if (s) {
			pane_text_add(xv->chk, "", 0);
			chk_lines(xv, s);
		} else
			tui_set_status(xv->t, 0, L(LANG_OF(zh(xv)),
			    "this exercise has no hints", "这个练习没有提示"));
		free(s);
		return 1;
	}
	case 's': {
		char *cause = NULL, *s = ex_solution_text(app, xv->ex, &cause);
		if (s)
			view_popup_append(xv->t, s);
		else
			tui_set_status(xv->t, 1, cause);
		free(s);
		free(cause);
		return 1;
	}
	case 'n':
		open_next(xv);
		return 1;
	}
	return 0;
}

static void
exercise_header(struct view *v, char *left, char *right, size_t len)
{
	struct exview *xv = v->data;
	snprintf(left, len, " systour · %s %s", L(LANG_OF(zh(xv)), "exercise",
	    "练习"),
	    xv->ex->id);
	snprintf(right, len, "%s ", xv->state);
}

static void
exercise_status(struct view *v, char *left, char *right, size_t len,
    int width)
{
	struct exview *xv = v->data;
	if (xv->editor_focus)
		snprintf(left, len, "%s", L(LANG_OF(zh(xv)),
		    "keys go to the editor · Ctrl-] back to systour · every "
		    "save "
		    "is checked", "按键交给编辑器 · Ctrl-] 回到 systour · "
		    "每次保存都会检查"));
	else
		snprintf(left, len, "%s", L(LANG_OF(zh(xv)),
		    "e edit  r check again  h hint  s solution  n next  q "
		    "close", "e 编辑  r 重新检查  h 提示  s 答案  n 下一个  q "
		    "关闭"));
	right[0] = '\0';
}

/* "exercise check": check again now. */
static int
exercise_command(struct view *v, const char *what)
{
	struct exview *xv = v->data;
	if (strcmp(what, "exercise check") != 0)
		return 1;
	xv->saved_at = 0;
	start_check(xv);
	return 0;
}

const struct view_ops view_exercise_ops = {
	.name = "exercise",
	.passes_global_keys = 1,
	.init = exercise_init,
	.free = exercise_free_view,
	.draw = exercise_draw,
	.key = exercise_key,
	.header = exercise_header,
	.status = exercise_status,
	.command = exercise_command,
	.raw = exercise_raw,
};

int
tui_push_exercise(struct tui *t, const struct app_view *what, char **cause)
{
	struct view *top = tui_top(t);
	if (top->ops == &view_exercise_ops &&
	    ((struct exview *)top->data)->ex == what->exercise) {
		exercise_command(top, "exercise check");
		return 0;
	}
	if (tui_find(t, &view_exercise_ops)) {
		tui_pop_to(t, &view_exercise_ops);
		tui_pop(t);
	}
	tui_push(t, &view_exercise_ops, (void *)what);
	return 0;
}
