/* view_popup.c — a box of text over the view below it: what a command
 * printed, or the keys and commands (?). It takes every key while open:
 * q, Esc, Enter or ? close it, j/k and the paging keys scroll. */
#include "draw.h"
#include "shell.h"
#include "term.h"
#include "tui_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct popup_view {
	char *text;
	int top;
	int help;               /* the ? popup: L shows it again in the other
	                         * language */
};

static void
popup_init(struct view *v, void *arg)
{
	struct popup_view *pv = xcalloc(1, sizeof *pv);
	pv->text = xstrdup(arg ? arg : "");
	v->data = pv;
}

static void
popup_free(struct view *v)
{
	struct popup_view *pv = v->data;
	free(pv->text);
	free(pv);
}

void
view_popup_append(struct tui *t, const char *text)
{
	struct view *top = tui_top(t);
	if (top->ops != &view_popup_ops) {
		tui_push(t, &view_popup_ops, (void *)text);
		return;
	}
	struct popup_view *pv = top->data;
	char *s = xasprintf("%s%s", pv->text, text);
	free(pv->text);
	pv->text = s;
	pv->top = 0;
}

static void
popup_draw(struct view *v, int top, int rows)
{
	struct popup_view *pv = v->data;
	int w = COLS - 8, h = LINES - 6, x0 = 4, y0 = 2;
	short pair;
	attr_t a = term_ui_attr(UI_POPUP, &pair);
	struct page pg = { 0 };
	struct cells para = { 0 };
	for (const char *p = pv->text; *p;) {
		size_t n = strcspn(p, "\n");
		cells_clear(&para);
		cells_add(&para, p, n, S_TEXT);
		if (para.n == 0)
			page_blank(&pg, NULL, LK_TEXT);
		else
			page_hang(&pg, &para, w - 4);
		p += n + (p[n] == '\n');
	}
	cells_free(&para);
	int maxtop = pg.n > h - 2 ? pg.n - (h - 2) : 0;
	if (pv->top > maxtop)
		pv->top = maxtop;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			mvaddch(y0 + y, x0 + x, ' ' | a | COLOR_PAIR(pair));
	/* the frame: a box drawn in its own cells, around the text */
	static const wchar_t frame[] = L"┌┐└┘─│";
	struct cell c = { 0, 1, S_TEXT };
	for (int x = 1; x < w - 1; x++) {
		c.ch = frame[4];
		draw_cell(y0, x0 + x, &c, a, pair);
		draw_cell(y0 + h - 1, x0 + x, &c, a, pair);
	}
	for (int y = 1; y < h - 1; y++) {
		c.ch = frame[5];
		draw_cell(y0 + y, x0, &c, a, pair);
		draw_cell(y0 + y, x0 + w - 1, &c, a, pair);
	}
	c.ch = frame[0], draw_cell(y0, x0, &c, a, pair);
	c.ch = frame[1], draw_cell(y0, x0 + w - 1, &c, a, pair);
	c.ch = frame[2], draw_cell(y0 + h - 1, x0, &c, a, pair);
	c.ch = frame[3], draw_cell(y0 + h - 1, x0 + w - 1, &c, a, pair);
	for (int i = 0; i < h - 2 && pv->top + i < pg.n; i++) {
		const struct line *ln = &pg.v[pv->top + i];
		for (int k = 0, x = 0; k < ln->n; k++) {
			draw_cell(y0 + 1 + i, x0 + 2 + x, &ln->c[k], a, pair);
			x += ln->c[k].width;
		}
	}
	const char *hint = L(v->tui->app->lang, " q/Esc close  j/k scroll ",
	    " q/Esc 关闭  j/k 滚动 ");
	draw_text(y0 + h - 1, x0 + w - text_width(hint) - 2, w, hint, a | A_BOLD, pair);
	page_free(&pg);
}

static int
popup_key(struct view *v, enum key k, wchar_t ch)
{
	struct popup_view *pv = v->data;
	if (pv->help && k == K_CHAR && ch == 'L') {
		tui_switch_lang(v->tui);        /* v may be gone after this */
		return 1;
	}
	if (k == K_ESC || k == K_ENTER || (k == K_CHAR && (ch == 'q' || ch == '?')))
		tui_pop(v->tui);
	else if (k == K_DOWN || k == K_WHEEL_DOWN || (k == K_CHAR && ch == 'j'))
		pv->top++;
	else if ((k == K_UP || k == K_WHEEL_UP || (k == K_CHAR && ch == 'k')) &&
	    pv->top > 0)
		pv->top--;
	else if (k == K_PGDN || (k == K_CHAR && ch == ' '))
		pv->top += LINES - 8;
	else if (k == K_PGUP || (k == K_CHAR && ch == 'b'))
		pv->top = pv->top > LINES - 8 ? pv->top - (LINES - 8) : 0;
	return 1;       /* modal: nothing reaches the views below */
}

const struct view_ops view_popup_ops = {
	.name = "popup",
	.passes_global_keys = 0,
	.overlay = 1,
	.init = popup_init,
	.free = popup_free,
	.draw = popup_draw,
	.key = popup_key,
};

/* ---- The ? popup: keys, then the commands ------------------------------ */

static const char *
keys_help(enum lang lang)
{
	return L(lang,
	    "Keys\n"
	    "\n"
	    "  Lesson list:  ↑/↓ or k/j choose, Enter or → open, 1-9 open lesson N\n"
	    "  Lesson:       n or → next step, p or ← previous step, 1-9 jump to step\n"
	    "                j/k or ↓/↑ scroll a line, Space/PgDn and b/PgUp a page,\n"
	    "                g/Home top, G/End bottom, the mouse wheel scrolls\n"
	    "                q, Esc or Backspace back to the list\n"
	    "  Live demo:    Space pause or resume, n one step, +/- speed,\n"
	    "                x kill the focused pane's actor (SIGKILL), r restart,\n"
	    "                z zoom, Tab focus, j/k or ↓/↑ scroll, f show or fold\n"
	    "                systour's own pipes in the kernel view, q stop, then close\n"
	    "  Anywhere:     L switch English/中文, : command line, ? these keys,\n"
	    "                q in the list (or the quit command) leaves\n"
	    "  Command line: Emacs keys (C-a, C-e, C-k, M-b ...), ↑/↓ history,\n"
	    "                Tab completes, Enter runs, Esc or C-g cancels\n"
	    "\n"
	    "Commands\n"
	    "\n",
	    "按键\n"
	    "\n"
	    "  课程列表：↑/↓ 或 k/j 选择，Enter 或 → 打开，1-9 打开第 N 课\n"
	    "  课程内：  n 或 → 下一步，p 或 ← 上一步，1-9 跳到第 N 步\n"
	    "            j/k 或 ↓/↑ 滚动一行，空格/PgDn 和 b/PgUp 翻页，\n"
	    "            g/Home 顶部，G/End 底部，鼠标滚轮可滚动\n"
	    "            q、Esc 或退格键返回列表\n"
	    "  现场演示：空格 暂停或继续，n 单步，+/- 快慢，\n"
	    "            x 杀死当前窗格的角色（SIGKILL），r 重来，z 放大，Tab 切换窗格，\n"
	    "            j/k 或 ↓/↑ 滚动，f 显示或折叠内核视角中 systour 自己的管道，\n"
	    "            q 停止后关闭\n"
	    "  任何地方：L 切换 English/中文，: 命令行，? 显示按键，\n"
	    "            在列表中按 q（或 quit 命令）退出\n"
	    "  命令行：  Emacs 编辑键（C-a、C-e、C-k、M-b ……），↑/↓ 历史，\n"
	    "            Tab 补全，Enter 执行，Esc 或 C-g 取消\n"
	    "\n"
	    "命令\n"
	    "\n");
}

char *
view_help_text(struct tui *t)
{
	char *cmds = cmd_help_usable(t->app, CMD_SHELL);
	char *s = xasprintf("%s%s", keys_help(t->app->lang), cmds);
	free(cmds);
	return s;
}

void
view_help_push(struct tui *t)
{
	char *help = view_help_text(t);
	struct view *v = tui_push(t, &view_popup_ops, help);
	free(help);
	((struct popup_view *)v->data)->help = 1;
}

int
view_is_help(const struct view *v)
{
	return v->ops == &view_popup_ops && ((struct popup_view *)v->data)->help;
}
