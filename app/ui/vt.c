/* vt.c — a program on a pty, its screen kept by libvterm; queries
 * answered back through the pty. See vt.h. */
#include "vt.h"
#include "buf.h"
#include "loop.h"
#include "util.h"
#include "lang.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <vterm.h>

struct vt {
	VTerm *vt;
	VTermScreen *screen;
	struct loop *loop;
	int fd;                         /* the pty's master, or -1 */
	pid_t pid;
	struct vt_sink sink;
	struct loop_watch *w_fd, *w_child;
	struct buf answers;             /* detached: what it answered */
	struct buf pending;             /* to the pty, not yet written */
	int rows, cols;
	int cur_row, cur_col, cur_visible;
	char title[128];
};

/* ---- libvterm's callbacks ---------------------------------------------- */

/* What the emulator says back (answers to queries, and keys encoded by
 * it): to the program. */
static void
on_output(const char *s, size_t len, void *user)
{
	struct vt *v = user;
	if (v->fd < 0) {
		buf_add(&v->answers, s, len);
		return;
	}
	vt_keys(v, s, len);
}

static int
on_damage(VTermRect rect, void *user)
{
	struct vt *v = user;
	if (v->sink.damaged)
		v->sink.damaged(v->sink.arg);
	return 1;
}

static int
on_movecursor(VTermPos pos, VTermPos old, int visible, void *user)
{
	struct vt *v = user;
	v->cur_row = pos.row;
	v->cur_col = pos.col;
	if (v->sink.damaged)
		v->sink.damaged(v->sink.arg);
	return 1;
}

static int
on_termprop(VTermProp prop, VTermValue *val, void *user)
{
	struct vt *v = user;
	if (prop == VTERM_PROP_CURSORVISIBLE)
		v->cur_visible = val->boolean;
	else if (prop == VTERM_PROP_TITLE) {
#if VTERM_VERSION_MINOR >= 2
		size_t n = val->string.len < sizeof v->title - 1 ?
		    val->string.len : sizeof v->title - 1;
		memcpy(v->title, val->string.str, n);
		v->title[n] = '\0';
#else
		snprintf(v->title, sizeof v->title, "%s", val->string);
#endif
	}
	return 1;
}

static const VTermScreenCallbacks screen_cb = {
	.damage = on_damage,
	.movecursor = on_movecursor,
	.settermprop = on_termprop,
};

static struct vt *
vt_make(int rows, int cols)
{
	struct vt *v = xcalloc(1, sizeof *v);
	v->fd = -1;
	v->rows = rows > 0 ? rows : 1;
	v->cols = cols > 0 ? cols : 1;
	v->cur_visible = 1;
	v->vt = vterm_new(v->rows, v->cols);
	vterm_set_utf8(v->vt, 1);
	vterm_output_set_callback(v->vt, on_output, v);
	v->screen = vterm_obtain_screen(v->vt);
	vterm_screen_set_callbacks(v->screen, &screen_cb, v);
	vterm_screen_enable_altscreen(v->screen, 1);
	vterm_screen_reset(v->screen, 1);
	return v;
}

struct vt *
vt_new_detached(int rows, int cols)
{
	return vt_make(rows, cols);
}

/* ---- The pty ----------------------------------------------------------- */

static void
flush_pending(struct vt *v)
{
	while (v->pending.len > 0 && v->fd >= 0) {
		ssize_t n = write(v->fd, v->pending.data, v->pending.len);
		if (n <= 0)
			break;
		buf_consume(&v->pending, (size_t)n);
	}
	if (v->w_fd)
		loop_fd_set(v->w_fd, LOOP_READ |
		    (v->pending.len ? LOOP_WRITE : 0));
}

static void
on_pty(struct loop *l, int fd, unsigned events, void *arg)
{
	struct vt *v = arg;
	if (events & LOOP_WRITE)
		flush_pending(v);
	if (!(events & (LOOP_READ | LOOP_ERROR)))
		return;
	char chunk[16384];
	for (int i = 0; i < 8; i++) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n > 0) {
			vterm_input_write(v->vt, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		/* EIO: the program closed its side; its exit comes apart */
		loop_cancel(v->w_fd);
		v->w_fd = NULL;
		break;
	}
	vterm_screen_flush_damage(v->screen);
}

static void
on_exit_(struct loop *l, pid_t pid, int status, void *arg)
{
	struct vt *v = arg;
	v->w_child = NULL;      /* the loop cancels a PID watch after its call */
	v->pid = 0;
	if (v->sink.exited)
		v->sink.exited(v->sink.arg, status);
}

struct vt *
vt_spawn(struct loop *l, int rows, int cols, char *const argv[],
    const char *cwd, const struct vt_sink *sink, char **cause)
{
	struct vt *v = vt_make(rows, cols);
	struct winsize ws = { .ws_row = (unsigned short)v->rows,
	    .ws_col = (unsigned short)v->cols };
	int fd;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		*cause = xasprintf(LD("no pty for the editor: %s",
		    "无法为编辑器分配 pty：%s"), strerror(errno));
		vt_free(v);
		return NULL;
	}
	if (pid == 0) {
		loop_after_fork();
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int f = 3; f < 1024; f++)
			close(f);
		setenv("TERM", "xterm-256color", 1);
		unsetenv("COLUMNS");
		unsetenv("LINES");
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, LD("systour: cannot run %s: %s\n",
		    "systour：无法运行 %s：%s\n"), argv[0],
		    strerror(errno));
		_exit(127);
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	v->fd = fd;
	v->pid = pid;
	v->loop = l;
	if (sink)
		v->sink = *sink;
	v->w_fd = loop_fd(l, fd, LOOP_READ, on_pty, v);
	v->w_child = loop_child(l, pid, on_exit_, v);
	return v;
}

void
vt_feed(struct vt *v, const char *bytes, size_t n)
{
	vterm_input_write(v->vt, bytes, n);
	vterm_screen_flush_damage(v->screen);
}

void
vt_keys(struct vt *v, const char *bytes, size_t n)
{
	if (v->fd < 0) {
		buf_add(&v->answers, bytes, n);
		return;
	}
	buf_add(&v->pending, bytes, n);
	flush_pending(v);
}

void
vt_resize(struct vt *v, int rows, int cols)
{
	if (rows < 1)
		rows = 1;
	if (cols < 1)
		cols = 1;
	if (rows == v->rows && cols == v->cols)
		return;
	v->rows = rows;
	v->cols = cols;
	vterm_set_size(v->vt, rows, cols);
	vterm_screen_flush_damage(v->screen);
	if (v->fd >= 0) {
		struct winsize ws = { .ws_row = (unsigned short)rows,
		    .ws_col = (unsigned short)cols };
		ioctl(v->fd, TIOCSWINSZ, &ws);  /* the program gets SIGWINCH */
	}
}

void
vt_size(const struct vt *v, int *rows, int *cols)
{
	*rows = v->rows;
	*cols = v->cols;
}

/* A colour as an index 0-255, or -1 for the default. */
static int
colour_index(const VTermScreen *screen, VTermColor col, int fg)
{
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(&col) : VTERM_COLOR_IS_DEFAULT_BG(&col))
		return -1;
	if (VTERM_COLOR_IS_INDEXED(&col))
		return col.indexed.idx;
	/* an RGB colour: the nearest of the 8 basic ones */
	int r = col.rgb.red > 127, g = col.rgb.green > 127, b = col.rgb.blue > 127;
	return r | g << 1 | b << 2;
}

int
vt_cell(const struct vt *v, int row, int col, struct vt_cell *c)
{
	memset(c, 0, sizeof *c);
	if (row < 0 || col < 0 || row >= v->rows || col >= v->cols)
		return -1;
	VTermScreenCell sc;
	VTermPos pos = { .row = row, .col = col };
	if (!vterm_screen_get_cell(v->screen, pos, &sc))
		return -1;
	/* the cell after a wide character is its second half */
	if (col > 0) {
		VTermScreenCell prev;
		VTermPos pp = { .row = row, .col = col - 1 };
		if (vterm_screen_get_cell(v->screen, pp, &prev) &&
		    prev.width == 2 && prev.chars[0] != 0) {
			c->width = 0;
			c->fg = c->bg = -1;
			return 0;
		}
	}
	c->ch = sc.chars[0] == (uint32_t)-1 ? 0 : sc.chars[0];
	c->width = sc.width > 0 ? sc.width : 1;
	c->bold = sc.attrs.bold;
	c->underline = sc.attrs.underline != 0;
	c->reverse = sc.attrs.reverse;
	c->italic = sc.attrs.italic;
	c->fg = colour_index(v->screen, sc.fg, 1);
	c->bg = colour_index(v->screen, sc.bg, 0);
	return 0;
}

void
vt_cursor(const struct vt *v, int *row, int *col, int *visible)
{
	*row = v->cur_row;
	*col = v->cur_col;
	*visible = v->cur_visible;
}

char *
vt_row_text(const struct vt *v, int row)
{
	struct buf b = BUF_INIT;
	size_t keep = 0;
	for (int col = 0; col < v->cols; col++) {
		struct vt_cell c;
		if (vt_cell(v, row, col, &c) != 0 || c.width == 0)
			continue;
		uint32_t ch = c.ch ? c.ch : ' ';
		char u[4];
		size_t n;
		if (ch < 0x80) {
			u[0] = (char)ch;
			n = 1;
		} else if (ch < 0x800) {
			u[0] = (char)(0xc0 | ch >> 6);
			u[1] = (char)(0x80 | (ch & 0x3f));
			n = 2;
		} else if (ch < 0x10000) {
			u[0] = (char)(0xe0 | ch >> 12);
			u[1] = (char)(0x80 | ((ch >> 6) & 0x3f));
			u[2] = (char)(0x80 | (ch & 0x3f));
			n = 3;
		} else {
			u[0] = (char)(0xf0 | ch >> 18);
			u[1] = (char)(0x80 | ((ch >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((ch >> 6) & 0x3f));
			u[3] = (char)(0x80 | (ch & 0x3f));
			n = 4;
		}
		buf_add(&b, u, n);
		if (ch != ' ')
			keep = b.len;
	}
	char *s = buf_detach(&b, NULL);
	s[keep] = '\0';
	return s;
}

char *
vt_answers(struct vt *v)
{
	char *s = buf_detach(&v->answers, NULL);
	return s;
}

pid_t
vt_pid(const struct vt *v)
{
	return v->pid;
}

const char *
vt_title(const struct vt *v)
{
	return v->title;
}

void
vt_free(struct vt *v)
{
	if (v == NULL)
		return;
	if (v->pid > 0) {
		/* the editor leads a session of its own (forkpty): all of it */
		kill(-v->pid, SIGHUP);
		kill(v->pid, SIGHUP);
		kill(-v->pid, SIGCONT);
		long long deadline = now_ms() + 500;
		int reaped = 0;
		while (!reaped && now_ms() < deadline) {
			reaped = waitpid(v->pid, NULL, WNOHANG) == v->pid;
			if (!reaped)
				nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
		}
		if (!reaped) {
			kill(-v->pid, SIGKILL);
			kill(v->pid, SIGKILL);
			waitpid(v->pid, NULL, 0);
		}
	}
	loop_cancel(v->w_fd);
	loop_cancel(v->w_child);
	if (v->fd >= 0)
		close(v->fd);
	vterm_free(v->vt);
	buf_free(&v->answers);
	buf_free(&v->pending);
	free(v);
}
