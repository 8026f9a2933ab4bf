/* highlight.c — a small tokenizer per language: keywords, strings,
 * comments and numbers. Enough to read code, not a parser. */
#include "highlight.h"

#include <string.h>
#include <wctype.h>

enum { ST_NONE, ST_C_COMMENT, ST_PY_TRIPLE1, ST_PY_TRIPLE2 };

static const wchar_t *const py_kw[] = {
	L"False", L"None", L"True", L"and", L"as", L"assert", L"async", L"await",
	L"break", L"class", L"continue", L"def", L"del", L"elif", L"else",
	L"except", L"finally", L"for", L"from", L"global", L"if", L"import",
	L"in", L"is", L"lambda", L"nonlocal", L"not", L"or", L"pass", L"raise",
	L"return", L"try", L"while", L"with", L"yield", L"print", L"self", NULL
};
static const wchar_t *const c_kw[] = {
	L"auto", L"break", L"case", L"char", L"const", L"continue", L"default",
	L"do", L"double", L"else", L"enum", L"extern", L"float", L"for", L"goto",
	L"if", L"int", L"long", L"register", L"return", L"short", L"signed",
	L"sizeof", L"static", L"struct", L"switch", L"typedef", L"union",
	L"unsigned", L"void", L"volatile", L"while", L"size_t", L"ssize_t",
	L"pid_t", L"bool", L"NULL", L"#include", L"#define", L"#if", L"#ifdef",
	L"#endif", L"#else", L"uint8_t", L"uint32_t", L"uint64_t", L"off_t", NULL
};
static const wchar_t *const sh_kw[] = {
	L"if", L"then", L"else", L"fi", L"for", L"do", L"done", L"while",
	L"case", L"esac", L"in", L"echo", L"export", L"cd", NULL
};

enum hl_lang
hl_lang_of(const char *info)
{
	if (info == NULL)
		return HL_NONE;
	size_t n = strcspn(info, " \t{");
	if ((n == 6 && strncmp(info, "python", 6) == 0) ||
	    (n == 2 && strncmp(info, "py", 2) == 0) ||
	    (n == 7 && strncmp(info, "python3", 7) == 0))
		return HL_PYTHON;
	if ((n == 1 && (*info == 'c' || *info == 'h')))
		return HL_C;
	if ((n == 2 && strncmp(info, "sh", 2) == 0) ||
	    (n == 4 && strncmp(info, "bash", 4) == 0) ||
	    (n == 7 && strncmp(info, "console", 7) == 0))
		return HL_SH;
	return HL_NONE;
}

static int
is_word(wchar_t ch)
{
	return ch == L'_' || (ch < 128 && iswalnum(ch));
}

static int
is_keyword(const wchar_t *const *kw, const struct cell *c, int n)
{
	for (; *kw; kw++) {
		int len = (int)wcslen(*kw);
		if (len != n)
			continue;
		int i = 0;
		while (i < n && c[i].ch == (*kw)[i])
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

static void
paint(struct cell *c, int from, int to, enum style st)
{
	for (int i = from; i < to; i++)
		c[i].style = (unsigned char)st;
}

/* Index just past a quoted string that starts at i (or the line's end). */
static int
string_end(const struct cell *c, int n, int i)
{
	wchar_t q = c[i].ch;
	for (i++; i < n; i++) {
		if (c[i].ch == L'\\')
			i++;
		else if (c[i].ch == q)
			return i + 1;
	}
	return n;
}

static int
triple_at(const struct cell *c, int n, int i, wchar_t q)
{
	return i + 2 < n && c[i].ch == q && c[i + 1].ch == q && c[i + 2].ch == q;
}

void
highlight_line(enum hl_lang lang, struct cell *c, int n, int *state)
{
	paint(c, 0, n, S_TEXT);
	if (lang == HL_NONE)
		return;
	const wchar_t *const *kw = lang == HL_PYTHON ? py_kw :
	    lang == HL_C ? c_kw : sh_kw;
	int i = 0;

	/* finish what an earlier line left open */
	if (*state == ST_C_COMMENT) {
		while (i + 1 < n && !(c[i].ch == L'*' && c[i + 1].ch == L'/'))
			i++;
		if (i + 1 < n) {
			i += 2;
			*state = ST_NONE;
		} else
			i = n;
		paint(c, 0, i, S_COMMENT);
	} else if (*state == ST_PY_TRIPLE1 || *state == ST_PY_TRIPLE2) {
		wchar_t q = *state == ST_PY_TRIPLE1 ? L'\'' : L'"';
		while (i < n && !triple_at(c, n, i, q))
			i++;
		if (i < n) {
			i += 3;
			*state = ST_NONE;
		}
		paint(c, 0, i, S_STRING);
	}

	while (i < n) {
		wchar_t ch = c[i].ch;
		int j;
		if ((lang != HL_C && ch == L'#') ||
		    (lang == HL_C && ch == L'/' && i + 1 < n && c[i + 1].ch == L'/')) {
			paint(c, i, n, S_COMMENT);
			return;
		}
		if (lang == HL_C && ch == L'/' && i + 1 < n && c[i + 1].ch == L'*') {
			for (j = i + 2; j + 1 < n && !(c[j].ch == L'*' && c[j + 1].ch == L'/'); j++)
				;
			if (j + 1 < n)
				j += 2;
			else {
				j = n;
				*state = ST_C_COMMENT;
			}
			paint(c, i, j, S_COMMENT);
			i = j;
			continue;
		}
		if (lang == HL_PYTHON && (triple_at(c, n, i, L'\'') || triple_at(c, n, i, L'"'))) {
			wchar_t q = ch;
			for (j = i + 3; j < n && !triple_at(c, n, j, q); j++)
				;
			if (j < n)
				j += 3;
			else
				*state = q == L'\'' ? ST_PY_TRIPLE1 : ST_PY_TRIPLE2;
			paint(c, i, j, S_STRING);
			i = j;
			continue;
		}
		if (ch == L'"' || ch == L'\'') {
			j = string_end(c, n, i);
			/* Python's b'' and r'' prefixes belong to the string */
			if (i > 0 && (c[i - 1].ch == L'b' || c[i - 1].ch == L'r') &&
			    (i == 1 || !is_word(c[i - 2].ch)))
				c[i - 1].style = S_STRING;
			paint(c, i, j, S_STRING);
			i = j;
			continue;
		}
		if (iswdigit(ch) && (i == 0 || !is_word(c[i - 1].ch))) {
			for (j = i; j < n && (is_word(c[j].ch) || c[j].ch == L'.'); j++)
				;
			paint(c, i, j, S_NUMBER);
			i = j;
			continue;
		}
		if (is_word(ch) || (lang == HL_C && ch == L'#')) {
			for (j = i + 1; j < n && is_word(c[j].ch); j++)
				;
			if (is_keyword(kw, c + i, j - i))
				paint(c, i, j, S_KEYWORD);
			i = j;
			continue;
		}
		i++;
	}
}
