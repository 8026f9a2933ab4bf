/* test_lesson.c — unit tests for lesson parsing and lookup (app/core/lesson.c).
 *
 * lesson_parse() is fed Markdown texts written here: a full lesson checked
 * part by part, fences that hide "## " and "::: " lines, and every error
 * with its exact line. lessons_find() is tried on a set built by hand, and
 * lessons_load() on a lesson tree written to a mkdtemp() directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "lesson.h"
#include "util.h"

/* ------------------------------------------------------------ helpers */

/* Parse text, which must succeed. */
static void
parse_ok(const char *text, struct lesson_text *t)
{
	char	*cause = (char *)"unset";
	int	 rc = lesson_parse(text, t, &cause);

	if (rc != 0)
		print_error("unexpected parse error: %s\n", cause);
	assert_int_equal(rc, 0);
	assert_null(cause);
}

/* Parse text, which must fail with exactly want ("LINE: what"). */
static void
parse_fails(const char *text, const char *want)
{
	struct lesson_text	 t;
	char			*cause = NULL, got[512];
	int			 rc = lesson_parse(text, &t, &cause);

	/* copied and freed first, so that a failure leaks nothing */
	snprintf(got, sizeof got, "%s", cause ? cause : "(null)");
	free(cause);
	if (rc == 0)
		lesson_text_free(&t);
	assert_int_equal(rc, -1);
	assert_string_equal(got, want);
	/* nothing is left behind in the output */
	assert_null(t.title);
	assert_null(t.summary);
	assert_null(t.steps);
	assert_int_equal(t.nsteps, 0);
}

/* The line number at the start of a "LINE: what" cause. */
static int
parse_fail_line(const char *text, char **cause)
{
	struct lesson_text	t;

	assert_int_equal(lesson_parse(text, &t, cause), -1);
	assert_non_null(*cause);
	return atoi(*cause);
}

static void
assert_part(const struct part *p, enum part_kind kind, const char *text,
    int line)
{
	assert_int_equal(p->kind, kind);
	assert_string_equal(p->text, text);
	assert_int_equal(p->line, line);
}

/* ------------------------------------------------- lesson_parse: whole */

static const char full_lesson[] =
	"# Files and \"modes\"  \n"			/*  1 */
	"\n"						/*  2 */
	"First paragraph, line one\n"			/*  3 */
	"and line two.\n"				/*  4 */
	"\n"						/*  5 */
	"Second paragraph is not the summary.\n"	/*  6 */
	"\n"						/*  7 */
	"## open(): opening a file \n"			/*  8 */
	"\n"						/*  9 */
	"Some text.\n"					/* 10 */
	"\n"						/* 11 */
	"::: demo open-file\n"				/* 12 */
	"\n"						/* 13 */
	"```python\n"					/* 14 */
	"## not a step\n"				/* 15 */
	"::: not a directive\n"				/* 16 */
	"# not a title\n"				/* 17 */
	"```\n"						/* 18 */
	"\n"						/* 19 */
	"::: erratum\n"					/* 20 */
	"Wrong **here**.\n"				/* 21 */
	"\n"						/* 22 */
	"```c\n"					/* 23 */
	":::\n"						/* 24 */
	"```\n"						/* 25 */
	":::\n"						/* 26 */
	"After the box.\n"				/* 27 */
	"## Step two\n"					/* 28 */
	"~~~\n"						/* 29 */
	"## inside tilde\n"				/* 30 */
	"```\n"						/* 31 */
	"::: demo nope\n"				/* 32 */
	"~~~\n"						/* 33 */
	"::: exercise files/01-x  \n"			/* 34 */
	"### A sub-heading is Markdown\n"		/* 35 */
	"text\n";					/* 36 */

static void
test_parse_full_lesson(void **state)
{
	struct lesson_text	 t;
	const struct step	*s;

	parse_ok(full_lesson, &t);
	assert_string_equal(t.title, "Files and \"modes\"");
	assert_string_equal(t.summary,
	    "First paragraph, line one\nand line two.");
	assert_null(t.path);
	assert_int_equal(t.nsteps, 2);

	s = &t.steps[0];
	assert_string_equal(s->title, "open(): opening a file");
	assert_int_equal(s->line, 8);
	assert_int_equal(s->nparts, 5);
	assert_int_equal(s->parts[0].kind, PART_MARKDOWN);
	assert_non_null(strstr(s->parts[0].text, "Some text.\n"));
	assert_null(strstr(s->parts[0].text, "demo"));
	assert_in_range(s->parts[0].line, 9, 10);
	assert_part(&s->parts[1], PART_DEMO, "open-file", 12);
	/* the fenced block, with its "## ", "::: " and "# " lines, is text */
	assert_int_equal(s->parts[2].kind, PART_MARKDOWN);
	assert_non_null(strstr(s->parts[2].text,
	    "```python\n## not a step\n::: not a directive\n# not a title\n"
	    "```\n"));
	assert_in_range(s->parts[2].line, 13, 14);
	/* the erratum holds its inner Markdown, fence and all */
	assert_part(&s->parts[3], PART_ERRATUM,
	    "Wrong **here**.\n\n```c\n:::\n```\n", 21);
	assert_int_equal(s->parts[4].kind, PART_MARKDOWN);
	assert_string_equal(s->parts[4].text, "After the box.\n");
	assert_int_equal(s->parts[4].line, 27);

	s = &t.steps[1];
	assert_string_equal(s->title, "Step two");
	assert_int_equal(s->line, 28);
	assert_int_equal(s->nparts, 3);
	assert_part(&s->parts[0], PART_MARKDOWN,
	    "~~~\n## inside tilde\n```\n::: demo nope\n~~~\n", 29);
	assert_part(&s->parts[1], PART_EXERCISE, "files/01-x", 34);
	assert_part(&s->parts[2], PART_MARKDOWN,
	    "### A sub-heading is Markdown\ntext\n", 35);

	lesson_text_free(&t);
	assert_null(t.title);
	assert_int_equal(t.nsteps, 0);
}

/* A title straight followed by a step: an empty summary. CRLF lines. */
static void
test_parse_crlf_and_empty_summary(void **state)
{
	struct lesson_text	t;

	parse_ok("# Title\r\n## One\r\nText\r\n::: demo d1\r\n## Two\r\n", &t);
	assert_string_equal(t.title, "Title");
	assert_string_equal(t.summary, "");
	assert_int_equal(t.nsteps, 2);
	assert_string_equal(t.steps[0].title, "One");
	assert_int_equal(t.steps[0].line, 2);
	assert_int_equal(t.steps[0].nparts, 2);
	assert_part(&t.steps[0].parts[0], PART_MARKDOWN, "Text\n", 3);
	assert_part(&t.steps[0].parts[1], PART_DEMO, "d1", 4);
	assert_string_equal(t.steps[1].title, "Two");
	assert_int_equal(t.steps[1].line, 5);
	assert_int_equal(t.steps[1].nparts, 0);
	lesson_text_free(&t);
}

/* No final newline; a summary of one paragraph; steps with a fence in the
 * summary that hides a "## " line. */
static void
test_parse_fence_in_summary(void **state)
{
	struct lesson_text	t;

	parse_ok("# T\n"
	    "Summary here.\n"
	    "\n"
	    "```\n"
	    "## hidden\n"
	    "```\n"
	    "## Real\n"
	    "last line", &t);
	assert_string_equal(t.summary, "Summary here.");
	assert_int_equal(t.nsteps, 1);
	assert_string_equal(t.steps[0].title, "Real");
	assert_int_equal(t.steps[0].line, 7);
	assert_part(&t.steps[0].parts[0], PART_MARKDOWN, "last line\n", 8);
	lesson_text_free(&t);
}

/* A fence is closed only by the same character, at least as long. */
static void
test_parse_fence_closing_rules(void **state)
{
	struct lesson_text	t;

	parse_ok("# T\n"
	    "## S\n"
	    "````\n"		/* 3: four backticks */
	    "```\n"		/* shorter: does not close */
	    "~~~~\n"		/* other character: does not close */
	    "```` x\n"		/* text after: does not close */
	    "## still code\n"
	    "   ````\n"		/* closes (up to 3 spaces of indent) */
	    "## S2\n", &t);
	assert_int_equal(t.nsteps, 2);
	assert_int_equal(t.steps[0].nparts, 1);
	assert_int_equal(t.steps[0].parts[0].line, 3);
	assert_non_null(strstr(t.steps[0].parts[0].text, "## still code\n"));
	assert_int_equal(t.steps[1].line, 9);
	lesson_text_free(&t);

	/* the same with a tilde fence left open: the error names line 3 */
	parse_fails("# T\n## S\n~~~\n```\n## x\n", "3: code block opened "
	    "here is not closed");
}

/* An erratum with nothing inside still makes a part; one opened right
 * after a directive is separate from it. */
static void
test_parse_empty_erratum(void **state)
{
	struct lesson_text	t;

	parse_ok("# T\n## S\n::: exercise e1\n::: erratum\n\n:::\n", &t);
	assert_int_equal(t.steps[0].nparts, 2);
	assert_part(&t.steps[0].parts[0], PART_EXERCISE, "e1", 3);
	assert_int_equal(t.steps[0].parts[1].kind, PART_ERRATUM);
	assert_in_range(t.steps[0].parts[1].line, 4, 5);
	lesson_text_free(&t);
}

/* ------------------------------------------------ lesson_parse: errors */

static void
test_parse_error_missing_title(void **state)
{
	parse_fails("Title\n## S\n",
	    "1: the first line must be the title, \"# Title\"");
	parse_fails("\n# Title\n## S\n",
	    "1: the first line must be the title, \"# Title\"");
	parse_fails("## Step\n",
	    "1: the first line must be the title, \"# Title\"");
	parse_fails("#Title\n## S\n",
	    "1: the first line must be the title, \"# Title\"");
	parse_fails("", "1: empty file: no title");
}

static void
test_parse_error_unknown_directive(void **state)
{
	parse_fails("# T\n## S\ntext\n::: frobnicate x\n",
	    "4: unknown directive \"::: frobnicate x\"");
	parse_fails("# T\n## S\n:::note\n",
	    "3: unknown directive \"::: note\"");
}

static void
test_parse_error_directive_before_step(void **state)
{
	parse_fails("# T\n\nSummary.\n::: demo x\n## S\n",
	    "4: a directive before the first step (## heading)");
	parse_fails("# T\n::: erratum\n:::\n## S\n",
	    "2: a directive before the first step (## heading)");
}

/* `::: demo` with no name: the line is right. */
static void
test_parse_error_demo_without_name_line(void **state)
{
	char	*cause;

	assert_int_equal(parse_fail_line("# T\n## S\n\n::: demo\n", &cause),
	    4);
	free(cause);
	assert_int_equal(parse_fail_line("# T\n## S\n::: exercise   \n",
	    &cause), 3);
	free(cause);
}

/* More than one name is refused with "needs exactly one name". */
static void
test_parse_error_demo_two_names(void **state)
{
	parse_fails("# T\n## S\n::: demo a b\n",
	    "3: \"::: demo a b\" needs exactly one name");
	parse_fails("# T\n## S\n::: exercise a\tb\n",
	    "3: \"::: exercise a\tb\" needs exactly one name");
}

/* `::: demo` with no name says that a name is missing: the code has a
 * check for exactly this (arg empty → "needs exactly one name"), but the
 * directive is trimmed first, so "demo " never matches and the learner is
 * told that `demo`, a known directive, is unknown. */
static void
test_parse_error_demo_without_name_message(void **state)
{
	parse_fails("# T\n## S\n::: demo\n",
	    "3: \"::: demo\" needs exactly one name");
}

static void
test_parse_error_close_nothing(void **state)
{
	parse_fails("# T\n## S\ntext\n\n:::\n", "5: \":::\" closes nothing");
	parse_fails("# T\n## S\n::: erratum\n:::\n:::\n",
	    "5: \":::\" closes nothing");
}

static void
test_parse_error_unclosed_fence(void **state)
{
	parse_fails("# T\n## S\ntext\n```c\nint x;\n:::\n## S2\n",
	    "4: code block opened here is not closed");
	/* in the summary too */
	parse_fails("# T\n```\n## S\n", "2: code block opened here is not closed");
	/* inside an erratum: the fence is the first thing open */
	parse_fails("# T\n## S\n::: erratum\n```\n:::\n",
	    "4: code block opened here is not closed");
}

static void
test_parse_error_unclosed_erratum(void **state)
{
	parse_fails("# T\n## S\n\n::: erratum\nwrong\n\nstill wrong\n",
	    "4: \"::: erratum\" opened here is not closed");
}

static void
test_parse_error_in_erratum(void **state)
{
	parse_fails("# T\n## S\n::: erratum\nx\n## S2\n:::\n",
	    "5: a step heading inside an erratum block");
	parse_fails("# T\n## S\n::: erratum\n::: erratum\n:::\n",
	    "4: \"::: erratum\" inside an erratum block");
	parse_fails("# T\n## S\n::: erratum\n::: demo d\n:::\n",
	    "4: \"::: demo d\" inside an erratum block");
}

static void
test_parse_error_no_steps(void **state)
{
	parse_fails("# T\n\nJust a summary.\n",
	    "3: no steps (\"## \" headings)");
	parse_fails("# T\n", "1: no steps (\"## \" headings)");
	parse_fails("# T\n```\n## in a fence\n```\n",
	    "4: no steps (\"## \" headings)");
}

static void
test_parse_error_second_title(void **state)
{
	parse_fails("# T\n## S\ntext\n# Another\n",
	    "4: a second title (\"# \"); steps are \"## \"");
	parse_fails("# T\n# Another\n## S\n",
	    "2: a second title (\"# \"); steps are \"## \"");
}

/* -------------------------------------------------------- lessons_find */

static struct lesson_set *
make_set(const char *const *ids, int n)
{
	struct lesson_set	*set = xcalloc(1, sizeof *set);

	set->v = xcalloc(n, sizeof *set->v);
	set->n = n;
	for (int i = 0; i < n; i++) {
		set->v[i].id = xstrdup(ids[i]);
		set->v[i].name = set->v[i].id + 3;
		set->v[i].number = atoi(ids[i]);
	}
	return set;
}

static void
free_set(struct lesson_set *set)
{
	lessons_free(set);
	free(set);
}

static const char *const some_ids[] = {
	"01-files", "02-filesystem", "03-pickle", "10-sockets", "12-pipes",
};

static void
test_find_by_number(void **state)
{
	struct lesson_set	*set = make_set(some_ids, 5);

	assert_ptr_equal(lessons_find(set, "1"), &set->v[0]);
	assert_ptr_equal(lessons_find(set, "01"), &set->v[0]);
	assert_ptr_equal(lessons_find(set, "001"), &set->v[0]);
	assert_ptr_equal(lessons_find(set, "3"), &set->v[2]);
	assert_ptr_equal(lessons_find(set, "10"), &set->v[3]);
	assert_ptr_equal(lessons_find(set, "12"), &set->v[4]);
	assert_null(lessons_find(set, "4"));
	assert_null(lessons_find(set, "0"));
	assert_null(lessons_find(set, "99"));
	assert_null(lessons_find(set, "1x"));
	free_set(set);
}

static void
test_find_by_id_and_name(void **state)
{
	struct lesson_set	*set = make_set(some_ids, 5);

	assert_ptr_equal(lessons_find(set, "01-files"), &set->v[0]);
	assert_ptr_equal(lessons_find(set, "02-filesystem"), &set->v[1]);
	assert_ptr_equal(lessons_find(set, "sockets"), &set->v[3]);
	/* "files" is a whole name and a prefix of "filesystem" */
	assert_ptr_equal(lessons_find(set, "files"), &set->v[0]);
	assert_ptr_equal(lessons_find(set, "filesystem"), &set->v[1]);
	free_set(set);
}

static void
test_find_by_prefix(void **state)
{
	struct lesson_set	*set = make_set(some_ids, 5);

	assert_ptr_equal(lessons_find(set, "pic"), &set->v[2]);
	assert_ptr_equal(lessons_find(set, "s"), &set->v[3]);
	assert_ptr_equal(lessons_find(set, "filesy"), &set->v[1]);
	/* ambiguous prefixes */
	assert_null(lessons_find(set, "fil"));
	assert_null(lessons_find(set, "p"));
	/* prefixes of the id are not names */
	assert_null(lessons_find(set, "01-fi"));
	free_set(set);
}

/* Any case finds a lesson; an ambiguous prefix names every lesson it could
 * be, in order. */
static void
test_find_any_case_and_ambiguous_names(void **state)
{
	struct lesson_set	*set = make_set(some_ids, 5);
	struct buf		 amb = BUF_INIT;

	assert_ptr_equal(lessons_find(set, "FILES"), &set->v[0]);
	assert_ptr_equal(lessons_find(set, "01-Files"), &set->v[0]);
	assert_ptr_equal(lessons_find(set, "PiC"), &set->v[2]);
	assert_null(lessons_lookup(set, "FIL", &amb));
	assert_string_equal(buf_str(&amb), "files, filesystem");
	buf_free(&amb);
	assert_null(lessons_lookup(set, "nope", &amb));
	assert_int_equal(amb.len, 0);
	assert_non_null(lessons_lookup(set, "pic", &amb));
	assert_int_equal(amb.len, 0);
	buf_free(&amb);
	free_set(set);
}

static void
test_find_nothing(void **state)
{
	struct lesson_set	*set = make_set(some_ids, 5);
	struct lesson_set	 empty = { 0 };

	assert_null(lessons_find(set, "nope"));
	assert_null(lessons_find(set, "filesx"));
	assert_null(lessons_find(set, ""));
	assert_null(lessons_find(set, NULL));
	assert_null(lessons_find(&empty, "1"));
	assert_null(lessons_find(&empty, "files"));
	free_set(set);
}

/* A whole name wins over prefixes of other names wherever it stands: here
 * two lessons before "proc" start with "proc". */
static void
test_find_exact_name_after_two_prefixes(void **state)
{
	static const char *const ids[] = {
		"05-proc-io", "06-proc-mem", "07-proc",
	};
	struct lesson_set	*set = make_set(ids, 3);
	struct lesson		*proc = lessons_find(set, "proc");
	int			 at = proc ? (int)(proc - set->v) : -1;

	assert_ptr_equal(lessons_find(set, "proc-io"), &set->v[0]);
	assert_null(lessons_find(set, "proc-"));
	assert_ptr_equal(lessons_find(set, "07-proc"), &set->v[2]);
	free_set(set);
	/* lessons_find("proc") gives NULL: "proc-io" and "proc-mem" made it
	 * ambiguous before the loop reached "proc" itself */
	assert_int_equal(at, 2);
}

/* -------------------------------------------------------- lessons_load */

struct tree {
	char	*dir;
};

static int
tree_setup(void **state)
{
	struct tree	*tr = xcalloc(1, sizeof *tr);
	char		 tmpl[] = "/tmp/test_lesson.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	tr->dir = xstrdup(tmpl);
	*state = tr;
	return 0;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
tree_teardown(void **state)
{
	struct tree	*tr = *state;
	int		 rc = nftw(tr->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);

	free(tr->dir);
	free(tr);
	return rc;
}

static void
put(const char *dir, const char *rel, const char *text)
{
	char	*path = xasprintf("%s/%s", dir, rel);
	char	*slash = strrchr(path, '/');
	FILE	*f;

	*slash = '\0';
	assert_int_equal(mkdir_p(path), 0);
	*slash = '/';
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(path);
}

struct reports {
	char	*v[16];
	int	 n;
};

static void
collect_report(const char *problem, void *arg)
{
	struct reports	*r = arg;

	if (r->n < 16)
		r->v[r->n] = xstrdup(problem);
	r->n++;
}

static void
reports_free(struct reports *r)
{
	for (int i = 0; i < r->n && i < 16; i++)
		free(r->v[i]);
}

/* Is there a report equal to want? */
static int
reported(const struct reports *r, const char *want)
{
	for (int i = 0; i < r->n && i < 16; i++)
		if (strcmp(r->v[i], want) == 0)
			return 1;
	return 0;
}

static void
test_load_tree(void **state)
{
	struct tree		*tr = *state;
	struct lesson_set	 set;
	struct reports		 rep = { 0 };
	char			*want;
	const char		*d = tr->dir;

	/* good */
	put(d, "01-alpha/lesson.en.md",
	    "# Alpha\n\nAbout alpha.\n\n## One\n::: demo d1\n## Two\n");
	put(d, "01-alpha/lesson.zh.md",
	    "# 甲\n\n关于甲。\n\n## 一\n::: demo d1\n## 二\n");
	/* zh has one step less */
	put(d, "02-beta/lesson.en.md", "# B\n## One\n## Two\n");
	put(d, "02-beta/lesson.zh.md", "# 乙\n## 一\n");
	/* zh is missing */
	put(d, "03-gamma/lesson.en.md", "# G\n## One\n");
	/* en does not parse */
	put(d, "04-delta/lesson.en.md", "# D\n## One\n::: foo\n");
	put(d, "04-delta/lesson.zh.md", "# D\n## 一\n");
	/* directives differ in step 2 */
	put(d, "05-eps/lesson.en.md", "# E\n## One\n## Two\n::: demo x\n");
	put(d, "05-eps/lesson.zh.md", "# E\n## 一\n## 二\n::: demo y\n");
	/* a module source that was never built */
	put(d, "06-zeta/lesson.en.md", "# Z\n## One\n");
	put(d, "06-zeta/lesson.zh.md", "# Z\n## 一\n");
	put(d, "06-zeta/demos.c", "/* nothing */\n");
	/* not lesson folders: ignored without a report */
	put(d, "07-Upper/lesson.en.md", "# U\n## One\n");
	put(d, "notes/lesson.en.md", "# N\n## One\n");
	put(d, "08-", "a file\n");
	put(d, "09-file", "a regular file with a lesson's name\n");
	/* second good one, loaded in order after the broken ones */
	put(d, "10-omega/lesson.en.md", "# Omega\n## Only\n");
	put(d, "10-omega/lesson.zh.md", "# 欧米伽\n## 唯一\n");

	assert_int_equal(lessons_load(d, &set, collect_report, &rep), 2);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.dir, d);
	assert_string_equal(set.v[0].id, "01-alpha");
	assert_string_equal(set.v[0].name, "alpha");
	assert_int_equal(set.v[0].number, 1);
	assert_null(set.v[0].module);
	assert_string_equal(set.v[0].text[LANG_EN].title, "Alpha");
	assert_string_equal(set.v[0].text[LANG_ZH].title, "甲");
	assert_string_equal(set.v[0].text[LANG_ZH].summary, "关于甲。");
	assert_int_equal(set.v[0].text[LANG_ZH].nsteps, 2);
	want = xasprintf("%s/01-alpha/lesson.zh.md", d);
	assert_string_equal(set.v[0].text[LANG_ZH].path, want);
	free(want);
	assert_string_equal(set.v[1].id, "10-omega");
	assert_int_equal(set.v[1].number, 10);

	assert_int_equal(rep.n, 5);
	want = xasprintf("%s/02-beta/lesson.zh.md:2: 1 steps, but "
	    "%s/02-beta/lesson.en.md has 2", d, d);
	assert_true(reported(&rep, want));
	free(want);
	want = xasprintf("%s/03-gamma/lesson.zh.md: missing (every lesson "
	    "needs lesson.en.md and lesson.zh.md)", d);
	assert_true(reported(&rep, want));
	free(want);
	want = xasprintf("%s/04-delta/lesson.en.md:3: unknown directive "
	    "\"::: foo\"", d);
	assert_true(reported(&rep, want));
	free(want);
	want = xasprintf("%s/05-eps/lesson.zh.md:3: step 2's directives "
	    "differ from %s/05-eps/lesson.en.md:3", d, d);
	assert_true(reported(&rep, want));
	free(want);
	want = xasprintf("%s/06-zeta/demos.c:1: module not built (run make)",
	    d);
	assert_true(reported(&rep, want));
	free(want);

	/* what was loaded can be found */
	assert_ptr_equal(lessons_find(&set, "10"), &set.v[1]);
	assert_ptr_equal(lessons_find(&set, "omega"), &set.v[1]);
	assert_null(lessons_find(&set, "beta"));

	lessons_free(&set);
	assert_int_equal(set.n, 0);
	assert_null(set.v);
	reports_free(&rep);
}

static void
test_load_missing_dir(void **state)
{
	struct tree		*tr = *state;
	struct lesson_set	 set;
	struct reports		 rep = { 0 };
	char			*dir = xasprintf("%s/none", tr->dir);

	assert_int_equal(lessons_load(dir, &set, collect_report, &rep), -1);
	assert_int_equal(rep.n, 1);
	assert_non_null(strstr(rep.v[0], "cannot read lessons"));
	assert_int_equal(strncmp(rep.v[0], dir, strlen(dir)), 0);
	/* the empty set frees */
	lessons_free(&set);
	reports_free(&rep);
	free(dir);

	/* an empty directory is no lessons, not an error */
	assert_int_equal(lessons_load(tr->dir, &set, NULL, NULL), 0);
	lessons_free(&set);
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full_lesson),
		cmocka_unit_test(test_parse_crlf_and_empty_summary),
		cmocka_unit_test(test_parse_fence_in_summary),
		cmocka_unit_test(test_parse_fence_closing_rules),
		cmocka_unit_test(test_parse_empty_erratum),
		cmocka_unit_test(test_parse_error_missing_title),
		cmocka_unit_test(test_parse_error_unknown_directive),
		cmocka_unit_test(test_parse_error_directive_before_step),
		cmocka_unit_test(test_parse_error_demo_without_name_line),
		cmocka_unit_test(test_parse_error_demo_two_names),
		cmocka_unit_test(test_parse_error_demo_without_name_message),
		cmocka_unit_test(test_parse_error_close_nothing),
		cmocka_unit_test(test_parse_error_unclosed_fence),
		cmocka_unit_test(test_parse_error_unclosed_erratum),
		cmocka_unit_test(test_parse_error_in_erratum),
		cmocka_unit_test(test_parse_error_no_steps),
		cmocka_unit_test(test_parse_error_second_title),
		cmocka_unit_test(test_find_by_number),
		cmocka_unit_test(test_find_by_id_and_name),
		cmocka_unit_test(test_find_by_prefix),
		cmocka_unit_test(test_find_any_case_and_ambiguous_names),
		cmocka_unit_test(test_find_nothing),
		cmocka_unit_test(test_find_exact_name_after_two_prefixes),
		cmocka_unit_test_setup_teardown(test_load_tree, tree_setup,
		    tree_teardown),
		cmocka_unit_test_setup_teardown(test_load_missing_dir,
		    tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
