/* shell.h — the one table of commands that the TUI's command line, the
 * plain shell and the program's arguments all use (as tmux's cmd_entry). */
#ifndef SYSTOUR_SHELL_H
#define SYSTOUR_SHELL_H

#include "app.h"

enum cmd_retval {
	CMD_OK = 0,
	CMD_ERR = 1,            /* the work failed (exit status 1) */
	CMD_USAGE = 2,          /* bad usage (exit status 2) */
};

/* What a command's arguments complete to. */
enum cmd_complete { COMPLETE_NONE, COMPLETE_LESSON, COMPLETE_STEP,
	COMPLETE_LANG, COMPLETE_COMMAND, COMPLETE_DEMO };

/* Where a command may run. */
#define CMD_ONESHOT 0x1         /* as `systour NAME ...` */
#define CMD_SHELL   0x2         /* in the TUI and the plain shell */
/* Given as `systour NAME ...`, it needs neither the lessons nor the
 * progress store, and systour opens neither for it. */
#define CMD_STANDALONE 0x4

/* A command's words after parsing: positional arguments and options. */
struct cmd_args {
	int argc;
	char **argv;
	struct {
		const char *name;       /* without the dashes: "lang" */
		const char *value;      /* NULL for a flag */
	} opt[8];
	int nopt;
};

/* 1 if the option was given; *value (if asked) gets its value. */
int cmd_has(const struct cmd_args *args, const char *name, const char **value);

/* One option of a command, as `systour COMMAND --help` shows it. */
struct cmd_optdoc {
	const char *opt;        /* as typed, with its value: "--port N" */
	const char *en, *zh;    /* what it does; '\n' breaks a long one */
};

struct cmd_entry {
	const char *name;
	const char *alias;
	const char *usage;      /* arguments, as --help prints them */
	const char *help_en;
	const char *help_zh;
	int minargs, maxargs;   /* positional arguments; -1: no limit */
	const char *const *options; /* accepted options, NULL-terminated:
				       "json" a flag, "lang=" takes a value */
	const struct cmd_optdoc *optdoc; /* one for each of options, in
				       the same order, then { NULL } */
	int flags;
	enum cmd_complete complete;
	enum cmd_retval (*exec)(struct app *app, struct cmd_args *args);
};

extern const struct cmd_entry *const cmd_table[];

/* Find a command by name, alias or unique prefix. On failure NULL and
 * *cause ("unknown command: x" / "ambiguous command: x, could be: a, b"). */
const struct cmd_entry *cmd_find(const char *name, char **cause);

/* Run a command given as words. Options (--x) are checked against the
 * entry; the rest are positional. context is CMD_ONESHOT or CMD_SHELL. */
enum cmd_retval cmd_exec_argv(struct app *app, int argc, char **argv, int context);

/* Split a line into words (spaces, 'single' and "double" quotes) and run it.
 * A blank line does nothing. */
enum cmd_retval cmd_exec_line(struct app *app, const char *line);

/* Split a line into words; returns the count, *argv allocated. -1 when a
 * quote is not closed. */
int cmd_split(const char *line, char ***argv);
void cmd_free_argv(int argc, char **argv);

/* Candidates for the word being typed: words is what precedes it on the
 * line. Returns a NULL-terminated allocated array of allocated strings. */
char **cmd_complete(struct app *app, const char *before, const char *word);

/* `systour COMMAND --help`: the command's usage, what it does and each of
 * its options, in app->lang. Allocated. */
char *cmd_usage_text(const struct app *app, const struct cmd_entry *e);

/* The usage line of one command, or the whole table wrapped to 79
 * columns, as text. */
char *cmd_help_text(const struct app *app, const struct cmd_entry *only);

/* The help lines of the commands whose places are exactly flags, wrapped
 * to 79 columns. */
char *cmd_help_where(const struct app *app, int flags);

/* The help lines of the commands usable in context (CMD_ONESHOT or
 * CMD_SHELL), one line each. */
char *cmd_help_usable(const struct app *app, int context);

#endif
