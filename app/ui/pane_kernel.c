/* pane_kernel.c — the kernel's view of a demo (procview's text) in a
 * pane, scrolled by lines. */
#include "pane.h"
#include "draw.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct kernel_pane {
	char *text;
	int top;
};

static void
kernel_free(struct pane *p)
{
	struct kernel_pane *kp = p->data;
	free(kp->text);
	free(kp);
}

struct pane *
pane_kernel_new(const char *title)
{
	return pane_new(&pane_kernel_ops, PANE_SIDE, title,
	    xcalloc(1, sizeof(struct kernel_pane)));
}

void
pane_kernel_set(struct pane *p, char *text)
{
	struct kernel_pane *kp = p->data;
	free(kp->text);
	kp->text = text;
}

static void
kernel_draw(struct pane *p, int y, int x, int h, int w)
{
	struct kernel_pane *kp = p->data;
	const char *s = kp->text ? kp->text : "";
	int line = 0, shown = 0;
	while (*s && shown < h) {
		size_t n = strcspn(s, "\n");
		if (line++ >= kp->top) {
			char *t = xstrndup(s, n);
			draw_text(y + shown++, x + 1, w - 1, t, A_NORMAL, 0);
			free(t);
		}
		s += n + (s[n] == '\n');
	}
}

static void
kernel_scroll(struct pane *p, int by)
{
	struct kernel_pane *kp = p->data;
	kp->top += by;
	if (kp->top < 0)
		kp->top = 0;
}

const struct pane_ops pane_kernel_ops = {
	.name = "kernel",
	.free = kernel_free,
	.draw = kernel_draw,
	.scroll = kernel_scroll,
};
