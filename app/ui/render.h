/* render.h — a lesson step (Markdown and directives) laid out as a page of
 * styled lines for a given width: what the TUI draws and `show` prints. */
#ifndef SYSTOUR_RENDER_H
#define SYSTOUR_RENDER_H

#include "layout.h"
#include "lesson.h"

/* Append step number step (0-based) of text t, laid out at width columns,
 * to pg: its heading, its Markdown with highlighted code, erratum boxes and
 * directive lines. */
void render_step(struct page *pg, const struct lesson_text *t, int step,
    enum lang lang, int width);

/* render_step for where the step is shown: flags of RENDER_ONESHOT (a
 * live demo is run with `systour demo NAME`), RENDER_SHELL (with `demo
 * NAME` typed in the plain shell; neither: `d` in the TUI), and
 * RENDER_CODE_WHOLE (code lines never wrapped, for a file or a pipe). */
enum { RENDER_ONESHOT = 1, RENDER_SHELL = 2, RENDER_CODE_WHOLE = 4 };
void render_step_for(struct page *pg, const struct lesson_text *t, int step,
    enum lang lang, int width, int flags);

/* Append Markdown laid out at width columns; every line starts with margin
 * (may be NULL) and is of kind. */
void render_markdown(struct page *pg, const char *md, int width,
    const struct cells *margin, enum line_kind kind, enum lang lang);

#endif
