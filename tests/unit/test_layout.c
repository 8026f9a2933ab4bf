/* test_layout.c — unit tests for text layout (app/ui/layout.c), code
 * highlighting (app/ui/highlight.c) and step rendering (app/ui/render.c).
 *
 * Wrapping is checked by properties over a few hundred generated paragraphs
 * of English words, Chinese text and over-long words (deterministic seed),
 * at every width from 10 to 80: no line wider than the width, every
 * character kept in order, words not broken when they fit, lines filled
 * greedily, no Chinese closing punctuation at the start of a line, and the
 * prefix and margin on every line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "highlight.h"
#include "layout.h"
#include "lesson.h"
#include "render.h"
#include "util.h"

/* ------------------------------------------------------------ helpers */

static void
add(struct cells *cs, const char *s)
{
	cells_add(cs, s, strlen(s), S_TEXT);
}

/* Line i of the page as UTF-8 (trailing spaces trimmed). Allocated. */
static char *
line_text(const struct page *pg, int i)
{
	assert_in_range(i, 0, pg->n - 1);
	return line_utf8(&pg->v[i]);
}

static void
assert_line(const struct page *pg, int i, const char *want)
{
	char	*s = line_text(pg, i);

	assert_string_equal(s, want);
	free(s);
}

/* The page's lines joined with "\n", for messages and searches. */
static char *
page_text(const struct page *pg)
{
	char	*out = xstrdup("");

	for (int i = 0; i < pg->n; i++) {
		char	*s = line_utf8(&pg->v[i]), *t;

		t = xasprintf("%s%s\n", out, s);
		free(s);
		free(out);
		out = t;
	}
	return out;
}

/* Index of the first line that equals want (from), or -1. */
static int
find_line(const struct page *pg, int from, const char *want)
{
	for (int i = from; i < pg->n; i++) {
		char	*s = line_utf8(&pg->v[i]);
		int	 eq = strcmp(s, want) == 0;

		free(s);
		if (eq)
			return i;
	}
	return -1;
}

/* Index of the first line that starts with want (from), or -1. */
static int
find_line_prefix(const struct page *pg, int from, const char *want)
{
	for (int i = from; i < pg->n; i++) {
		char	*s = line_utf8(&pg->v[i]);
		int	 eq = strncmp(s, want, strlen(want)) == 0;

		free(s);
		if (eq)
			return i;
	}
	return -1;
}

static int
cells_cols(const struct cell *c, int n)
{
	int	w = 0;

	for (int i = 0; i < n; i++)
		w += c[i].width;
	return w;
}

/* ------------------------------------------------------------- cells */

static void
test_cells_widths(void **state)
{
	struct cells	cs = { 0 };

	cells_add(&cs, "a中b", strlen("a中b"), S_BOLD);
	assert_int_equal(cs.n, 3);
	assert_int_equal(cs.c[0].ch, L'a');
	assert_int_equal(cs.c[0].width, 1);
	assert_int_equal(cs.c[1].ch, L'中');
	assert_int_equal(cs.c[1].width, 2);
	assert_int_equal(cs.c[2].ch, L'b');
	assert_int_equal(cs.c[2].width, 1);
	for (int i = 0; i < cs.n; i++)
		assert_int_equal(cs.c[i].style, S_BOLD);

	/* only len bytes are read */
	cells_clear(&cs);
	assert_int_equal(cs.n, 0);
	cells_add(&cs, "xyz", 2, S_TEXT);
	assert_int_equal(cs.n, 2);
	cells_add_ch(&cs, L'。', S_CODE);
	assert_int_equal(cs.n, 3);
	assert_int_equal(cs.c[2].width, 2);
	assert_int_equal(cs.c[2].style, S_CODE);
	cells_free(&cs);
	assert_null(cs.c);
	assert_int_equal(cs.n, 0);
}

static void
test_cells_tabs(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "\tb", "    b" },
		{ "a\tb", "a   b" },
		{ "ab\tc", "ab  c" },
		{ "abc\td", "abc d" },
		{ "abcd\te", "abcd    e" },
		{ "中\tx", "中  x" },
		{ "a\t\tb", "a       b" },
		/* a line break starts the columns again */
		{ "abc\n\tx", "abc\n    x" },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct cells	 cs = { 0 };
		struct line	 ln = { 0 };
		char		*s;

		add(&cs, cases[k].in);
		ln.c = cs.c;
		ln.n = cs.n;
		s = line_utf8(&ln);
		assert_string_equal(s, cases[k].out);
		free(s);
		cells_free(&cs);
	}
}

static void
test_cells_invalid_utf8(void **state)
{
	struct cells	cs = { 0 };

	add(&cs, "a\xff" "b");
	assert_int_equal(cs.n, 3);
	assert_int_equal(cs.c[0].ch, L'a');
	assert_int_equal(cs.c[1].ch, 0xfffd);
	assert_int_equal(cs.c[1].width, 1);
	assert_int_equal(cs.c[2].ch, L'b');

	/* a cut sequence in the middle, and one at the very end */
	cells_clear(&cs);
	add(&cs, "\xe4\xb8x\xe4");
	assert_true(cs.n >= 3);
	assert_int_equal(cs.c[0].ch, 0xfffd);
	for (int i = 0; i < cs.n; i++)
		assert_true(cs.c[i].ch == 0xfffd || cs.c[i].ch == L'x');
	assert_int_equal(cs.c[cs.n - 1].ch, 0xfffd);

	/* decoding goes on correctly after a bad byte */
	cells_clear(&cs);
	add(&cs, "\x80中");
	assert_int_equal(cs.n, 2);
	assert_int_equal(cs.c[0].ch, 0xfffd);
	assert_int_equal(cs.c[1].ch, L'中');

	/* control characters other than tab are dropped; \n is a soft break */
	cells_clear(&cs);
	add(&cs, "a\x01\x1b" "b\nc");
	assert_int_equal(cs.n, 4);
	assert_int_equal(cs.c[1].ch, L'b');
	assert_int_equal(cs.c[2].ch, CH_SOFTBREAK);
	cells_free(&cs);
}

static void
test_text_width(void **state)
{
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("中文"), 4);
	assert_int_equal(text_width("中文abc，。"), 11);
	assert_int_equal(text_width("a\tb"), 5);
	assert_int_equal(text_width("┃ "), 2);
	assert_int_equal(text_width("\xff"), 1);
}

static void
test_line_utf8(void **state)
{
	struct cells	 cs = { 0 };
	struct line	 ln = { 0 };
	char		*s;

	add(&cs, "  a 中 b   ");
	ln.c = cs.c;
	ln.n = cs.n;
	s = line_utf8(&ln);
	assert_string_equal(s, "  a 中 b");
	free(s);

	cells_clear(&cs);
	add(&cs, "    ");
	ln.c = cs.c;
	ln.n = cs.n;
	s = line_utf8(&ln);
	assert_string_equal(s, "");
	free(s);

	ln.n = 0;
	s = line_utf8(&ln);
	assert_string_equal(s, "");
	free(s);
	cells_free(&cs);
}

/* ------------------------------------------------------- page_wrap: cases */

static void
test_wrap_simple(void **state)
{
	struct page	pg = { 0 };
	struct cells	p = { 0 };

	add(&p, "the quick brown fox jumps over the lazy dog");
	page_wrap(&pg, &p, 15, NULL, NULL, LK_TEXT);
	assert_int_equal(pg.n, 3);
	assert_line(&pg, 0, "the quick brown");
	assert_line(&pg, 1, "fox jumps over");
	assert_line(&pg, 2, "the lazy dog");
	assert_int_equal(pg.v[0].cols, 15);
	assert_int_equal(pg.v[0].kind, LK_TEXT);

	/* many spaces are one; leading ones are none */
	page_clear(&pg);
	assert_int_equal(pg.n, 0);
	cells_clear(&p);
	add(&p, "   a    b  ");
	page_wrap(&pg, &p, 40, NULL, NULL, LK_CODE);
	assert_int_equal(pg.n, 1);
	assert_line(&pg, 0, "a b");
	assert_int_equal(pg.v[0].kind, LK_CODE);

	page_free(&pg);
	cells_free(&p);
}

/* A source line break: a space between words, nothing between two
 * Chinese characters. */
static void
test_wrap_soft_breaks(void **state)
{
	struct page	pg = { 0 };
	struct cells	p = { 0 };

	add(&p, "hello\nworld");
	page_wrap(&pg, &p, 40, NULL, NULL, LK_TEXT);
	assert_int_equal(pg.n, 1);
	assert_line(&pg, 0, "hello world");

	page_clear(&pg);
	cells_clear(&p);
	add(&p, "系统\n调用");
	page_wrap(&pg, &p, 40, NULL, NULL, LK_TEXT);
	assert_int_equal(pg.n, 1);
	assert_line(&pg, 0, "系统调用");
	assert_int_equal(pg.v[0].cols, 8);

	/* a typed space between Chinese characters stays */
	page_clear(&pg);
	cells_clear(&p);
	add(&p, "系统 调用");
	page_wrap(&pg, &p, 40, NULL, NULL, LK_TEXT);
	assert_line(&pg, 0, "系统 调用");

	/* a hard break starts a new line, indented like the others */
	page_clear(&pg);
	cells_clear(&p);
	add(&p, "one");
	cells_add_ch(&p, CH_HARDBREAK, S_TEXT);
	add(&p, "two");
	{
		struct cells	pre = { 0 };

		add(&pre, "-> ");
		page_wrap(&pg, &p, 40, &pre, NULL, LK_TEXT);
		cells_free(&pre);
	}
	assert_int_equal(pg.n, 2);
	assert_line(&pg, 0, "-> one");
	assert_line(&pg, 1, "   two");

	page_free(&pg);
	cells_free(&p);
}

/* Chinese text breaks between characters, never before "，" or "。". */
static void
test_wrap_chinese(void **state)
{
	struct page	pg = { 0 };
	struct cells	p = { 0 };

	add(&p, "一二三四五六七八九十");
	page_wrap(&pg, &p, 9, NULL, NULL, LK_TEXT);
	assert_int_equal(pg.n, 3);
	assert_line(&pg, 0, "一二三四");
	assert_line(&pg, 1, "五六七八");
	assert_line(&pg, 2, "九十");

	/* "四，" would start the second line with "，": "四" goes along */
	page_clear(&pg);
	cells_clear(&p);
	add(&p, "一二三四，五六");
	page_wrap(&pg, &p, 8, NULL, NULL, LK_TEXT);
	assert_line(&pg, 0, "一二三");
	assert_line(&pg, 1, "四，五六");

	page_clear(&pg);
	cells_clear(&p);
	add(&p, "一二三。");
	page_wrap(&pg, &p, 6, NULL, NULL, LK_TEXT);
	assert_line(&pg, 0, "一二");
	assert_line(&pg, 1, "三。");

	page_free(&pg);
	cells_free(&p);
}

/* Prefix on the first line, its width as indent after; the margin on
 * every line. */
static void
test_wrap_prefix_and_margin(void **state)
{
	struct page	 pg = { 0 };
	struct cells	 p = { 0 }, pre = { 0 }, mar = { 0 };

	add(&p, "alpha beta gamma delta epsilon zeta eta theta");
	add(&pre, "•  ");
	cells_add(&mar, "┃ ", strlen("┃ "), S_ERRATUM);
	page_wrap(&pg, &p, 20, &pre, &mar, LK_ERRATUM);
	assert_true(pg.n >= 3);
	assert_line(&pg, 0, "┃ •  alpha beta");
	assert_line(&pg, 1, "┃    gamma delta");
	for (int i = 0; i < pg.n; i++) {
		char	*s = line_text(&pg, i);

		const char	*want = i ? "┃    " : "┃ •  ";

		assert_int_equal(strncmp(s, want, strlen(want)), 0);
		assert_int_equal(pg.v[i].c[0].style, S_ERRATUM);
		assert_int_equal(pg.v[i].kind, LK_ERRATUM);
		assert_true(pg.v[i].cols <= 20);
		free(s);
	}

	/* without a margin, later lines are indented by the prefix alone */
	page_clear(&pg);
	page_wrap(&pg, &p, 20, &pre, NULL, LK_TEXT);
	assert_line(&pg, 0, "•  alpha beta gamma");
	assert_line(&pg, 1, "   delta epsilon");

	page_free(&pg);
	cells_free(&p);
	cells_free(&pre);
	cells_free(&mar);
}

/* A word longer than the line is cut between characters, and a Chinese
 * character is never cut: a 2-column one does not go into 1 column. */
static void
test_wrap_long_word(void **state)
{
	struct page	pg = { 0 };
	struct cells	p = { 0 };

	/* it starts where it stands, and goes on on the next lines */
	add(&p, "ab abcdefghijklmnopqrstuvwxyz cd");
	page_wrap(&pg, &p, 10, NULL, NULL, LK_TEXT);
	assert_line(&pg, 0, "ab abcdefg");
	assert_line(&pg, 1, "hijklmnopq");
	assert_line(&pg, 2, "rstuvwxyz");
	assert_line(&pg, 3, "cd");
	assert_int_equal(pg.n, 4);

	page_clear(&pg);
	cells_clear(&p);
	add(&p, "abcd中文字");
	page_wrap(&pg, &p, 5, NULL, NULL, LK_TEXT);
	for (int i = 0; i < pg.n; i++)
		assert_true(pg.v[i].cols <= 5);
	assert_line(&pg, 0, "abcd");
	assert_line(&pg, 1, "中文");
	assert_line(&pg, 2, "字");

	page_free(&pg);
	cells_free(&p);
}

/* A line filled to the last column, then a word longer than a line: the
 * space before that word must not be put at the end of the full line. It
 * is (page_wrap emits the pending space before cutting the word), and the
 * line becomes width + 1 columns wide. */
static void
test_wrap_full_line_then_long_word(void **state)
{
	struct page	pg = { 0 };
	struct cells	p = { 0 };
	int		widest = 0, trailing = 0;

	add(&p, "abcdefghij ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	page_wrap(&pg, &p, 10, NULL, NULL, LK_TEXT);
	for (int i = 0; i < pg.n; i++) {
		if (pg.v[i].cols > widest)
			widest = pg.v[i].cols;
		if (pg.v[i].n > 0 && pg.v[i].c[pg.v[i].n - 1].ch == L' ')
			trailing++;
	}
	page_free(&pg);
	cells_free(&p);
	assert_int_equal(widest, 10);
	assert_int_equal(trailing, 0);
}

/* An over-long word that ends in "，" is cut so that the comma does not
 * open the next line, as it would be for a short word: layout.h promises
 * Chinese closing punctuation never starts a line. */
static void
test_wrap_long_word_then_comma(void **state)
{
	struct page	 pg = { 0 };
	struct cells	 p = { 0 };
	char		*first;
	int		 bad;

	/* 10 letters fill a line of 10 exactly; "，" comes next */
	add(&p, "abcdefghij，之后");
	page_wrap(&pg, &p, 10, NULL, NULL, LK_TEXT);
	first = pg.n > 1 ? line_text(&pg, 1) : xstrdup("");
	bad = strncmp(first, "，", strlen("，")) == 0;
	free(first);
	page_free(&pg);
	cells_free(&p);
	assert_false(bad);
}

/* ----------------------------------------------- page_wrap: properties */

static uint32_t rng_state;

static uint32_t
rng(void)
{
	/* xorshift32 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static const char *const hanzi[] = {
	"系", "统", "调", "用", "文", "件", "进", "程", "内", "核", "缓",
	"冲", "区", "读", "写", "打", "开", "关", "闭", "数", "据",
};

/* A paragraph: English words (some with "," or "."), Chinese runs (some
 * ending in "，" or "。"), over-long words; separated by spaces or soft
 * breaks, Chinese runs sometimes joined directly. */
static char *
gen_paragraph(void)
{
	size_t	 cap = 4096, len = 0;
	char	*s = xmalloc(cap);
	int	 ntok = 1 + (int)(rng() % 40), prev_zh = 0;

	s[0] = '\0';
#define PUT(str) do {							\
	size_t n_ = strlen(str);					\
	if (len + n_ + 1 > cap)						\
		s = xrealloc(s, cap = (len + n_ + 1) * 2);		\
	memcpy(s + len, str, n_ + 1);					\
	len += n_;							\
} while (0)
	for (int t = 0; t < ntok; t++) {
		int	kind = (int)(rng() % 10);
		int	zh = kind >= 5 && kind <= 8;

		if (t > 0) {
			int	sep = (int)(rng() % 4);

			if (zh && prev_zh && sep == 0)
				;	/* joined */
			else if (sep == 1)
				PUT("\n");
			else if (sep == 2 && rng() % 4 == 0)
				PUT("   ");
			else
				PUT(" ");
		}
		if (kind < 5) {
			int	n = 1 + (int)(rng() % 9);

			for (int i = 0; i < n; i++) {
				char	ch[2] = { (char)('a' + rng() % 26), 0 };

				PUT(ch);
			}
			if (rng() % 6 == 0)
				PUT(rng() % 2 ? "," : ".");
		} else if (zh) {
			int	n = 1 + (int)(rng() % 6);

			for (int i = 0; i < n; i++)
				PUT(hanzi[rng() % (sizeof hanzi / sizeof hanzi[0])]);
			if (rng() % 3 == 0)
				PUT(rng() % 2 ? "，" : "。");
		} else {
			int	n = 15 + (int)(rng() % 60);

			for (int i = 0; i < n; i++) {
				char	ch[2] = { (char)('A' + rng() % 26), 0 };

				PUT(ch);
			}
		}
		prev_zh = zh;
	}
#undef PUT
	return s;
}

static int
is_closing(wchar_t ch)
{
	return ch == L'，' || ch == L'。';
}

static int
is_sp(wchar_t ch)
{
	return ch == L' ' || ch == CH_SOFTBREAK;
}

/* Width of the token of para that starts at k, as the wrapper sees it: a
 * run of narrow characters or one wide one, with closing punctuation. */
static int
token_width(const struct cells *p, int k)
{
	int	j = k, w = 0;

	if (p->c[j].width == 2)
		w += p->c[j++].width;
	else
		while (j < p->n && !is_sp(p->c[j].ch) && p->c[j].width == 1)
			w += p->c[j++].width;
	while (j < p->n && p->c[j].width == 2 && is_closing(p->c[j].ch))
		w += p->c[j++].width;
	return w;
}

struct wrap_case {
	const char	*para;
	int		 width;
	const char	*prefix, *margin;
};

/* The properties, and for each how often it was broken and the first
 * case that broke it. */
enum prop {
	P_WIDTH, P_WIDTH_TEXT, P_COLS, P_LEAD, P_TEXT, P_SPACE_START,
	P_PUNCT, P_GREEDY, P_WORD, P_EMPTY, P_CELL, P_COUNT
};

static const char *const prop_name[P_COUNT] = {
	[P_WIDTH] = "a line is wider than the width",
	[P_WIDTH_TEXT] = ("a line's text (trailing spaces left out) is wider "
	    "than the width"),
	[P_COLS] = "a line's cols is not the sum of its cells' widths",
	[P_LEAD] = "the margin, the prefix or the indent is missing",
	[P_TEXT] = "text was lost or reordered",
	[P_SPACE_START] = "a line's text starts with a space",
	[P_PUNCT] = "closing punctuation (，。) starts a line",
	[P_GREEDY] = "a token that fit on a line was put on the next one",
	[P_WORD] = "a word that fits on a line was broken",
	[P_EMPTY] = "an empty continuation line",
	[P_CELL] = "a cell of width other than 1 or 2, or a wrong kind",
};

static struct {
	int	 count;
	char	*first;
} broken[P_COUNT];

static void
record(enum prop what, const struct wrap_case *wc, const struct page *pg,
    int line)
{
	char	*text;

	if (broken[what].count++ > 0)
		return;
	text = page_text(pg);
	broken[what].first = xasprintf("line %d; width %d, prefix \"%s\", "
	    "margin \"%s\"\nparagraph: \"%s\"\nwrapped:\n%s", line, wc->width,
	    wc->prefix ? wc->prefix : "", wc->margin ? wc->margin : "",
	    wc->para, text);
	free(text);
}

/* Wrap wc and check every property, recording what is broken. */
static void
check_wrap(const struct wrap_case *wc)
{
	struct page	 pg = { 0 };
	struct cells	 para = { 0 }, pre = { 0 }, mar = { 0 };
	int		*line_of = NULL, k, nlead, avail;
	int		 pre_w, mar_w;

	add(&para, wc->para);
	if (wc->prefix)
		add(&pre, wc->prefix);
	if (wc->margin)
		add(&mar, wc->margin);
	pre_w = cells_cols(pre.c, pre.n);
	mar_w = cells_cols(mar.c, mar.n);
	avail = wc->width - pre_w - mar_w;
	page_wrap(&pg, &para, wc->width, wc->prefix ? &pre : NULL,
	    wc->margin ? &mar : NULL, LK_TEXT);
	if (pg.n < 1) {
		record(P_TEXT, wc, &pg, 0);
		goto out;
	}

	/* line_of[k]: the line that para cell k went to (-1: a space) */
	line_of = xcalloc(para.n + 1, sizeof *line_of);
	for (k = 0; k < para.n; k++)
		line_of[k] = -1;
	k = 0;
	for (int i = 0; i < pg.n; i++) {
		const struct line	*ln = &pg.v[i];

		int	 trimmed = ln->n;

		while (trimmed > 0 && ln->c[trimmed - 1].ch == L' ')
			trimmed--;
		if (cells_cols(ln->c, ln->n) != ln->cols)
			record(P_COLS, wc, &pg, i);
		if (ln->cols > wc->width)
			record(P_WIDTH, wc, &pg, i);
		if (cells_cols(ln->c, trimmed) > wc->width)
			record(P_WIDTH_TEXT, wc, &pg, i);
		if (ln->kind != LK_TEXT)
			record(P_CELL, wc, &pg, i);
		/* margin, then the prefix or as many spaces */
		for (int m = 0; m < mar.n; m++)
			if (m >= ln->n || ln->c[m].ch != mar.c[m].ch)
				record(P_LEAD, wc, &pg, i);
		for (int m = 0; m < pre.n; m++)
			if (mar.n + m >= ln->n || ln->c[mar.n + m].ch !=
			    (i == 0 ? pre.c[m].ch : L' '))
				record(P_LEAD, wc, &pg, i);
		nlead = mar.n + pre.n;
		if (i > 0 && ln->n <= nlead)
			record(P_EMPTY, wc, &pg, i);
		if (ln->n > nlead && ln->c[nlead].ch == L' ')
			record(P_SPACE_START, wc, &pg, i);
		for (int m = nlead; m < ln->n; m++) {
			if (ln->c[m].width != 1 && ln->c[m].width != 2)
				record(P_CELL, wc, &pg, i);
			if (ln->c[m].ch == L' ')
				continue;
			while (k < para.n && is_sp(para.c[k].ch))
				k++;
			if (k >= para.n || para.c[k].ch != ln->c[m].ch) {
				record(P_TEXT, wc, &pg, i);
				goto out;
			}
			line_of[k++] = i;
		}
	}
	while (k < para.n && is_sp(para.c[k].ch))
		k++;
	if (k != para.n) {
		record(P_TEXT, wc, &pg, pg.n - 1);
		goto out;
	}

	for (k = 0; k < para.n; k++) {
		int	tw, l = line_of[k];

		if (l < 0)
			continue;
		/* the first thing on a continuation line */
		if (l > 0 && (k == 0 || line_of[k - 1] != l) &&
		    (k == 0 || is_sp(para.c[k - 1].ch) ||
		    para.c[k - 1].width == 2 || para.c[k].width == 2)) {
			int	j = k - 1;

			while (j >= 0 && line_of[j] < 0)
				j--;
			if (j < 0 || line_of[j] != l - 1)
				continue;
			/* it starts a token: had it fit, it would be on the
			 * line before (with a space at most) */
			tw = token_width(&para, k);
			if (tw <= avail && pg.v[l - 1].cols + 1 + tw <=
			    wc->width)
				record(P_GREEDY, wc, &pg, l);
		}
		/* no closing punctuation at the start of a line */
		if (l > 0 && is_closing(para.c[k].ch) &&
		    (k == 0 || line_of[k - 1] != l))
			record(P_PUNCT, wc, &pg, l);
		/* a word that fits a line is not broken */
		if (para.c[k].width == 1 && (k == 0 || is_sp(para.c[k - 1].ch) ||
		    para.c[k - 1].width == 2)) {
			int	j = k;

			tw = token_width(&para, k);
			while (j < para.n && !is_sp(para.c[j].ch) &&
			    para.c[j].width == 1)
				j++;
			if (tw <= avail && line_of[j - 1] != l)
				record(P_WORD, wc, &pg, l);
		}
	}

out:
	free(line_of);
	page_free(&pg);
	cells_free(&para);
	cells_free(&pre);
	cells_free(&mar);
}

static void
test_wrap_properties(void **state)
{
	static const struct {
		const char	*prefix, *margin;
	} leads[] = {
		{ NULL, NULL },
		{ "•  ", NULL },
		{ "12. ", "┃ " },
		{ NULL, "┃ " },
	};
	int	cases = 0, failed = 0;

	memset(broken, 0, sizeof broken);
	rng_state = 0x5eed1234;
	for (int n = 0; n < 300; n++) {
		char	*para = gen_paragraph();

		for (int width = 10; width <= 80; width++) {
			struct wrap_case	wc = { para, width,
			    leads[n % 4].prefix, leads[n % 4].margin };

			check_wrap(&wc);
			cases++;
		}
		free(para);
	}
	assert_int_equal(cases, 300 * 71);
	/* every property is reported, with its first counterexample */
	for (int p = 0; p < P_COUNT; p++) {
		if (broken[p].count == 0)
			continue;
		print_error("BROKEN in %d of %d cases: %s\nfirst: %s\n",
		    broken[p].count, cases, prop_name[p], broken[p].first);
		free(broken[p].first);
		failed++;
	}
	assert_int_equal(failed, 0);
}

/* ------------------------------------------------------------ page_code */

static void
test_code_cut(void **state)
{
	struct page	pg = { 0 };
	struct cells	code = { 0 }, mar = { 0 };

	add(&code, "0123456789abcdefghij");
	add(&mar, "┃ ");
	page_code(&pg, &code, 10, &mar, LK_CODE);
	assert_int_equal(pg.n, 3);
	assert_line(&pg, 0, "┃ 01234567");
	assert_line(&pg, 1, "┃   89abcd");
	assert_line(&pg, 2, "┃   efghij");
	for (int i = 0; i < pg.n; i++) {
		assert_true(pg.v[i].cols <= 10);
		assert_int_equal(pg.v[i].kind, LK_CODE);
	}

	/* spaces inside code are kept as they are */
	page_clear(&pg);
	cells_clear(&code);
	add(&code, "    if x:  pass");
	page_code(&pg, &code, 40, NULL, LK_CODE);
	assert_int_equal(pg.n, 1);
	assert_line(&pg, 0, "    if x:  pass");

	/* a wide character is not cut: it goes whole to the next piece */
	page_clear(&pg);
	cells_clear(&code);
	add(&code, "a中文字符");
	page_code(&pg, &code, 8, NULL, LK_CODE);
	assert_line(&pg, 0, "a中文字");
	assert_line(&pg, 1, "  符");
	for (int i = 0; i < pg.n; i++)
		assert_true(pg.v[i].cols <= 8);

	/* an empty line of code is still a line */
	page_clear(&pg);
	cells_clear(&code);
	page_code(&pg, &code, 40, &mar, LK_ERRATUM);
	assert_int_equal(pg.n, 1);
	assert_line(&pg, 0, "┃");
	assert_int_equal(pg.v[0].kind, LK_ERRATUM);

	page_free(&pg);
	cells_free(&code);
	cells_free(&mar);
}

/* Long random lines: every piece fits and nothing is lost. */
static void
test_code_cut_properties(void **state)
{
	rng_state = 0xc0de;
	for (int n = 0; n < 100; n++) {
		struct cells	 code = { 0 };
		struct page	 pg = { 0 };
		int		 len = (int)(rng() % 200), total = 0, got = 0;

		for (int i = 0; i < len; i++) {
			if (rng() % 3 == 0)
				cells_add_ch(&code, L'中', S_TEXT);
			else
				cells_add_ch(&code, L'a' + rng() % 26, S_TEXT);
		}
		total = code.n;
		for (int width = 8; width <= 60; width += 3) {
			page_clear(&pg);
			page_code(&pg, &code, width, NULL, LK_CODE);
			got = 0;
			for (int i = 0; i < pg.n; i++) {
				assert_true(pg.v[i].cols <= width);
				assert_int_equal(cells_cols(pg.v[i].c,
				    pg.v[i].n), pg.v[i].cols);
				if (i > 0) {
					assert_int_equal(pg.v[i].c[0].ch, L' ');
					assert_int_equal(pg.v[i].c[1].ch, L' ');
					got -= 2;
				}
				got += pg.v[i].n;
			}
			assert_int_equal(got, total);
		}
		page_free(&pg);
		cells_free(&code);
	}
}

/* Opening punctuation never ends a line: it goes down with what follows. */
static void
test_wrap_opening_punct(void **state)
{
	struct page pg = { 0 };
	struct cells cs = { 0 };
	const char *s = "一二三（四五）";

	cells_add(&cs, s, strlen(s), S_TEXT);
	page_wrap(&pg, &cs, 8, NULL, NULL, LK_TEXT);
	assert_int_equal(pg.n, 2);
	assert_line(&pg, 0, "一二三");
	assert_line(&pg, 1, "（四五）");
	page_free(&pg);
	cells_free(&cs);
}

/* A preformatted line (a table of commands) keeps its spaces, breaks at a
 * space, and hangs continued lines at the second column. */
static void
test_page_hang(void **state)
{
	struct page pg = { 0 };
	struct cells cs = { 0 };
	const char *row = "  list  (ls)      the lessons with your progress and more";

	cells_add(&cs, row, strlen(row), S_TEXT);
	page_hang(&pg, &cs, 40);
	assert_int_equal(pg.n, 2);
	assert_line(&pg, 0, "  list  (ls)      the lessons with your");
	assert_line(&pg, 1, "                  progress and more");
	for (int i = 0; i < pg.n; i++)
		assert_true(pg.v[i].cols <= 40);
	page_free(&pg);

	/* no second column: continued lines keep the indentation */
	cells_clear(&cs);
	cells_add(&cs, "  a bb ccc dddd eeeee ffffff", 28, S_TEXT);
	page_hang(&pg, &cs, 12);
	for (int i = 0; i < pg.n; i++) {
		assert_true(pg.v[i].cols <= 12);
		assert_int_equal(pg.v[i].c[0].ch, L' ');
		assert_int_equal(pg.v[i].c[1].ch, L' ');
		assert_true(pg.v[i].c[2].ch != L' ');
	}
	page_free(&pg);
	cells_free(&cs);
}

static void
test_page_blank(void **state)
{
	struct page	pg = { 0 };
	struct cells	p = { 0 };

	page_blank(&pg, NULL, LK_TEXT);
	assert_int_equal(pg.n, 0);	/* not at the top */
	add(&p, "x");
	page_wrap(&pg, &p, 20, NULL, NULL, LK_TEXT);
	page_blank(&pg, NULL, LK_TEXT);
	page_blank(&pg, NULL, LK_TEXT);
	assert_int_equal(pg.n, 2);	/* not two in a row */
	assert_line(&pg, 1, "");
	page_free(&pg);
	cells_free(&p);
}

/* ------------------------------------------------------------ highlight */

/* One letter per cell: . text, k keyword, s string, c comment, n number. */
static char *
hl(enum hl_lang lang, const char *src, int *st)
{
	struct cells	 cs = { 0 };
	char		*out;

	add(&cs, src);
	for (int i = 0; i < cs.n; i++)
		cs.c[i].style = S_BOLD;		/* all overwritten */
	highlight_line(lang, cs.c, cs.n, st);
	out = xmalloc(cs.n + 1);
	for (int i = 0; i < cs.n; i++) {
		switch (cs.c[i].style) {
		case S_TEXT:	out[i] = '.'; break;
		case S_KEYWORD:	out[i] = 'k'; break;
		case S_STRING:	out[i] = 's'; break;
		case S_COMMENT:	out[i] = 'c'; break;
		case S_NUMBER:	out[i] = 'n'; break;
		default:	out[i] = '?'; break;
		}
	}
	out[cs.n] = '\0';
	cells_free(&cs);
	return out;
}

static void
assert_hl(enum hl_lang lang, const char *src, int *st, const char *want)
{
	char	*got = hl(lang, src, st);

	if (strcmp(got, want) != 0)
		print_error("highlighting \"%s\"\n  got  %s\n  want %s\n", src,
		    got, want);
	assert_string_equal(got, want);
	free(got);
}

static void
test_hl_lang_of(void **state)
{
	assert_int_equal(hl_lang_of("python"), HL_PYTHON);
	assert_int_equal(hl_lang_of("py"), HL_PYTHON);
	assert_int_equal(hl_lang_of("python3"), HL_PYTHON);
	assert_int_equal(hl_lang_of("python {.x}"), HL_PYTHON);
	assert_int_equal(hl_lang_of("c"), HL_C);
	assert_int_equal(hl_lang_of("h"), HL_C);
	assert_int_equal(hl_lang_of("sh"), HL_SH);
	assert_int_equal(hl_lang_of("bash"), HL_SH);
	assert_int_equal(hl_lang_of("console"), HL_SH);
	assert_int_equal(hl_lang_of("text"), HL_NONE);
	assert_int_equal(hl_lang_of("cpp"), HL_NONE);
	assert_int_equal(hl_lang_of("pythonista"), HL_NONE);
	assert_int_equal(hl_lang_of(""), HL_NONE);
	assert_int_equal(hl_lang_of(NULL), HL_NONE);
}

static void
test_hl_python(void **state)
{
	int	st = 0;

	assert_hl(HL_PYTHON, "def f(x): return 42  # hi", &st,
	    /*     def f(x): return 42  # hi */
	    /**/  "kkk.......kkkkkk.nn..cccc");
	assert_hl(HL_PYTHON, "x = 'a\\'b' + \"c#\" + 3.5", &st,
	    /*     x = 'a\'b' + "c#" + 3.5 */
	    /**/  "....ssssss...ssss...nnn");
	assert_hl(HL_PYTHON, "# a comment with def and 'q'", &st,
	    "cccccccccccccccccccccccccccc");
	assert_hl(HL_PYTHON, "import os  # x", &st,
	    /*     import os  # x */
	    /**/  "kkkkkk.....ccc");
	assert_hl(HL_PYTHON, "x1 = 0x1f", &st,
	    /*     x1 = 0x1f */
	    /**/  ".....nnnn");
	assert_hl(HL_PYTHON, "define_if = None", &st,
	    /*     define_if = None */
	    /**/  "............kkkk");
	assert_hl(HL_PYTHON, "if not self.ok: pass", &st,
	    /*     if not self.ok: pass */
	    /**/  "kk.kkk.kkkk.....kkkk");
	assert_int_equal(st, 0);
}

static void
test_hl_python_bytes_prefix(void **state)
{
	int	st = 0;

	assert_hl(HL_PYTHON, "y = b'\\x00'", &st,
	    /*     y = b'\x00' */
	    /**/  "....sssssss");
	assert_hl(HL_PYTHON, "p = r\"\\d+\"", &st,
	    /*     p = r"\d+" */
	    /**/  "....ssssss");
	/* the b of a longer word is not a prefix */
	assert_hl(HL_PYTHON, "ab'x'", &st, "..sss");
	assert_int_equal(st, 0);
}

static void
test_hl_python_triple(void **state)
{
	int	st = 0;

	assert_hl(HL_PYTHON, "s = \"\"\"doc", &st,
	    /*     s = """doc */
	    /**/  "....ssssss");
	assert_int_not_equal(st, 0);
	assert_hl(HL_PYTHON, "still # not a comment 'x'", &st,
	    "sssssssssssssssssssssssss");
	assert_int_not_equal(st, 0);
	/* ''' does not close """ */
	assert_hl(HL_PYTHON, "'''", &st, "sss");
	assert_int_not_equal(st, 0);
	assert_hl(HL_PYTHON, "end\"\"\" + 1", &st,
	    /*     end""" + 1 */
	    /**/  "ssssss...n");
	assert_int_equal(st, 0);

	assert_hl(HL_PYTHON, "'''one line''' if", &st,
	    /*     '''one line''' if */
	    /**/  "ssssssssssssss.kk");
	assert_int_equal(st, 0);
	assert_hl(HL_PYTHON, "x = '''", &st, "....sss");
	assert_int_not_equal(st, 0);
	/* only ''' closes what ''' opened */
	assert_hl(HL_PYTHON, "a\"\"\"b'''c", &st, "ssssssss.");
	assert_int_equal(st, 0);
	assert_hl(HL_PYTHON, "return", &st, "kkkkkk");
}

static void
test_hl_c(void **state)
{
	int	st = 0;

	assert_hl(HL_C, "#include <stdio.h>", &st,
	    /*     #include <stdio.h> */
	    /**/  "kkkkkkkk..........");
	assert_hl(HL_C, "#define N 10", &st,
	    /*     #define N 10 */
	    /**/  "kkkkkkk...nn");
	assert_hl(HL_C, "x = 1; // note", &st,
	    /*     x = 1; // note */
	    /**/  "....n..ccccccc");
	assert_hl(HL_C, "char *s = \"// no\";", &st,
	    /*     char *s = "// no"; */
	    /**/  "kkkk......sssssss.");
	/* # is not a comment in C */
	assert_hl(HL_C, "a # b", &st, ".....");
	assert_hl(HL_C, "int a; /* c */ return a;", &st,
	    /*     int a; /+ c +/ return a; */
	    /**/  "kkk....ccccccc.kkkkkk...");
	assert_int_equal(st, 0);
}

static void
test_hl_c_block_comment(void **state)
{
	int	st = 0;

	assert_hl(HL_C, "int x; /* start", &st,
	    /*     int x; /+ start */
	    /**/  "kkk....cccccccc");
	assert_int_not_equal(st, 0);
	assert_hl(HL_C, "middle \"q\" return // 1", &st,
	    "cccccccccccccccccccccc");
	assert_int_not_equal(st, 0);
	assert_hl(HL_C, "", &st, "");
	assert_int_not_equal(st, 0);
	assert_hl(HL_C, "end */ return 0;", &st,
	    /*     end +/ return 0; */
	    /**/  "cccccc.kkkkkk.n.");
	assert_int_equal(st, 0);
	/* "/\*" then "/" is not a close */
	assert_hl(HL_C, "/*/", &st, "ccc");
	assert_int_not_equal(st, 0);
	assert_hl(HL_C, "*/", &st, "cc");
	assert_int_equal(st, 0);
}

static void
test_hl_sh_and_none(void **state)
{
	int	st = 0;

	assert_hl(HL_SH, "echo $HOME # c", &st,
	    /*     echo $HOME # c */
	    /**/  "kkkk.......ccc");
	assert_hl(HL_NONE, "def if # 'x' 1", &st, "..............");
	assert_int_equal(st, 0);
}

/* --------------------------------------------------------------- render */

static const char render_lesson[] =
	"# Render me\n"
	"\n"
	"Summary.\n"
	"\n"
	"## First step\n"
	"\n"
	"Plain paragraph with **bold** and `code`, a &amp; b.\n"
	"\n"
	"- apple\n"
	"- banana\n"
	"  - nested\n"
	"\n"
	"3. three\n"
	"3. four\n"
	"3. five\n"
	"\n"
	"```python\n"
	"def f(x):\n"
	"    return x + 1  # one\n"
	"```\n"
	"\n"
	"```c\n"
	"int fd = open(\"a\", O_RDONLY);\n"
	"```\n"
	"\n"
	"::: erratum\n"
	"The notes are wrong: **really** wrong, and this sentence is long "
	"enough to wrap at any width.\n"
	"\n"
	"```python\n"
	"f = open('x')\n"
	"```\n"
	":::\n"
	"\n"
	"::: demo open-file\n"
	"::: exercise files/01-open\n"
	"## Second\n"
	"Text.\n";

static void
parse_render_lesson(struct lesson_text *t)
{
	char	*cause = NULL;

	assert_int_equal(lesson_parse(render_lesson, t, &cause), 0);
	assert_null(cause);
	assert_int_equal(t->nsteps, 2);
}

/* Every line fits the width, measured both ways. */
static void
assert_page_fits(const struct page *pg, int width)
{
	for (int i = 0; i < pg->n; i++) {
		char	*s = line_utf8(&pg->v[i]);

		if (pg->v[i].cols > width || text_width(s) > width)
			print_error("line %d wider than %d: \"%s\"\n", i,
			    width, s);
		assert_true(pg->v[i].cols <= width);
		assert_true(text_width(s) <= width);
		free(s);
	}
}

/* The heading of a step: "N/TOTAL  Title", in the title style. */
static void
test_render_step_title_style(void **state)
{
	struct lesson_text	t;
	struct page		pg = { 0 };

	parse_render_lesson(&t);
	render_step(&pg, &t, 1, LANG_EN, 60);
	assert_true(find_line_prefix(&pg, 0, "2/2") == 0);
	assert_int_equal(pg.v[0].c[0].style, S_TITLE);
	assert_int_equal(pg.v[0].c[pg.v[0].n - 1].style, S_TITLE);
	assert_true(find_line(&pg, 1, "Text.") > 0);
	page_free(&pg);
	lesson_text_free(&t);
}

/* The heading is "N/TOTAL · Title". */
static void
test_render_step_title(void **state)
{
	struct lesson_text	 t;
	struct page		 pg = { 0 };
	char			*first;
	int			 ok;

	parse_render_lesson(&t);
	render_step(&pg, &t, 1, LANG_EN, 60);
	first = line_text(&pg, 0);
	page_free(&pg);
	lesson_text_free(&t);
	ok = strcmp(first, "2/2 · Second") == 0;
	if (!ok)
		print_error("title line: \"%s\"\n", first);
	free(first);
	assert_true(ok);
}

static void
test_render_step_parts(void **state)
{
	struct lesson_text	 t;
	struct page		 pg = { 0 };
	int			 i, label, py, c, demo, ex;

	parse_render_lesson(&t);
	render_step(&pg, &t, 0, LANG_EN, 60);

	assert_true(find_line_prefix(&pg, 0, "1/2") == 0);
	assert_true(find_line(&pg, 0,
	    "Plain paragraph with bold and code, a & b.") > 0);

	/* lists: bullets, nesting, numbers from the start on */
	assert_true(find_line(&pg, 0, "•  apple") > 0);
	i = find_line(&pg, 0, "•  banana");
	assert_true(i > 0);
	assert_int_equal(find_line(&pg, 0, "   ◦  nested"), i + 1);
	i = find_line(&pg, 0, "3. three");
	assert_true(i > 0);
	assert_int_equal(find_line(&pg, 0, "4. four"), i + 1);
	assert_int_equal(find_line(&pg, 0, "5. five"), i + 2);

	/* code: a label, then the lines indented and of kind code */
	py = find_line(&pg, 0, "── Python");
	assert_true(py > 0);
	assert_int_equal(pg.v[py].c[0].style, S_LABEL);
	assert_int_equal(find_line(&pg, py, "  def f(x):"), py + 1);
	assert_int_equal(find_line(&pg, py,
	    "      return x + 1  # one"), py + 2);
	assert_int_equal(pg.v[py + 1].kind, LK_CODE);
	/* "def" is highlighted as a keyword */
	assert_int_equal(pg.v[py + 1].c[2].ch, L'd');
	assert_int_equal(pg.v[py + 1].c[2].style, S_KEYWORD);
	c = find_line(&pg, py, "── C: underneath");
	assert_true(c > py);
	assert_int_equal(find_line(&pg, c,
	    "  int fd = open(\"a\", O_RDONLY);"), c + 1);
	assert_int_equal(pg.v[c + 1].kind, LK_CODE);

	/* the erratum: a label, and every line of it in the box */
	label = find_line(&pg, c, "┃ The notes are wrong here");
	assert_true(label > c);
	assert_int_equal(pg.v[label].kind, LK_ERRATUM);
	assert_true(find_line(&pg, label, "┃ ── Python") > label);
	assert_true(find_line(&pg, label, "┃   f = open('x')") > label);
	for (i = 0; i < pg.n; i++) {
		char	*s = line_utf8(&pg.v[i]);

		if (pg.v[i].kind == LK_ERRATUM)
			assert_int_equal(strncmp(s, "┃", strlen("┃")), 0);
		else
			assert_int_not_equal(strncmp(s, "┃", strlen("┃")), 0);
		free(s);
	}
	assert_true(find_line_prefix(&pg, label, "┃ The notes are wrong: "
	    "really wrong,") > label);

	/* directives, after the erratum, in order */
	demo = find_line_prefix(&pg, label, "▶ Live demo \"open-file\"");
	ex = find_line_prefix(&pg, label, "✎ Exercise \"files/01-open\"");
	assert_true(demo > label);
	assert_true(ex > demo);
	assert_int_equal(pg.v[demo].kind, LK_TEXT);
	assert_int_equal(pg.v[demo].c[0].style, S_DIRECTIVE);

	assert_page_fits(&pg, 60);
	page_free(&pg);
	lesson_text_free(&t);
}

static void
test_render_step_chinese(void **state)
{
	struct lesson_text	t;
	struct page		pg = { 0 };

	parse_render_lesson(&t);
	render_step(&pg, &t, 0, LANG_ZH, 60);
	assert_true(find_line(&pg, 0, "┃ 笔记这里有误") > 0);
	assert_true(find_line(&pg, 0, "── C：底层") > 0);
	assert_true(find_line_prefix(&pg, 0, "▶ 现场演示“open-file”") > 0);
	assert_true(find_line_prefix(&pg, 0, "✎ 练习“files/01-open”") > 0);
	assert_page_fits(&pg, 60);
	page_free(&pg);
	lesson_text_free(&t);
}

/* At every width, nothing is wider than the width. */
static void
test_render_step_widths(void **state)
{
	struct lesson_text	t;

	parse_render_lesson(&t);
	for (int width = 20; width <= 100; width++)
		for (int l = 0; l < LANG_COUNT; l++)
			for (int s = 0; s < t.nsteps; s++) {
				struct page	pg = { 0 };

				render_step(&pg, &t, s, l, width);
				assert_true(pg.n > 1);
				assert_page_fits(&pg, width);
				page_free(&pg);
			}
	lesson_text_free(&t);
}

/* Ordered lists number from their start, whatever the source says next;
 * nested lists are indented under their item's text. */
static void
test_render_lists(void **state)
{
	struct page	pg = { 0 };
	int		i;

	render_markdown(&pg,
	    "7. seven\n"
	    "7. eight\n"
	    "\n"
	    "para\n"
	    "\n"
	    "- loose one\n"
	    "\n"
	    "- loose two\n"
	    "\n"
	    "text\n"
	    "\n"
	    "1. outer\n"
	    "   1. inner\n"
	    "   2. inner two\n"
	    "2. outer two\n", 40, NULL, LK_TEXT, LANG_EN);
	assert_line(&pg, 0, "7. seven");
	assert_int_equal(pg.v[0].c[0].style, S_DIM);
	assert_line(&pg, 1, "8. eight");
	i = find_line(&pg, 0, "para");
	assert_int_equal(find_line(&pg, 0, ""), i - 1);
	/* a loose list has blank lines between its items */
	i = find_line(&pg, 0, "•  loose one");
	assert_true(i > 0);
	assert_line(&pg, i + 1, "");
	assert_line(&pg, i + 2, "•  loose two");
	i = find_line(&pg, 0, "1. outer");
	assert_true(i > 0);
	assert_line(&pg, i + 1, "   1. inner");
	assert_line(&pg, i + 2, "   2. inner two");
	assert_line(&pg, i + 3, "2. outer two");
	assert_int_equal(pg.n, i + 4);
	page_free(&pg);
}

/* A tight list is set off from what comes before it by a blank line, as it
 * is from what follows it, and as paragraphs are. It is not: flush_para()
 * leaves out the blank line before every item of a tight list, the first
 * one included, so "para" and "•  a" touch, and two lists run together. */
static void
test_render_blank_before_tight_list(void **state)
{
	struct page	 pg = { 0 };
	char		*got;
	int		 ok;

	render_markdown(&pg, "para\n\n- a\n- b\n\nafter\n\n1. x\n2. y\n",
	    40, NULL, LK_TEXT, LANG_EN);
	got = page_text(&pg);
	page_free(&pg);
	ok = strcmp(got, "para\n\n•  a\n•  b\n\nafter\n\n1. x\n2. y\n") == 0;
	if (!ok)
		print_error("rendered:\n%s", got);
	free(got);
	assert_true(ok);
}

/* A long list item wraps under its text, not under its bullet; a margin
 * goes before the bullet. */
static void
test_render_list_wrap_in_margin(void **state)
{
	struct page	 pg = { 0 };
	struct cells	 mar = { 0 };

	add(&mar, "┃ ");
	render_markdown(&pg, "- one two three four five six seven\n", 16,
	    &mar, LK_ERRATUM, LANG_EN);
	assert_line(&pg, 0, "┃ •  one two");
	assert_line(&pg, 1, "┃    three four");
	for (int i = 0; i < pg.n; i++)
		assert_int_equal(pg.v[i].kind, LK_ERRATUM);
	assert_page_fits(&pg, 16);
	page_free(&pg);
	cells_free(&mar);
}

static void
test_render_heading_and_rule(void **state)
{
	struct page	pg = { 0 };

	render_markdown(&pg, "### Sub heading\n\ntext\n\n---\n", 15, NULL,
	    LK_TEXT, LANG_EN);
	assert_line(&pg, 0, "Sub heading");
	assert_int_equal(pg.v[0].c[0].style, S_BOLD);
	assert_line(&pg, 1, "");
	assert_line(&pg, 2, "text");
	assert_true(find_line_prefix(&pg, 3, "───────────────") > 2);
	assert_page_fits(&pg, 15);
	page_free(&pg);
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells_widths),
		cmocka_unit_test(test_cells_tabs),
		cmocka_unit_test(test_cells_invalid_utf8),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_line_utf8),
		cmocka_unit_test(test_wrap_simple),
		cmocka_unit_test(test_wrap_soft_breaks),
		cmocka_unit_test(test_wrap_chinese),
		cmocka_unit_test(test_wrap_prefix_and_margin),
		cmocka_unit_test(test_wrap_long_word),
		cmocka_unit_test(test_wrap_full_line_then_long_word),
		cmocka_unit_test(test_wrap_long_word_then_comma),
		cmocka_unit_test(test_wrap_properties),
		cmocka_unit_test(test_code_cut),
		cmocka_unit_test(test_code_cut_properties),
		cmocka_unit_test(test_wrap_opening_punct),
		cmocka_unit_test(test_page_hang),
		cmocka_unit_test(test_page_blank),
		cmocka_unit_test(test_hl_lang_of),
		cmocka_unit_test(test_hl_python),
		cmocka_unit_test(test_hl_python_bytes_prefix),
		cmocka_unit_test(test_hl_python_triple),
		cmocka_unit_test(test_hl_c),
		cmocka_unit_test(test_hl_c_block_comment),
		cmocka_unit_test(test_hl_sh_and_none),
		cmocka_unit_test(test_render_step_title_style),
		cmocka_unit_test(test_render_step_title),
		cmocka_unit_test(test_render_step_parts),
		cmocka_unit_test(test_render_step_chinese),
		cmocka_unit_test(test_render_step_widths),
		cmocka_unit_test(test_render_lists),
		cmocka_unit_test(test_render_blank_before_tight_list),
		cmocka_unit_test(test_render_list_wrap_in_margin),
		cmocka_unit_test(test_render_heading_and_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
