/* keys.c — the terminal's bytes to keys. */
#include "keys.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int
keys_fill(struct cmdline_input *in)
{
	if (in->pos > 0) {
		memmove(in->b, in->b + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->len == sizeof in->b) {
		errno = EAGAIN;         /* full: the caller must take keys first */
		return -1;
	}
	ssize_t n = read(STDIN_FILENO, in->b + in->len, sizeof in->b - in->len);
	if (n > 0)
		in->len += (size_t)n;
	return (int)n;
}

int
keys_peek(const struct cmdline_input *in, size_t i)
{
	if (in->pos + i < in->len)
		return in->b[in->pos + i];
	return in->waited ? -1 : KEYS_WAIT;
}

int
keys_mouse(struct cmdline_input *in, enum key *k)
{
	const unsigned char *b = in->b + in->pos;
	size_t n = in->len - in->pos;
	if (n >= 3 && b[0] == 033 && b[1] == '[' && b[2] == '<') {
		size_t i = 3;
		int button = 0;
		while (i < n && b[i] >= '0' && b[i] <= '9')
			button = button * 10 + (b[i++] - '0');
		while (i < n && b[i] != 'M' && b[i] != 'm')
			i++;
		if (i == n)
			return 0;
		in->pos += i + 1;
		*k = b[i] == 'M' && button == 64 ? K_WHEEL_UP :
		    b[i] == 'M' && button == 65 ? K_WHEEL_DOWN : K_NONE;
		return 1;
	}
	if (n >= 6 && b[0] == 033 && b[1] == '[' && b[2] == 'M') {
		int button = b[3] - 32;
		in->pos += 6;
		*k = button == 64 ? K_WHEEL_UP : button == 65 ? K_WHEEL_DOWN : K_NONE;
		return 1;
	}
	return 0;
}

enum key
keys_decode(struct cmdline_input *in, wchar_t *ch)
{
	enum key k;
	int c = keys_peek(in, 0);
	*ch = 0;
	if (c < 0)
		return K_NONE;
	if (keys_mouse(in, &k))
		return k;
	if (c == 033) {
		int c1 = keys_peek(in, 1);
		if (c1 == KEYS_WAIT)
			return K_MORE;
		if (c1 != '[' && c1 != 'O') {
			in->pos++;
			return K_ESC;
		}
		/* a control sequence: parameters, then a final byte */
		size_t i = 2;
		int param = 0, fin;
		while ((fin = keys_peek(in, i)) >= 0 && fin >= 0x20 && fin < 0x40) {
			if (fin >= '0' && fin <= '9')
				param = param * 10 + (fin - '0');
			i++;
		}
		if (fin == KEYS_WAIT)
			return K_MORE;
		if (fin == 'M' && i == 2 && keys_mouse(in, &k))
			return k;
		in->pos += fin < 0 ? i : i + 1;
		switch (fin) {
		case 'A': return K_UP;
		case 'B': return K_DOWN;
		case 'C': return K_RIGHT;
		case 'D': return K_LEFT;
		case 'H': return K_HOME;
		case 'F': return K_END;
		case '~':
			return param == 5 ? K_PGUP : param == 6 ? K_PGDN :
			    param == 1 || param == 7 ? K_HOME :
			    param == 4 || param == 8 ? K_END : K_NONE;
		default: return K_NONE;
		}
	}
	if (c == '\r' || c == '\n') {
		in->pos++;
		return K_ENTER;
	}
	if (c == 0x7f || c == 0x08) {
		in->pos++;
		return K_BACKSPACE;
	}
	if (c == '\t') {
		in->pos++;
		return K_TAB;
	}
	/* a UTF-8 character */
	int len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	char mb[4];
	for (int i = 0; i < len; i++) {
		int b = keys_peek(in, (size_t)i);
		if (b == KEYS_WAIT)
			return K_MORE;
		if (b < 0) {
			in->pos += (size_t)i;
			return K_NONE;
		}
		mb[i] = (char)b;
	}
	in->pos += (size_t)len;
	mbstate_t mbs;
	memset(&mbs, 0, sizeof mbs);
	if (mbrtowc(ch, mb, (size_t)len, &mbs) > (size_t)len)
		return K_NONE;
	return K_CHAR;
}

