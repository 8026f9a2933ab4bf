/* exercise.c — the catalogue of exercises (exercise.ini in each folder of
 * exercises/LESSON/) and the learner's workspace. See exercise.h. */
#include "exercise.h"
#include "buf.h"
#include "util.h"
#include "lang.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SYSTOUR_EXERCISES_DIR
#define SYSTOUR_EXERCISES_DIR "/usr/local/share/systour/exercises"
#endif

/* Limits when exercise.ini says nothing (FORMAT.md has the same). */
static const struct ex_limits ex_default_limits = {
	.wall_s = 10, .cpu_s = 5, .mem_mb = 256, .procs = 64, .fsize_mb = 16,
	.nofile = 64, .output_kb = 64,
};

static int
is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

char *
exercises_dir(char **cause)
{
	const char *env = getenv("SYSTOUR_EXERCISES");
	if (env && *env) {
		if (is_dir(env))
			return realpath(env, NULL);
		*cause = xasprintf(LD("SYSTOUR_EXERCISES=%s is not a "
		    "directory", "SYSTOUR_EXERCISES=%s 不是目录"), env);
		return NULL;
	}
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *d = dirname(exe);
		const char *rel[] = { "exercises", "../exercises",
		    "../share/systour/exercises" };
		for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
			char *cand = xasprintf("%s/%s", d, rel[i]);
			char *real = is_dir(cand) ? realpath(cand, NULL) : NULL;
			free(cand);
			if (real)
				return real;
		}
	}
	if (is_dir(SYSTOUR_EXERCISES_DIR))
		return xstrdup(SYSTOUR_EXERCISES_DIR);
	*cause = xasprintf(LD("no exercises found (not beside the program, not "
	    "in "
	    "%s; set SYSTOUR_EXERCISES)",
	    "找不到练习（程序旁边没有，%s 里也没有；请设置 "
	    "SYSTOUR_EXERCISES）"),
	    SYSTOUR_EXERCISES_DIR);
	return NULL;
}

/* ---- exercise.ini ------------------------------------------------------ */

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Split a value on spaces into an allocated array. */
static void
split_words(const char *v, char ***out, int *n)
{
	char *copy = xstrdup(v), *save = NULL;
	size_t cap = 0;
	for (char *w = strtok_r(copy, " \t", &save); w;
	    w = strtok_r(NULL, " \t", &save)) {
		ARRAY_GROW(*out, cap, (size_t)*n + 1);
		(*out)[(*n)++] = xstrdup(w);
	}
	free(copy);
}

/* A limit's value: a whole number from 1 to max. */
static int
parse_limit(const char *v, int max, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 1 || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

static const struct {
	const char *key;
	size_t off;
	int max;
} limit_keys[] = {
	{ "wall", offsetof(struct ex_limits, wall_s), 600 },
	{ "cpu", offsetof(struct ex_limits, cpu_s), 600 },
	{ "mem", offsetof(struct ex_limits, mem_mb), 8192 },
	{ "procs", offsetof(struct ex_limits, procs), 4096 },
	{ "fsize", offsetof(struct ex_limits, fsize_mb), 4096 },
	{ "nofile", offsetof(struct ex_limits, nofile), 65536 },
	{ "output", offsetof(struct ex_limits, output_kb), 65536 },
};

/* One `key = value` pair (several limits may share a line:
 * "wall = 10  cpu = 5"). 0, or -1 and *cause. */
static int
take_pair(struct exercise *ex, const char *key, const char *val, char **cause)
{
	if (strcmp(key, "title.en") == 0) {
		free(ex->title_en);
		ex->title_en = xstrdup(val);
	} else if (strcmp(key, "title.zh") == 0) {
		free(ex->title_zh);
		ex->title_zh = xstrdup(val);
	} else if (strcmp(key, "track") == 0) {
		if (strcmp(val, "python") == 0)
			ex->track = EX_PYTHON;
		else if (strcmp(val, "c") == 0)
			ex->track = EX_C;
		else {
			*cause = xasprintf(LD("track \"%s\": python or c",
			    "track “%s”：应为 python 或 c"), val);
			return -1;
		}
	} else if (strcmp(key, "files") == 0) {
		split_words(val, &ex->files, &ex->nfiles);
	} else if (strcmp(key, "needs") == 0) {
		split_words(val, &ex->needs, &ex->nneeds);
	} else {
		for (size_t i = 0; i < sizeof limit_keys / sizeof limit_keys[0]; i++)
			if (strcmp(key, limit_keys[i].key) == 0) {
				int *slot = (int *)((char *)&ex->lim + limit_keys[i].off);
				if (parse_limit(val, limit_keys[i].max, slot) != 0) {
					*cause = xasprintf(LD("%s = %s: a "
					    "whole number "
					    "from 1 to %d",
					    "%s = %s：应为 1 到 %d "
					    "之间的整数"), key,
					    val, limit_keys[i].max);
					return -1;
				}
				return 0;
			}
		*cause = xasprintf(LD("unknown key \"%s\"", "未知的键“%s”"),
		    key);
		return -1;
	}
	return 0;
}

/* Does a line hold several limits ("wall = 10  cpu = 5")? Take them all. */
static int
take_line(struct exercise *ex, char *line, char **cause)
{
	char *eq = strchr(line, '=');
	if (eq == NULL) {
		*cause = xasprintf(LD("not \"key = value\": %s",
		    "不是“key = value”：%s"), line);
		return -1;
	}
	*eq = '\0';
	char *key = trim(line), *val = trim(eq + 1);
	/* a limit's value followed by another "key = value" */
	char *more = NULL;
	if (strncmp(key, "title", 5) != 0 && strcmp(key, "files") != 0 &&
	    strcmp(key, "needs") != 0 && strchr(val, '=') != NULL) {
		char *sp = strpbrk(val, " \t");
		if (sp) {
			*sp = '\0';
			more = sp + 1;
		}
	}
	if (take_pair(ex, key, val, cause) != 0)
		return -1;
	return more ? take_line(ex, more, cause) : 0;
}

int
exercise_parse_ini(const char *text, struct exercise *ex, char **cause)
{
	ex->lim = ex_default_limits;
	ex->track = EX_PYTHON;
	char *copy = xstrdup(text), *save = NULL, *why = NULL;
	int lineno = 0, rc = 0;
	int has_track = 0;
	for (char *p = copy; p && rc == 0; lineno++) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char *line = trim(p);
		p = nl ? nl + 1 : NULL;
		if (*line == '\0' || *line == '#')
			continue;
		has_track |= strncmp(line, "track", 5) == 0;
		if (take_line(ex, line, &why) != 0) {
			*cause = xasprintf("%d: %s", lineno + 1, why);
			free(why);
			rc = -1;
		}
	}
	(void)save;
	free(copy);
	if (rc != 0)
		return -1;
	const char *missing = ex->title_en == NULL ? "title.en" :
	    ex->title_zh == NULL ? "title.zh" : !has_track ? "track" :
	    ex->nfiles == 0 ? "files" : NULL;
	if (missing) {
		*cause = xasprintf("%d: no %s", lineno, missing);
		return -1;
	}
	for (int i = 0; i < ex->nfiles; i++)
		if (strchr(ex->files[i], '/') || ex->files[i][0] == '.') {
			*cause = xasprintf(LD("files: \"%s\" is not a plain "
			    "file name", "files：“%s”不是单纯的文件名"),
			    ex->files[i]);
			return -1;
		}
	return 0;
}

/* ---- Loading ----------------------------------------------------------- */

static void
exercise_clear(struct exercise *ex)
{
	free(ex->id);
	free(ex->lesson);
	free(ex->name);
	free(ex->dir);
	free(ex->title_en);
	free(ex->title_zh);
	for (int i = 0; i < ex->nfiles; i++)
		free(ex->files[i]);
	free(ex->files);
	for (int i = 0; i < ex->nneeds; i++)
		free(ex->needs[i]);
	free(ex->needs);
	memset(ex, 0, sizeof *ex);
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct exercise *)a)->id,
	    ((const struct exercise *)b)->id);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* One exercise folder; 0, or -1 after telling bad(). */
static int
load_one(struct exercise_set *set, const char *lesson, const char *name,
    void (*bad)(void *, const char *), void *arg)
{
	struct exercise ex = { 0 };
	char *cause = NULL;
	ex.dir = xasprintf("%s/%s/%s", set->dir, lesson, name);
	char *ini = xasprintf("%s/exercise.ini", ex.dir);
	char *text = read_file(ini, NULL);
	if (text == NULL) {
		if (is_dir(ex.dir) && bad) {
			char *m = xasprintf("%s: %s", ini, strerror(errno));
			bad(arg, m);
			free(m);
		}
		goto fail;
	}
	ex.id = xasprintf("%s/%s", lesson, name);
	ex.lesson = xstrdup(lesson);
	ex.name = xstrdup(name);
	if (exercise_parse_ini(text, &ex, &cause) != 0) {
		if (bad) {
			char *m = xasprintf("%s:%s", ini, cause);
			bad(arg, m);
			free(m);
		}
		free(cause);
		goto fail;
	}
	free(text);
	free(ini);
	ARRAY_GROW(set->v, set->cap, (size_t)set->n + 1);
	set->v[set->n++] = ex;
	return 0;
fail:
	free(text);
	free(ini);
	exercise_clear(&ex);
	return -1;
}

int
exercises_load(const char *dir, struct exercise_set *set,
    void (*bad)(void *arg, const char *what), void *arg)
{
	struct dirent **lessons = NULL;
	set->dir = xstrdup(dir);
	int nl = scandir(dir, &lessons, visible, by_name);
	for (int i = 0; i < nl; i++) {
		char *ldir = xasprintf("%s/%s", dir, lessons[i]->d_name);
		struct dirent **ex = NULL;
		int ne = is_dir(ldir) ? scandir(ldir, &ex, visible, by_name) : -1;
		for (int k = 0; k < ne; k++) {
			char *edir = xasprintf("%s/%s", ldir, ex[k]->d_name);
			if (is_dir(edir))
				load_one(set, lessons[i]->d_name, ex[k]->d_name,
				    bad, arg);
			free(edir);
			free(ex[k]);
		}
		free(ex);
		free(ldir);
		free(lessons[i]);
	}
	free(lessons);
	if (set->n > 1)
		qsort(set->v, (size_t)set->n, sizeof set->v[0], by_id);
	return set->n;
}

void
exercises_free(struct exercise_set *set)
{
	for (int i = 0; i < set->n; i++)
		exercise_clear(&set->v[i]);
	free(set->v);
	free(set->dir);
	memset(set, 0, sizeof *set);
}

const struct exercise *
exercises_find(const struct exercise_set *set, const char *id, char **cause)
{
	const struct exercise *found = NULL;
	int nfound = 0;
	size_t len = strlen(id);
	for (int i = 0; i < set->n; i++) {
		if (strcmp(set->v[i].id, id) == 0)
			return &set->v[i];
		if (len > 0 && strncmp(set->v[i].id, id, len) == 0) {
			if (nfound++ == 0)
				found = &set->v[i];
		}
	}
	if (nfound == 1)
		return found;
	if (nfound == 0)
		*cause = xasprintf(LD("no exercise \"%s\" (see: exercises)",
		    "没有练习“%s”（见：exercises）"), id);
	else {
		struct buf b = BUF_INIT;
		buf_printf(&b, LD("ambiguous exercise \"%s\", could be:",
		    "练习“%s”有歧义，可能是："), id);
		for (int i = 0, k = 0; i < set->n && k < 6; i++)
			if (strncmp(set->v[i].id, id, len) == 0)
				buf_printf(&b, "%s %s", k++ ? "," : "", set->v[i].id);
		*cause = buf_detach(&b, NULL);
	}
	return NULL;
}

const char *
exercises_lesson(const struct exercise_set *set, const char *lesson)
{
	/* "04-processes" -> "processes"; "4" / "04" -> the 4th lesson name */
	const char *dash = strchr(lesson, '-');
	const char *want = dash && isdigit((unsigned char)lesson[0]) ?
	    dash + 1 : lesson;
	static const char *const order[] = { "files", "filesystem", "pickle",
	    "processes", "ipc", "threads", "coroutines", "distributed",
	    "sockets" };
	char *end;
	long n = strtol(lesson, &end, 10);
	if (*lesson && *end == '\0' && n >= 1 && n <= 9)
		want = order[n - 1];
	for (int i = 0; i < set->n; i++)
		if (strcmp(set->v[i].lesson, want) == 0)
			return set->v[i].lesson;
	return NULL;
}

const char *
exercise_title(const struct exercise *ex, int zh)
{
	return zh ? ex->title_zh : ex->title_en;
}

/* ---- The workspace ----------------------------------------------------- */

char *
workspace_default(void)
{
	const char *home = getenv("HOME");
	if (home == NULL || *home == '\0')
		home = ".";
	return xasprintf("%s/systour-exercises", home);
}

char *
workspace_path(const char *ws, const struct exercise *ex)
{
	return xasprintf("%s/%s/%s", ws, ex->lesson, ex->name);
}

int
ex_copy_file(const char *from, const char *to, int exec)
{
	size_t len;
	char *data = read_file(from, &len);
	if (data == NULL)
		return -1;
	char *tmp = xasprintf("%s.systour-tmp", to);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    exec ? 0755 : 0644);
	int rc = -1, saved = 0;
	if (fd >= 0) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(fd, data + off, len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		rc = off == len ? 0 : -1;
		saved = errno;
		if (close(fd) != 0 && rc == 0) {
			rc = -1;
			saved = errno;
		}
		/* a rename, so that an editor watching the file sees one
		 * whole new version */
		if (rc == 0 && rename(tmp, to) != 0) {
			rc = -1;
			saved = errno;
		}
		if (rc != 0)
			unlink(tmp);
	} else
		saved = errno;
	free(tmp);
	free(data);
	errno = saved;
	return rc;
}

char *
workspace_prepare(const char *ws, const struct exercise *ex, int *copied,
    char **cause)
{
	char *dir = workspace_path(ws, ex);
	int n = 0;
	if (mkdir_p(dir) != 0) {
		*cause = xasprintf(LD("cannot make %s: %s", "无法创建 %s：%s"),
		    dir, strerror(errno));
		free(dir);
		return NULL;
	}
	for (int i = 0; i < ex->nfiles; i++) {
		char *to = xasprintf("%s/%s", dir, ex->files[i]);
		if (access(to, F_OK) != 0) {
			char *from = xasprintf("%s/starter/%s", ex->dir,
			    ex->files[i]);
			if (ex_copy_file(from, to, 0) != 0) {
				*cause = xasprintf(LD("cannot copy %s to %s: "
				    "%s", "无法把 %s 复制到 %s：%s"),
				    from, to, strerror(errno));
				free(from);
				free(to);
				free(dir);
				return NULL;
			}
			free(from);
			n++;
		}
		free(to);
	}
	if (copied)
		*copied = n;
	return dir;
}

int
workspace_reset(const char *ws, const struct exercise *ex, char **cause)
{
	char *dir = workspace_path(ws, ex);
	int rc = 0;
	if (mkdir_p(dir) != 0) {
		*cause = xasprintf(LD("cannot make %s: %s", "无法创建 %s：%s"),
		    dir, strerror(errno));
		free(dir);
		return -1;
	}
	for (int i = 0; i < ex->nfiles && rc == 0; i++) {
		char *from = xasprintf("%s/starter/%s", ex->dir, ex->files[i]);
		char *to = xasprintf("%s/%s", dir, ex->files[i]);
		if (ex_copy_file(from, to, 0) != 0) {
			*cause = xasprintf(LD("cannot copy %s to %s: %s",
			    "无法把 %s 复制到 %s：%s"), from, to,
			    strerror(errno));
			rc = -1;
		}
		free(from);
		free(to);
	}
	free(dir);
	return rc;
}
