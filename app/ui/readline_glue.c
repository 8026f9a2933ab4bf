/* readline_glue.c — completion and history for both readline front ends. */
#include "readline_glue.h"
#include "shell.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#define HISTORY_LINES 1000

static struct app *glue_app;
static char **matches;          /* candidates for the word being completed */
static int next_match;

static char *
generator(const char *word, int state)
{
	(void)word;
	if (matches == NULL || matches[next_match] == NULL)
		return NULL;
	return xstrdup(matches[next_match++]);
}

static void
free_matches(void)
{
	for (int i = 0; matches && matches[i]; i++)
		free(matches[i]);
	free(matches);
	matches = NULL;
}

static char **
attempt(const char *word, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;       /* never complete file names */
	char *before = xstrndup(rl_line_buffer, (size_t)start);
	free_matches();
	matches = cmd_complete(glue_app, before, word);
	next_match = 0;
	free(before);
	char **r = rl_completion_matches(word, generator);
	return r;
}

void
rlglue_init(struct app *app)
{
	glue_app = app;
	rl_readline_name = "systour";
	rl_attempted_completion_function = attempt;
	rl_basic_word_break_characters = " \t";
	using_history();
	stifle_history(HISTORY_LINES);
	if (app->history_path)
		read_history(app->history_path);
}

void
rlglue_remember(const char *line)
{
	if (line[strspn(line, " \t")] == '\0')
		return;
	HIST_ENTRY *last = history_length > 0 ?
	    history_get(history_base + history_length - 1) : NULL;
	if (last && strcmp(last->line, line) == 0)
		return;
	add_history(line);
}

void
rlglue_save(struct app *app)
{
	/* the data directory may not exist yet when --db puts progress elsewhere */
	if (app->history_path) {
		char *dir = xstrdup(app->history_path);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			mkdir_p(dir);
		}
		free(dir);
	}
	if (app->history_path && write_history(app->history_path) == 0)
		history_truncate_file(app->history_path, HISTORY_LINES);
	free_matches();
}
