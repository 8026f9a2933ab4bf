/* layout.c — decoding UTF-8 into cells, measuring with wcwidth, wrapping. */
#include "layout.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

/* ---- Cells ---------------------------------------------------------- */

static int
char_width(wchar_t ch)
{
	int w = wcwidth(ch);
	return w == 2 ? 2 : 1;  /* combining and unknown characters take one */
}

void
cells_add_ch(struct cells *cs, wchar_t ch, enum style st)
{
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 64;
		cs->c = xreallocarray(cs->c, cs->cap, sizeof *cs->c);
	}
	cs->c[cs->n++] = (struct cell){ ch, (unsigned char)char_width(ch),
	    (unsigned char)st };
}

void
cells_add(struct cells *cs, const char *s, size_t len, enum style st)
{
	mbstate_t mbs;
	int col = 0;
	memset(&mbs, 0, sizeof mbs);
	while (len > 0) {
		wchar_t ch;
		size_t k = mbrtowc(&ch, s, len, &mbs);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&mbs, 0, sizeof mbs);
			ch = 0xfffd;
			k = 1;
		} else if (k == 0)
			k = 1;
		s += k;
		len -= k;
		if (ch == L'\t') {
			do
				cells_add_ch(cs, L' ', st);
			while (++col % 4 != 0);
			continue;
		}
		if (ch == CH_SOFTBREAK || ch == CH_HARDBREAK) {
			cells_add_ch(cs, ch, st);
			col = 0;
			continue;
		}
		if (iswcntrl(ch))
			continue;
		cells_add_ch(cs, ch, st);
		col += char_width(ch);
	}
}

void
cells_clear(struct cells *cs)
{
	cs->n = 0;
}

void
cells_free(struct cells *cs)
{
	free(cs->c);
	memset(cs, 0, sizeof *cs);
}

int
text_width(const char *s)
{
	struct cells cs = { 0 };
	cells_add(&cs, s, strlen(s), S_TEXT);
	int w = 0;
	for (int i = 0; i < cs.n; i++)
		w += cs.c[i].width;
	cells_free(&cs);
	return w;
}

/* ---- Lines ---------------------------------------------------------- */

static struct line *
page_new_line(struct page *pg, const struct cells *lead, int lead_n,
    enum line_kind kind)
{
	if (pg->n == pg->cap) {
		pg->cap = pg->cap ? pg->cap * 2 : 64;
		pg->v = xreallocarray(pg->v, pg->cap, sizeof *pg->v);
	}
	struct line *ln = &pg->v[pg->n++];
	memset(ln, 0, sizeof *ln);
	ln->kind = (unsigned char)kind;
	ln->cap = 16;
	ln->c = xreallocarray(NULL, ln->cap, sizeof *ln->c);
	for (int i = 0; lead && i < lead_n && i < lead->n; i++) {
		ln->c[ln->n++] = lead->c[i];
		ln->cols += lead->c[i].width;
	}
	return ln;
}

static void
line_put(struct line *ln, const struct cell *c)
{
	if (ln->n == ln->cap)
		ln->c = xreallocarray(ln->c, ln->cap *= 2, sizeof *ln->c);
	ln->c[ln->n++] = *c;
	ln->cols += c->width;
}

static int
cells_width(const struct cells *cs)
{
	int w = 0;
	for (int i = 0; cs && i < cs->n; i++)
		w += cs->c[i].width;
	return w;
}

/* Closing punctuation that must not begin a line. */
static int
no_line_start(wchar_t ch)
{
	return ch != 0 && wcschr(L"，。、；：？！）」』】》〉”’…,.;:?!)]}%", ch) != NULL;
}

/* Full-width punctuation: no space is needed beside it. */
static int
is_cjk_punct(wchar_t ch)
{
	return (ch >= 0x3000 && ch <= 0x303f) || (ch >= 0xff00 && ch <= 0xff65);
}

/* Opening punctuation that must not end a line. */
static int
no_line_end(wchar_t ch)
{
	return ch != 0 && wcschr(L"（「『【《〈“‘", ch) != NULL;
}

static int
is_space(wchar_t ch)
{
	return ch == L' ' || ch == CH_SOFTBREAK;
}

/* End of the token that starts at i: a word of narrow characters, or one
 * wide character, each with the closing punctuation after it; opening
 * punctuation goes with the token after it. */
static int
token_end(const struct cells *p, int i)
{
	int j = i;
	if (no_line_end(p->c[j].ch) && j + 1 < p->n && !is_space(p->c[j + 1].ch) &&
	    p->c[j + 1].ch != CH_HARDBREAK)
		return token_end(p, j + 1);
	if (p->c[j].width == 2)
		j++;
	else
		while (j < p->n && !is_space(p->c[j].ch) &&
		    p->c[j].ch != CH_HARDBREAK && p->c[j].width == 1)
			j++;
	while (j < p->n && p->c[j].width == 2 && no_line_start(p->c[j].ch))
		j++;
	return j;
}

void
page_wrap(struct page *pg, const struct cells *para, int width,
    const struct cells *prefix, const struct cells *margin, enum line_kind kind)
{
	const struct cells *lead = margin;
	int lead_w = cells_width(margin);
	int indent = cells_width(prefix);
	struct cell sp = { L' ', 1, S_TEXT };

	struct line *ln = page_new_line(pg, margin, margin ? margin->n : 0, kind);
	for (int i = 0; prefix && i < prefix->n; i++)
		line_put(ln, &prefix->c[i]);
	int start = ln->cols;           /* columns before the first word */
	int pending = 0;                /* a space waits before the next word */
	if (width < lead_w + indent + 2)
		width = lead_w + indent + 2;

	for (int i = 0; i < para->n;) {
		wchar_t ch = para->c[i].ch;
		if (ch == CH_HARDBREAK) {
			ln = page_new_line(pg, lead, lead ? lead->n : 0, kind);
			for (int k = 0; k < indent; k++)
				line_put(ln, &sp);
			start = ln->cols;
			pending = 0;
			i++;
			continue;
		}
		if (is_space(ch)) {
			/* a source line break between two Chinese characters, or
			 * beside full-width punctuation, is nothing */
			int wide_join = ch == CH_SOFTBREAK && i > 0 && i + 1 < para->n &&
			    ((para->c[i - 1].width == 2 && para->c[i + 1].width == 2) ||
			    is_cjk_punct(para->c[i - 1].ch) || is_cjk_punct(para->c[i + 1].ch));
			if (!wide_join && ln->cols > start)
				pending = 1;
			i++;
			continue;
		}
		int j = token_end(para, i), tw = 0;
		for (int k = i; k < j; k++)
			tw += para->c[k].width;
		if (ln->cols + pending + tw > width && ln->cols > start &&
		    tw <= width - lead_w - indent) {
			ln = page_new_line(pg, lead, lead ? lead->n : 0, kind);
			for (int k = 0; k < indent; k++)
				line_put(ln, &sp);
			start = ln->cols;
			pending = 0;
		}
		for (int k = i; k < j; k++) {
			/* a token longer than a line is cut between characters */
			if (ln->cols + pending + para->c[k].width > width) {
				/* closing punctuation takes the character before it
				 * along to the new line */
				struct cell carry = { 0 };
				if (!pending && k > i && no_line_start(para->c[k].ch) &&
				    ln->cols - ln->c[ln->n - 1].width > start) {
					carry = ln->c[--ln->n];
					ln->cols -= carry.width;
				}
				ln = page_new_line(pg, lead, lead ? lead->n : 0, kind);
				for (int m = 0; m < indent; m++)
					line_put(ln, &sp);
				start = ln->cols;
				pending = 0;
				if (carry.ch)
					line_put(ln, &carry);
			}
			if (pending) {
				sp.style = para->c[i].style == S_CODE ? S_TEXT : para->c[i].style;
				line_put(ln, &sp);
				sp.style = S_TEXT;
				pending = 0;
			}
			line_put(ln, &para->c[k]);
		}
		i = j;
	}
}

void
page_code(struct page *pg, const struct cells *code, int width,
    const struct cells *margin, enum line_kind kind)
{
	struct cell sp = { L' ', 1, S_TEXT };
	int lead_w = cells_width(margin);
	if (width < lead_w + 8)
		width = lead_w + 8;
	struct line *ln = page_new_line(pg, margin, margin ? margin->n : 0, kind);
	for (int i = 0; i < code->n; i++) {
		if (ln->cols + code->c[i].width > width) {
			ln = page_new_line(pg, margin, margin ? margin->n : 0, kind);
			line_put(ln, &sp);
			line_put(ln, &sp);
		}
		line_put(ln, &code->c[i]);
	}
}

void
page_hang(struct page *pg, const struct cells *text, int width)
{
	struct cell sp = { L' ', 1, S_TEXT };
	int i = 0, hang = -1;
	if (width < 8)
		width = 8;
	while (i < text->n) {
		struct line *ln = page_new_line(pg, NULL, 0, LK_TEXT);
		if (hang > 0)
			for (int k = 0; k < hang; k++)
				line_put(ln, &sp);
		else
			hang = 0;
		if (i > 0)
			while (i < text->n && text->c[i].ch == L' ')
				i++;
		/* the cells [i, j) that fit, ending before a space if one fits */
		int j = i, cols = ln->cols, cut = -1, lead = 1;
		while (j < text->n && cols + text->c[j].width <= width) {
			if (text->c[j].ch == L' ' && !lead)
				cut = j;
			else if (text->c[j].ch != L' ')
				lead = 0;
			cols += text->c[j].width;
			j++;
		}
		if (j < text->n && text->c[j].ch != L' ' && cut > i)
			j = cut;
		if (j == i)
			j = i + 1;      /* never stall: one cell at least */
		/* a continued line hangs at the table's second column */
		if (hang == 0) {
			int col = 0;
			for (int k = i; k < j; k++) {
				col += text->c[k].width;
				if (k > i && text->c[k].ch == L' ' &&
				    text->c[k - 1].ch == L' ' && k + 1 < j &&
				    text->c[k + 1].ch != L' ' && col <= width - 12)
					hang = col;
			}
			if (hang == 0)
				for (int k = i; k < j && text->c[k].ch == L' '; k++)
					hang++;
		}
		for (; i < j; i++)
			line_put(ln, &text->c[i]);
	}
}

void
page_blank(struct page *pg, const struct cells *margin, enum line_kind kind)
{
	if (pg->n == 0)
		return;
	struct line *last = &pg->v[pg->n - 1];
	int last_blank = 1;
	for (int i = 0; i < last->n; i++)
		if (!is_space(last->c[i].ch) && (!margin || i >= margin->n))
			last_blank = 0;
	if (last_blank && last->kind == kind)
		return;
	page_new_line(pg, margin, margin ? margin->n : 0, kind);
}

void
page_clear(struct page *pg)
{
	for (int i = 0; i < pg->n; i++)
		free(pg->v[i].c);
	pg->n = 0;
}

void
page_free(struct page *pg)
{
	page_clear(pg);
	free(pg->v);
	memset(pg, 0, sizeof *pg);
}

char *
line_utf8(const struct line *ln)
{
	char *s = xmalloc((size_t)ln->n * MB_CUR_MAX + 1), *p = s;
	mbstate_t mbs;
	memset(&mbs, 0, sizeof mbs);
	for (int i = 0; i < ln->n; i++) {
		size_t k = wcrtomb(p, ln->c[i].ch, &mbs);
		if (k == (size_t)-1) {
			*p = '?';
			k = 1;
		}
		p += k;
	}
	while (p > s && p[-1] == ' ')
		p--;
	*p = '\0';
	return s;
}
