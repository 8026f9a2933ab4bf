/* app.c — helpers on the shared state: output through the front end and
 * progress figures per lesson. */
#include "app.h"
#include "exercise.h"
#include "buf.h"
#include "loop.h"
#include "layout.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void
app_printf(struct app *app, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	app->ui->print(app, s);
	free(s);
}

void
app_errorf(struct app *app, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	app->ui->error(app, s);
	free(s);
}

void
app_show(struct app *app, enum app_view_kind kind)
{
	struct app_view what = { .kind = kind, .delay_ms = -1 };
	char *cause = NULL;
	app->ui->push(app, &what, &cause);
	free(cause);
}

const struct lesson_text *
app_text(const struct app *app, const struct lesson *ls)
{
	return &ls->text[app->lang];
}

int
app_seen(struct app *app, const struct lesson *ls)
{
	int n = store_steps_seen(app->store, ls->id, ls->text[LANG_EN].nsteps);
	return n < 0 ? 0 : n;
}

int
app_percent(struct app *app, const struct lesson *ls)
{
	int total = ls->text[LANG_EN].nsteps;
	return total ? app_seen(app, ls) * 100 / total : 0;
}

void
app_mark_seen(struct app *app)
{
	if (app->cur)
		store_step_seen(app->store, app->cur->id, app->step + 1);
}

/* s cut or padded with spaces to exactly cols display columns (Chinese
 * counts two); a cut ends in "…". */
static char *
padded(const char *s, int cols)
{
	struct cells cs = { 0 };
	struct line ln = { 0 };
	cells_add(&cs, s, strlen(s), S_TEXT);
	ln.cap = cs.n + cols + 1;
	ln.c = xcalloc(ln.cap, sizeof *ln.c);
	int total = 0;
	for (int i = 0; i < cs.n; i++)
		total += cs.c[i].width;
	for (int i = 0; i < cs.n; i++) {
		int room = total > cols ? cols - 1 : cols;
		if (ln.cols + cs.c[i].width > room)
			break;
		ln.c[ln.n++] = cs.c[i];
		ln.cols += cs.c[i].width;
	}
	if (total > cols)
		ln.c[ln.n++] = (struct cell){ L'…', 1, S_TEXT }, ln.cols++;
	while (ln.cols < cols)
		ln.c[ln.n++] = (struct cell){ L' ', 1, S_TEXT }, ln.cols++;
	char *out = line_utf8(&ln);
	/* line_utf8 trims trailing spaces: put them back */
	char *r = xasprintf("%s%*s", out, cols - text_width(out), "");
	free(out);
	free(ln.c);
	cells_free(&cs);
	return r;
}

char *
app_list_text(struct app *app, int width)
{
	/* "NN  name.......... title... [bar.......] 100%  10/10" */
	const int bar_width = 10;
	int title_width = (width < 60 ? 60 : width) - 4 - 15 - 2 - bar_width - 2 - 11;
	struct buf out = BUF_INIT;
	for (int i = 0; i < app->lessons.n; i++) {
		struct lesson *ls = &app->lessons.v[i];
		int seen = app_seen(app, ls), total = ls->text[LANG_EN].nsteps;
		int pct = total ? seen * 100 / total : 0;
		char *bar = xmalloc(bar_width + 1);
		for (int k = 0; k < bar_width; k++)
			bar[k] = k < pct * bar_width / 100 ? '#' : '-';
		bar[bar_width] = '\0';
		char *name = padded(ls->name, 14);
		char *title = padded(app_text(app, ls)->title, title_width);
		buf_printf(&out, "%02d  %s %s [%s] %3d%%  %d/%d", ls->number,
		    name, title, bar, pct, seen, total);
		int nex, done = app_exercises_done(app, ls, &nex);
		if (nex > 0)
			buf_printf(&out, L(app->lang, "  exercises %d/%d",
			    "  练习 %d/%d"), done, nex);
		buf_addc(&out, '\n');
		free(title);
		free(name);
		free(bar);
	}
	return buf_detach(&out, NULL);
}

int
app_exercises_done(struct app *app, const struct lesson *ls, int *total)
{
	*total = 0;
	if (app->exercises == NULL)
		return 0;
	const char *name = exercises_lesson(app->exercises, ls->id);
	if (name == NULL)
		return 0;
	for (int i = 0; i < app->exercises->n; i++)
		*total += strcmp(app->exercises->v[i].lesson, name) == 0;
	int done = store_exercises_passed(app->store, name);
	return done > 0 ? done : 0;
}

struct loop *
app_loop(struct app *app)
{
	if (app->loop == NULL) {
		char *cause = NULL;
		app->loop = loop_new(&cause);
		if (app->loop == NULL)
			fatal_("%s", cause);
	}
	return app->loop;
}
