/* procview_text.c — a procview scan as text (procview_text()): one line per
 * process and one per open fd, indented by depth, long paths cut in the
 * middle, and each pipe end followed by the other holders of its pipe
 * (matched through the pipe index of procview_fd.c) or "(no reader)" /
 * "(no writer)". */
#include "procview_int.h"
#include "lang.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_INDENT 16           /* columns of indentation at most */
#define MIN_ROOM 12             /* columns a cut path keeps at least */

/* ---- Text ------------------------------------------------------------- */

struct sbuf {
	char *s;
	size_t n, cap;
};

static void
sb_put(struct sbuf *sb, const char *s, size_t len)
{
	if (sb->n + len + 1 > sb->cap) {
		size_t c = sb->cap ? sb->cap : 1024;
		while (c < sb->n + len + 1)
			c *= 2;
		sb->s = xrealloc(sb->s, c);
		sb->cap = c;
	}
	memcpy(sb->s + sb->n, s, len);
	sb->n += len;
	sb->s[sb->n] = '\0';
}

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sb_put(sb, s, strlen(s));
	free(s);
}

/* Columns of UTF-8 text: one per character. */
static int
cols(const char *s, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Byte offset of character k of s (len bytes). */
static size_t
char_offset(const char *s, size_t len, int k)
{
	size_t i = 0;
	for (; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k-- == 0)
			break;
	return i;
}

/* Append s, cut in the middle with "…" to at most room columns. */
static void
sb_fit(struct sbuf *sb, const char *s, int room)
{
	size_t len = strlen(s);
	int w = cols(s, len);
	if (room < MIN_ROOM)
		room = MIN_ROOM;
	if (w <= room) {
		sb_put(sb, s, len);
		return;
	}
	int head = (room - 1) / 2, tail = room - 1 - head;
	sb_put(sb, s, char_offset(s, len, head));
	sb_put(sb, "…", strlen("…"));
	size_t from = char_offset(s, len, w - tail);
	sb_put(sb, s + from, len - from);
}

static const char *
mode_name(int mode)
{
	switch (mode) {
	case O_RDONLY: return "r";
	case O_WRONLY: return "w";
	case O_RDWR: return "rw";
	case MODE_PATH: return "-";
	default: return "?";
	}
}

static int
in_group(const struct procview *pv, pid_t pid)
{
	for (int i = 0; i < pv->n; i++)
		if (pv->procs[i].pub.pid == pid)
			return 1;
	return 0;
}

/* Whether g holds the other end of the pipe from f. */
static int
other_end(const struct pfd *f, const struct pfd *g)
{
	if (f->mode == O_WRONLY)
		return g->mode == O_RDONLY || g->mode == O_RDWR;
	if (f->mode == O_RDONLY)
		return g->mode == O_WRONLY || g->mode == O_RDWR;
	return 1;
}

/* The rest of a pipe's line: the other holders of the pipe, those of the
 * other end first, in room columns; then "(no reader)" or "(no writer)"
 * when none of them holds the other end. */
static void
pipe_peers(const struct procview *pv, const struct pfd *f, struct sbuf *sb,
    int room)
{
	int lo = pv_find_pipe(pv, f->ino), hi = lo;
	while (hi >= 0 && hi < pv->npipes && pv->fds[pv->pipes[hi]].ino == f->ino)
		hi++;
	int total = 0, others = 0, shown = 0;
	for (int i = lo; i >= 0 && i < hi; i++) {
		const struct pfd *g = &pv->fds[pv->pipes[i]];
		if (g->pid == f->pid && g->fd == f->fd)
			continue;
		total++;
		others += other_end(f, g);
	}
	const char *missing = others ? "" : f->mode == O_WRONLY ?
	    LD(" (no reader)",
	    "（没有读端）") : f->mode == O_RDONLY ? LD(" (no writer)",
	    "（没有写端）") : "";
	room -= cols(missing, strlen(missing));
	for (int pass = 0; pass < 2 && shown >= 0; pass++)
		for (int i = lo; i >= 0 && i < hi; i++) {
			const struct pfd *g = &pv->fds[pv->pipes[i]];
			if ((g->pid == f->pid && g->fd == f->fd) ||
			    other_end(f, g) != (pass == 0))
				continue;
			char item[96];
			if (in_group(pv, g->pid))
				snprintf(item, sizeof item, "PID %d fd %d (%s)",
				    (int)g->pid, g->fd, mode_name(g->mode));
			else
				snprintf(item, sizeof item, "PID %d %s fd %d (%s)",
				    (int)g->pid, pv->self_name, g->fd,
				    mode_name(g->mode));
			const char *sep = shown ? ", " : " -> ";
			int w = cols(sep, strlen(sep)) + cols(item, strlen(item));
			/* keep room for ", +N more" unless this is the last */
			if (w + (shown + 1 < total ? 10 : 0) > room) {
				sb_printf(sb, "%s+%d more", sep, total - shown);
				shown = -1;
				break;
			}
			sb_put(sb, sep, strlen(sep));
			sb_put(sb, item, strlen(item));
			room -= w;
			shown++;
		}
	sb_put(sb, missing, strlen(missing));
}

static void
fd_line(const struct procview *pv, const struct pfd *f, int indent,
    struct sbuf *sb)
{
	size_t start = sb->n;
	sb_printf(sb, "%*sfd %d %-2s ", indent, "", f->fd, mode_name(f->mode));
	int room = PROCVIEW_COLS - cols(sb->s + start, sb->n - start);
	const char *target = pv->pool + f->target;
	const char *word = NULL;
	switch (f->kind) {
	case FK_PIPE:
		sb_put(sb, target, strlen(target));
		pipe_peers(pv, f, sb, room - cols(target, strlen(target)));
		sb_put(sb, "\n", 1);
		return;
	case FK_SOCK:
		sb_put(sb, target, strlen(target));
		if (f->desc != NONE) {
			sb_put(sb, " ", 1);
			sb_fit(sb, pv->pool + f->desc,
			    room - 1 - cols(target, strlen(target)));
		}
		sb_put(sb, "\n", 1);
		return;
	case FK_FILE: word = "file "; break;
	case FK_DIR: word = "dir "; break;
	case FK_FIFO: word = "fifo "; break;
	default: break;
	}
	if (word) {
		sb_put(sb, word, strlen(word));
		room -= (int)strlen(word);
	}
	sb_fit(sb, target, room);
	sb_put(sb, "\n", 1);
}

char *
procview_text(const struct procview *pv)
{
	struct sbuf sb = { 0 };
	sb_put(&sb, "", 0);
	for (int i = 0; i < pv->n; i++) {
		const struct proc *pr = &pv->procs[i];
		int indent = 2 * pr->pub.depth;
		if (indent > MAX_INDENT)
			indent = MAX_INDENT;
		sb_printf(&sb, "%*s%-6d %-6d %c %3d %5.1f%%  %s%s\n", indent, "",
		    (int)pr->pub.pid, (int)pr->pub.ppid, pr->pub.state,
		    pr->pub.threads, pr->pub.cpu, pr->pub.name,
		    pr->pub.state == 'Z' ? " <zombie>" : "");
		if (pr->pub.nfds < 0) {
			sb_printf(&sb, LD("%*s  (open fds: %s)\n",
			    "%*s  （打开的 fd：%s）\n"), indent, "",
			    strerror(pr->fd_err));
			continue;
		}
		int pipes = 0, socks = 0;      /* systour's own, folded */
		for (int k = 0; k < pr->fd_n; k++) {
			const struct pfd *f = &pv->fds[pr->fd_first + k];
			int ours = !pv->show_plumbing && f->fd > 2 &&
			    (f->kind == FK_PIPE || f->kind == FK_SOCK) &&
			    procview_is_plumbing(pv, f->ino);
			if (ours && f->kind == FK_PIPE)
				pipes++;
			else if (ours)
				socks++;
			else
				fd_line(pv, f, indent + 2, &sb);
		}
		if (pipes && socks)
			sb_printf(&sb, LD("%*s  + %d systour pipe%s and %d socket%s\n",
			    "%*s  + systour 的 %d 个管道%.0s和 %d 个套接字%.0s\n"),
			    indent, "", pipes, pipes == 1 ? "" : "s", socks,
			    socks == 1 ? "" : "s");
		else if (pipes || socks)
			sb_printf(&sb, LD("%*s  + %d systour %s%s\n",
			    "%*s  + systour 的 %d 个%s%.0s\n"), indent, "",
			    pipes + socks, pipes ? LD("pipe", "管道") :
			    LD("socket", "套接字"), pipes + socks == 1 ? "" : "s");
		if (pr->pub.nfds > pr->fd_n)
			sb_printf(&sb, LD("%*s  … %d more fds\n",
			    "%*s  … 还有 %d 个 fd\n"), indent, "",
			    pr->pub.nfds - pr->fd_n);
	}
	return sb.s;
}
