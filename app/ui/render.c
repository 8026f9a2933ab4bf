/* render.c — Markdown to styled lines, through md4c's callbacks. Blocks are
 * wrapped by layout.c as they close; code blocks are highlighted line by line. */
#include "render.h"
#include "buf.h"
#include "highlight.h"
#include "util.h"

#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTS 8

struct render {
	struct page *pg;
	int width;
	enum lang lang;
	enum line_kind kind;
	const struct cells *margin;

	struct cells para;      /* inline text of the open block */
	int strong, em, codespan; /* open spans */
	int heading;            /* level of the open heading, 0 if none */

	struct {
		int ordered, tight;
		int items;              /* items opened so far */
		unsigned next;
	} list[MAX_LISTS];
	int nlist;
	int item_pending;       /* the open item's bullet is not drawn yet */

	int in_code;            /* inside a code block */
	enum hl_lang code_lang;
	struct buf code;        /* the open code block's text */
};

static enum style
inline_style(const struct render *r)
{
	if (r->heading)
		return r->heading <= 2 ? S_HEADING : S_BOLD;
	if (r->codespan)
		return S_CODE;
	if (r->strong)
		return S_BOLD;
	if (r->em)
		return S_EM;
	return S_TEXT;
}

static int
in_tight_list(const struct render *r)
{
	return r->nlist > 0 && r->list[r->nlist - 1].tight;
}

/* Indentation cells for the open lists, with the bullet when one is due. */
static void
make_prefix(struct render *r, struct cells *prefix)
{
	char bullet[32];
	int depth = r->nlist;
	cells_clear(prefix);
	if (depth == 0)
		return;
	for (int i = 0; i < (depth - 1) * 3; i++)
		cells_add_ch(prefix, L' ', S_TEXT);
	if (!r->item_pending) {
		for (int i = 0; i < 3; i++)
			cells_add_ch(prefix, L' ', S_TEXT);
		return;
	}
	if (r->list[depth - 1].ordered)
		snprintf(bullet, sizeof bullet, "%u. ", r->list[depth - 1].next++);
	else
		snprintf(bullet, sizeof bullet, "%s  ", depth == 1 ? "•" : "◦");
	cells_add(prefix, bullet, strlen(bullet), S_DIM);
	while (prefix->n < (depth - 1) * 3 + 3)
		cells_add_ch(prefix, L' ', S_TEXT);
	r->item_pending = 0;
}

/* Lay out the paragraph text gathered so far. */
static void
flush_para(struct render *r)
{
	if (r->para.n == 0 && !r->item_pending)
		return;
	struct cells prefix = { 0 };
	int first_of_item = r->item_pending;
	make_prefix(r, &prefix);
	/* items of a tight list follow each other without blank lines; the
	 * list itself is set off from what comes before it */
	int follows = in_tight_list(r) && first_of_item &&
	    (r->list[r->nlist - 1].items > 1 || r->nlist > 1);
	if (!follows)
		page_blank(r->pg, r->margin, r->kind);
	page_wrap(r->pg, &r->para, r->width, &prefix, r->margin, r->kind);
	cells_free(&prefix);
	cells_clear(&r->para);
}

static void
code_label(struct render *r)
{
	const char *label = NULL;
	if (r->code_lang == HL_PYTHON)
		label = "── Python";
	else if (r->code_lang == HL_C)
		label = L(r->lang, "── C: underneath", "── C：底层");
	if (label == NULL)
		return;
	struct cells cs = { 0 };
	cells_add(&cs, label, strlen(label), S_LABEL);
	page_wrap(r->pg, &cs, r->width, NULL, r->margin, r->kind);
	cells_free(&cs);
}

static void
flush_code(struct render *r)
{
	struct cells margin = { 0 }, line = { 0 };
	int state = 0;
	for (int i = 0; r->margin && i < r->margin->n; i++)
		cells_add_ch(&margin, r->margin->c[i].ch, r->margin->c[i].style);
	for (int i = 0; i < r->nlist * 3 + 2; i++)
		cells_add_ch(&margin, L' ', S_TEXT);
	enum line_kind kind = r->kind == LK_ERRATUM ? LK_ERRATUM : LK_CODE;

	page_blank(r->pg, r->margin, r->kind);
	code_label(r);
	const char *s = buf_str(&r->code);
	size_t left = r->code.len;
	while (left > 0) {
		const char *nl = memchr(s, '\n', left);
		size_t n = nl ? (size_t)(nl - s) : left;
		cells_clear(&line);
		cells_add(&line, s, n, S_TEXT);
		highlight_line(r->code_lang, line.c, line.n, &state);
		page_code(r->pg, &line, r->width, &margin, kind);
		s += nl ? n + 1 : n;
		left -= nl ? n + 1 : n;
	}
	cells_free(&line);
	cells_free(&margin);
	buf_clear(&r->code);
}

static int
enter_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render *r = arg;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		flush_para(r);
		if (r->nlist < MAX_LISTS) {
			int ordered = type == MD_BLOCK_OL;
			r->list[r->nlist].ordered = ordered;
			r->list[r->nlist].tight = ordered ?
			    ((MD_BLOCK_OL_DETAIL *)detail)->is_tight :
			    ((MD_BLOCK_UL_DETAIL *)detail)->is_tight;
			r->list[r->nlist].items = 0;
			r->list[r->nlist].next = ordered ?
			    ((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
			r->nlist++;
		}
		break;
	case MD_BLOCK_LI:
		flush_para(r);
		r->item_pending = 1;
		if (r->nlist > 0)
			r->list[r->nlist - 1].items++;
		break;
	case MD_BLOCK_H:
		flush_para(r);
		r->heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		break;
	case MD_BLOCK_CODE: {
		flush_para(r);
		MD_BLOCK_CODE_DETAIL *d = detail;
		char *info = xstrndup(d->lang.text ? d->lang.text : "", d->lang.size);
		r->code_lang = hl_lang_of(info);
		free(info);
		r->in_code = 1;
		buf_clear(&r->code);
		break;
	}
	case MD_BLOCK_HR:
		flush_para(r);
		break;
	default:
		break;
	}
	return 0;
}

static int
leave_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct render *r = arg;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		flush_para(r);
		if (r->nlist > 0)
			r->nlist--;
		break;
	case MD_BLOCK_LI:
	case MD_BLOCK_P:
	case MD_BLOCK_HTML:
		flush_para(r);
		break;
	case MD_BLOCK_H:
		flush_para(r);
		r->heading = 0;
		break;
	case MD_BLOCK_CODE:
		flush_code(r);
		r->in_code = 0;
		break;
	case MD_BLOCK_HR: {
		struct cells cs = { 0 };
		for (int i = 0; i < 20; i++)
			cells_add_ch(&cs, L'─', S_DIM);
		page_blank(r->pg, r->margin, r->kind);
		page_wrap(r->pg, &cs, r->width, NULL, r->margin, r->kind);
		cells_free(&cs);
		break;
	}
	default:
		break;
	}
	return 0;
}

static int
enter_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render *r = arg;
	r->strong += type == MD_SPAN_STRONG;
	r->em += type == MD_SPAN_EM;
	r->codespan += type == MD_SPAN_CODE;
	return 0;
}

static int
leave_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct render *r = arg;
	r->strong -= type == MD_SPAN_STRONG;
	r->em -= type == MD_SPAN_EM;
	r->codespan -= type == MD_SPAN_CODE;
	return 0;
}

static const struct {
	const char *name, *text;
} entities[] = {
	{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
	{ "&nbsp;", " " }, { "&#39;", "'" },
};

static int
text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *arg)
{
	struct render *r = arg;
	if (r->in_code) {
		buf_add(&r->code, s, n);
		return 0;
	}
	switch (type) {
	case MD_TEXT_SOFTBR:
		cells_add_ch(&r->para, CH_SOFTBREAK, inline_style(r));
		break;
	case MD_TEXT_BR:
		cells_add_ch(&r->para, CH_HARDBREAK, inline_style(r));
		break;
	case MD_TEXT_ENTITY:
		for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
			if (strlen(entities[i].name) == n &&
			    memcmp(entities[i].name, s, n) == 0) {
				s = entities[i].text;
				n = (MD_SIZE)strlen(s);
				break;
			}
		cells_add(&r->para, s, n, inline_style(r));
		break;
	default:
		cells_add(&r->para, s, n, inline_style(r));
		break;
	}
	return 0;
}

void
render_markdown(struct page *pg, const char *md, int width,
    const struct cells *margin, enum line_kind kind, enum lang lang)
{
	struct render r;
	memset(&r, 0, sizeof r);
	r.pg = pg;
	r.width = width;
	r.lang = lang;
	r.kind = kind;
	r.margin = margin;
	MD_PARSER parser = {
		.abi_version = 0,
		.flags = MD_FLAG_NOHTML | MD_FLAG_PERMISSIVEAUTOLINKS,
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = text,
	};
	md_parse(md, (MD_SIZE)strlen(md), &parser, &r);
	flush_para(&r);
	cells_free(&r.para);
	buf_free(&r.code);
}

/* One line of text in a style, wrapped. */
static void
add_line(struct page *pg, const char *s, enum style st, int width,
    const struct cells *margin, enum line_kind kind)
{
	struct cells cs = { 0 };
	cells_add(&cs, s, strlen(s), st);
	page_wrap(pg, &cs, width, NULL, margin, kind);
	cells_free(&cs);
}

void
render_step(struct page *pg, const struct lesson_text *t, int step,
    enum lang lang, int width)
{
	const struct step *st = &t->steps[step];
	char *head = xasprintf("%d/%d · %s", step + 1, t->nsteps, st->title);
	add_line(pg, head, S_TITLE, width, NULL, LK_TEXT);
	free(head);

	struct cells bar = { 0 };
	cells_add(&bar, "┃ ", strlen("┃ "), S_ERRATUM);
	for (int i = 0; i < st->nparts; i++) {
		const struct part *p = &st->parts[i];
		char *s;
		switch (p->kind) {
		case PART_MARKDOWN:
			render_markdown(pg, p->text, width, NULL, LK_TEXT, lang);
			break;
		case PART_ERRATUM:
			page_blank(pg, NULL, LK_TEXT);
			add_line(pg, L(lang, "The notes are wrong here",
			    "笔记这里有误"), S_ERRATUM, width, &bar, LK_ERRATUM);
			render_markdown(pg, p->text, width, &bar, LK_ERRATUM, lang);
			break;
		case PART_DEMO:
		case PART_EXERCISE:
			page_blank(pg, NULL, LK_TEXT);
			s = p->kind == PART_DEMO && p->available ?
			    xasprintf(L(lang, "▶ Live demo \"%s\": press d to run it "
			    "(or the command: demo %s).", "▶ 现场演示“%s”：按 d 运行"
			    "（或用命令 demo %s）。"), p->text, p->text) :
			    p->kind == PART_DEMO ?
			    xasprintf(L(lang, "▶ Live demo \"%s\": not available yet "
			    "in this version of systour.", "▶ 现场演示“%s”：本版 systour "
			    "尚未提供。"), p->text) : p->available ?
			    xasprintf(L(lang, "✎ Exercise \"%s\": press x to open it "
			    "beside your editor (or the command: exercise %s).",
			    "✎ 练习“%s”：按 x 打开，与编辑器并排（或用命令 exercise %s）。"),
			    p->text, p->text) :
			    xasprintf(L(lang, "✎ Exercise \"%s\": not available yet "
			    "in this version of systour.", "✎ 练习“%s”：本版 systour "
			    "尚未提供。"), p->text);
			add_line(pg, s, S_DIRECTIVE, width, NULL, LK_TEXT);
			free(s);
			break;
		}
	}
	cells_free(&bar);
}
