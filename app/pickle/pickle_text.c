/* pickle_text.c — the text helpers of the pickle codec (appending to a
 * struct buf of buf.h): UTF-8 as Python's "surrogatepass" reads and
 * writes it, STRING
 * and UNICODE arguments unescaped, and integers of any size (two's
 * complement, little-endian) parsed from and printed as decimal. */
#include "lang.h"
#include "pickle_impl.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== UTF-8 as Python's surrogatepass reads and writes it ============= */

/* Decode one code point at p (n bytes left): its length, or 0 when the
 * bytes are not UTF-8. Surrogates (ED A0..BF xx) are allowed. */
size_t
pk_utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff)
		return 0;
	*cp = v;
	return len;
}

int
pickle_utf8_ok(const unsigned char *p, size_t n)
{
	uint32_t cp;
	for (size_t i = 0; i < n;) {
		size_t k = pk_utf8_next(p + i, n - i, &cp);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

void
pk_utf8_put(struct buf *b, uint32_t cp)
{
	unsigned char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* codecs.escape_decode, then .decode('ascii'): what STRING carries. */
int
pickle_unescape_string(struct buf *out, const unsigned char *p,
    size_t n, const char **why)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c != '\\') {
			if (c >= 0x80) {
				*why = LD("a STRING that is not ASCII",
				    "一个不是 ASCII 的 STRING");
				return -1;
			}
			buf_addc(out, c);
			continue;
		}
		if (++i == n) {
			*why = LD("a STRING that ends in a lone backslash",
			    "一个以单独的反斜杠结尾的 STRING");
			return -1;
		}
		c = p[i];
		switch (c) {
		case '\n':
			break;
		case '\\': case '\'': case '"':
			buf_addc(out, c);
			break;
		case 'b': buf_addc(out, '\b'); break;
		case 'f': buf_addc(out, '\f'); break;
		case 't': buf_addc(out, '\t'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 'r': buf_addc(out, '\r'); break;
		case 'v': buf_addc(out, '\v'); break;
		case 'a': buf_addc(out, '\a'); break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7': {
			unsigned v = c - '0';
			for (int k = 0; k < 2 && i + 1 < n && p[i + 1] >= '0' &&
			    p[i + 1] <= '7'; k++)
				v = v * 8 + (p[++i] - '0');
			if (v >= 0x80) {
				*why = LD("a STRING that is not ASCII",
				    "一个不是 ASCII 的 STRING");
				return -1;
			}
			buf_addc(out, (unsigned char)v);
			break;
		}
		case 'x': {
			int h1 = i + 1 < n ? hexval(p[i + 1]) : -1;
			int h2 = i + 2 < n ? hexval(p[i + 2]) : -1;
			if (h1 < 0 || h2 < 0) {
				*why = LD("a STRING with an invalid \\x escape",
				    "一个带无效 \\x 转义的 STRING");
				return -1;
			}
			i += 2;
			if (h1 * 16 + h2 >= 0x80) {
				*why = LD("a STRING that is not ASCII",
				    "一个不是 ASCII 的 STRING");
				return -1;
			}
			buf_addc(out, (unsigned char)(h1 * 16 + h2));
			break;
		}
		default:        /* kept as it is, backslash and all */
			if (c >= 0x80) {
				*why = LD("a STRING that is not ASCII",
				    "一个不是 ASCII 的 STRING");
				return -1;
			}
			buf_addc(out, '\\');
			buf_addc(out, c);
		}
	}
	return 0;
}

/* The raw-unicode-escape codec: bytes are Latin-1 characters, except that
 * \uXXXX and \UXXXXXXXX after an odd number of backslashes are escapes. */
int
pickle_raw_unicode(struct buf *out, const unsigned char *p, size_t n,
    const char **why)
{
	for (size_t i = 0; i < n;) {
		if (p[i] != '\\') {
			pk_utf8_put(out, p[i++]);
			continue;
		}
		size_t bs = 0;
		while (i < n && p[i] == '\\') {
			bs++;
			i++;
		}
		if (bs % 2 == 0 || i >= n || (p[i] != 'u' && p[i] != 'U')) {
			for (size_t k = 0; k < bs; k++)
				buf_addc(out, '\\');
			continue;
		}
		for (size_t k = 0; k + 1 < bs; k++)
			buf_addc(out, '\\');
		size_t digits = p[i] == 'u' ? 4 : 8;
		i++;
		uint32_t v = 0;
		for (size_t k = 0; k < digits; k++, i++) {
			int h = i < n ? hexval(p[i]) : -1;
			if (h < 0) {
				*why = digits == 4 ? LD("a truncated \\uXXXX escape",
				    "被截断的 \\uXXXX 转义") :
				    LD("a truncated \\UXXXXXXXX escape",
				    "被截断的 \\UXXXXXXXX 转义");
				return -1;
			}
			v = v << 4 | (uint32_t)h;
		}
		if (v > 0x10ffff) {
			*why = LD("a \\Uxxxxxxxx escape out of range",
			    "\\Uxxxxxxxx 转义超出范围");
			return -1;
		}
		pk_utf8_put(out, v);
	}
	return 0;
}

/* ==== Integers of any size ============================================ */

/* Two's complement, little-endian, cut to its shortest form: the number of
 * bytes that matter (0 for zero). */
size_t
pk_le_shortest(const unsigned char *b, size_t n)
{
	while (n > 0) {
		if (n == 1)
			return b[0] == 0 ? 0 : 1;
		if (b[n - 1] == 0x00 && !(b[n - 2] & 0x80))
			n--;
		else if (b[n - 1] == 0xff && (b[n - 2] & 0x80))
			n--;
		else
			break;
	}
	return n;
}

/* int64 as shortest two's complement bytes (at most 8); their number. */
size_t
pk_i64_le(int64_t v, unsigned char out[8])
{
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(u >> (8 * i));
	return pk_le_shortest(out, 8);
}

/* Magnitude limbs (base 2^32, little-endian) from two's complement bytes;
 * *neg tells the sign. Allocated; *nl limbs. */
static uint32_t *
le_to_limbs(const unsigned char *b, size_t n, int *neg, size_t *nl)
{
	*neg = n > 0 && (b[n - 1] & 0x80);
	size_t count = n / 4 + 2;
	uint32_t *l = xcalloc(count, sizeof *l);
	unsigned carry = 1;
	for (size_t i = 0; i < count * 4; i++) {
		unsigned v = i < n ? b[i] : (*neg ? 0xff : 0);
		if (*neg) {
			v = (~v & 0xff) + carry;
			carry = v >> 8;
			v &= 0xff;
		}
		l[i / 4] |= (uint32_t)v << (8 * (i % 4));
	}
	while (count > 0 && l[count - 1] == 0)
		count--;
	*nl = count;
	return l;
}

/* Python 3.11 refuses to turn ints of more digits into text. */
#define MAX_STR_DIGITS 4300

void
pickle_repr_intle(struct buf *b, const void *p, size_t n)
{
	int neg;
	size_t nl;
	if (n > 1800) {         /* surely more than MAX_STR_DIGITS digits */
		buf_printf(b, "<int of %zu bytes>", n);
		return;
	}
	uint32_t *l = le_to_limbs(p, n, &neg, &nl);
	/* divide by 10^9 until nothing is left; the chunks come out lowest
	 * first */
	uint32_t *chunks = xcalloc(nl * 2 + 2, sizeof *chunks);
	size_t nc = 0;
	while (nl > 0) {
		uint64_t rem = 0;
		for (size_t i = nl; i-- > 0;) {
			uint64_t cur = rem << 32 | l[i];
			l[i] = (uint32_t)(cur / 1000000000u);
			rem = cur % 1000000000u;
		}
		chunks[nc++] = (uint32_t)rem;
		while (nl > 0 && l[nl - 1] == 0)
			nl--;
	}
	if (nc == 0)
		chunks[nc++] = 0;
	char first[16];
	int flen = snprintf(first, sizeof first, "%u", chunks[nc - 1]);
	if ((size_t)flen + 9 * (nc - 1) > MAX_STR_DIGITS)
		buf_printf(b, "<int of %zu bytes>", n);
	else {
		if (neg)
			buf_addc(b, '-');
		buf_adds(b, first);
		for (size_t i = nc - 1; i-- > 0;)
			buf_printf(b, "%09u", chunks[i]);
	}
	free(chunks);
	free(l);
}

/* Parse "[+-]digits" (any size, at most MAX_STR_DIGITS digits) into two's
 * complement little-endian bytes in *out. */
int
pickle_decimal(struct buf *out, const unsigned char *p, size_t n,
    const char **why)
{
	int neg = 0;
	size_t i = 0;
	if (i < n && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	if (i == n) {
		*why = LD("not a decimal integer",
		    "不是十进制整数");
		return -1;
	}
	if (n - i > MAX_STR_DIGITS) {
		*why = LD("an integer of more than 4300 digits",
		    "超过 4300 位的整数");
		return -1;
	}
	size_t cap = (n - i) / 9 + 2, nl = 0;
	uint32_t *l = xcalloc(cap, sizeof *l);
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			free(l);
			*why = LD("not a decimal integer",
			    "不是十进制整数");
			return -1;
		}
		uint64_t carry = (uint64_t)(p[i] - '0');
		for (size_t k = 0; k < nl; k++) {
			uint64_t cur = (uint64_t)l[k] * 10 + carry;
			l[k] = (uint32_t)cur;
			carry = cur >> 32;
		}
		if (carry)
			l[nl++] = (uint32_t)carry;
	}
	/* magnitude to two's complement */
	size_t nb = nl * 4 + 1;
	unsigned char *bytes = xcalloc(nb, 1);
	for (size_t k = 0; k < nl * 4; k++)
		bytes[k] = (unsigned char)(l[k / 4] >> (8 * (k % 4)));
	if (neg) {
		unsigned carry = 1;
		for (size_t k = 0; k < nb; k++) {
			unsigned v = (~bytes[k] & 0xffu) + carry;
			bytes[k] = (unsigned char)v;
			carry = v >> 8;
		}
	}
	buf_add(out, bytes, pk_le_shortest(bytes, nb));
	free(bytes);
	free(l);
	return 0;
}

/* An integral float as shortest two's complement bytes (at most 130). */
size_t
pk_float_le(double f, unsigned char out[140])
{
	memset(out, 0, 140);
	int neg = f < 0, e;
	double m = frexp(fabs(f), &e);          /* fabs(f) = m * 2^e */
	uint64_t mant = (uint64_t)ldexp(m, 53);
	int shift = e - 53;
	if (shift < 0) {
		mant >>= -shift;
		shift = 0;
	}
	size_t at = (size_t)shift / 8;
	uint64_t w = mant << ((unsigned)shift % 8);     /* 60 bits at most */
	for (int i = 0; i < 8; i++)
		out[at + (size_t)i] = (unsigned char)(w >> (8 * i));
	if (neg) {
		unsigned carry = 1;
		for (size_t k = 0; k < 140; k++) {
			unsigned v = (~out[k] & 0xffu) + carry;
			out[k] = (unsigned char)v;
			carry = v >> 8;
		}
	}
	return pk_le_shortest(out, 140);
}
