/* pane.c — a ring of lines per actor, and decoding ANSI colours. */
#include "pane.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
pane_init(struct pane *p, const char *name)
{
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->title, sizeof p->title, "%s", name);
	p->ring = xcalloc(PANE_SCROLLBACK, sizeof *p->ring);
}

void
pane_free(struct pane *p)
{
	for (int i = 0; p->ring && i < PANE_SCROLLBACK; i++)
		free(p->ring[i]);
	free(p->ring);
	memset(p, 0, sizeof *p);
}

void
pane_add(struct pane *p, const char *text, size_t len)
{
	int slot;
	if (p->n < PANE_SCROLLBACK)
		slot = (p->head + p->n++) % PANE_SCROLLBACK;
	else {
		slot = p->head;
		p->head = (p->head + 1) % PANE_SCROLLBACK;
		free(p->ring[slot]);
	}
	p->ring[slot] = xstrndup(text, len);
	p->total++;
	if (p->scroll > 0 && p->scroll < p->n - 1)
		p->scroll++;    /* a reader scrolled up keeps their place */
}

const char *
pane_line(const struct pane *p, int i)
{
	if (i < 0 || i >= p->n)
		return "";
	return p->ring[(p->head + i) % PANE_SCROLLBACK];
}

/* The style of an SGR foreground colour 30-37 or 90-97. */
static enum style
sgr_style(int code, enum style cur)
{
	if (code == 0 || code == 39)
		return S_TEXT;
	if (code == 1)
		return cur == S_TEXT ? S_BOLD : cur;
	if (code >= 30 && code <= 37)
		return (enum style)(S_FG0 + code - 30);
	if (code >= 90 && code <= 97)
		return (enum style)(S_FG0 + code - 90);
	return cur;
}

void
pane_decode(const char *s, struct cells *out)
{
	enum style st = S_TEXT;
	cells_clear(out);
	while (*s) {
		if (s[0] == '\033' && s[1] == '[') {
			/* a control sequence: parameters, then a final byte */
			const char *p = s + 2;
			int code = 0, any = 0;
			while (*p && *p >= 0x30 && *p <= 0x3f) {
				if (*p >= '0' && *p <= '9') {
					code = code * 10 + (*p - '0');
					any = 1;
				} else if (*p == ';') {
					st = sgr_style(code, st);
					code = 0;
				}
				p++;
			}
			while (*p && *p >= 0x20 && *p <= 0x2f)
				p++;
			if (*p == 'm')
				st = sgr_style(any ? code : 0, st);
			s = *p ? p + 1 : p;
			continue;
		}
		size_t n = strcspn(s, "\033");
		if (n == 0) {
			s++;    /* a lone ESC */
			continue;
		}
		cells_add(out, s, n, st);
		s += n;
	}
}
