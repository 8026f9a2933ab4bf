/* lesson.c — finding lesson folders, parsing their Markdown into steps and
 * directives, checking that both languages agree, and loading modules. */
#include "lesson.h"
#include "buf.h"
#include "lang.h"
#include "lesson_module.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <poll.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- Parsing one file ------------------------------------------------- */

/* Markdown lines gathered until a step or directive ends them. */
struct mdlines {
	struct buf b;
	int line;               /* first line it holds, 0 when empty */
};

static void
md_add(struct mdlines *md, const char *line, size_t n, int lineno)
{
	if (md->b.len == 0)
		md->line = lineno;
	buf_add(&md->b, line, n);
	buf_addc(&md->b, '\n');
}

/* Take the lines (NULL if only blank ones) and empty them; the memory is
 * kept for the next ones. */
static char *
md_take(struct mdlines *md)
{
	const char *s = buf_str(&md->b);
	char *t = NULL;
	if (s[strspn(s, " \t\n")] != '\0')
		t = xstrndup(s, md->b.len);
	buf_clear(&md->b);
	md->line = 0;
	return t;
}

static void
step_add_part(struct step *st, enum part_kind kind, char *text, int line)
{
	ARRAY_GROW(st->parts, st->partcap, (size_t)st->nparts + 1);
	st->parts[st->nparts++] = (struct part){ kind, text, line, 0 };
}

static void
flush_markdown(struct step *st, struct mdlines *md)
{
	int line = md->line;
	char *s = md_take(md);
	if (s && st)
		step_add_part(st, PART_MARKDOWN, s, line);
	else
		free(s);
}

/* If line opens or closes a code fence, the fence's character and length. */
static int
fence_of(const char *line, size_t n, char *ch)
{
	size_t i = 0;
	while (i < n && i < 3 && line[i] == ' ')
		i++;
	if (i >= n || (line[i] != '`' && line[i] != '~'))
		return 0;
	size_t j = i;
	while (j < n && line[j] == line[i])
		j++;
	if (j - i < 3)
		return 0;
	*ch = line[i];
	return (int)(j - i);
}

static int
is_blank_after(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Trimmed copy of s[0..n). */
static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static int
fail(char **cause, int line, const char *fmt, const char *arg)
{
	char *what = xasprintf(fmt, arg);
	*cause = xasprintf("%d: %s", line, what);
	free(what);
	return -1;
}

int
lesson_parse(const char *text, struct lesson_text *out, char **cause)
{
	struct mdlines md = { BUF_INIT, 0 }, summary = { BUF_INIT, 0 };
	struct step *cur = NULL;
	char fch = 0;
	int flen = 0, fline = 0;        /* open code fence */
	int erratum = 0;                /* line of an open ::: erratum */
	int lineno = 0, rc = -1;

	memset(out, 0, sizeof *out);
	*cause = NULL;
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *line = p;
		p = nl ? nl + 1 : p + n;
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;

		if (lineno == 1) {
			if (n < 2 || strncmp(line, "# ", 2) != 0) {
				fail(cause, 1, "%s", LD("the first line must be the title, \"# Title\"",
				    "第一行必须是标题，“# 标题”"));
				goto out;
			}
			out->title = trimmed(line + 2, n - 2);
			continue;
		}

		char ch;
		int len = fence_of(line, n, &ch);
		if (flen > 0) {
			if (len >= flen && ch == fch &&
			    is_blank_after(line + strspn(line, " ") + len,
			    n - strspn(line, " ") - len))
				flen = 0;
			md_add(cur ? &md : &summary, line, n, lineno);
			continue;
		}
		if (len > 0) {
			fch = ch;
			flen = len;
			fline = lineno;
			md_add(cur ? &md : &summary, line, n, lineno);
			continue;
		}

		if (n >= 3 && strncmp(line, ":::", 3) == 0) {
			char *d = trimmed(line + 3, n - 3);
			if (cur == NULL) {
				free(d);
				fail(cause, lineno, "%s", LD("a directive before the first step (## heading)",
				    "第一步（## 标题）之前出现了指令"));
				goto out;
			}
			if (*d == '\0') {
				free(d);
				if (!erratum) {
					fail(cause, lineno, "%s", LD("\":::\" closes nothing",
					    "“:::”没有可关闭的块"));
					goto out;
				}
				int at = md.line ? md.line : erratum;
				char *s = md_take(&md);
				step_add_part(cur, PART_ERRATUM, s ? s : xstrdup(""), at);
				erratum = 0;
				continue;
			}
			enum part_kind kind;
			const char *arg;
			if (strncmp(d, "demo ", 5) == 0) {
				kind = PART_DEMO;
				arg = d + 5;
			} else if (strncmp(d, "exercise ", 9) == 0) {
				kind = PART_EXERCISE;
				arg = d + 9;
			} else if (strcmp(d, "erratum") == 0 && !erratum) {
				flush_markdown(cur, &md);
				erratum = lineno;
				free(d);
				continue;
			} else if (strcmp(d, "demo") == 0 || strcmp(d, "exercise") == 0) {
				fail(cause, lineno, LD("\"::: %s\" needs exactly one name",
				    "“::: %s”只能带一个名称"), d);
				free(d);
				goto out;
			} else {
				fail(cause, lineno, erratum && strcmp(d, "erratum") == 0 ?
				    LD("\"::: %s\" inside an erratum block",
				    "“::: %s”出现在勘误块里") :
				    LD("unknown directive \"::: %s\"",
				    "未知指令“::: %s”"), d);
				free(d);
				goto out;
			}
			arg += strspn(arg, " \t");
			if (erratum || *arg == '\0' || strpbrk(arg, " \t")) {
				fail(cause, lineno, erratum ?
				    LD("\"::: %s\" inside an erratum block",
				    "“::: %s”出现在勘误块里") :
				    LD("\"::: %s\" needs exactly one name",
				    "“::: %s”只能带一个名称"), d);
				free(d);
				goto out;
			}
			flush_markdown(cur, &md);
			step_add_part(cur, kind, xstrdup(arg), lineno);
			free(d);
			continue;
		}

		if (n >= 3 && strncmp(line, "## ", 3) == 0) {
			if (erratum) {
				fail(cause, lineno, "%s", LD("a step heading inside an erratum block",
				    "勘误块里出现了步骤标题"));
				goto out;
			}
			flush_markdown(cur, &md);
			ARRAY_GROW(out->steps, out->stepcap, (size_t)out->nsteps + 1);
			cur = &out->steps[out->nsteps++];
			memset(cur, 0, sizeof *cur);
			cur->title = trimmed(line + 3, n - 3);
			cur->line = lineno;
			continue;
		}
		if (n >= 2 && strncmp(line, "# ", 2) == 0) {
			fail(cause, lineno, "%s", LD("a second title (\"# \"); steps are \"## \"",
			    "第二个标题（“# ”）；步骤用“## ”"));
			goto out;
		}
		md_add(cur ? &md : &summary, line, n, lineno);
	}

	if (flen > 0)
		fail(cause, fline, "%s", LD("code block opened here is not closed",
		    "在这里开始的代码块没有闭合"));
	else if (erratum)
		fail(cause, erratum, "%s", LD("\"::: erratum\" opened here is not closed",
		    "在这里开始的“::: erratum”没有闭合"));
	else if (out->title == NULL)
		fail(cause, 1, "%s", LD("empty file: no title",
		    "空文件：没有标题"));
	else if (out->nsteps == 0)
		fail(cause, lineno, "%s", LD("no steps (\"## \" headings)",
		    "没有步骤（“## ”标题）"));
	else {
		flush_markdown(cur, &md);
		/* the summary is the first paragraph */
		char *sum = md_take(&summary);
		const char *start = sum ? sum + strspn(sum, " \t\n") : "";
		char *end = strstr(start, "\n\n");
		out->summary = end ? xstrndup(start, (size_t)(end - start)) :
		    xstrdup(start);
		free(sum);
		rc = 0;
	}
out:
	buf_free(&md.b);
	buf_free(&summary.b);
	if (rc != 0)
		lesson_text_free(out);
	return rc;
}

void
lesson_text_free(struct lesson_text *t)
{
	for (int i = 0; i < t->nsteps; i++) {
		for (int j = 0; j < t->steps[i].nparts; j++)
			free(t->steps[i].parts[j].text);
		free(t->steps[i].parts);
		free(t->steps[i].title);
	}
	free(t->steps);
	free(t->path);
	free(t->title);
	free(t->summary);
	memset(t, 0, sizeof *t);
}

/* ---- Loading folders -------------------------------------------------- */

static int
is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

char *
lessons_dir(char **cause)
{
	const char *env = getenv("SYSTOUR_LESSONS");
	if (env && *env) {
		if (is_dir(env))
			return xstrdup(env);
		*cause = xasprintf(LD("SYSTOUR_LESSONS=%s is not a directory",
		    "SYSTOUR_LESSONS=%s 不是目录"), env);
		return NULL;
	}
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *d = dirname(exe);
		/* ./systour in the source tree, build-san/systour below it, or
		 * PREFIX/bin/systour installed beside PREFIX/share */
		const char *rel[] = { "lessons", "../lessons", "../share/systour/lessons" };
		for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
			char *cand = xasprintf("%s/%s", d, rel[i]);
			char *fmt = xasprintf("%s/FORMAT.md", cand);
			int ok = access(fmt, R_OK) == 0;
			free(fmt);
			char *real = ok ? realpath(cand, NULL) : NULL;
			free(cand);
			if (real)
				return real;
		}
	}
	if (is_dir(SYSTOUR_LESSONS_DIR))
		return xstrdup(SYSTOUR_LESSONS_DIR);
	*cause = xasprintf(LD("no lessons found (not beside the program, not in %s; "
	    "set SYSTOUR_LESSONS)",
	    "找不到课程（程序旁边没有，%s 里也没有；请设置 SYSTOUR_LESSONS）"), SYSTOUR_LESSONS_DIR);
	return NULL;
}

static int
is_lesson_name(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != '-' || s[3] == '\0')
		return 0;
	for (s += 3; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return 0;
	return 1;
}

static void
report(lesson_report_fn *fn, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
report(lesson_report_fn *fn, void *arg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	if (fn)
		fn(s, arg);
	free(s);
}

/* The directives of a step in order, as one string, to compare languages. */
static char *
directives_of(const struct step *st)
{
	struct buf s = BUF_INIT;
	for (int i = 0; i < st->nparts; i++) {
		const struct part *p = &st->parts[i];
		if (p->kind != PART_DEMO && p->kind != PART_EXERCISE)
			continue;
		buf_printf(&s, "%s %s;",
		    p->kind == PART_DEMO ? "demo" : "exercise", p->text);
	}
	return buf_detach(&s, NULL);
}

/* Both languages must have the same steps with the same directives. */
static int
check_agree(struct lesson *ls, lesson_report_fn *fn, void *arg)
{
	struct lesson_text *en = &ls->text[LANG_EN], *zh = &ls->text[LANG_ZH];
	if (en->nsteps != zh->nsteps) {
		report(fn, arg, LD("%s:%d: %d steps, but %s has %d",
		    "%s:%d：%d 步，但 %s 有 %d 步"), zh->path,
		    zh->steps[zh->nsteps - 1].line, zh->nsteps, en->path, en->nsteps);
		return -1;
	}
	for (int i = 0; i < en->nsteps; i++) {
		char *a = directives_of(&en->steps[i]), *b = directives_of(&zh->steps[i]);
		int same = strcmp(a, b) == 0;
		free(a);
		free(b);
		if (!same) {
			report(fn, arg, LD("%s:%d: step %d's directives differ from %s:%d",
			    "%s:%d：第 %d 步的指令与 %s:%d 不同"),
			    zh->path, zh->steps[i].line, i + 1, en->path, en->steps[i].line);
			return -1;
		}
	}
	return 0;
}

/* Mark the demo directives whose demo the module provides. */
static void
mark_demos(struct lesson *ls)
{
	const struct systour_demo *const *d = ls->module_info->demos;
	for (int l = 0; l < LANG_COUNT; l++)
		for (int s = 0; s < ls->text[l].nsteps; s++)
			for (int p = 0; p < ls->text[l].steps[s].nparts; p++) {
				struct part *pt = &ls->text[l].steps[s].parts[p];
				for (int k = 0; d && d[k] && pt->kind == PART_DEMO; k++)
					if (strcmp(d[k]->name, pt->text) == 0)
						pt->available = 1;
			}
}

/* A sanitizer build (make SAN=1) loads the modules built instrumented
 * beside the plain ones (demos.san.so), and the plain ones where there are
 * none (a lesson tree built by hand). */
#ifndef SYSTOUR_MODULE_FILE
#define SYSTOUR_MODULE_FILE "demos.so"
#endif

#define PROBE_MS	5000	/* a module's constructors must end within */

/* The module file of the lesson in folder ldir (allocated; it may not
 * exist). */
static char *
module_path(const char *ldir)
{
	char *so = xasprintf("%s/" SYSTOUR_MODULE_FILE, ldir);
	if (access(so, F_OK) != 0) {
		free(so);
		so = xasprintf("%s/demos.so", ldir);
	}
	return so;
}

/* Load every module in one child first, so that a module whose
 * constructors crash or hang takes down the child, not the tutor. The
 * child says which module it is about to load (its index, on a pipe)
 * before each dlopen; when it dies or hangs, the last one named is to
 * blame, and a new child goes on with the next. why[i] is set (allocated)
 * for each module that cannot be loaded; so[i] may be NULL (none). One
 * child for all: a fork and a wait per module cost 5 ms each at start. */
static void
probe_modules(char *const *so, char **why, int n)
{
	int start = 0;
	while (start < n) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) != 0)
			return;         /* cannot tell: load them as before */
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			close(p[0]);
			close(p[1]);
			return;
		}
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0) {
				dup2(null, 1);
				dup2(null, 2);
			}
			signal(SIGABRT, SIG_DFL);
			for (int i = start; i < n; i++) {
				if (so[i] == NULL || access(so[i], F_OK) != 0)
					continue;
				if (write(p[1], &i, sizeof i) != sizeof i)
					_exit(0);
				dlopen(so[i], RTLD_NOW | RTLD_LOCAL);
			}
			_exit(0);
		}
		close(p[1]);
		/* A bounded wait at start, before any event loop runs. */
		int last = -1, hung = 0, i;
		long long end = now_ms() + PROBE_MS;
		for (;;) {
			long long left = end - now_ms();
			struct pollfd pf = { p[0], POLLIN, 0 };
			if (left <= 0 || poll(&pf, 1, (int)left) == 0) {
				hung = 1;
				break;
			}
			ssize_t k = read(p[0], &i, sizeof i);
			if (k == sizeof i) {
				last = i;
				end = now_ms() + PROBE_MS;      /* per module */
			} else if (k == 0 || (k < 0 && errno != EINTR))
				break;
		}
		close(p[0]);
		int st = 0;
		if (hung)
			kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (last < 0)
			return;
		if (hung)
			why[last] = xasprintf(LD("its constructors did not end within "
			    "%d s",
			    "它的构造函数在 %d 秒内没有结束"), PROBE_MS / 1000);
		else if (WIFSIGNALED(st))
			why[last] = xasprintf(LD("it crashed while loading (%s)",
			    "它在加载时崩溃了（%s）"),
			    strsignal(WTERMSIG(st)));
		else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			why[last] = xasprintf(LD("it exited with status %d while "
			    "loading",
			    "它在加载时以状态 %d 退出"), WEXITSTATUS(st));
		else
			return;         /* every module loaded */
		start = last + 1;
	}
}

/* Load ls's module, unless probe_modules() said why it cannot be
 * (probe_why, or NULL). */
static int
load_module(struct lesson *ls, const char *probe_why, lesson_report_fn *fn,
    void *arg)
{
	char *so = module_path(ls->dir);
	char *c = xasprintf("%s/demos.c", ls->dir);
	int rc = 0;
	if (access(so, F_OK) != 0) {
		if (access(c, F_OK) == 0) {
			report(fn, arg, LD("%s:1: module not built (run make)",
			    "%s:1：模块还没有构建（运行 make）"), c);
			rc = -1;
		}
		goto out;
	}
	if (probe_why != NULL) {
		report(fn, arg, LD("%s: cannot load module: %s",
		    "%s：无法加载模块：%s"), so, probe_why);
		rc = -1;
		goto out;
	}
	void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		report(fn, arg, LD("%s: cannot load module: %s",
		    "%s：无法加载模块：%s"), so, dlerror());
		rc = -1;
		goto out;
	}
	const struct systour_lesson_module *m = dlsym(h, SYSTOUR_LESSON_SYMBOL);
	if (m == NULL)
		report(fn, arg, LD("%s: not a lesson module: no symbol %s",
		    "%s：不是课程模块：没有符号 %s"), so,
		    SYSTOUR_LESSON_SYMBOL);
	else if (m->abi != SYSTOUR_LESSON_ABI)
		report(fn, arg, LD("%s: module ABI %u, but this systour needs ABI %u "
		    "(rebuild it)",
		    "%s：模块的 ABI 是 %u，而这个 systour 需要 ABI %u（请重新构建）"), so, m->abi, SYSTOUR_LESSON_ABI);
	else if (m->lesson == NULL || strcmp(m->lesson, ls->id) != 0)
		report(fn, arg, LD("%s: module says it is lesson \"%s\", not \"%s\"",
		    "%s：模块说它是课程“%s”，而不是“%s”"),
		    so, m->lesson ? m->lesson : "(null)", ls->id);
	else {
		ls->module = h;
		ls->module_info = m;
		mark_demos(ls);
		goto out;
	}
	dlclose(h);
	rc = -1;
out:
	free(so);
	free(c);
	return rc;
}

static void
lesson_free(struct lesson *ls)
{
	for (int l = 0; l < LANG_COUNT; l++)
		lesson_text_free(&ls->text[l]);
	if (ls->module)
		dlclose(ls->module);
	free(ls->id);
	free(ls->dir);
}

#define LESSON_FILE_MAX	((size_t)1 << 20)	/* bytes of lesson text */

/* The text of a lesson file: only a regular file (not a FIFO, which would
 * block, nor a device such as /dev/zero, which never ends; a symlink to a
 * regular file will do) of at most LESSON_FILE_MAX bytes. NULL and *cause
 * (allocated) otherwise. */
static char *
read_lesson_file(const char *path, char **cause)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*cause = xstrdup(errno == ENOENT ? LD("missing (every lesson needs "
		    "lesson.en.md and lesson.zh.md)",
		    "缺失（每课都需要 lesson.en.md 和 lesson.zh.md）") : strerror(errno));
		return NULL;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		*cause = xstrdup(LD("not a regular file",
		    "不是普通文件"));
		return NULL;
	}
	if ((uintmax_t)sb.st_size > LESSON_FILE_MAX) {
		close(fd);
		*cause = xasprintf(LD("%jd bytes, over the limit of %zu",
		    "%jd 字节，超过了 %zu 的上限"),
		    (intmax_t)sb.st_size, LESSON_FILE_MAX);
		return NULL;
	}
	/* what is there now, no more if it grows meanwhile */
	size_t want = (size_t)sb.st_size, n = 0;
	char *text = xmalloc(want + 1);
	while (n < want) {
		ssize_t k = read(fd, text + n, want - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			*cause = xstrdup(strerror(errno));
			free(text);
			close(fd);
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	text[n] = '\0';
	return text;
}

/* Load one folder into ls; 0, or -1 after reporting why. */
static int
load_one(const char *dir, const char *id, struct lesson *ls,
    const char *probe_why, lesson_report_fn *fn, void *arg)
{
	memset(ls, 0, sizeof *ls);
	ls->id = xstrdup(id);
	ls->name = ls->id + 3;
	ls->number = atoi(id);
	ls->dir = xasprintf("%s/%s", dir, id);
	for (int l = 0; l < LANG_COUNT; l++) {
		char *path = xasprintf("%s/lesson.%s.md", ls->dir, lang_code(l));
		char *cause = NULL, *text = read_lesson_file(path, &cause);
		if (text == NULL) {
			report(fn, arg, "%s: %s", path, cause);
			free(cause);
			free(path);
			goto bad;
		}
		int rc = lesson_parse(text, &ls->text[l], &cause);
		free(text);
		if (rc != 0) {
			report(fn, arg, "%s:%s", path, cause);
			free(cause);
			free(path);
			goto bad;
		}
		ls->text[l].path = path;
	}
	if (check_agree(ls, fn, arg) != 0 ||
	    load_module(ls, probe_why, fn, arg) != 0)
		goto bad;
	return 0;
bad:
	lesson_free(ls);
	return -1;
}

static int
select_lesson(const struct dirent *d)
{
	return is_lesson_name(d->d_name);
}

int
lessons_load(const char *dir, struct lesson_set *set,
    lesson_report_fn *fn, void *arg)
{
	struct dirent **names;
	memset(set, 0, sizeof *set);
	int n = scandir(dir, &names, select_lesson, alphasort);
	if (n < 0) {
		report(fn, arg, LD("%s: cannot read lessons: %s",
		    "%s：无法读取课程：%s"), dir, strerror(errno));
		return -1;
	}
	set->dir = xstrdup(dir);
	set->v = xcalloc(n, sizeof *set->v);
	char **so = xcalloc(n, sizeof *so), **why = xcalloc(n, sizeof *why);
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		if (is_dir(path))
			so[i] = module_path(path);
		free(path);
	}
	probe_modules(so, why, n);
	for (int i = 0; i < n; i++) {
		if (so[i] && load_one(dir, names[i]->d_name, &set->v[set->n],
		    why[i], fn, arg) == 0)
			set->n++;
		free(so[i]);
		free(why[i]);
		free(names[i]);
	}
	free(so);
	free(why);
	free(names);
	return set->n;
}

void
lessons_free(struct lesson_set *set)
{
	for (int i = 0; i < set->n; i++)
		lesson_free(&set->v[i]);
	free(set->v);
	free(set->dir);
	memset(set, 0, sizeof *set);
}

struct lesson *
lessons_lookup(struct lesson_set *set, const char *what, struct buf *ambiguous)
{
	if (what == NULL || *what == '\0')
		return NULL;
	char *end;
	long num = strtol(what, &end, 10);
	if (*end == '\0') {
		for (int i = 0; i < set->n; i++)
			if (set->v[i].number == num)
				return &set->v[i];
		return NULL;
	}
	for (int i = 0; i < set->n; i++)
		if (strcasecmp(set->v[i].id, what) == 0 ||
		    strcasecmp(set->v[i].name, what) == 0)
			return &set->v[i];
	struct lesson *found = NULL;
	int nfound = 0;
	size_t len = strlen(what);
	for (int i = 0; i < set->n; i++) {
		struct lesson *ls = &set->v[i];
		if (strncasecmp(ls->name, what, len) != 0)
			continue;
		if (ambiguous && nfound == 1)
			buf_adds(ambiguous, found->name);
		if (ambiguous && nfound >= 1)
			buf_printf(ambiguous, ", %s", ls->name);
		found = ls;
		nfound++;
	}
	return nfound == 1 ? found : NULL;
}

struct lesson *
lessons_find(struct lesson_set *set, const char *what)
{
	return lessons_lookup(set, what, NULL);
}
