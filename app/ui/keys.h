/* keys.h — decoding what the terminal sends into keys: control sequences
 * for arrows and paging keys, mouse wheel reports (SGR and X10), a lone
 * ESC told apart from the start of a sequence by a short wait, and UTF-8.
 * Nothing here waits: a sequence cut at the end of the buffer decodes as
 * K_MORE, and the caller (on its event loop) sets in->waited once
 * ESC_WAIT_MS have passed without the rest, to take what is there. */
#ifndef SYSTOUR_KEYS_H
#define SYSTOUR_KEYS_H

#include "cmdline.h"

#include <wchar.h>

#define ESC_WAIT_MS 30          /* how long a lone ESC waits for the rest */

enum key {
	K_NONE, K_CHAR, K_UP, K_DOWN, K_LEFT, K_RIGHT, K_PGUP, K_PGDN, K_HOME,
	K_END, K_ENTER, K_ESC, K_BACKSPACE, K_TAB, K_WHEEL_UP, K_WHEEL_DOWN,
	K_MORE,         /* the rest of a sequence may still come: wait */
};

#define KEYS_WAIT (-2)  /* keys_peek: not here yet, may still come */

/* Read what the terminal has sent into the buffer (the caller knows input
 * is there). Returns the bytes read, 0 at end of input, -1 when nothing
 * came (errno says why). */
int keys_fill(struct cmdline_input *in);

/* Byte i from the buffer's position; KEYS_WAIT if it is not there yet and
 * in->waited is not set, -1 if it is not there and the wait is over. */
int keys_peek(const struct cmdline_input *in, size_t i);

/* If a mouse report starts the buffer, take it: 1 and *k is K_WHEEL_UP,
 * K_WHEEL_DOWN or K_NONE (other buttons). 0 otherwise. */
int keys_mouse(struct cmdline_input *in, enum key *k);

/* Take one key from the buffer; for K_CHAR, *ch is the character. K_MORE
 * (nothing taken) when the buffer ends inside a sequence that may go on. */
enum key keys_decode(struct cmdline_input *in, wchar_t *ch);

#endif
