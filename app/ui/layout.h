/* layout.h — text as cells of known display width, wrapped into lines.
 *
 * Text arrives as UTF-8 with a style per run; it is decoded into cells whose
 * width comes from wcwidth() (two columns for a Chinese character). Wrapping
 * breaks at spaces and between wide characters, never inside a character,
 * never past the width, and never puts Chinese closing punctuation at the
 * start of a line. A page is the wrapped result that drawing walks. */
#ifndef SYSTOUR_LAYOUT_H
#define SYSTOUR_LAYOUT_H

#include <stddef.h>
#include <wchar.h>

enum style {
	S_TEXT, S_BOLD, S_EM, S_CODE, S_TITLE, S_HEADING, S_KEYWORD, S_STRING,
	S_COMMENT, S_NUMBER, S_LABEL, S_ERRATUM, S_DIRECTIVE, S_DIM,
	S_FG0, S_FG1, S_FG2, S_FG3, S_FG4, S_FG5, S_FG6, S_FG7, /* ANSI colours */
	S_COUNT
};

/* What a line belongs to, so drawing can give it a background. */
enum line_kind { LK_TEXT, LK_CODE, LK_ERRATUM };

/* Characters in a paragraph that are not ordinary text. */
#define CH_SOFTBREAK L'\n'      /* a source line break: a space, or nothing
				   between two wide characters or beside
				   full-width punctuation */
#define CH_HARDBREAK L'\x2028'  /* a forced line break */

struct cell {
	wchar_t ch;
	unsigned char width;    /* columns: 1 or 2 */
	unsigned char style;    /* enum style */
};

/* A run of cells: a paragraph before wrapping, or a line after. */
struct cells {
	struct cell *c;
	int n, cap;
};

struct line {
	struct cell *c;
	int n, cap;             /* cells */
	int cols;               /* columns they take */
	unsigned char kind;     /* enum line_kind */
};

struct page {
	struct line *v;
	int n, cap;
};

/* Append UTF-8 text with a style. Invalid bytes become U+FFFD; control
 * characters other than tab are dropped; a tab becomes spaces to the next
 * multiple of 4 columns (counted from the start of the run). */
void cells_add(struct cells *cs, const char *utf8, size_t len, enum style st);
void cells_add_ch(struct cells *cs, wchar_t ch, enum style st);
void cells_clear(struct cells *cs);
void cells_free(struct cells *cs);

/* Columns that s takes (wcwidth of each character). */
int text_width(const char *utf8);

/* Wrap a paragraph into the page at width columns. prefix starts the first
 * line; later lines are indented by its width, or by margin cells when
 * margin is given (drawn at the start of every line, e.g. "┃ "). */
void page_wrap(struct page *pg, const struct cells *para, int width,
    const struct cells *prefix, const struct cells *margin, enum line_kind kind);

/* Add one line of code, cut (not word-wrapped) into pieces of width columns,
 * each continued piece indented by two columns. */
void page_code(struct page *pg, const struct cells *code, int width,
    const struct cells *margin, enum line_kind kind);

/* Add one line of preformatted text (spaces kept, as in a table of
 * commands), broken at spaces to fit width columns; continued lines hang
 * at the column after the last run of two spaces (the table's second
 * column), or at the line's own indentation. */
void page_hang(struct page *pg, const struct cells *text, int width);

/* Add an empty line (not two in a row, not at the top). */
void page_blank(struct page *pg, const struct cells *margin, enum line_kind kind);

void page_clear(struct page *pg);
void page_free(struct page *pg);

/* The line as UTF-8 without trailing spaces. Allocated. */
char *line_utf8(const struct line *ln);

#endif
