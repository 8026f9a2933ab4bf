/* highlight.h — colouring code lines of Python, C and shell, one line at a
 * time, with state carried across lines for C comments and Python's
 * triple-quoted strings. */
#ifndef SYSTOUR_HIGHLIGHT_H
#define SYSTOUR_HIGHLIGHT_H

#include "layout.h"

enum hl_lang { HL_NONE, HL_PYTHON, HL_C, HL_SH };

/* "python", "py", "c", "h", "sh", "bash" ...; HL_NONE for anything else. */
enum hl_lang hl_lang_of(const char *info);

/* Set the style of each cell of one line. *state starts at 0 for a block
 * and carries what is still open at the end of the line. */
void highlight_line(enum hl_lang lang, struct cell *c, int n, int *state);

#endif
