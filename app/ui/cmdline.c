/* cmdline.c — readline inside curses, as STYLE.md describes the recipe:
 * no signal or terminal handling by readline, bytes fed through
 * rl_getc_function, drawing done here through rl_redisplay_function. */
#include "cmdline.h"
#include "readline_glue.h"
#include "layout.h"
#include "term.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#define PROMPT ":"

static struct cmdline_input *input;
static cmdline_done_fn *done_fn;
static void *done_arg;
static int active;
static int draw_y = -1, draw_w;
static char *matches_text;
static FILE *devnull;

static int
get_byte(FILE *f)
{
	(void)f;
	if (input->pos < input->len)
		return input->b[input->pos++];
	return EOF;
}

static int
input_available(void)
{
	return input->pos < input->len;
}

/* Width in columns of the first n bytes of s. */
static int
width_of(const char *s, size_t n)
{
	char *t = xstrndup(s, n);
	int w = text_width(t);
	free(t);
	return w;
}

static void
redisplay(void)
{
	if (draw_y >= 0) {
		cmdline_draw(draw_y, draw_w);
		refresh();
	}
}

static void
show_matches(char **m, int n, int maxlen)
{
	(void)maxlen;
	free(matches_text);
	matches_text = xstrdup("");
	for (int i = 1; i <= n; i++) {
		char *s = xasprintf("%s%s%s", matches_text, i > 1 ? "  " : "", m[i]);
		free(matches_text);
		matches_text = s;
	}
	redisplay();
}

static void
on_line(char *line)
{
	/* NULL is Ctrl-D on an empty line: the same as cancelling */
	active = 0;
	if (line)
		rlglue_remember(line);
	rl_callback_handler_remove();
	if (done_fn)
		done_fn(line, done_arg);
	free(line);
}

void
cmdline_init(struct app *app, struct cmdline_input *in,
    cmdline_done_fn *done, void *arg)
{
	input = in;
	done_fn = done;
	done_arg = arg;
	devnull = fopen("/dev/null", "w");
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = NULL;
	rl_deprep_term_function = NULL;
	rl_getc_function = get_byte;
	rl_input_available_hook = input_available;
	rl_redisplay_function = redisplay;
	rl_completion_display_matches_hook = show_matches;
	rl_outstream = devnull;
	rl_instream = stdin;
	rlglue_init(app);
}

void
cmdline_free(struct app *app)
{
	if (active)
		cmdline_cancel();
	rlglue_save(app);
	free(matches_text);
	matches_text = NULL;
	if (devnull) {
		rl_outstream = NULL;
		fclose(devnull);
		devnull = NULL;
	}
}

void
cmdline_start(void)
{
	if (active)
		return;
	active = 1;
	history_set_pos(history_length);
	rl_callback_handler_install(PROMPT, on_line);
}

void
cmdline_cancel(void)
{
	if (!active)
		return;
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_callback_sigcleanup();
	rl_callback_handler_remove();
	active = 0;
	free(matches_text);
	matches_text = NULL;
}

int
cmdline_active(void)
{
	return active;
}

void
cmdline_read(void)
{
	if (active && input->pos < input->len)
		rl_callback_read_char();
}

void
cmdline_draw(int y, int width)
{
	draw_y = y;
	draw_w = width;
	const char *prompt = rl_display_prompt ? rl_display_prompt : PROMPT;
	const char *buf = rl_line_buffer ? rl_line_buffer : "";
	int pw = text_width(prompt);
	int cursor = pw + width_of(buf, (size_t)rl_point);
	int room = width - 1;

	/* scroll horizontally: keep the cursor inside the line */
	int skip = cursor > room ? cursor - room : 0;
	struct cells cs = { 0 };
	cells_add(&cs, prompt, strlen(prompt), S_TEXT);
	cells_add(&cs, buf, strlen(buf), S_TEXT);
	move(y, 0);
	int col = 0, x = 0;
	for (int i = 0; i < cs.n; i++) {
		int w = cs.c[i].width;
		if (col < skip) {
			col += w;
			continue;
		}
		if (x + w > room)
			break;
		cchar_t cc;
		wchar_t wc[2] = { cs.c[i].ch, 0 };
		setcchar(&cc, wc, A_NORMAL, 0, NULL);
		mvadd_wch(y, x, &cc);
		x += w;
		col += w;
	}
	cells_free(&cs);
	clrtoeol();
	int cx = cursor - skip;
	move(y, cx < width ? cx : width - 1);
	curs_set(1);
}

char *
cmdline_take_matches(void)
{
	char *s = matches_text;
	matches_text = NULL;
	return s;
}
