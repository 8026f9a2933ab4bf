/* keys.h — decoding what the terminal sends into keys: control sequences
 * for arrows and paging keys, mouse wheel reports (SGR and X10), a lone
 * ESC told apart from the start of a sequence by a short wait, and UTF-8. */
#ifndef SYSTOUR_KEYS_H
#define SYSTOUR_KEYS_H

#include "cmdline.h"

#include <wchar.h>

#define ESC_WAIT_MS 30          /* how long a lone ESC waits for the rest */

enum key {
	K_NONE, K_CHAR, K_UP, K_DOWN, K_LEFT, K_RIGHT, K_PGUP, K_PGDN, K_HOME,
	K_END, K_ENTER, K_ESC, K_BACKSPACE, K_TAB, K_WHEEL_UP, K_WHEEL_DOWN,
};

/* Read what the terminal has sent into the buffer, waiting up to wait_ms
 * (-1: do not wait, the caller knows input is there). Returns the bytes
 * read, 0 at end of input, -1 when nothing came (errno says why). */
int keys_fill(struct cmdline_input *in, int wait_ms);

/* Byte i from the buffer's position, waiting briefly for it; -1 if it does
 * not come. */
int keys_peek(struct cmdline_input *in, size_t i);

/* If a mouse report starts the buffer, take it: 1 and *k is K_WHEEL_UP,
 * K_WHEEL_DOWN or K_NONE (other buttons). 0 otherwise. */
int keys_mouse(struct cmdline_input *in, enum key *k);

/* Take one key from the buffer; for K_CHAR, *ch is the character. */
enum key keys_decode(struct cmdline_input *in, wchar_t *ch);

#endif
