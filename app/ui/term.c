/* term.c — curses set-up and tear-down, colours, signals as loop events,
 * and restoring the terminal on every exit path (as htop's CRT.c). */
#include "term.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <ncursesw/term.h>

#define MOUSE_ON  "\033[?1000h\033[?1006h"
#define MOUSE_OFF "\033[?1000l\033[?1006l"

static int active;
static int use_color;
static struct termios saved_tio;
static int have_tio;
/* What a crash handler writes: prepared at start, since a handler may only
 * call async-signal-safe functions. */
static char restore_seq[256];
static size_t restore_len;

static void
on_crash(int sig)
{
	if (restore_len > 0 && write(STDOUT_FILENO, restore_seq, restore_len) < 0) {
		/* nothing more can be done here */
	}
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
add_seq(const char *cap)
{
	const char *s = tigetstr((char *)cap);
	if (s == NULL || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (restore_len + n < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

enum {
	CP_HEADING = 1, CP_KEYWORD, CP_STRING, CP_COMMENT, CP_NUMBER,
	CP_CODE, CP_LABEL, CP_ERRATUM, CP_DIRECTIVE, CP_BAR,
	CP_ERROR, CP_PROGRESS, CP_TITLE, CP_POPUP,
	CP_FG0,         /* and 7 more: the ANSI colours 0-7 */
};

static void
init_colors(void)
{
	const char *nc = getenv("NO_COLOR");
	use_color = has_colors() && !(nc && *nc);
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	init_pair(CP_HEADING, COLOR_CYAN, -1);
	init_pair(CP_KEYWORD, COLOR_MAGENTA, -1);
	init_pair(CP_STRING, COLOR_GREEN, -1);
	init_pair(CP_COMMENT, COLOR_BLUE, -1);
	init_pair(CP_NUMBER, COLOR_YELLOW, -1);
	init_pair(CP_CODE, COLOR_YELLOW, -1);
	init_pair(CP_LABEL, COLOR_BLUE, -1);
	init_pair(CP_ERRATUM, COLOR_RED, -1);
	init_pair(CP_DIRECTIVE, COLOR_GREEN, -1);
	init_pair(CP_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_ERROR, COLOR_WHITE, COLOR_RED);
	init_pair(CP_PROGRESS, COLOR_GREEN, -1);
	init_pair(CP_TITLE, COLOR_YELLOW, -1);
	init_pair(CP_POPUP, COLOR_BLACK, COLOR_WHITE);
	for (short c = 0; c < 8; c++)
		init_pair((short)(CP_FG0 + c), c, -1);
}

int
term_usable(char **cause)
{
	int err = 0;
	/* the terminfo entry only: nothing is written to the terminal */
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		const char *t = getenv("TERM");
		*cause = xasprintf("%s",
		    t == NULL || *t == '\0' ? LD("TERM is not set",
		    "没有设置 TERM") :
		    err == 0 ? LD("no terminfo entry for this TERM",
		    "terminfo 中没有这个 TERM") :
		    LD("this terminal cannot be drawn on",
		    "无法在这个终端上绘制"));
		return 0;
	}
	del_curterm(cur_term);
	cur_term = NULL;
	return 1;
}

int
term_init(void)
{
	struct sigaction sa;

	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		have_tio = 1;

	if (initscr() == NULL)
		return -1;
	active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, FALSE);  /* input is read and decoded by keys.c */
	typeahead(-1);          /* so curses never polls the input itself */
	intrflush(stdscr, FALSE);
	curs_set(0);
	init_colors();

	restore_len = 0;
	add_seq("sgr0");
	add_seq("cnorm");
	add_seq("rmcup");
	if (restore_len + sizeof MOUSE_OFF < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, MOUSE_OFF, sizeof MOUSE_OFF - 1);
		restore_len += sizeof MOUSE_OFF - 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);

	refresh();
	if (write(STDOUT_FILENO, MOUSE_ON, sizeof MOUSE_ON - 1) < 0) {
		/* no wheel then */
	}
	return 0;
}

void
term_end(void)
{
	if (!active)
		return;
	active = 0;
	if (write(STDOUT_FILENO, MOUSE_OFF, sizeof MOUSE_OFF - 1) < 0) {
		/* the terminal is going away */
	}
	curs_set(1);
	endwin();
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	restore_len = 0;
}

void
term_suspend(void)
{
	if (write(STDOUT_FILENO, MOUSE_OFF, sizeof MOUSE_OFF - 1) < 0) {
		/* stopping anyway */
	}
	curs_set(1);
	endwin();
	/* stop for real, then give SIGTSTP back to the loop's handler */
	struct sigaction dfl, loop_sa;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &loop_sa);
	raise(SIGTSTP);         /* stops here until SIGCONT */
	sigaction(SIGTSTP, &loop_sa, NULL);
	reset_prog_mode();
	term_resize();          /* the size may have changed meanwhile */
	if (write(STDOUT_FILENO, MOUSE_ON, sizeof MOUSE_ON - 1) < 0) {
		/* no wheel then */
	}
	clearok(curscr, TRUE);  /* the screen was someone else's: repaint it all */
}

void
term_resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

attr_t
term_attr(enum style st, enum line_kind kind, short *pair)
{
	static const struct {
		short pair;
		attr_t color, plain;    /* with colours; without */
	} map[S_COUNT] = {
		[S_TEXT] = { 0, A_NORMAL, A_NORMAL },
		[S_BOLD] = { 0, A_BOLD, A_BOLD },
		[S_EM] = { 0, A_ITALIC, A_UNDERLINE },
		[S_CODE] = { CP_CODE, A_NORMAL, A_BOLD },
		[S_TITLE] = { CP_TITLE, A_BOLD, A_BOLD | A_UNDERLINE },
		[S_HEADING] = { CP_HEADING, A_BOLD, A_BOLD },
		[S_KEYWORD] = { CP_KEYWORD, A_BOLD, A_BOLD },
		[S_STRING] = { CP_STRING, A_NORMAL, A_NORMAL },
		[S_COMMENT] = { CP_COMMENT, A_NORMAL, A_DIM },
		[S_NUMBER] = { CP_NUMBER, A_NORMAL, A_NORMAL },
		[S_LABEL] = { CP_LABEL, A_NORMAL, A_DIM },
		[S_ERRATUM] = { CP_ERRATUM, A_BOLD, A_BOLD },
		[S_DIRECTIVE] = { CP_DIRECTIVE, A_BOLD, A_BOLD },
		[S_DIM] = { 0, A_DIM, A_DIM },
		[S_FG0] = { CP_FG0 + 0, A_NORMAL, A_NORMAL },
		[S_FG1] = { CP_FG0 + 1, A_NORMAL, A_BOLD },
		[S_FG2] = { CP_FG0 + 2, A_NORMAL, A_BOLD },
		[S_FG3] = { CP_FG0 + 3, A_NORMAL, A_BOLD },
		[S_FG4] = { CP_FG0 + 4, A_NORMAL, A_BOLD },
		[S_FG5] = { CP_FG0 + 5, A_NORMAL, A_BOLD },
		[S_FG6] = { CP_FG0 + 6, A_NORMAL, A_BOLD },
		[S_FG7] = { CP_FG0 + 7, A_NORMAL, A_NORMAL },
	};
	(void)kind;
	*pair = use_color ? map[st].pair : 0;
	return use_color ? map[st].color : map[st].plain;
}

attr_t
term_ui_attr(enum term_ui what, short *pair)
{
	switch (what) {
	case UI_BAR:
		*pair = use_color ? CP_BAR : 0;
		return use_color ? A_NORMAL : A_REVERSE;
	case UI_ERROR:
		*pair = use_color ? CP_ERROR : 0;
		return use_color ? A_BOLD : A_REVERSE | A_BOLD;
	case UI_SELECTED:
		*pair = 0;
		return A_REVERSE;
	case UI_PROGRESS:
		*pair = use_color ? CP_PROGRESS : 0;
		return A_BOLD;
	case UI_POPUP:
		*pair = use_color ? CP_POPUP : 0;
		return use_color ? A_NORMAL : A_REVERSE;
	}
	*pair = 0;
	return A_NORMAL;
}
