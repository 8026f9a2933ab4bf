/* pickle.c — the values (struct pval), their repr, the safe decoder and the
 * encoder. The opcode table and the disassembler are in pickle_dis.c.
 *
 * The decoder is CPython's unpickler (Modules/_pickle.c, load_*) with every
 * call to the outside world taken away: a global names one entry of a
 * fixed table, REDUCE and NEWOBJ build data or an inert "object of class X"
 * record, and every length, count and depth is checked before anything is
 * allocated for it. The encoder follows CPython's pickler (save_*), memo
 * and frames included, so that its bytes are the bytes CPython writes. */
#include "pickle.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ==== Buffers ========================================================= */

void
pickle_buf_add(struct pickle_buf *b, const void *p, size_t n)
{
	if (b->cap - b->len <= n || b->p == NULL) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap - b->len <= n) {
			if (cap > ((size_t)-1) / 2)
				abort();
			cap *= 2;
		}
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_byte(struct pickle_buf *b, unsigned char c)
{
	pickle_buf_add(b, &c, 1);
}

static void
buf_str(struct pickle_buf *b, const char *s)
{
	pickle_buf_add(b, s, strlen(s));
}

void
pickle_buf_printf(struct pickle_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_str(b, s);
	free(s);
}

/* ==== UTF-8 as Python's surrogatepass reads and writes it ============= */

/* Decode one code point at p (n bytes left): its length, or 0 when the
 * bytes are not UTF-8. Surrogates (ED A0..BF xx) are allowed. */
static size_t
utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
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
		size_t k = utf8_next(p + i, n - i, &cp);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

static void
utf8_put(struct pickle_buf *b, uint32_t cp)
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
	pickle_buf_add(b, u, n);
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
pickle_unescape_string(struct pickle_buf *out, const unsigned char *p,
    size_t n, const char **why)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c != '\\') {
			if (c >= 0x80) {
				*why = "a STRING that is not ASCII";
				return -1;
			}
			buf_byte(out, c);
			continue;
		}
		if (++i == n) {
			*why = "a STRING that ends in a lone backslash";
			return -1;
		}
		c = p[i];
		switch (c) {
		case '\n':
			break;
		case '\\': case '\'': case '"':
			buf_byte(out, c);
			break;
		case 'b': buf_byte(out, '\b'); break;
		case 'f': buf_byte(out, '\f'); break;
		case 't': buf_byte(out, '\t'); break;
		case 'n': buf_byte(out, '\n'); break;
		case 'r': buf_byte(out, '\r'); break;
		case 'v': buf_byte(out, '\v'); break;
		case 'a': buf_byte(out, '\a'); break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7': {
			unsigned v = c - '0';
			for (int k = 0; k < 2 && i + 1 < n && p[i + 1] >= '0' &&
			    p[i + 1] <= '7'; k++)
				v = v * 8 + (p[++i] - '0');
			if (v >= 0x80) {
				*why = "a STRING that is not ASCII";
				return -1;
			}
			buf_byte(out, (unsigned char)v);
			break;
		}
		case 'x': {
			int h1 = i + 1 < n ? hexval(p[i + 1]) : -1;
			int h2 = i + 2 < n ? hexval(p[i + 2]) : -1;
			if (h1 < 0 || h2 < 0) {
				*why = "a STRING with an invalid \\x escape";
				return -1;
			}
			i += 2;
			if (h1 * 16 + h2 >= 0x80) {
				*why = "a STRING that is not ASCII";
				return -1;
			}
			buf_byte(out, (unsigned char)(h1 * 16 + h2));
			break;
		}
		default:        /* kept as it is, backslash and all */
			if (c >= 0x80) {
				*why = "a STRING that is not ASCII";
				return -1;
			}
			buf_byte(out, '\\');
			buf_byte(out, c);
		}
	}
	return 0;
}

/* The raw-unicode-escape codec: bytes are Latin-1 characters, except that
 * \uXXXX and \UXXXXXXXX after an odd number of backslashes are escapes. */
int
pickle_raw_unicode(struct pickle_buf *out, const unsigned char *p, size_t n,
    const char **why)
{
	for (size_t i = 0; i < n;) {
		if (p[i] != '\\') {
			utf8_put(out, p[i++]);
			continue;
		}
		size_t bs = 0;
		while (i < n && p[i] == '\\') {
			bs++;
			i++;
		}
		if (bs % 2 == 0 || i >= n || (p[i] != 'u' && p[i] != 'U')) {
			for (size_t k = 0; k < bs; k++)
				buf_byte(out, '\\');
			continue;
		}
		for (size_t k = 0; k + 1 < bs; k++)
			buf_byte(out, '\\');
		size_t digits = p[i] == 'u' ? 4 : 8;
		i++;
		uint32_t v = 0;
		for (size_t k = 0; k < digits; k++, i++) {
			int h = i < n ? hexval(p[i]) : -1;
			if (h < 0) {
				*why = digits == 4 ? "a truncated \\uXXXX escape" :
				    "a truncated \\UXXXXXXXX escape";
				return -1;
			}
			v = v << 4 | (uint32_t)h;
		}
		if (v > 0x10ffff) {
			*why = "a \\Uxxxxxxxx escape out of range";
			return -1;
		}
		utf8_put(out, v);
	}
	return 0;
}

/* ==== Integers of any size ============================================ */

/* Two's complement, little-endian, cut to its shortest form: the number of
 * bytes that matter (0 for zero). */
static size_t
le_shortest(const unsigned char *b, size_t n)
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
static size_t
i64_le(int64_t v, unsigned char out[8])
{
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(u >> (8 * i));
	return le_shortest(out, 8);
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
pickle_repr_intle(struct pickle_buf *b, const void *p, size_t n)
{
	int neg;
	size_t nl;
	if (n > 1800) {         /* surely more than MAX_STR_DIGITS digits */
		pickle_buf_printf(b, "<int of %zu bytes>", n);
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
		pickle_buf_printf(b, "<int of %zu bytes>", n);
	else {
		if (neg)
			buf_byte(b, '-');
		buf_str(b, first);
		for (size_t i = nc - 1; i-- > 0;)
			pickle_buf_printf(b, "%09u", chunks[i]);
	}
	free(chunks);
	free(l);
}

/* Parse "[+-]digits" (any size, at most MAX_STR_DIGITS digits) into two's
 * complement little-endian bytes in *out. */
int
pickle_decimal(struct pickle_buf *out, const unsigned char *p, size_t n,
    const char **why)
{
	int neg = 0;
	size_t i = 0;
	if (i < n && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	if (i == n) {
		*why = "not a decimal integer";
		return -1;
	}
	if (n - i > MAX_STR_DIGITS) {
		*why = "an integer of more than 4300 digits";
		return -1;
	}
	size_t cap = (n - i) / 9 + 2, nl = 0;
	uint32_t *l = xcalloc(cap, sizeof *l);
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			free(l);
			*why = "not a decimal integer";
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
	pickle_buf_add(out, bytes, le_shortest(bytes, nb));
	free(bytes);
	free(l);
	return 0;
}

/* An integral float as shortest two's complement bytes (at most 130). */
static size_t
float_le(double f, unsigned char out[140])
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
	return le_shortest(out, 140);
}

/* ==== repr() of scalars =============================================== */

/* Code points from U+0080 up that Python's str.isprintable() calls not
 * printable (categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs), for Unicode 14.0,
 * the version of Python 3.11; made with
 *   [c for c in range(0x80, 0x110000) if not chr(c).isprintable()]
 * as ranges. */
static const struct { uint32_t lo, hi; } nonprint[] = {
	{0x80, 0xa0}, {0xad, 0xad}, {0x378, 0x379}, {0x380, 0x383}, {0x38b, 0x38b},
	{0x38d, 0x38d}, {0x3a2, 0x3a2}, {0x530, 0x530}, {0x557, 0x558},
	{0x58b, 0x58c}, {0x590, 0x590}, {0x5c8, 0x5cf}, {0x5eb, 0x5ee},
	{0x5f5, 0x605}, {0x61c, 0x61c}, {0x6dd, 0x6dd}, {0x70e, 0x70f},
	{0x74b, 0x74c}, {0x7b2, 0x7bf}, {0x7fb, 0x7fc}, {0x82e, 0x82f},
	{0x83f, 0x83f}, {0x85c, 0x85d}, {0x85f, 0x85f}, {0x86b, 0x86f},
	{0x88f, 0x897}, {0x8e2, 0x8e2}, {0x984, 0x984}, {0x98d, 0x98e},
	{0x991, 0x992}, {0x9a9, 0x9a9}, {0x9b1, 0x9b1}, {0x9b3, 0x9b5},
	{0x9ba, 0x9bb}, {0x9c5, 0x9c6}, {0x9c9, 0x9ca}, {0x9cf, 0x9d6},
	{0x9d8, 0x9db}, {0x9de, 0x9de}, {0x9e4, 0x9e5}, {0x9ff, 0xa00},
	{0xa04, 0xa04}, {0xa0b, 0xa0e}, {0xa11, 0xa12}, {0xa29, 0xa29},
	{0xa31, 0xa31}, {0xa34, 0xa34}, {0xa37, 0xa37}, {0xa3a, 0xa3b},
	{0xa3d, 0xa3d}, {0xa43, 0xa46}, {0xa49, 0xa4a}, {0xa4e, 0xa50},
	{0xa52, 0xa58}, {0xa5d, 0xa5d}, {0xa5f, 0xa65}, {0xa77, 0xa80},
	{0xa84, 0xa84}, {0xa8e, 0xa8e}, {0xa92, 0xa92}, {0xaa9, 0xaa9},
	{0xab1, 0xab1}, {0xab4, 0xab4}, {0xaba, 0xabb}, {0xac6, 0xac6},
	{0xaca, 0xaca}, {0xace, 0xacf}, {0xad1, 0xadf}, {0xae4, 0xae5},
	{0xaf2, 0xaf8}, {0xb00, 0xb00}, {0xb04, 0xb04}, {0xb0d, 0xb0e},
	{0xb11, 0xb12}, {0xb29, 0xb29}, {0xb31, 0xb31}, {0xb34, 0xb34},
	{0xb3a, 0xb3b}, {0xb45, 0xb46}, {0xb49, 0xb4a}, {0xb4e, 0xb54},
	{0xb58, 0xb5b}, {0xb5e, 0xb5e}, {0xb64, 0xb65}, {0xb78, 0xb81},
	{0xb84, 0xb84}, {0xb8b, 0xb8d}, {0xb91, 0xb91}, {0xb96, 0xb98},
	{0xb9b, 0xb9b}, {0xb9d, 0xb9d}, {0xba0, 0xba2}, {0xba5, 0xba7},
	{0xbab, 0xbad}, {0xbba, 0xbbd}, {0xbc3, 0xbc5}, {0xbc9, 0xbc9},
	{0xbce, 0xbcf}, {0xbd1, 0xbd6}, {0xbd8, 0xbe5}, {0xbfb, 0xbff},
	{0xc0d, 0xc0d}, {0xc11, 0xc11}, {0xc29, 0xc29}, {0xc3a, 0xc3b},
	{0xc45, 0xc45}, {0xc49, 0xc49}, {0xc4e, 0xc54}, {0xc57, 0xc57},
	{0xc5b, 0xc5c}, {0xc5e, 0xc5f}, {0xc64, 0xc65}, {0xc70, 0xc76},
	{0xc8d, 0xc8d}, {0xc91, 0xc91}, {0xca9, 0xca9}, {0xcb4, 0xcb4},
	{0xcba, 0xcbb}, {0xcc5, 0xcc5}, {0xcc9, 0xcc9}, {0xcce, 0xcd4},
	{0xcd7, 0xcdc}, {0xcdf, 0xcdf}, {0xce4, 0xce5}, {0xcf0, 0xcf0},
	{0xcf3, 0xcff}, {0xd0d, 0xd0d}, {0xd11, 0xd11}, {0xd45, 0xd45},
	{0xd49, 0xd49}, {0xd50, 0xd53}, {0xd64, 0xd65}, {0xd80, 0xd80},
	{0xd84, 0xd84}, {0xd97, 0xd99}, {0xdb2, 0xdb2}, {0xdbc, 0xdbc},
	{0xdbe, 0xdbf}, {0xdc7, 0xdc9}, {0xdcb, 0xdce}, {0xdd5, 0xdd5},
	{0xdd7, 0xdd7}, {0xde0, 0xde5}, {0xdf0, 0xdf1}, {0xdf5, 0xe00},
	{0xe3b, 0xe3e}, {0xe5c, 0xe80}, {0xe83, 0xe83}, {0xe85, 0xe85},
	{0xe8b, 0xe8b}, {0xea4, 0xea4}, {0xea6, 0xea6}, {0xebe, 0xebf},
	{0xec5, 0xec5}, {0xec7, 0xec7}, {0xece, 0xecf}, {0xeda, 0xedb},
	{0xee0, 0xeff}, {0xf48, 0xf48}, {0xf6d, 0xf70}, {0xf98, 0xf98},
	{0xfbd, 0xfbd}, {0xfcd, 0xfcd}, {0xfdb, 0xfff}, {0x10c6, 0x10c6},
	{0x10c8, 0x10cc}, {0x10ce, 0x10cf}, {0x1249, 0x1249}, {0x124e, 0x124f},
	{0x1257, 0x1257}, {0x1259, 0x1259}, {0x125e, 0x125f}, {0x1289, 0x1289},
	{0x128e, 0x128f}, {0x12b1, 0x12b1}, {0x12b6, 0x12b7}, {0x12bf, 0x12bf},
	{0x12c1, 0x12c1}, {0x12c6, 0x12c7}, {0x12d7, 0x12d7}, {0x1311, 0x1311},
	{0x1316, 0x1317}, {0x135b, 0x135c}, {0x137d, 0x137f}, {0x139a, 0x139f},
	{0x13f6, 0x13f7}, {0x13fe, 0x13ff}, {0x1680, 0x1680}, {0x169d, 0x169f},
	{0x16f9, 0x16ff}, {0x1716, 0x171e}, {0x1737, 0x173f}, {0x1754, 0x175f},
	{0x176d, 0x176d}, {0x1771, 0x1771}, {0x1774, 0x177f}, {0x17de, 0x17df},
	{0x17ea, 0x17ef}, {0x17fa, 0x17ff}, {0x180e, 0x180e}, {0x181a, 0x181f},
	{0x1879, 0x187f}, {0x18ab, 0x18af}, {0x18f6, 0x18ff}, {0x191f, 0x191f},
	{0x192c, 0x192f}, {0x193c, 0x193f}, {0x1941, 0x1943}, {0x196e, 0x196f},
	{0x1975, 0x197f}, {0x19ac, 0x19af}, {0x19ca, 0x19cf}, {0x19db, 0x19dd},
	{0x1a1c, 0x1a1d}, {0x1a5f, 0x1a5f}, {0x1a7d, 0x1a7e}, {0x1a8a, 0x1a8f},
	{0x1a9a, 0x1a9f}, {0x1aae, 0x1aaf}, {0x1acf, 0x1aff}, {0x1b4d, 0x1b4f},
	{0x1b7f, 0x1b7f}, {0x1bf4, 0x1bfb}, {0x1c38, 0x1c3a}, {0x1c4a, 0x1c4c},
	{0x1c89, 0x1c8f}, {0x1cbb, 0x1cbc}, {0x1cc8, 0x1ccf}, {0x1cfb, 0x1cff},
	{0x1f16, 0x1f17}, {0x1f1e, 0x1f1f}, {0x1f46, 0x1f47}, {0x1f4e, 0x1f4f},
	{0x1f58, 0x1f58}, {0x1f5a, 0x1f5a}, {0x1f5c, 0x1f5c}, {0x1f5e, 0x1f5e},
	{0x1f7e, 0x1f7f}, {0x1fb5, 0x1fb5}, {0x1fc5, 0x1fc5}, {0x1fd4, 0x1fd5},
	{0x1fdc, 0x1fdc}, {0x1ff0, 0x1ff1}, {0x1ff5, 0x1ff5}, {0x1fff, 0x200f},
	{0x2028, 0x202f}, {0x205f, 0x206f}, {0x2072, 0x2073}, {0x208f, 0x208f},
	{0x209d, 0x209f}, {0x20c1, 0x20cf}, {0x20f1, 0x20ff}, {0x218c, 0x218f},
	{0x2427, 0x243f}, {0x244b, 0x245f}, {0x2b74, 0x2b75}, {0x2b96, 0x2b96},
	{0x2cf4, 0x2cf8}, {0x2d26, 0x2d26}, {0x2d28, 0x2d2c}, {0x2d2e, 0x2d2f},
	{0x2d68, 0x2d6e}, {0x2d71, 0x2d7e}, {0x2d97, 0x2d9f}, {0x2da7, 0x2da7},
	{0x2daf, 0x2daf}, {0x2db7, 0x2db7}, {0x2dbf, 0x2dbf}, {0x2dc7, 0x2dc7},
	{0x2dcf, 0x2dcf}, {0x2dd7, 0x2dd7}, {0x2ddf, 0x2ddf}, {0x2e5e, 0x2e7f},
	{0x2e9a, 0x2e9a}, {0x2ef4, 0x2eff}, {0x2fd6, 0x2fef}, {0x2ffc, 0x3000},
	{0x3040, 0x3040}, {0x3097, 0x3098}, {0x3100, 0x3104}, {0x3130, 0x3130},
	{0x318f, 0x318f}, {0x31e4, 0x31ef}, {0x321f, 0x321f}, {0xa48d, 0xa48f},
	{0xa4c7, 0xa4cf}, {0xa62c, 0xa63f}, {0xa6f8, 0xa6ff}, {0xa7cb, 0xa7cf},
	{0xa7d2, 0xa7d2}, {0xa7d4, 0xa7d4}, {0xa7da, 0xa7f1}, {0xa82d, 0xa82f},
	{0xa83a, 0xa83f}, {0xa878, 0xa87f}, {0xa8c6, 0xa8cd}, {0xa8da, 0xa8df},
	{0xa954, 0xa95e}, {0xa97d, 0xa97f}, {0xa9ce, 0xa9ce}, {0xa9da, 0xa9dd},
	{0xa9ff, 0xa9ff}, {0xaa37, 0xaa3f}, {0xaa4e, 0xaa4f}, {0xaa5a, 0xaa5b},
	{0xaac3, 0xaada}, {0xaaf7, 0xab00}, {0xab07, 0xab08}, {0xab0f, 0xab10},
	{0xab17, 0xab1f}, {0xab27, 0xab27}, {0xab2f, 0xab2f}, {0xab6c, 0xab6f},
	{0xabee, 0xabef}, {0xabfa, 0xabff}, {0xd7a4, 0xd7af}, {0xd7c7, 0xd7ca},
	{0xd7fc, 0xf8ff}, {0xfa6e, 0xfa6f}, {0xfada, 0xfaff}, {0xfb07, 0xfb12},
	{0xfb18, 0xfb1c}, {0xfb37, 0xfb37}, {0xfb3d, 0xfb3d}, {0xfb3f, 0xfb3f},
	{0xfb42, 0xfb42}, {0xfb45, 0xfb45}, {0xfbc3, 0xfbd2}, {0xfd90, 0xfd91},
	{0xfdc8, 0xfdce}, {0xfdd0, 0xfdef}, {0xfe1a, 0xfe1f}, {0xfe53, 0xfe53},
	{0xfe67, 0xfe67}, {0xfe6c, 0xfe6f}, {0xfe75, 0xfe75}, {0xfefd, 0xff00},
	{0xffbf, 0xffc1}, {0xffc8, 0xffc9}, {0xffd0, 0xffd1}, {0xffd8, 0xffd9},
	{0xffdd, 0xffdf}, {0xffe7, 0xffe7}, {0xffef, 0xfffb}, {0xfffe, 0xffff},
	{0x1000c, 0x1000c}, {0x10027, 0x10027}, {0x1003b, 0x1003b},
	{0x1003e, 0x1003e}, {0x1004e, 0x1004f}, {0x1005e, 0x1007f},
	{0x100fb, 0x100ff}, {0x10103, 0x10106}, {0x10134, 0x10136},
	{0x1018f, 0x1018f}, {0x1019d, 0x1019f}, {0x101a1, 0x101cf},
	{0x101fe, 0x1027f}, {0x1029d, 0x1029f}, {0x102d1, 0x102df},
	{0x102fc, 0x102ff}, {0x10324, 0x1032c}, {0x1034b, 0x1034f},
	{0x1037b, 0x1037f}, {0x1039e, 0x1039e}, {0x103c4, 0x103c7},
	{0x103d6, 0x103ff}, {0x1049e, 0x1049f}, {0x104aa, 0x104af},
	{0x104d4, 0x104d7}, {0x104fc, 0x104ff}, {0x10528, 0x1052f},
	{0x10564, 0x1056e}, {0x1057b, 0x1057b}, {0x1058b, 0x1058b},
	{0x10593, 0x10593}, {0x10596, 0x10596}, {0x105a2, 0x105a2},
	{0x105b2, 0x105b2}, {0x105ba, 0x105ba}, {0x105bd, 0x105ff},
	{0x10737, 0x1073f}, {0x10756, 0x1075f}, {0x10768, 0x1077f},
	{0x10786, 0x10786}, {0x107b1, 0x107b1}, {0x107bb, 0x107ff},
	{0x10806, 0x10807}, {0x10809, 0x10809}, {0x10836, 0x10836},
	{0x10839, 0x1083b}, {0x1083d, 0x1083e}, {0x10856, 0x10856},
	{0x1089f, 0x108a6}, {0x108b0, 0x108df}, {0x108f3, 0x108f3},
	{0x108f6, 0x108fa}, {0x1091c, 0x1091e}, {0x1093a, 0x1093e},
	{0x10940, 0x1097f}, {0x109b8, 0x109bb}, {0x109d0, 0x109d1},
	{0x10a04, 0x10a04}, {0x10a07, 0x10a0b}, {0x10a14, 0x10a14},
	{0x10a18, 0x10a18}, {0x10a36, 0x10a37}, {0x10a3b, 0x10a3e},
	{0x10a49, 0x10a4f}, {0x10a59, 0x10a5f}, {0x10aa0, 0x10abf},
	{0x10ae7, 0x10aea}, {0x10af7, 0x10aff}, {0x10b36, 0x10b38},
	{0x10b56, 0x10b57}, {0x10b73, 0x10b77}, {0x10b92, 0x10b98},
	{0x10b9d, 0x10ba8}, {0x10bb0, 0x10bff}, {0x10c49, 0x10c7f},
	{0x10cb3, 0x10cbf}, {0x10cf3, 0x10cf9}, {0x10d28, 0x10d2f},
	{0x10d3a, 0x10e5f}, {0x10e7f, 0x10e7f}, {0x10eaa, 0x10eaa},
	{0x10eae, 0x10eaf}, {0x10eb2, 0x10eff}, {0x10f28, 0x10f2f},
	{0x10f5a, 0x10f6f}, {0x10f8a, 0x10faf}, {0x10fcc, 0x10fdf},
	{0x10ff7, 0x10fff}, {0x1104e, 0x11051}, {0x11076, 0x1107e},
	{0x110bd, 0x110bd}, {0x110c3, 0x110cf}, {0x110e9, 0x110ef},
	{0x110fa, 0x110ff}, {0x11135, 0x11135}, {0x11148, 0x1114f},
	{0x11177, 0x1117f}, {0x111e0, 0x111e0}, {0x111f5, 0x111ff},
	{0x11212, 0x11212}, {0x1123f, 0x1127f}, {0x11287, 0x11287},
	{0x11289, 0x11289}, {0x1128e, 0x1128e}, {0x1129e, 0x1129e},
	{0x112aa, 0x112af}, {0x112eb, 0x112ef}, {0x112fa, 0x112ff},
	{0x11304, 0x11304}, {0x1130d, 0x1130e}, {0x11311, 0x11312},
	{0x11329, 0x11329}, {0x11331, 0x11331}, {0x11334, 0x11334},
	{0x1133a, 0x1133a}, {0x11345, 0x11346}, {0x11349, 0x1134a},
	{0x1134e, 0x1134f}, {0x11351, 0x11356}, {0x11358, 0x1135c},
	{0x11364, 0x11365}, {0x1136d, 0x1136f}, {0x11375, 0x113ff},
	{0x1145c, 0x1145c}, {0x11462, 0x1147f}, {0x114c8, 0x114cf},
	{0x114da, 0x1157f}, {0x115b6, 0x115b7}, {0x115de, 0x115ff},
	{0x11645, 0x1164f}, {0x1165a, 0x1165f}, {0x1166d, 0x1167f},
	{0x116ba, 0x116bf}, {0x116ca, 0x116ff}, {0x1171b, 0x1171c},
	{0x1172c, 0x1172f}, {0x11747, 0x117ff}, {0x1183c, 0x1189f},
	{0x118f3, 0x118fe}, {0x11907, 0x11908}, {0x1190a, 0x1190b},
	{0x11914, 0x11914}, {0x11917, 0x11917}, {0x11936, 0x11936},
	{0x11939, 0x1193a}, {0x11947, 0x1194f}, {0x1195a, 0x1199f},
	{0x119a8, 0x119a9}, {0x119d8, 0x119d9}, {0x119e5, 0x119ff},
	{0x11a48, 0x11a4f}, {0x11aa3, 0x11aaf}, {0x11af9, 0x11bff},
	{0x11c09, 0x11c09}, {0x11c37, 0x11c37}, {0x11c46, 0x11c4f},
	{0x11c6d, 0x11c6f}, {0x11c90, 0x11c91}, {0x11ca8, 0x11ca8},
	{0x11cb7, 0x11cff}, {0x11d07, 0x11d07}, {0x11d0a, 0x11d0a},
	{0x11d37, 0x11d39}, {0x11d3b, 0x11d3b}, {0x11d3e, 0x11d3e},
	{0x11d48, 0x11d4f}, {0x11d5a, 0x11d5f}, {0x11d66, 0x11d66},
	{0x11d69, 0x11d69}, {0x11d8f, 0x11d8f}, {0x11d92, 0x11d92},
	{0x11d99, 0x11d9f}, {0x11daa, 0x11edf}, {0x11ef9, 0x11faf},
	{0x11fb1, 0x11fbf}, {0x11ff2, 0x11ffe}, {0x1239a, 0x123ff},
	{0x1246f, 0x1246f}, {0x12475, 0x1247f}, {0x12544, 0x12f8f},
	{0x12ff3, 0x12fff}, {0x1342f, 0x143ff}, {0x14647, 0x167ff},
	{0x16a39, 0x16a3f}, {0x16a5f, 0x16a5f}, {0x16a6a, 0x16a6d},
	{0x16abf, 0x16abf}, {0x16aca, 0x16acf}, {0x16aee, 0x16aef},
	{0x16af6, 0x16aff}, {0x16b46, 0x16b4f}, {0x16b5a, 0x16b5a},
	{0x16b62, 0x16b62}, {0x16b78, 0x16b7c}, {0x16b90, 0x16e3f},
	{0x16e9b, 0x16eff}, {0x16f4b, 0x16f4e}, {0x16f88, 0x16f8e},
	{0x16fa0, 0x16fdf}, {0x16fe5, 0x16fef}, {0x16ff2, 0x16fff},
	{0x187f8, 0x187ff}, {0x18cd6, 0x18cff}, {0x18d09, 0x1afef},
	{0x1aff4, 0x1aff4}, {0x1affc, 0x1affc}, {0x1afff, 0x1afff},
	{0x1b123, 0x1b14f}, {0x1b153, 0x1b163}, {0x1b168, 0x1b16f},
	{0x1b2fc, 0x1bbff}, {0x1bc6b, 0x1bc6f}, {0x1bc7d, 0x1bc7f},
	{0x1bc89, 0x1bc8f}, {0x1bc9a, 0x1bc9b}, {0x1bca0, 0x1ceff},
	{0x1cf2e, 0x1cf2f}, {0x1cf47, 0x1cf4f}, {0x1cfc4, 0x1cfff},
	{0x1d0f6, 0x1d0ff}, {0x1d127, 0x1d128}, {0x1d173, 0x1d17a},
	{0x1d1eb, 0x1d1ff}, {0x1d246, 0x1d2df}, {0x1d2f4, 0x1d2ff},
	{0x1d357, 0x1d35f}, {0x1d379, 0x1d3ff}, {0x1d455, 0x1d455},
	{0x1d49d, 0x1d49d}, {0x1d4a0, 0x1d4a1}, {0x1d4a3, 0x1d4a4},
	{0x1d4a7, 0x1d4a8}, {0x1d4ad, 0x1d4ad}, {0x1d4ba, 0x1d4ba},
	{0x1d4bc, 0x1d4bc}, {0x1d4c4, 0x1d4c4}, {0x1d506, 0x1d506},
	{0x1d50b, 0x1d50c}, {0x1d515, 0x1d515}, {0x1d51d, 0x1d51d},
	{0x1d53a, 0x1d53a}, {0x1d53f, 0x1d53f}, {0x1d545, 0x1d545},
	{0x1d547, 0x1d549}, {0x1d551, 0x1d551}, {0x1d6a6, 0x1d6a7},
	{0x1d7cc, 0x1d7cd}, {0x1da8c, 0x1da9a}, {0x1daa0, 0x1daa0},
	{0x1dab0, 0x1deff}, {0x1df1f, 0x1dfff}, {0x1e007, 0x1e007},
	{0x1e019, 0x1e01a}, {0x1e022, 0x1e022}, {0x1e025, 0x1e025},
	{0x1e02b, 0x1e0ff}, {0x1e12d, 0x1e12f}, {0x1e13e, 0x1e13f},
	{0x1e14a, 0x1e14d}, {0x1e150, 0x1e28f}, {0x1e2af, 0x1e2bf},
	{0x1e2fa, 0x1e2fe}, {0x1e300, 0x1e7df}, {0x1e7e7, 0x1e7e7},
	{0x1e7ec, 0x1e7ec}, {0x1e7ef, 0x1e7ef}, {0x1e7ff, 0x1e7ff},
	{0x1e8c5, 0x1e8c6}, {0x1e8d7, 0x1e8ff}, {0x1e94c, 0x1e94f},
	{0x1e95a, 0x1e95d}, {0x1e960, 0x1ec70}, {0x1ecb5, 0x1ed00},
	{0x1ed3e, 0x1edff}, {0x1ee04, 0x1ee04}, {0x1ee20, 0x1ee20},
	{0x1ee23, 0x1ee23}, {0x1ee25, 0x1ee26}, {0x1ee28, 0x1ee28},
	{0x1ee33, 0x1ee33}, {0x1ee38, 0x1ee38}, {0x1ee3a, 0x1ee3a},
	{0x1ee3c, 0x1ee41}, {0x1ee43, 0x1ee46}, {0x1ee48, 0x1ee48},
	{0x1ee4a, 0x1ee4a}, {0x1ee4c, 0x1ee4c}, {0x1ee50, 0x1ee50},
	{0x1ee53, 0x1ee53}, {0x1ee55, 0x1ee56}, {0x1ee58, 0x1ee58},
	{0x1ee5a, 0x1ee5a}, {0x1ee5c, 0x1ee5c}, {0x1ee5e, 0x1ee5e},
	{0x1ee60, 0x1ee60}, {0x1ee63, 0x1ee63}, {0x1ee65, 0x1ee66},
	{0x1ee6b, 0x1ee6b}, {0x1ee73, 0x1ee73}, {0x1ee78, 0x1ee78},
	{0x1ee7d, 0x1ee7d}, {0x1ee7f, 0x1ee7f}, {0x1ee8a, 0x1ee8a},
	{0x1ee9c, 0x1eea0}, {0x1eea4, 0x1eea4}, {0x1eeaa, 0x1eeaa},
	{0x1eebc, 0x1eeef}, {0x1eef2, 0x1efff}, {0x1f02c, 0x1f02f},
	{0x1f094, 0x1f09f}, {0x1f0af, 0x1f0b0}, {0x1f0c0, 0x1f0c0},
	{0x1f0d0, 0x1f0d0}, {0x1f0f6, 0x1f0ff}, {0x1f1ae, 0x1f1e5},
	{0x1f203, 0x1f20f}, {0x1f23c, 0x1f23f}, {0x1f249, 0x1f24f},
	{0x1f252, 0x1f25f}, {0x1f266, 0x1f2ff}, {0x1f6d8, 0x1f6dc},
	{0x1f6ed, 0x1f6ef}, {0x1f6fd, 0x1f6ff}, {0x1f774, 0x1f77f},
	{0x1f7d9, 0x1f7df}, {0x1f7ec, 0x1f7ef}, {0x1f7f1, 0x1f7ff},
	{0x1f80c, 0x1f80f}, {0x1f848, 0x1f84f}, {0x1f85a, 0x1f85f},
	{0x1f888, 0x1f88f}, {0x1f8ae, 0x1f8af}, {0x1f8b2, 0x1f8ff},
	{0x1fa54, 0x1fa5f}, {0x1fa6e, 0x1fa6f}, {0x1fa75, 0x1fa77},
	{0x1fa7d, 0x1fa7f}, {0x1fa87, 0x1fa8f}, {0x1faad, 0x1faaf},
	{0x1fabb, 0x1fabf}, {0x1fac6, 0x1facf}, {0x1fada, 0x1fadf},
	{0x1fae8, 0x1faef}, {0x1faf7, 0x1faff}, {0x1fb93, 0x1fb93},
	{0x1fbcb, 0x1fbef}, {0x1fbfa, 0x1ffff}, {0x2a6e0, 0x2a6ff},
	{0x2b739, 0x2b73f}, {0x2b81e, 0x2b81f}, {0x2cea2, 0x2ceaf},
	{0x2ebe1, 0x2f7ff}, {0x2fa1e, 0x2ffff}, {0x3134b, 0xe00ff},
	{0xe01f0, 0x10ffff},
};

static int
printable(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp < 0x7f;
	size_t lo = 0, hi = sizeof nonprint / sizeof nonprint[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < nonprint[mid].lo)
			hi = mid;
		else if (cp > nonprint[mid].hi)
			lo = mid + 1;
		else
			return 0;
	}
	return 1;
}

void
pickle_repr_str(struct pickle_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int sq = memchr(p, '\'', n) != NULL, dq = memchr(p, '"', n) != NULL;
	char quote = sq && !dq ? '"' : '\'';
	buf_byte(b, (unsigned char)quote);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_next(p + i, n - i, &cp);
		if (k == 0) {           /* not ours to make; show the byte */
			cp = 0xfffd;
			k = 1;
		}
		if (cp == (uint32_t)quote || cp == '\\') {
			buf_byte(b, '\\');
			buf_byte(b, (unsigned char)cp);
		} else if (cp == '\t')
			buf_str(b, "\\t");
		else if (cp == '\n')
			buf_str(b, "\\n");
		else if (cp == '\r')
			buf_str(b, "\\r");
		else if (printable(cp))
			pickle_buf_add(b, p + i, k);
		else if (cp <= 0xff)
			pickle_buf_printf(b, "\\x%02x", cp);
		else if (cp <= 0xffff)
			pickle_buf_printf(b, "\\u%04x", cp);
		else
			pickle_buf_printf(b, "\\U%08x", cp);
		i += k;
	}
	buf_byte(b, (unsigned char)quote);
}

void
pickle_repr_bytes(struct pickle_buf *b, const void *s, size_t n)
{
	const unsigned char *p = s;
	int sq = memchr(p, '\'', n) != NULL, dq = memchr(p, '"', n) != NULL;
	char quote = sq && !dq ? '"' : '\'';
	buf_byte(b, 'b');
	buf_byte(b, (unsigned char)quote);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == (unsigned char)quote || c == '\\') {
			buf_byte(b, '\\');
			buf_byte(b, c);
		} else if (c == '\t')
			buf_str(b, "\\t");
		else if (c == '\n')
			buf_str(b, "\\n");
		else if (c == '\r')
			buf_str(b, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			pickle_buf_printf(b, "\\x%02x", c);
		else
			buf_byte(b, c);
	}
	buf_byte(b, (unsigned char)quote);
}

/* repr(float): the shortest digits that read back as the same double, in
 * fixed notation when the decimal point falls within 16 digits, else in
 * exponent notation (float_repr_style 'short'). */
void
pickle_repr_float(struct pickle_buf *b, double x)
{
	if (isnan(x)) {
		buf_str(b, "nan");
		return;
	}
	if (isinf(x)) {
		buf_str(b, x < 0 ? "-inf" : "inf");
		return;
	}
	char tmp[64];
	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	/* tmp: [-]d[.ddd]e[+-]xx */
	const char *p = tmp;
	int neg = *p == '-';
	if (neg)
		p++;
	char digits[32];
	int nd = 0;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	int exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	int decpt = exp10 + 1;
	if (neg)
		buf_byte(b, '-');
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			buf_str(b, "0.");
			for (int i = 0; i < -decpt; i++)
				buf_byte(b, '0');
			buf_str(b, digits);
		} else if (decpt >= nd) {
			buf_str(b, digits);
			for (int i = nd; i < decpt; i++)
				buf_byte(b, '0');
			buf_str(b, ".0");
		} else {
			pickle_buf_add(b, digits, (size_t)decpt);
			buf_byte(b, '.');
			buf_str(b, digits + decpt);
		}
	} else {
		buf_byte(b, (unsigned char)digits[0]);
		if (nd > 1) {
			buf_byte(b, '.');
			buf_str(b, digits + 1);
		}
		pickle_buf_printf(b, "e%c%02d", decpt - 1 < 0 ? '-' : '+',
		    abs(decpt - 1));
	}
}

/* ==== Hashing: SipHash-1-3 with a key drawn once per process ========== */

static uint64_t sip_k0, sip_k1;
static int sip_keyed;

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

static uint64_t
siphash(uint64_t tag, const unsigned char *p, size_t n)
{
	if (!sip_keyed) {
		uint64_t k[2] = { 0x736f6d6570736575ull, 0x646f72616e646f6dull };
		if (getrandom(k, sizeof k, GRND_NONBLOCK) != (ssize_t)sizeof k) {
			k[0] ^= (uint64_t)now_ms();
			k[1] ^= (uint64_t)(uintptr_t)&k;
		}
		sip_k0 = k[0];
		sip_k1 = k[1];
		sip_keyed = 1;
	}
	uint64_t v0 = 0x736f6d6570736575ull ^ sip_k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ sip_k1 ^ tag;
	uint64_t v2 = 0x6c7967656e657261ull ^ sip_k0;
	uint64_t v3 = 0x7465646279746573ull ^ sip_k1;
	uint64_t m;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&m, p + i, 8);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	m = (uint64_t)n << 56;
	for (size_t k = 0; i + k < n; k++)
		m |= (uint64_t)p[i + k] << (8 * k);
	v3 ^= m;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ==== The allow-list of globals ======================================= */

enum gkind { G_CLASS, G_SET, G_FROZENSET, G_BYTES, G_BYTEARRAY, G_ENCODE };

static const char M_BUILTINS[] = "builtins", M_QUEUE[] = "queue",
    M_UQUEUE[] = "_queue", M_CODECS[] = "_codecs";

struct allowed {
	const char *module, *name;      /* as Python 3 names it */
	enum gkind what;
	/* how protocols 0 to 2 spell it (CPython's fix_imports):
	 * 'E' exceptions.NAME, 'O' exceptions.OSError, 'I'
	 * exceptions.ImportError, 'B' __builtin__.NAME, 'Q' Queue.NAME,
	 * '=' as Python 3 does */
	char py2;
};

static const struct allowed allowed[] = {
	{ M_BUILTINS, "set", G_SET, 'B' },
	{ M_BUILTINS, "frozenset", G_FROZENSET, 'B' },
	{ M_BUILTINS, "bytes", G_BYTES, 'B' },
	{ M_BUILTINS, "bytearray", G_BYTEARRAY, 'B' },
	{ M_CODECS, "encode", G_ENCODE, '=' },
	{ M_UQUEUE, "Empty", G_CLASS, '=' },
	{ M_QUEUE, "Full", G_CLASS, 'Q' },
	{ M_BUILTINS, "BaseException", G_CLASS, 'E' },
	{ M_BUILTINS, "Exception", G_CLASS, 'E' },
	{ M_BUILTINS, "ArithmeticError", G_CLASS, 'E' },
	{ M_BUILTINS, "AssertionError", G_CLASS, 'E' },
	{ M_BUILTINS, "AttributeError", G_CLASS, 'E' },
	{ M_BUILTINS, "BufferError", G_CLASS, 'E' },
	{ M_BUILTINS, "EOFError", G_CLASS, 'E' },
	{ M_BUILTINS, "FloatingPointError", G_CLASS, 'E' },
	{ M_BUILTINS, "GeneratorExit", G_CLASS, 'E' },
	{ M_BUILTINS, "ImportError", G_CLASS, 'E' },
	{ M_BUILTINS, "IndentationError", G_CLASS, 'E' },
	{ M_BUILTINS, "IndexError", G_CLASS, 'E' },
	{ M_BUILTINS, "KeyError", G_CLASS, 'E' },
	{ M_BUILTINS, "KeyboardInterrupt", G_CLASS, 'E' },
	{ M_BUILTINS, "LookupError", G_CLASS, 'E' },
	{ M_BUILTINS, "MemoryError", G_CLASS, 'E' },
	{ M_BUILTINS, "NameError", G_CLASS, 'E' },
	{ M_BUILTINS, "NotImplementedError", G_CLASS, 'E' },
	{ M_BUILTINS, "OSError", G_CLASS, 'E' },
	{ M_BUILTINS, "OverflowError", G_CLASS, 'E' },
	{ M_BUILTINS, "ReferenceError", G_CLASS, 'E' },
	{ M_BUILTINS, "RuntimeError", G_CLASS, 'E' },
	{ M_BUILTINS, "StopIteration", G_CLASS, 'E' },
	{ M_BUILTINS, "SyntaxError", G_CLASS, 'E' },
	{ M_BUILTINS, "SystemError", G_CLASS, 'E' },
	{ M_BUILTINS, "SystemExit", G_CLASS, 'E' },
	{ M_BUILTINS, "TabError", G_CLASS, 'E' },
	{ M_BUILTINS, "TypeError", G_CLASS, 'E' },
	{ M_BUILTINS, "UnboundLocalError", G_CLASS, 'E' },
	{ M_BUILTINS, "UnicodeDecodeError", G_CLASS, 'E' },
	{ M_BUILTINS, "UnicodeEncodeError", G_CLASS, 'E' },
	{ M_BUILTINS, "UnicodeError", G_CLASS, 'E' },
	{ M_BUILTINS, "UnicodeTranslateError", G_CLASS, 'E' },
	{ M_BUILTINS, "ValueError", G_CLASS, 'E' },
	{ M_BUILTINS, "ZeroDivisionError", G_CLASS, 'E' },
	{ M_BUILTINS, "BrokenPipeError", G_CLASS, 'O' },
	{ M_BUILTINS, "ChildProcessError", G_CLASS, 'O' },
	{ M_BUILTINS, "ConnectionAbortedError", G_CLASS, 'O' },
	{ M_BUILTINS, "ConnectionError", G_CLASS, 'O' },
	{ M_BUILTINS, "ConnectionRefusedError", G_CLASS, 'O' },
	{ M_BUILTINS, "ConnectionResetError", G_CLASS, 'O' },
	{ M_BUILTINS, "FileExistsError", G_CLASS, 'O' },
	{ M_BUILTINS, "FileNotFoundError", G_CLASS, 'O' },
	{ M_BUILTINS, "InterruptedError", G_CLASS, 'O' },
	{ M_BUILTINS, "IsADirectoryError", G_CLASS, 'O' },
	{ M_BUILTINS, "NotADirectoryError", G_CLASS, 'O' },
	{ M_BUILTINS, "PermissionError", G_CLASS, 'O' },
	{ M_BUILTINS, "ProcessLookupError", G_CLASS, 'O' },
	{ M_BUILTINS, "TimeoutError", G_CLASS, 'O' },
	{ M_BUILTINS, "ModuleNotFoundError", G_CLASS, 'I' },
	{ M_BUILTINS, "BlockingIOError", G_CLASS, 'B' },
	{ M_BUILTINS, "RecursionError", G_CLASS, 'B' },
	{ M_BUILTINS, "StopAsyncIteration", G_CLASS, 'B' },
};

#define NALLOWED (sizeof allowed / sizeof allowed[0])

/* The entry for module.name as the data spells it (proto: the pickle's
 * protocol, since Python 2's names are read only below protocol 3). */
static const struct allowed *
allowed_find(const char *module, size_t mlen, const char *name, size_t nlen,
    int proto)
{
	char mod[32], nm[32];
	if (mlen >= sizeof mod || nlen >= sizeof nm)
		return NULL;
	memcpy(mod, module, mlen);
	mod[mlen] = '\0';
	memcpy(nm, name, nlen);
	nm[nlen] = '\0';
	if (memchr(mod, '\0', mlen) || memchr(nm, '\0', nlen))
		return NULL;
	if (proto < 3) {        /* _compat_pickle's NAME_ and IMPORT_MAPPING */
		if (strcmp(mod, "exceptions") == 0) {
			if (strcmp(nm, "StandardError") == 0)
				strcpy(nm, "Exception");
			else if (strcmp(nm, "IOError") != 0 &&
			    strcmp(nm, "EnvironmentError") != 0) {
				const struct allowed *a = NULL;
				for (size_t i = 0; i < NALLOWED; i++)
					if (allowed[i].py2 == 'E' &&
					    strcmp(allowed[i].name, nm) == 0)
						a = &allowed[i];
				return a;
			}
			strcpy(mod, M_BUILTINS);
		} else if (strcmp(mod, "__builtin__") == 0)
			strcpy(mod, M_BUILTINS);
		else if (strcmp(mod, "Queue") == 0)
			strcpy(mod, M_QUEUE);
	}
	/* the other spellings of the same class */
	if (strcmp(mod, M_QUEUE) == 0 && strcmp(nm, "Empty") == 0)
		strcpy(mod, M_UQUEUE);
	else if (strcmp(mod, M_UQUEUE) == 0 && strcmp(nm, "Full") == 0)
		strcpy(mod, M_QUEUE);
	else if (strcmp(mod, M_BUILTINS) == 0 && (strcmp(nm, "IOError") == 0 ||
	    strcmp(nm, "EnvironmentError") == 0))
		strcpy(nm, "OSError");
	for (size_t i = 0; i < NALLOWED; i++)
		if (strcmp(allowed[i].module, mod) == 0 &&
		    strcmp(allowed[i].name, nm) == 0)
			return &allowed[i];
	return NULL;
}

static const struct allowed *
allowed_of(const struct pval *g)
{
	for (size_t i = 0; i < NALLOWED; i++)
		if (allowed[i].name == g->u.g.name)
			return &allowed[i];
	return NULL;
}

/* ==== Values ========================================================== */

static struct pval *
pv_new(enum pval_kind kind)
{
	struct pval *v = xcalloc(1, sizeof *v);
	v->kind = kind;
	v->refs = 1;
	if (kind == PV_LIST || kind == PV_DICT || kind == PV_SET ||
	    kind == PV_BYTEARRAY)
		v->flags |= PVF_UNHASHABLE;
	return v;
}

struct pval *
pval_ref(struct pval *v)
{
	if (v)
		v->refs++;
	return v;
}

void
pval_free(struct pval *v)
{
	if (v == NULL || --v->refs > 0)
		return;
	switch (v->kind) {
	case PV_INT:
		free(v->u.i.big);
		break;
	case PV_STR: case PV_BYTES: case PV_BYTEARRAY:
		free(v->u.s.s);
		break;
	case PV_TUPLE: case PV_LIST: case PV_SET: case PV_FROZENSET:
	case PV_DICT: {
		size_t n = v->kind == PV_DICT ? 2 * v->u.c.n : v->u.c.n;
		for (size_t i = 0; i < n; i++)
			pval_free(v->u.c.v[i]);
		free(v->u.c.v);
		free(v->u.c.index);
		break;
	}
	case PV_GLOBAL_INSTANCE:
		pval_free(v->u.g.args);
		pval_free(v->u.g.state);
		break;
	default:
		break;
	}
	free(v);
}

struct pval *
pval_none(void)
{
	return pv_new(PV_NONE);
}

struct pval *
pval_bool(int b)
{
	struct pval *v = pv_new(PV_BOOL);
	v->u.boolean = b != 0;
	return v;
}

struct pval *
pval_int(int64_t n)
{
	struct pval *v = pv_new(PV_INT);
	v->u.i.small = n;
	return v;
}

struct pval *
pval_int_le(const void *bytes, size_t n)
{
	const unsigned char *b = bytes;
	n = le_shortest(b, n);
	struct pval *v = pv_new(PV_INT);
	if (n <= 8) {
		uint64_t u = n && (b[n - 1] & 0x80) ? ~(uint64_t)0 : 0;
		for (size_t i = 0; i < n; i++) {
			u &= ~((uint64_t)0xff << (8 * i));
			u |= (uint64_t)b[i] << (8 * i);
		}
		v->u.i.small = (int64_t)u;
	} else {
		v->u.i.big = xmalloc(n);
		memcpy(v->u.i.big, b, n);
		v->u.i.nbig = n;
	}
	return v;
}

struct pval *
pval_float(double f)
{
	struct pval *v = pv_new(PV_FLOAT);
	v->u.f = f;
	return v;
}

static struct pval *
pv_blob(enum pval_kind kind, const void *p, size_t n)
{
	struct pval *v = pv_new(kind);
	v->u.s.s = xmalloc(n + 1);
	if (n)
		memcpy(v->u.s.s, p, n);
	v->u.s.s[n] = '\0';
	v->u.s.len = n;
	return v;
}

struct pval *
pval_strn(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	if (pickle_utf8_ok(p, n))
		return pv_blob(PV_STR, s, n);
	struct pickle_buf b = { 0 };
	uint32_t cp;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_next(p + i, n - i, &cp);
		if (k == 0) {
			cp = 0xfffd;
			k = 1;
		}
		utf8_put(&b, cp);
		i += k;
	}
	struct pval *v = pv_new(PV_STR);
	if (b.p == NULL)
		pickle_buf_add(&b, "", 0);
	v->u.s.s = b.p;
	v->u.s.len = b.len;
	return v;
}

struct pval *
pval_str(const char *s)
{
	return pval_strn(s, strlen(s));
}

struct pval *
pval_bytes(const void *p, size_t n)
{
	return pv_blob(PV_BYTES, p, n);
}

struct pval *
pval_bytearray(const void *p, size_t n)
{
	return pv_blob(PV_BYTEARRAY, p, n);
}

/* Room for one more item (or pair) in a container. */
static void
c_grow(struct pval *c, size_t more)
{
	size_t per = c->kind == PV_DICT ? 2 : 1;
	size_t need = (c->u.c.n + more) * per;
	if (need <= c->u.c.cap)
		return;
	size_t cap = c->u.c.cap ? c->u.c.cap : 4;
	while (cap < need)
		cap *= 2;
	c->u.c.v = xreallocarray(c->u.c.v, cap, sizeof *c->u.c.v);
	c->u.c.cap = cap;
}

/* item now lives inside c. */
static void
c_adopt(struct pval *c, struct pval *item)
{
	item->flags |= PVF_CONTAINED;
	if (item->depth + 1 > c->depth)
		c->depth = item->depth + 1;
	if (c->kind == PV_TUPLE && (item->flags & PVF_UNHASHABLE))
		c->flags |= PVF_UNHASHABLE;
}

struct pval *
pval_tuplev(size_t n, struct pval *const *items)
{
	struct pval *t = pv_new(PV_TUPLE);
	c_grow(t, n);
	for (size_t i = 0; i < n; i++) {
		t->u.c.v[i] = items[i];
		c_adopt(t, items[i]);
	}
	t->u.c.n = n;
	return t;
}

struct pval *
pval_tuple(size_t n, ...)
{
	va_list ap;
	struct pval *t = pv_new(PV_TUPLE);
	c_grow(t, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		t->u.c.v[i] = va_arg(ap, struct pval *);
		c_adopt(t, t->u.c.v[i]);
	}
	va_end(ap);
	t->u.c.n = n;
	return t;
}

struct pval *
pval_list(void)
{
	return pv_new(PV_LIST);
}

struct pval *
pval_dict(void)
{
	return pv_new(PV_DICT);
}

struct pval *
pval_set(void)
{
	return pv_new(PV_SET);
}

struct pval *
pval_frozenset(void)
{
	return pv_new(PV_FROZENSET);
}

static struct pval *
pv_global(const struct allowed *a)
{
	struct pval *v = pv_new(PV_GLOBAL);
	v->u.g.module = a->module;
	v->u.g.name = a->name;
	return v;
}

struct pval *
pval_global(const char *module, const char *name)
{
	const struct allowed *a = allowed_find(module, strlen(module), name,
	    strlen(name), 3);
	return a ? pv_global(a) : NULL;
}

static struct pval *
pv_instance(const struct allowed *a, struct pval *args, int newobj)
{
	struct pval *v = pv_new(PV_GLOBAL_INSTANCE);
	v->u.g.module = a->module;
	v->u.g.name = a->name;
	v->u.g.args = args;
	v->u.g.newobj = newobj;
	c_adopt(v, args);
	return v;
}

struct pval *
pval_instance(const char *module, const char *name, struct pval *args)
{
	const struct allowed *a = allowed_find(module, strlen(module), name,
	    strlen(name), 3);
	if (args == NULL)
		args = pval_tuple(0);
	if (a == NULL || a->what != G_CLASS || args->kind != PV_TUPLE) {
		pval_free(args);
		return NULL;
	}
	return pv_instance(a, args, 0);
}

/* ---- Hashes and Python's == for keys -------------------------------- */

/* The value of an int, a bool or an integral float as shortest two's
 * complement bytes in buf; its length, or -1 when v is not integral. */
static long
integral_le(const struct pval *v, unsigned char buf[140], const unsigned char **p)
{
	*p = buf;
	if (v->kind == PV_BOOL)
		return (long)i64_le(v->u.boolean, buf);
	if (v->kind == PV_INT) {
		if (v->u.i.big) {
			*p = v->u.i.big;
			return (long)v->u.i.nbig;
		}
		return (long)i64_le(v->u.i.small, buf);
	}
	double f = v->u.f;
	if (!isfinite(f) || floor(f) != f)
		return -1;
	if (f >= -9223372036854775808.0 && f < 9223372036854775808.0)
		return (long)i64_le((int64_t)f, buf);
	return (long)float_le(f, buf);
}

static int
numeric(const struct pval *v)
{
	return v->kind == PV_BOOL || v->kind == PV_INT || v->kind == PV_FLOAT;
}

int
pval_hashable(const struct pval *v)
{
	return !(v->flags & PVF_UNHASHABLE);
}

/* The hash of a hashable value; equal keys hash alike (1, 1.0, True). */
static uint64_t
pv_hash(struct pval *v)
{
	if (v->flags & PVF_HASHED)
		return v->hash;
	uint64_t h = 0;
	unsigned char buf[140];
	const unsigned char *p;
	long n;
	switch (v->kind) {
	case PV_NONE:
		h = siphash(1, NULL, 0);
		break;
	case PV_BOOL: case PV_INT: case PV_FLOAT:
		if ((n = integral_le(v, buf, &p)) >= 0)
			h = siphash(2, p, (size_t)n);
		else
			h = siphash(3, (const unsigned char *)&v->u.f, sizeof v->u.f);
		break;
	case PV_STR:
		h = siphash(4, (unsigned char *)v->u.s.s, v->u.s.len);
		break;
	case PV_BYTES:
		h = siphash(5, (unsigned char *)v->u.s.s, v->u.s.len);
		break;
	case PV_TUPLE: {
		uint64_t *hs = xcalloc(v->u.c.n + 1, sizeof *hs);
		for (size_t i = 0; i < v->u.c.n; i++)
			hs[i] = pv_hash(v->u.c.v[i]);
		h = siphash(6, (unsigned char *)hs, v->u.c.n * sizeof *hs);
		free(hs);
		break;
	}
	case PV_FROZENSET: {
		uint64_t sum = 0;
		for (size_t i = 0; i < v->u.c.n; i++) {
			uint64_t x = pv_hash(v->u.c.v[i]);
			sum += x ^ (x >> 29) ^ 0x9e3779b97f4a7c15ull;
		}
		h = siphash(7, (unsigned char *)&sum, sizeof sum);
		break;
	}
	case PV_GLOBAL: {
		const char *id[2] = { v->u.g.module, v->u.g.name };
		h = siphash(8, (unsigned char *)id, sizeof id);
		break;
	}
	default: {              /* an object: by identity, as Python does */
		const struct pval *self = v;
		h = siphash(9, (unsigned char *)&self, sizeof self);
		break;
	}
	}
	v->hash = h;
	v->flags |= PVF_HASHED;
	return h;
}

static long set_find(const struct pval *c, struct pval *key, long *budget);

/* Python's == between two hashable values. Every comparison costs one of
 * *budget; at 0 the answer is "not equal" and the caller must give up. */
static int
key_eq(struct pval *a, struct pval *b, long *budget)
{
	if (a == b)
		return 1;
	if (--*budget < 0)
		return 0;
	if (numeric(a) && numeric(b)) {
		if (a->kind == PV_FLOAT && b->kind == PV_FLOAT)
			return a->u.f == b->u.f;
		unsigned char ba[140], bb[140];
		const unsigned char *pa, *pb;
		long na = integral_le(a, ba, &pa), nb = integral_le(b, bb, &pb);
		return na >= 0 && na == nb && memcmp(pa, pb, (size_t)na) == 0;
	}
	if (a->kind != b->kind)
		return 0;
	if ((a->flags & PVF_HASHED) && (b->flags & PVF_HASHED) &&
	    a->hash != b->hash)
		return 0;
	switch (a->kind) {
	case PV_NONE:
		return 1;
	case PV_STR: case PV_BYTES:
		return a->u.s.len == b->u.s.len &&
		    memcmp(a->u.s.s, b->u.s.s, a->u.s.len) == 0;
	case PV_TUPLE:
		if (a->u.c.n != b->u.c.n)
			return 0;
		for (size_t i = 0; i < a->u.c.n; i++)
			if (!key_eq(a->u.c.v[i], b->u.c.v[i], budget))
				return 0;
		return 1;
	case PV_FROZENSET:
		if (a->u.c.n != b->u.c.n)
			return 0;
		for (size_t i = 0; i < a->u.c.n; i++)
			if (set_find(b, a->u.c.v[i], budget) < 0)
				return 0;
		return 1;
	case PV_GLOBAL:
		return a->u.g.name == b->u.g.name && a->u.g.module == b->u.g.module;
	default:
		return 0;
	}
}

/* ---- Sets and dicts: items in order, and a hash index --------------- */

static struct pval *
c_key(const struct pval *c, size_t k)
{
	return c->u.c.v[c->kind == PV_DICT ? 2 * k : k];
}

static void
index_build(struct pval *c)
{
	size_t cap = 16;
	while (cap < 2 * (c->u.c.n + 1))
		cap *= 2;
	free(c->u.c.index);
	c->u.c.index = xcalloc(cap, sizeof *c->u.c.index);
	c->u.c.icap = cap;
	for (size_t k = 0; k < c->u.c.n; k++) {
		size_t at = pv_hash(c_key(c, k)) & (cap - 1);
		while (c->u.c.index[at])
			at = (at + 1) & (cap - 1);
		c->u.c.index[at] = k + 1;
	}
}

/* The position of key in set or dict c, or -1 (also when *budget ran
 * out: check it). */
static long
set_find(const struct pval *c, struct pval *key, long *budget)
{
	if (c->u.c.index == NULL) {
		for (size_t k = 0; k < c->u.c.n; k++)
			if (key_eq(c_key(c, k), key, budget))
				return (long)k;
		return -1;
	}
	uint64_t h = pv_hash(key);
	size_t mask = c->u.c.icap - 1;
	for (size_t at = h & mask; c->u.c.index[at]; at = (at + 1) & mask) {
		size_t k = c->u.c.index[at] - 1;
		struct pval *other = c_key(c, k);
		if (pv_hash(other) == h && key_eq(other, key, budget))
			return (long)k;
		if (*budget < 0)
			return -1;
	}
	return -1;
}

/* Key comparisons allowed for one look-up. */
#define EQ_BUDGET (1L << 20)

/* Put key (and value, for a dict) into c, which takes the references.
 * 0; 1 when the key was there (a dict's value replaced, a set's item
 * dropped); -1 when key is unhashable or comparing took too long (the
 * references are dropped). */
static int
c_insert(struct pval *c, struct pval *key, struct pval *value)
{
	long budget = EQ_BUDGET;
	if (key->flags & PVF_UNHASHABLE) {
		pval_free(key);
		pval_free(value);
		return -1;
	}
	pv_hash(key);
	long at = set_find(c, key, &budget);
	if (budget < 0) {
		pval_free(key);
		pval_free(value);
		return -1;
	}
	if (at >= 0) {
		if (c->kind == PV_DICT) {
			struct pval **slot = &c->u.c.v[2 * at + 1];
			pval_free(*slot);
			*slot = value;
			c_adopt(c, value);
		}
		pval_free(key);
		return 1;
	}
	c_grow(c, 1);
	if (c->kind == PV_DICT) {
		c->u.c.v[2 * c->u.c.n] = key;
		c->u.c.v[2 * c->u.c.n + 1] = value;
		c_adopt(c, value);
	} else
		c->u.c.v[c->u.c.n] = key;
	c_adopt(c, key);
	c->u.c.n++;
	if (c->u.c.n >= 8 && 2 * c->u.c.n >= c->u.c.icap)
		index_build(c);
	else if (c->u.c.index) {
		size_t mask = c->u.c.icap - 1;
		size_t pos = pv_hash(key) & mask;
		while (c->u.c.index[pos])
			pos = (pos + 1) & mask;
		c->u.c.index[pos] = c->u.c.n;
	}
	return 0;
}

int
pval_append(struct pval *list, struct pval *item)
{
	if (list->kind != PV_LIST || item == list) {
		pval_free(item);
		return -1;
	}
	c_grow(list, 1);
	list->u.c.v[list->u.c.n++] = item;
	c_adopt(list, item);
	return 0;
}

int
pval_set_add(struct pval *set, struct pval *item)
{
	if (set->kind != PV_SET && set->kind != PV_FROZENSET) {
		pval_free(item);
		return -1;
	}
	return c_insert(set, item, NULL) < 0 ? -1 : 0;
}

int
pval_dict_set(struct pval *dict, struct pval *key, struct pval *value)
{
	if (dict->kind != PV_DICT || value == dict) {
		pval_free(key);
		pval_free(value);
		return -1;
	}
	return c_insert(dict, key, value) < 0 ? -1 : 0;
}

/* ---- Reading values -------------------------------------------------- */

const char *
pval_type_name(const struct pval *v)
{
	static const char *const names[] = {
		[PV_NONE] = "NoneType", [PV_BOOL] = "bool", [PV_INT] = "int",
		[PV_FLOAT] = "float", [PV_STR] = "str", [PV_BYTES] = "bytes",
		[PV_BYTEARRAY] = "bytearray", [PV_TUPLE] = "tuple",
		[PV_LIST] = "list", [PV_DICT] = "dict", [PV_SET] = "set",
		[PV_FROZENSET] = "frozenset", [PV_GLOBAL] = "type",
	};
	if (v->kind == PV_GLOBAL_INSTANCE)
		return v->u.g.name;
	if (v->kind == PV_GLOBAL && allowed_of(v) &&
	    allowed_of(v)->what == G_ENCODE)
		return "builtin_function_or_method";
	return names[v->kind];
}

size_t
pval_len(const struct pval *v)
{
	switch (v->kind) {
	case PV_STR: case PV_BYTES: case PV_BYTEARRAY:
		return v->u.s.len;
	case PV_TUPLE: case PV_LIST: case PV_SET: case PV_FROZENSET:
	case PV_DICT:
		return v->u.c.n;
	default:
		return 0;
	}
}

struct pval *
pval_item(const struct pval *v, size_t i)
{
	switch (v->kind) {
	case PV_TUPLE: case PV_LIST: case PV_SET: case PV_FROZENSET:
	case PV_DICT:
		return i < v->u.c.n ? c_key(v, i) : NULL;
	default:
		return NULL;
	}
}

struct pval *
pval_dict_get(const struct pval *dict, const struct pval *key)
{
	long budget = EQ_BUDGET;
	if (dict->kind != PV_DICT || (key->flags & PVF_UNHASHABLE))
		return NULL;
	long at = set_find(dict, (struct pval *)key, &budget);
	return at >= 0 ? dict->u.c.v[2 * at + 1] : NULL;
}

struct pval *
pval_dict_get_str(const struct pval *dict, const char *key)
{
	struct pval *k = pval_str(key);
	struct pval *v = pval_dict_get(dict, k);
	pval_free(k);
	return v;
}

int
pval_is_str(const struct pval *v, const char *s)
{
	return v && v->kind == PV_STR && v->u.s.len == strlen(s) &&
	    memcmp(v->u.s.s, s, v->u.s.len) == 0;
}

int
pval_get_int(const struct pval *v, int64_t *n)
{
	if (v->kind == PV_BOOL) {
		*n = v->u.boolean;
		return 0;
	}
	if (v->kind != PV_INT || v->u.i.big)
		return -1;
	*n = v->u.i.small;
	return 0;
}

int
pval_is_instance(const struct pval *v, const char *module, const char *name)
{
	const struct allowed *a = allowed_find(module, strlen(module), name,
	    strlen(name), 3);
	return v && a && v->kind == PV_GLOBAL_INSTANCE && v->u.g.name == a->name &&
	    v->u.g.module == a->module;
}

/* Item (or pair) k of a equals item j of b, for pval_equal. */
static int
entry_equal(const struct pval *a, size_t k, const struct pval *b, size_t j)
{
	return pval_equal(c_key(a, k), c_key(b, j)) && (a->kind != PV_DICT ||
	    pval_equal(a->u.c.v[2 * k + 1], b->u.c.v[2 * j + 1]));
}

/* Two sets, frozensets or dicts of the same kind hold equal entries in any
 * order. Each of a's entries is matched with an entry of b not matched yet:
 * first the one Python's == finds through the index, else (a key holding a
 * NaN, which Python's == never finds) by a scan. pval_equal is an
 * equivalence, so matching greedily is exact. */
static int
unordered_equal(const struct pval *a, const struct pval *b)
{
	size_t n = a->u.c.n;
	if (n != b->u.c.n)
		return 0;
	unsigned char *taken = xcalloc(n ? n : 1, 1);
	int ok = 1;
	for (size_t k = 0; k < n && ok; k++) {
		long budget = EQ_BUDGET;
		long at = set_find(b, c_key(a, k), &budget);
		if (at >= 0 && !taken[at] && entry_equal(a, k, b, (size_t)at)) {
			taken[at] = 1;
			continue;
		}
		ok = 0;
		for (size_t j = 0; j < n && !ok; j++)
			if (!taken[j] && entry_equal(a, k, b, j))
				taken[j] = ok = 1;
	}
	free(taken);
	return ok;
}

int
pval_equal(const struct pval *a, const struct pval *b)
{
	if (a == b)
		return 1;
	if (a == NULL || b == NULL || a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case PV_NONE:
		return 1;
	case PV_BOOL:
		return a->u.boolean == b->u.boolean;
	case PV_INT:
		if (a->u.i.big == NULL || b->u.i.big == NULL)
			return a->u.i.big == b->u.i.big && a->u.i.small == b->u.i.small;
		return a->u.i.nbig == b->u.i.nbig &&
		    memcmp(a->u.i.big, b->u.i.big, a->u.i.nbig) == 0;
	case PV_FLOAT:
		if (isnan(a->u.f) || isnan(b->u.f))
			return isnan(a->u.f) && isnan(b->u.f);
		return a->u.f == b->u.f && !signbit(a->u.f) == !signbit(b->u.f);
	case PV_STR: case PV_BYTES: case PV_BYTEARRAY:
		return a->u.s.len == b->u.s.len &&
		    memcmp(a->u.s.s, b->u.s.s, a->u.s.len) == 0;
	case PV_TUPLE: case PV_LIST:
		if (a->u.c.n != b->u.c.n)
			return 0;
		for (size_t i = 0; i < a->u.c.n; i++)
			if (!pval_equal(a->u.c.v[i], b->u.c.v[i]))
				return 0;
		return 1;
	case PV_SET: case PV_FROZENSET: case PV_DICT:
		return unordered_equal(a, b);
	case PV_GLOBAL:
		return a->u.g.name == b->u.g.name && a->u.g.module == b->u.g.module;
	case PV_GLOBAL_INSTANCE:
		return a->u.g.name == b->u.g.name && a->u.g.module == b->u.g.module &&
		    pval_equal(a->u.g.args, b->u.g.args) &&
		    ((a->u.g.state == NULL && b->u.g.state == NULL) ||
		    (a->u.g.state && b->u.g.state &&
		    pval_equal(a->u.g.state, b->u.g.state)));
	}
	return 0;
}

/* ---- repr() ---------------------------------------------------------- */

struct rctx {
	struct pickle_buf b;
	size_t max;
};

static void repr_rec(struct rctx *r, const struct pval *v);

static void
repr_items(struct rctx *r, const struct pval *v, const char *open,
    const char *close)
{
	buf_str(&r->b, open);
	for (size_t i = 0; i < v->u.c.n; i++) {
		if (r->max && r->b.len > r->max)
			return;
		if (i)
			buf_str(&r->b, ", ");
		if (v->kind == PV_DICT) {
			repr_rec(r, v->u.c.v[2 * i]);
			buf_str(&r->b, ": ");
			repr_rec(r, v->u.c.v[2 * i + 1]);
		} else
			repr_rec(r, v->u.c.v[i]);
	}
	if (v->kind == PV_TUPLE && v->u.c.n == 1)
		buf_byte(&r->b, ',');
	buf_str(&r->b, close);
}

static void
repr_rec(struct rctx *r, const struct pval *v)
{
	if (r->max && r->b.len > r->max)
		return;
	switch (v->kind) {
	case PV_NONE:
		buf_str(&r->b, "None");
		break;
	case PV_BOOL:
		buf_str(&r->b, v->u.boolean ? "True" : "False");
		break;
	case PV_INT:
		if (v->u.i.big)
			pickle_repr_intle(&r->b, v->u.i.big, v->u.i.nbig);
		else
			pickle_buf_printf(&r->b, "%lld", (long long)v->u.i.small);
		break;
	case PV_FLOAT:
		pickle_repr_float(&r->b, v->u.f);
		break;
	case PV_STR:
		pickle_repr_str(&r->b, v->u.s.s, v->u.s.len);
		break;
	case PV_BYTES:
		pickle_repr_bytes(&r->b, v->u.s.s, v->u.s.len);
		break;
	case PV_BYTEARRAY:
		buf_str(&r->b, "bytearray(");
		pickle_repr_bytes(&r->b, v->u.s.s, v->u.s.len);
		buf_byte(&r->b, ')');
		break;
	case PV_TUPLE:
		repr_items(r, v, "(", ")");
		break;
	case PV_LIST:
		repr_items(r, v, "[", "]");
		break;
	case PV_DICT:
		repr_items(r, v, "{", "}");
		break;
	case PV_SET:
		if (v->u.c.n == 0)
			buf_str(&r->b, "set()");
		else
			repr_items(r, v, "{", "}");
		break;
	case PV_FROZENSET:
		if (v->u.c.n == 0)
			buf_str(&r->b, "frozenset()");
		else
			repr_items(r, v, "frozenset({", "})");
		break;
	case PV_GLOBAL:
		if (allowed_of(v) && allowed_of(v)->what == G_ENCODE)
			pickle_buf_printf(&r->b, "<built-in function %s>", v->u.g.name);
		else if (v->u.g.module == M_BUILTINS)
			pickle_buf_printf(&r->b, "<class '%s'>", v->u.g.name);
		else
			pickle_buf_printf(&r->b, "<class '%s.%s'>", v->u.g.module,
			    v->u.g.name);
		break;
	case PV_GLOBAL_INSTANCE:
		/* BaseException.__repr__: Name(arg) for one argument, else
		 * Name(args...) */
		buf_str(&r->b, v->u.g.name);
		if (v->u.g.args->u.c.n == 1) {
			buf_byte(&r->b, '(');
			repr_rec(r, v->u.g.args->u.c.v[0]);
			buf_byte(&r->b, ')');
		} else
			repr_rec(r, v->u.g.args);
		break;
	}
}

char *
pval_repr_max(const struct pval *v, size_t max)
{
	struct rctx r = { { 0 }, max };
	pickle_buf_add(&r.b, "", 0);
	repr_rec(&r, v);
	if (max && r.b.len > max) {
		while (max > 0 && ((unsigned char)r.b.p[max] & 0xc0) == 0x80)
			max--;          /* not inside a character */
		r.b.len = max;
		r.b.p[max] = '\0';
		buf_str(&r.b, "...");
	}
	return r.b.p;
}

char *
pval_repr(const struct pval *v)
{
	return pval_repr_max(v, 0);
}

/* ==== Decoding ======================================================== */

const struct pickle_limits pickle_default_limits = {
	.max_input = 64u << 20,
	.max_depth = 1000,
	.max_memo = 1u << 20,
	.max_values = 4u << 20,
	.max_stack = 1u << 20,
};

struct memo_slot {
	uint64_t key;
	struct pval *v;         /* NULL: free */
};

struct unpickler {
	const struct pickle_limits *lim;
	struct pval **stack;
	size_t n, cap;
	size_t *marks;          /* stack heights at each MARK */
	size_t nmarks, capmarks;
	struct memo_slot *memo;
	size_t memo_n, memo_cap;
	size_t values;
	int proto;
	size_t offset;          /* of the opcode being run */
	char **cause;
};

static int
fail(struct unpickler *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct unpickler *u, const char *fmt, ...)
{
	if (u->cause) {
		va_list ap;
		va_start(ap, fmt);
		char *what = xvasprintf(fmt, ap);
		va_end(ap);
		*u->cause = xasprintf("pickle: %s (at offset %zu)", what, u->offset);
		free(what);
	}
	return -1;
}

/* A name from the data, safe to print: printable ASCII, at most 60. */
static char *
printable_name(const char *p, size_t n)
{
	size_t m = n > 60 ? 60 : n;
	char *s = xmalloc(m + 4);
	for (size_t i = 0; i < m; i++)
		s[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	strcpy(s + m, n > m ? "..." : "");
	return s;
}

/* One more value may be made. */
static int
count_value(struct unpickler *u)
{
	if (u->values >= u->lim->max_values)
		return fail(u, "more than %zu values", u->lim->max_values);
	u->values++;
	return 0;
}

/* Push v (made just now or referenced again); v is dropped on failure. */
static int
push(struct unpickler *u, struct pval *v)
{
	if (u->n + u->nmarks >= u->lim->max_stack) {
		pval_free(v);
		return fail(u, "the stack grows past %zu items", u->lim->max_stack);
	}
	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 64;
		u->stack = xreallocarray(u->stack, u->cap, sizeof *u->stack);
	}
	u->stack[u->n++] = v;
	return 0;
}

/* Make a value with f(...) after counting it, and push it. */
#define PUSH_NEW(u, expr) (count_value(u) < 0 ? -1 : push((u), (expr)))

static size_t
fence(const struct unpickler *u)
{
	return u->nmarks ? u->marks[u->nmarks - 1] : 0;
}

/* The top item, popped: the caller owns the reference. NULL at the fence. */
static struct pval *
pop(struct unpickler *u)
{
	if (u->n <= fence(u)) {
		fail(u, "unpickling stack underflow");
		return NULL;
	}
	return u->stack[--u->n];
}

static struct pval *
top(struct unpickler *u)
{
	if (u->n <= fence(u)) {
		fail(u, "unpickling stack underflow");
		return NULL;
	}
	return u->stack[u->n - 1];
}

/* Pop the topmost MARK: the items above it start at *at. */
static int
pop_mark(struct unpickler *u, size_t *at)
{
	if (u->nmarks == 0)
		return fail(u, "could not find MARK");
	*at = u->marks[--u->nmarks];
	return 0;
}

static int
check_depth(struct unpickler *u, const struct pval *v)
{
	if (v->depth > u->lim->max_depth)
		return fail(u, "values nested deeper than %zu", u->lim->max_depth);
	return 0;
}

/* c may take item: it is not inside anything yet (else the change could
 * close a cycle) and item is not c itself. */
static int
may_change(struct unpickler *u, const struct pval *c, const struct pval *item,
    const char *op)
{
	if (c == item)
		return fail(u, "%s would put a %s inside itself", op,
		    pval_type_name(c));
	if (c->flags & PVF_CONTAINED)
		return fail(u, "%s changes a %s that is already inside another "
		    "value (it could make a cycle)", op, pval_type_name(c));
	return 0;
}

static int
insert_or_fail(struct unpickler *u, struct pval *c, struct pval *key,
    struct pval *value)
{
	const char *tname = pval_type_name(key);
	int unhashable = (key->flags & PVF_UNHASHABLE) != 0;
	if (c_insert(c, key, value) < 0)
		return unhashable ? fail(u, "unhashable type: '%s'", tname) :
		    fail(u, "comparing keys takes too long");
	return 0;
}

/* ---- The memo: an open-addressing table keyed by index -------------- */

static struct memo_slot *
memo_slot(struct unpickler *u, uint64_t key)
{
	if (u->memo_cap == 0)
		return NULL;
	size_t mask = u->memo_cap - 1;
	size_t at = (size_t)(key * 0x9e3779b97f4a7c15ull >> 7) & mask;
	while (u->memo[at].v && u->memo[at].key != key)
		at = (at + 1) & mask;
	return &u->memo[at];
}

static int
memo_put(struct unpickler *u, uint64_t key)
{
	struct pval *v = top(u);
	if (v == NULL)
		return -1;
	struct memo_slot *s = memo_slot(u, key);
	if (s && s->v) {
		pval_free(s->v);
		s->v = pval_ref(v);
		return 0;
	}
	if (u->memo_n >= u->lim->max_memo)
		return fail(u, "the memo grows past %zu entries", u->lim->max_memo);
	if (2 * (u->memo_n + 1) > u->memo_cap) {
		struct memo_slot *old = u->memo;
		size_t oldcap = u->memo_cap;
		u->memo_cap = oldcap ? 2 * oldcap : 64;
		u->memo = xcalloc(u->memo_cap, sizeof *u->memo);
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].v)
				*memo_slot(u, old[i].key) = old[i];
		free(old);
	}
	s = memo_slot(u, key);
	s->key = key;
	s->v = pval_ref(v);
	u->memo_n++;
	return 0;
}

static int
memo_get(struct unpickler *u, uint64_t key)
{
	struct memo_slot *s = memo_slot(u, key);
	if (s == NULL || s->v == NULL)
		return fail(u, "memo value not found at index %llu",
		    (unsigned long long)key);
	return push(u, pval_ref(s->v));
}

/* ---- Calling a global: data, or an inert object record -------------- */

/* The code points of a str, each below 256, as bytes; -1 otherwise. */
static int
latin1_bytes(const struct pval *s, struct pickle_buf *out)
{
	const unsigned char *p = (const unsigned char *)s->u.s.s;
	uint32_t cp;
	pickle_buf_add(out, "", 0);
	for (size_t i = 0; i < s->u.s.len;) {
		size_t k = utf8_next(p + i, s->u.s.len - i, &cp);
		if (k == 0 || cp > 0xff)
			return -1;
		buf_byte(out, (unsigned char)cp);
		i += k;
	}
	return 0;
}

static int
is_latin1_name(const struct pval *v)
{
	return pval_is_str(v, "latin1") || pval_is_str(v, "latin-1") ||
	    pval_is_str(v, "latin_1") || pval_is_str(v, "iso-8859-1") ||
	    pval_is_str(v, "iso8859-1") || pval_is_str(v, "l1");
}

/* bytes() and bytearray() from (), (bytes,), ([ints],) or (str, latin-1). */
static int
bytes_arg(struct unpickler *u, const char *what, const struct pval *args,
    struct pickle_buf *out)
{
	pickle_buf_add(out, "", 0);
	size_t n = args->u.c.n;
	const struct pval *a = n ? args->u.c.v[0] : NULL;
	if (n == 0)
		return 0;
	if (n == 1 && (a->kind == PV_BYTES || a->kind == PV_BYTEARRAY)) {
		pickle_buf_add(out, a->u.s.s, a->u.s.len);
		return 0;
	}
	if (n == 1 && (a->kind == PV_LIST || a->kind == PV_TUPLE)) {
		for (size_t i = 0; i < a->u.c.n; i++) {
			int64_t b;
			if (pval_get_int(a->u.c.v[i], &b) < 0 || b < 0 || b > 255)
				return fail(u, "%s() of a list that is not of bytes 0 to 255",
				    what);
			buf_byte(out, (unsigned char)b);
		}
		return 0;
	}
	if (n == 2 && a->kind == PV_STR && is_latin1_name(args->u.c.v[1])) {
		if (latin1_bytes(a, out) < 0)
			return fail(u, "%s(): a character beyond Latin-1", what);
		return 0;
	}
	return fail(u, "%s() with these arguments is not supported", what);
}

/* OSError(errno, strerror, ...) is made as the subclass for errno, as
 * OSError.__new__ does (protocols 0 to 2 write the subclasses as OSError). */
static const struct allowed *
oserror_subclass(const struct allowed *a, const struct pval *err)
{
	static const struct { int err; const char *name; } map[] = {
		{ EAGAIN, "BlockingIOError" }, { EALREADY, "BlockingIOError" },
		{ EWOULDBLOCK, "BlockingIOError" }, { EINPROGRESS, "BlockingIOError" },
		{ ECHILD, "ChildProcessError" }, { EPIPE, "BrokenPipeError" },
		{ ESHUTDOWN, "BrokenPipeError" },
		{ ECONNABORTED, "ConnectionAbortedError" },
		{ ECONNREFUSED, "ConnectionRefusedError" },
		{ ECONNRESET, "ConnectionResetError" }, { EEXIST, "FileExistsError" },
		{ ENOENT, "FileNotFoundError" }, { EISDIR, "IsADirectoryError" },
		{ ENOTDIR, "NotADirectoryError" }, { EINTR, "InterruptedError" },
		{ EACCES, "PermissionError" }, { EPERM, "PermissionError" },
		{ ESRCH, "ProcessLookupError" }, { ETIMEDOUT, "TimeoutError" },
	};
	int64_t e;
	if (err->kind != PV_INT || pval_get_int(err, &e) < 0)
		return a;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].err == e)
			return allowed_find(M_BUILTINS, strlen(M_BUILTINS), map[i].name,
			    strlen(map[i].name), 3);
	return a;
}

/* fn(*args), or cls.__new__(cls, *args) for NEWOBJ; pushes the result.
 * Takes the references to fn and args. */
static int
call_global(struct unpickler *u, struct pval *fn, struct pval *args,
    int newobj, const char *op)
{
	int rc = -1;
	struct pickle_buf b = { 0 };
	if (fn->kind != PV_GLOBAL) {
		fail(u, "%s calls a %s, not an allowed class", op,
		    pval_type_name(fn));
		goto out;
	}
	if (args->kind != PV_TUPLE) {
		fail(u, "%s arguments are a %s, not a tuple", op,
		    pval_type_name(args));
		goto out;
	}
	const struct allowed *a = allowed_of(fn);
	if (a->what == G_CLASS && strcmp(a->name, "OSError") == 0 &&
	    args->u.c.n >= 2 && args->u.c.n <= 5)
		a = oserror_subclass(a, args->u.c.v[0]);
	if (a->what == G_CLASS) {
		if (count_value(u) < 0)
			goto out;
		struct pval *obj = pv_instance(a, pval_ref(args), newobj);
		if (check_depth(u, obj) < 0) {
			pval_free(obj);
			goto out;
		}
		rc = push(u, obj);
		goto out;
	}
	if (newobj) {
		fail(u, "%s of %s.%s is not supported", op, a->module, a->name);
		goto out;
	}
	if (count_value(u) < 0)
		goto out;
	size_t n = args->u.c.n;
	const struct pval *x = n ? args->u.c.v[0] : NULL;
	switch (a->what) {
	case G_SET: case G_FROZENSET: {
		if (n > 1 || (n == 1 && x->kind != PV_LIST && x->kind != PV_TUPLE &&
		    x->kind != PV_SET && x->kind != PV_FROZENSET)) {
			fail(u, "%s() of %s is not supported", a->name,
			    n ? pval_type_name(x) : "these arguments");
			goto out;
		}
		struct pval *s = a->what == G_SET ? pval_set() : pval_frozenset();
		for (size_t i = 0; n && i < x->u.c.n; i++)
			if (insert_or_fail(u, s, pval_ref(x->u.c.v[i]), NULL) < 0) {
				pval_free(s);
				goto out;
			}
		if (check_depth(u, s) < 0) {
			pval_free(s);
			goto out;
		}
		rc = push(u, s);
		break;
	}
	case G_BYTES: case G_BYTEARRAY:
		if (bytes_arg(u, a->name, args, &b) < 0)
			goto out;
		rc = push(u, pv_blob(a->what == G_BYTES ? PV_BYTES : PV_BYTEARRAY,
		    b.p, b.len));
		break;
	case G_ENCODE:
		/* codecs.encode(str, 'latin1'): how protocols 0 to 2 write bytes */
		if (n < 1 || n > 2 || x->kind != PV_STR) {
			fail(u, "_codecs.encode() with these arguments is not supported");
			goto out;
		}
		if (n == 1 || pval_is_str(args->u.c.v[1], "utf-8") ||
		    pval_is_str(args->u.c.v[1], "utf8")) {
			rc = push(u, pval_bytes(x->u.s.s, x->u.s.len));
			break;
		}
		if (!is_latin1_name(args->u.c.v[1])) {
			fail(u, "_codecs.encode() to an encoding other than Latin-1 "
			    "or UTF-8 is not supported");
			goto out;
		}
		if (latin1_bytes(x, &b) < 0) {
			fail(u, "_codecs.encode(): a character beyond Latin-1");
			goto out;
		}
		rc = push(u, pval_bytes(b.p, b.len));
		break;
	default:
		break;
	}
out:
	free(b.p);
	pval_free(fn);
	pval_free(args);
	return rc;
}

/* GLOBAL and STACK_GLOBAL: push the class or refuse it. */
static int
load_global(struct unpickler *u, const char *mod, size_t mlen, const char *name,
    size_t nlen)
{
	const struct allowed *a = allowed_find(mod, mlen, name, nlen, u->proto);
	if (a == NULL) {
		char *m = printable_name(mod, mlen), *nm = printable_name(name, nlen);
		fail(u, "global %s.%s is not allowed", m, nm);
		free(m);
		free(nm);
		return -1;
	}
	return PUSH_NEW(u, pv_global(a));
}

/* A container of the kind given from the items above the topmost MARK. */
static int
load_marked(struct unpickler *u, enum pval_kind kind)
{
	size_t at = 0;
	if (pop_mark(u, &at) < 0 || count_value(u) < 0)
		return -1;
	size_t n = u->n - at;
	struct pval **items = u->stack + at;
	struct pval *c;
	u->n = at;
	if (kind == PV_TUPLE || kind == PV_LIST) {
		c = pval_tuplev(n, items);     /* takes the references */
		c->kind = kind;
		if (kind == PV_LIST)
			c->flags |= PVF_UNHASHABLE;
	} else if (kind == PV_DICT) {
		c = pval_dict();
		if (n % 2) {
			for (size_t i = 0; i < n; i++)
				pval_free(items[i]);
			pval_free(c);
			return fail(u, "odd number of items for DICT");
		}
		for (size_t i = 0; i < n; i += 2)
			if (insert_or_fail(u, c, items[i], items[i + 1]) < 0) {
				for (size_t k = i + 2; k < n; k++)
					pval_free(items[k]);
				pval_free(c);
				return -1;
			}
	} else {                /* PV_FROZENSET */
		c = pval_frozenset();
		for (size_t i = 0; i < n; i++)
			if (insert_or_fail(u, c, items[i], NULL) < 0) {
				for (size_t k = i + 1; k < n; k++)
					pval_free(items[k]);
				pval_free(c);
				return -1;
			}
	}
	if (check_depth(u, c) < 0) {
		pval_free(c);
		return -1;
	}
	return push(u, c);
}

/* APPENDS, SETITEMS, ADDITEMS: into the container below the MARK. */
static int
load_into(struct unpickler *u, const char *op, enum pval_kind want)
{
	size_t at = 0;
	if (pop_mark(u, &at) < 0)
		return -1;
	if (at == 0 || at <= fence(u))
		return fail(u, "unpickling stack underflow");
	struct pval *c = u->stack[at - 1];
	size_t n = u->n - at;
	int rc = 0;
	if (c->kind != want)
		rc = fail(u, "%s to a %s is not supported", op, pval_type_name(c));
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = may_change(u, c, u->stack[at + i], op);
	if (rc == 0 && want == PV_DICT && n % 2)
		rc = fail(u, "odd number of items for SETITEMS");
	if (rc < 0) {
		for (size_t i = at; i < u->n; i++)
			pval_free(u->stack[i]);
		u->n = at;
		return -1;
	}
	for (size_t i = 0; i < n; i += want == PV_DICT ? 2 : 1) {
		struct pval **it = u->stack + at + i;
		if (want == PV_LIST) {
			pval_append(c, it[0]);
			continue;
		}
		if (insert_or_fail(u, c, it[0], want == PV_DICT ? it[1] : NULL) < 0) {
			for (size_t k = at + i + (want == PV_DICT ? 2 : 1); k < u->n; k++)
				pval_free(u->stack[k]);
			u->n = at;
			return -1;
		}
	}
	u->n = at;
	return check_depth(u, c);
}

/* A str from the argument of a text or Latin-1 opcode. */
static int
push_text(struct unpickler *u, const struct pickle_op *op)
{
	struct pickle_buf b = { 0 };
	const char *why = NULL;
	int rc = 0;
	pickle_buf_add(&b, "", 0);
	switch (op->info->arg) {
	case PA_STRINGNL:
		rc = pickle_unescape_string(&b, op->data, op->len, &why);
		break;
	case PA_STRING1: case PA_STRING4:
		/* a Python 2 str: pickle.loads decodes it as ASCII */
		for (size_t i = 0; i < op->len; i++)
			if (op->data[i] >= 0x80) {
				why = "a Python 2 str that is not ASCII";
				rc = -1;
				break;
			}
		pickle_buf_add(&b, op->data, op->len);
		break;
	case PA_UNICODENL:
		rc = pickle_raw_unicode(&b, op->data, op->len, &why);
		break;
	default:
		if (!pickle_utf8_ok(op->data, op->len)) {
			why = "a str that is not UTF-8";
			rc = -1;
		} else
			pickle_buf_add(&b, op->data, op->len);
	}
	if (rc == 0)
		rc = PUSH_NEW(u, pv_blob(PV_STR, b.p, b.len));
	else
		fail(u, "%s: %s", op->info->name, why);
	free(b.p);
	return rc;
}

/* INT and LONG in text: "00" and "01" are False and True; otherwise a
 * decimal integer of any size (INT also as C's strtol reads it). */
static int
push_int_text(struct unpickler *u, const struct pickle_op *op)
{
	const unsigned char *p = op->data;
	size_t n = op->len;
	if (op->info->arg == PA_DECIMALNL_SHORT) {
		if (n == 2 && p[0] == '0' && (p[1] == '0' || p[1] == '1'))
			return PUSH_NEW(u, pval_bool(p[1] == '1'));
		char tmp[32];
		if (n > 0 && n < sizeof tmp && !memchr(p, '\0', n)) {
			memcpy(tmp, p, n);
			tmp[n] = '\0';
			char *end;
			errno = 0;
			long long v = strtoll(tmp, &end, 0);
			if (errno == 0 && *end == '\0' && end != tmp)
				return PUSH_NEW(u, pval_int(v));
		}
	} else if (n > 0 && p[n - 1] == 'L')
		n--;
	struct pickle_buf b = { 0 };
	const char *why;
	if (pickle_decimal(&b, p, n, &why) < 0) {
		char *s = printable_name((const char *)op->data, op->len);
		fail(u, "%s: invalid literal for int(): '%s'", op->info->name, s);
		free(s);
		free(b.p);
		return -1;
	}
	int rc = PUSH_NEW(u, pval_int_le(b.p, b.len));
	free(b.p);
	return rc;
}

static int
push_float_text(struct unpickler *u, const struct pickle_op *op)
{
	char tmp[64];
	if (op->len == 0 || op->len >= sizeof tmp ||
	    memchr(op->data, '\0', op->len) || memchr(op->data, 'x', op->len) ||
	    memchr(op->data, 'X', op->len) || op->data[0] == ' ' ||
	    op->data[0] == '\t')
		return fail(u, "FLOAT: not a float");
	memcpy(tmp, op->data, op->len);
	tmp[op->len] = '\0';
	char *end;
	errno = 0;
	double f = strtod(tmp, &end);
	if (*end != '\0')
		return fail(u, "FLOAT: not a float");
	if (errno == ERANGE && isinf(f))
		return fail(u, "FLOAT: out of range");
	return PUSH_NEW(u, pval_float(f));
}

/* Run one opcode (not STOP). */
static int
run_op(struct unpickler *u, const struct pickle_op *op, size_t len)
{
	struct pval *a, *b, *c;
	size_t at = 0;
	switch (op->info->code) {
	case 0x80:                                      /* PROTO */
		if (op->n > 5)
			return fail(u, "unsupported pickle protocol: %lld",
			    (long long)op->n);
		u->proto = (int)op->n;
		return 0;
	case 0x95:                                      /* FRAME */
		if (op->u > len - op->end)
			return fail(u, "a FRAME of %llu bytes, but only %zu follow",
			    (unsigned long long)op->u, len - op->end);
		return 0;
	case '(':                                       /* MARK */
		if (u->n + u->nmarks >= u->lim->max_stack)
			return fail(u, "the stack grows past %zu items",
			    u->lim->max_stack);
		if (u->nmarks == u->capmarks) {
			u->capmarks = u->capmarks ? 2 * u->capmarks : 16;
			u->marks = xreallocarray(u->marks, u->capmarks,
			    sizeof *u->marks);
		}
		u->marks[u->nmarks++] = u->n;
		return 0;
	case '0':                                       /* POP */
		if (u->nmarks && u->marks[u->nmarks - 1] == u->n) {
			u->nmarks--;
			return 0;
		}
		if ((a = pop(u)) == NULL)
			return -1;
		pval_free(a);
		return 0;
	case '1':                                       /* POP_MARK */
		if (pop_mark(u, &at) < 0)
			return -1;
		while (u->n > at)
			pval_free(u->stack[--u->n]);
		return 0;
	case '2':                                       /* DUP */
		if ((a = top(u)) == NULL)
			return -1;
		return push(u, pval_ref(a));
	case 'N':
		return PUSH_NEW(u, pval_none());
	case 0x88: case 0x89:                           /* NEWTRUE, NEWFALSE */
		return PUSH_NEW(u, pval_bool(op->info->code == 0x88));
	case 'I': case 'L':
		return push_int_text(u, op);
	case 'J': case 'K': case 'M':                   /* BININT, 1, 2 */
		return PUSH_NEW(u, pval_int(op->n));
	case 0x8a: case 0x8b:                           /* LONG1, LONG4 */
		return PUSH_NEW(u, pval_int_le(op->data, op->len));
	case 'F':
		return push_float_text(u, op);
	case 'G':
		return PUSH_NEW(u, pval_float(op->f));
	case 'S': case 'T': case 'U': case 'V': case 'X': case 0x8c: case 0x8d:
		return push_text(u, op);
	case 'B': case 'C': case 0x8e:                  /* BINBYTES ... */
		return PUSH_NEW(u, pval_bytes(op->data, op->len));
	case 0x96:                                      /* BYTEARRAY8 */
		return PUSH_NEW(u, pval_bytearray(op->data, op->len));
	case ']':
		return PUSH_NEW(u, pval_list());
	case ')':
		return PUSH_NEW(u, pval_tuple(0));
	case '}':
		return PUSH_NEW(u, pval_dict());
	case 0x8f:                                      /* EMPTY_SET */
		return PUSH_NEW(u, pval_set());
	case 'l':
		return count_value(u) < 0 ? -1 : load_marked(u, PV_LIST);
	case 't':
		return count_value(u) < 0 ? -1 : load_marked(u, PV_TUPLE);
	case 'd':
		return count_value(u) < 0 ? -1 : load_marked(u, PV_DICT);
	case 0x91:                                      /* FROZENSET */
		return count_value(u) < 0 ? -1 : load_marked(u, PV_FROZENSET);
	case 0x85: case 0x86: case 0x87: {              /* TUPLE1, 2, 3 */
		size_t n = (size_t)(op->info->code - 0x84);
		struct pval *items[3];
		if (count_value(u) < 0)
			return -1;
		if (u->n < fence(u) + n)
			return fail(u, "unpickling stack underflow");
		for (size_t i = 0; i < n; i++)
			items[i] = u->stack[u->n - n + i];
		u->n -= n;
		c = pval_tuplev(n, items);
		if (check_depth(u, c) < 0) {
			pval_free(c);
			return -1;
		}
		return push(u, c);
	}
	case 'a':                                       /* APPEND */
		if ((b = pop(u)) == NULL)
			return -1;
		if ((a = top(u)) == NULL || (a->kind != PV_LIST &&
		    fail(u, "APPEND to a %s is not supported", pval_type_name(a))) ||
		    may_change(u, a, b, "APPEND") < 0) {
			pval_free(b);
			return -1;
		}
		pval_append(a, b);
		return check_depth(u, a);
	case 'e':
		return load_into(u, "APPENDS", PV_LIST);
	case 'u':
		return load_into(u, "SETITEMS", PV_DICT);
	case 0x90:
		return load_into(u, "ADDITEMS", PV_SET);
	case 's':                                       /* SETITEM */
		if ((b = pop(u)) == NULL)
			return -1;
		if ((a = pop(u)) == NULL) {
			pval_free(b);
			return -1;
		}
		if ((c = top(u)) == NULL || (c->kind != PV_DICT &&
		    fail(u, "SETITEM to a %s is not supported", pval_type_name(c))) ||
		    may_change(u, c, a, "SETITEM") < 0 ||
		    may_change(u, c, b, "SETITEM") < 0) {
			pval_free(a);
			pval_free(b);
			return -1;
		}
		return insert_or_fail(u, c, a, b) < 0 ? -1 : check_depth(u, c);
	case 'p': case 'q': case 'r':                   /* PUT ... */
		if (op->info->code == 'p') {
			/* PUT's text is an int; "00" and "01" as INT reads them */
			char tmp[24];
			if (op->len == 0 || op->len >= sizeof tmp ||
			    memchr(op->data, '\0', op->len))
				return fail(u, "PUT: invalid index");
			memcpy(tmp, op->data, op->len);
			tmp[op->len] = '\0';
			char *end;
			errno = 0;
			long long k = strtoll(tmp, &end, 10);
			if (errno || *end || k < 0)
				return fail(u, "PUT: invalid index");
			return memo_put(u, (uint64_t)k);
		}
		return memo_put(u, (uint64_t)op->n);
	case 0x94:                                      /* MEMOIZE */
		return memo_put(u, u->memo_n);
	case 'g': case 'h': case 'j': {                 /* GET ... */
		uint64_t k = (uint64_t)op->n;
		if (op->info->code == 'g') {
			char tmp[24], *end;
			if (op->len == 0 || op->len >= sizeof tmp ||
			    memchr(op->data, '\0', op->len))
				return fail(u, "GET: invalid index");
			memcpy(tmp, op->data, op->len);
			tmp[op->len] = '\0';
			errno = 0;
			long long v = strtoll(tmp, &end, 10);
			if (errno || *end || v < 0)
				return fail(u, "GET: invalid index");
			k = (uint64_t)v;
		}
		return memo_get(u, k);
	}
	case 'c':                                       /* GLOBAL */
		return load_global(u, (const char *)op->data, op->len,
		    (const char *)op->data2, op->len2);
	case 0x93:                                      /* STACK_GLOBAL */
		if ((b = pop(u)) == NULL)
			return -1;
		if ((a = pop(u)) == NULL) {
			pval_free(b);
			return -1;
		}
		if (a->kind != PV_STR || b->kind != PV_STR) {
			pval_free(a);
			pval_free(b);
			return fail(u, "STACK_GLOBAL requires str");
		}
		{
			int rc = load_global(u, a->u.s.s, a->u.s.len, b->u.s.s,
			    b->u.s.len);
			pval_free(a);
			pval_free(b);
			return rc;
		}
	case 'R':                                       /* REDUCE */
	case 0x81:                                      /* NEWOBJ */
		if ((b = pop(u)) == NULL)
			return -1;
		if ((a = pop(u)) == NULL) {
			pval_free(b);
			return -1;
		}
		return call_global(u, a, b, op->info->code == 0x81, op->info->name);
	case 0x92:                                      /* NEWOBJ_EX */
		if ((c = pop(u)) == NULL)
			return -1;
		if ((b = pop(u)) == NULL) {
			pval_free(c);
			return -1;
		}
		if ((a = pop(u)) == NULL) {
			pval_free(b);
			pval_free(c);
			return -1;
		}
		if (c->kind != PV_DICT || c->u.c.n != 0) {
			pval_free(a);
			pval_free(b);
			pval_free(c);
			return fail(u, "NEWOBJ_EX with keyword arguments is not supported");
		}
		pval_free(c);
		return call_global(u, a, b, 1, "NEWOBJ_EX");
	case 'i':                                       /* INST */
		if (load_global(u, (const char *)op->data, op->len,
		    (const char *)op->data2, op->len2) < 0)
			return -1;
		a = u->stack[--u->n];
		if (load_marked(u, PV_TUPLE) < 0) {
			pval_free(a);
			return -1;
		}
		b = u->stack[--u->n];
		return call_global(u, a, b, 0, "INST");
	case 'o':                                       /* OBJ */
		if (pop_mark(u, &at) < 0)
			return -1;
		if (u->n == at)
			return fail(u, "OBJ without a class");
		a = u->stack[at];
		c = pval_tuplev(u->n - at - 1, u->stack + at + 1);
		u->n = at;
		return call_global(u, a, c, 0, "OBJ");
	case 'b':                                       /* BUILD */
		if ((b = pop(u)) == NULL)
			return -1;
		if ((a = top(u)) == NULL || (a->kind != PV_GLOBAL_INSTANCE &&
		    fail(u, "BUILD of a %s is not supported", pval_type_name(a))) ||
		    (b->kind != PV_DICT && b->kind != PV_NONE &&
		    fail(u, "BUILD with a %s state is not supported",
		    pval_type_name(b))) || may_change(u, a, b, "BUILD") < 0) {
			pval_free(b);
			return -1;
		}
		if (b->kind == PV_NONE) {
			pval_free(b);
			return 0;
		}
		pval_free(a->u.g.state);
		a->u.g.state = b;
		c_adopt(a, b);
		return check_depth(u, a);
	case 'P': case 'Q':
		return fail(u, "persistent IDs are not supported (%s)",
		    op->info->name);
	case 0x82: case 0x83: case 0x84:
		return fail(u, "the extension registry is not supported (%s code "
		    "%lld)", op->info->name, (long long)op->n);
	case 0x97: case 0x98:
		return fail(u, "out-of-band buffers are not supported (%s)",
		    op->info->name);
	}
	return fail(u, "opcode %s is not supported", op->info->name);
}

static void
unpickler_free(struct unpickler *u)
{
	for (size_t i = 0; i < u->n; i++)
		pval_free(u->stack[i]);
	free(u->stack);
	free(u->marks);
	for (size_t i = 0; i < u->memo_cap; i++)
		pval_free(u->memo[i].v);
	free(u->memo);
}

struct pval *
pickle_loads(const void *buf, size_t len, const struct pickle_limits *lim,
    size_t *used, char **cause)
{
	struct unpickler u = { .lim = lim ? lim : &pickle_default_limits,
	    .cause = cause };
	const unsigned char *p = buf;
	struct pval *result = NULL;
	if (len > u.lim->max_input) {
		if (cause)
			*cause = xasprintf("pickle: %zu bytes is more than the limit "
			    "of %zu", len, u.lim->max_input);
		return NULL;
	}
	/* The stack exists from the start: a MARK with nothing above it
	 * ("(d") slices it at offset 0, and NULL + 0 is undefined. */
	u.cap = 64;
	u.stack = xreallocarray(NULL, u.cap, sizeof *u.stack);
	for (size_t pos = 0;;) {
		struct pickle_op op;
		u.offset = pos;
		int r = pickle_op_read(p, len, pos, &op, cause);
		if (r < 0)
			break;
		if (r == 0) {
			if (pos >= len)
				fail(&u, len == 0 ? "no data (ran out of input)" :
				    "pickle data was truncated: no STOP");
			else if (op.u)
				fail(&u, "%s of %llu bytes, but only %zu follow",
				    op.info->name, (unsigned long long)op.u,
				    len - op.end);
			else
				fail(&u, "pickle data was truncated inside %s",
				    op.info->name);
			break;
		}
		if (op.info->code == '.') {             /* STOP */
			result = pop(&u);
			if (result && used)
				*used = op.end;
			break;
		}
		if (run_op(&u, &op, len) < 0)
			break;
		pos = op.end;
	}
	unpickler_free(&u);
	return result;
}

/* ==== Encoding ======================================================== */

#define FRAME_SIZE_MIN 4
#define FRAME_SIZE_TARGET (64 * 1024)
#define FRAME_HEADER 9
#define NO_FRAME ((size_t)-1)
#define BATCHSIZE 1000

/* Memo keys that are not values: the 'latin1' that protocol 2 writes
 * with every bytes object, the module and class names of STACK_GLOBAL,
 * and the classes themselves (keyed by their allow-list entry), as CPython
 * keys them by the identity of one shared object. */
static const char latin1_key[] = "latin1";

struct pmemo {
	const void *key;
	uint32_t idx;
};

struct pickler {
	struct pickle_buf out;
	int proto;
	size_t frame;           /* where the open frame's header is, or NO_FRAME */
	struct pmemo *memo;
	size_t memo_cap;
	uint32_t memo_n;        /* indexes given so far */
	unsigned depth;
	char **cause;
};

static long
pmemo_find(const struct pickler *p, const void *key)
{
	if (p->memo_cap == 0)
		return -1;
	size_t mask = p->memo_cap - 1;
	size_t at = (size_t)((uintptr_t)key * 0x9e3779b97f4a7c15ull >> 11) & mask;
	for (; p->memo[at].key; at = (at + 1) & mask)
		if (p->memo[at].key == key)
			return p->memo[at].idx;
	return -1;
}

static void
pmemo_add(struct pickler *p, const void *key, uint32_t idx)
{
	if (2 * (p->memo_n + 1) > p->memo_cap) {
		struct pmemo *old = p->memo;
		size_t oldcap = p->memo_cap;
		p->memo_cap = oldcap ? 2 * oldcap : 64;
		while (2 * (p->memo_n + 1) > p->memo_cap)
			p->memo_cap *= 2;
		p->memo = xcalloc(p->memo_cap, sizeof *p->memo);
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key)
				pmemo_add(p, old[i].key, old[i].idx);
		free(old);
	}
	size_t mask = p->memo_cap - 1;
	size_t at = (size_t)((uintptr_t)key * 0x9e3779b97f4a7c15ull >> 11) & mask;
	while (p->memo[at].key)
		at = (at + 1) & mask;
	p->memo[at].key = key;
	p->memo[at].idx = idx;
}

static void
w(struct pickler *p, const void *data, size_t n)
{
	pickle_buf_add(&p->out, data, n);
}

static void
w1(struct pickler *p, unsigned char c)
{
	buf_byte(&p->out, c);
}

static void
w_le(struct pickler *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		w1(p, (unsigned char)(v >> (8 * i)));
}

static void
frame_begin(struct pickler *p)
{
	static const unsigned char zero[FRAME_HEADER];
	p->frame = p->out.len;
	w(p, zero, FRAME_HEADER);
}

/* Close the open frame: its header, or no header for a frame under
 * FRAME_SIZE_MIN bytes. */
static void
frame_end(struct pickler *p)
{
	if (p->frame == NO_FRAME)
		return;
	size_t n = p->out.len - p->frame - FRAME_HEADER;
	unsigned char *h = (unsigned char *)p->out.p + p->frame;
	if (n >= FRAME_SIZE_MIN) {
		h[0] = 0x95;
		for (int i = 0; i < 8; i++)
			h[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
	} else {
		memmove(h, h + FRAME_HEADER, n);
		p->out.len -= FRAME_HEADER;
		p->out.p[p->out.len] = '\0';
	}
	p->frame = NO_FRAME;
}

/* An opcode with a long payload: outside of any frame from 64 KiB on. */
static void
w_large(struct pickler *p, const void *head, size_t nhead, const void *data,
    size_t n)
{
	int framing = p->frame != NO_FRAME;
	if (framing && n >= FRAME_SIZE_TARGET)
		frame_end(p);
	w(p, head, nhead);
	w(p, data, n);
	if (framing && p->frame == NO_FRAME)
		frame_begin(p);
}

/* The next memo index, written as PUT (key NULL: an object CPython makes
 * on the way, never met again). */
static void
memoize(struct pickler *p, const void *key)
{
	uint32_t idx = p->memo_n++;
	if (p->proto >= 4)
		w1(p, 0x94);                            /* MEMOIZE */
	else if (idx < 256) {
		w1(p, 'q');
		w1(p, (unsigned char)idx);
	} else {
		w1(p, 'r');
		w_le(p, idx, 4);
	}
	if (key)
		pmemo_add(p, key, idx);
}

static void
w_get(struct pickler *p, uint32_t idx)
{
	if (idx < 256) {
		w1(p, 'h');
		w1(p, (unsigned char)idx);
	} else {
		w1(p, 'j');
		w_le(p, idx, 4);
	}
}

/* If key was written before, write a GET of it: 1. */
static int
memo_hit(struct pickler *p, const void *key)
{
	long idx = pmemo_find(p, key);
	if (idx < 0)
		return 0;
	w_get(p, (uint32_t)idx);
	return 1;
}

static void
save_strbytes(struct pickler *p, const char *s, size_t n, const void *key)
{
	unsigned char h[9];
	if (n <= 0xff && p->proto >= 4) {
		h[0] = 0x8c;                            /* SHORT_BINUNICODE */
		h[1] = (unsigned char)n;
		w(p, h, 2);
		w(p, s, n);
	} else if ((uint64_t)n > 0xffffffffu) {
		h[0] = 0x8d;                            /* BINUNICODE8 */
		for (int i = 0; i < 8; i++)
			h[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
		w_large(p, h, 9, s, n);
	} else {
		h[0] = 'X';                             /* BINUNICODE */
		for (int i = 0; i < 4; i++)
			h[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
		w_large(p, h, 5, s, n);
	}
	memoize(p, key);
}

static void
save_const_str(struct pickler *p, const char *s, const void *key)
{
	if (!memo_hit(p, key))
		save_strbytes(p, s, strlen(s), key);
}

/* A class or function of the allow-list, memoized by its entry. */
static void
save_global(struct pickler *p, const struct allowed *a)
{
	if (memo_hit(p, a))
		return;
	if (p->proto >= 4) {
		save_const_str(p, a->module, a->module);
		save_const_str(p, a->name, a->name);
		w1(p, 0x93);                            /* STACK_GLOBAL */
	} else {
		const char *mod = a->module, *name = a->name;
		if (p->proto < 3)
			switch (a->py2) {
			case 'E': mod = "exceptions"; break;
			case 'O': mod = "exceptions"; name = "OSError"; break;
			case 'I': mod = "exceptions"; name = "ImportError"; break;
			case 'B': mod = "__builtin__"; break;
			case 'Q': mod = "Queue"; break;
			}
		w1(p, 'c');
		w(p, mod, strlen(mod));
		w1(p, '\n');
		w(p, name, strlen(name));
		w1(p, '\n');
	}
	memoize(p, a);
}

static const struct allowed *
allowed_what(enum gkind what)
{
	for (size_t i = 0; i < NALLOWED; i++)
		if (allowed[i].what == what)
			return &allowed[i];
	return NULL;
}

/* The bytes of a bytes or bytearray object (key: the object, NULL for one
 * made on the way). */
static void
save_bytes(struct pickler *p, const char *s, size_t n, const void *key)
{
	if (p->proto < 3) {
		/* codecs.encode(str(b, 'latin1'), 'latin1'), or bytes() */
		if (n == 0) {
			save_global(p, allowed_what(G_BYTES));
			w1(p, ')');
		} else {
			save_global(p, allowed_what(G_ENCODE));
			struct pickle_buf l1 = { 0 };
			for (size_t i = 0; i < n; i++)
				utf8_put(&l1, (unsigned char)s[i]);
			save_strbytes(p, l1.p, l1.len, NULL);
			free(l1.p);
			save_const_str(p, "latin1", latin1_key);
			w1(p, 0x86);                    /* TUPLE2 */
			memoize(p, NULL);
		}
		w1(p, 'R');
		memoize(p, key);
		return;
	}
	unsigned char h[9];
	if (n <= 0xff) {
		h[0] = 'C';                             /* SHORT_BINBYTES */
		h[1] = (unsigned char)n;
		w(p, h, 2);
		w(p, s, n);
	} else if ((uint64_t)n > 0xffffffffu && p->proto >= 4) {
		h[0] = 0x8e;                            /* BINBYTES8 */
		for (int i = 0; i < 8; i++)
			h[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
		w_large(p, h, 9, s, n);
	} else {
		h[0] = 'B';                             /* BINBYTES */
		for (int i = 0; i < 4; i++)
			h[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
		w_large(p, h, 5, s, n);
	}
	memoize(p, key);
}

static int save(struct pickler *p, const struct pval *v);

/* Items in batches: MARK items APPENDS (or ADDITEMS), a lone item of a
 * list as item APPEND (CPython's batch_list_exact and save_set). */
static int
save_batches(struct pickler *p, struct pval *const *v, size_t n, int set)
{
	if (n == 0)
		return 0;
	if (!set && n == 1) {
		if (save(p, v[0]) < 0)
			return -1;
		w1(p, 'a');
		return 0;
	}
	size_t done = 0;
	do {
		size_t k = 0;
		w1(p, '(');
		while (done < n) {
			if (save(p, v[done++]) < 0)
				return -1;
			if (++k == BATCHSIZE)
				break;
		}
		w1(p, set ? 0x90 : 'e');
		/* save_set goes round again after a full batch */
		if (set && k == BATCHSIZE && done == n) {
			w1(p, '(');
			w1(p, 0x90);
		}
	} while (done < n);
	return 0;
}

/* set(list) or frozenset(list) in protocols 2 and 3: the list and the
 * argument tuple are made on the way. */
static int
save_set_reduce(struct pickler *p, const struct pval *v)
{
	save_global(p, allowed_what(v->kind == PV_SET ? G_SET : G_FROZENSET));
	w1(p, ']');
	memoize(p, NULL);
	if (save_batches(p, v->u.c.v, v->u.c.n, 0) < 0)
		return -1;
	w1(p, 0x85);                                    /* TUPLE1 */
	memoize(p, NULL);
	w1(p, 'R');
	memoize(p, v);
	return 0;
}

static int
save(struct pickler *p, const struct pval *v)
{
	if (p->frame != NO_FRAME &&
	    p->out.len - p->frame - FRAME_HEADER >= FRAME_SIZE_TARGET) {
		frame_end(p);
		frame_begin(p);
	}
	if (p->depth >= pickle_default_limits.max_depth + 2) {
		if (p->cause)
			*p->cause = xasprintf("pickle: values nested deeper than %zu",
			    pickle_default_limits.max_depth);
		return -1;
	}
	int rc = 0;
	p->depth++;
	if (v->kind != PV_NONE && v->kind != PV_BOOL && v->kind != PV_INT &&
	    v->kind != PV_FLOAT && memo_hit(p, v))
		goto out;
	switch (v->kind) {
	case PV_NONE:
		w1(p, 'N');
		break;
	case PV_BOOL:
		w1(p, v->u.boolean ? 0x88 : 0x89);
		break;
	case PV_INT: {
		unsigned char b[8];
		const unsigned char *le = b;
		size_t n;
		if (v->u.i.big == NULL) {
			int64_t x = v->u.i.small;
			if (x >= 0 && x <= 0xff) {
				w1(p, 'K');
				w1(p, (unsigned char)x);
				break;
			}
			if (x >= 0 && x <= 0xffff) {
				w1(p, 'M');
				w_le(p, (uint64_t)x, 2);
				break;
			}
			if (x >= INT32_MIN && x <= INT32_MAX) {
				w1(p, 'J');
				w_le(p, (uint64_t)x, 4);
				break;
			}
			n = i64_le(x, b);
		} else {
			le = v->u.i.big;
			n = v->u.i.nbig;
		}
		if (n < 256) {
			w1(p, 0x8a);                    /* LONG1 */
			w1(p, (unsigned char)n);
		} else {
			w1(p, 0x8b);                    /* LONG4 */
			w_le(p, n, 4);
		}
		w(p, le, n);
		break;
	}
	case PV_FLOAT: {
		uint64_t bits;
		memcpy(&bits, &v->u.f, sizeof bits);
		w1(p, 'G');
		for (int i = 7; i >= 0; i--)
			w1(p, (unsigned char)(bits >> (8 * i)));
		break;
	}
	case PV_STR:
		save_strbytes(p, v->u.s.s, v->u.s.len, v);
		break;
	case PV_BYTES:
		save_bytes(p, v->u.s.s, v->u.s.len, v);
		break;
	case PV_BYTEARRAY:
		if (p->proto < 5) {
			/* bytearray() or bytearray(bytes(b)) */
			save_global(p, allowed_what(G_BYTEARRAY));
			if (v->u.s.len == 0)
				w1(p, ')');
			else {
				save_bytes(p, v->u.s.s, v->u.s.len, NULL);
				w1(p, 0x85);
				memoize(p, NULL);
			}
			w1(p, 'R');
		} else {
			unsigned char h[9] = { 0x96 };  /* BYTEARRAY8 */
			for (int i = 0; i < 8; i++)
				h[1 + i] = (unsigned char)((uint64_t)v->u.s.len >> (8 * i));
			w_large(p, h, 9, v->u.s.s, v->u.s.len);
		}
		memoize(p, v);
		break;
	case PV_TUPLE:
		if (v->u.c.n == 0) {
			w1(p, ')');
			break;
		}
		if (v->u.c.n > 3)
			w1(p, '(');
		for (size_t i = 0; i < v->u.c.n; i++)
			if ((rc = save(p, v->u.c.v[i])) < 0)
				goto out;
		w1(p, v->u.c.n > 3 ? 't' : (unsigned char)(0x84 + v->u.c.n));
		memoize(p, v);
		break;
	case PV_LIST:
		w1(p, ']');
		memoize(p, v);
		rc = save_batches(p, v->u.c.v, v->u.c.n, 0);
		break;
	case PV_DICT:
		w1(p, '}');
		memoize(p, v);
		if (v->u.c.n == 1) {
			if ((rc = save(p, v->u.c.v[0])) < 0 ||
			    (rc = save(p, v->u.c.v[1])) < 0)
				goto out;
			w1(p, 's');
			break;
		}
		if (v->u.c.n == 0)
			break;
		/* batch_dict_exact: goes round again after a full batch */
		for (size_t done = 0, k = BATCHSIZE; k == BATCHSIZE;) {
			w1(p, '(');
			for (k = 0; done < v->u.c.n && k < BATCHSIZE; k++, done++)
				if ((rc = save(p, v->u.c.v[2 * done])) < 0 ||
				    (rc = save(p, v->u.c.v[2 * done + 1])) < 0)
					goto out;
			w1(p, 'u');
		}
		break;
	case PV_SET:
		if (p->proto < 4) {
			rc = save_set_reduce(p, v);
			break;
		}
		w1(p, 0x8f);                            /* EMPTY_SET */
		memoize(p, v);
		rc = save_batches(p, v->u.c.v, v->u.c.n, 1);
		break;
	case PV_FROZENSET:
		if (p->proto < 4) {
			rc = save_set_reduce(p, v);
			break;
		}
		w1(p, '(');
		for (size_t i = 0; i < v->u.c.n; i++)
			if ((rc = save(p, v->u.c.v[i])) < 0)
				goto out;
		w1(p, 0x91);                            /* FROZENSET */
		memoize(p, v);
		break;
	case PV_GLOBAL:
		save_global(p, allowed_of(v));
		break;
	case PV_GLOBAL_INSTANCE:
		save_global(p, allowed_of(v));
		if ((rc = save(p, v->u.g.args)) < 0)
			goto out;
		w1(p, v->u.g.newobj ? 0x81 : 'R');
		memoize(p, v);
		if (v->u.g.state) {
			if ((rc = save(p, v->u.g.state)) < 0)
				goto out;
			w1(p, 'b');
		}
		break;
	}
out:
	p->depth--;
	return rc;
}

int
pickle_dumps(const struct pval *v, int protocol, unsigned char **out,
    size_t *outlen, char **cause)
{
	if (protocol < 2 || protocol > 5) {
		if (cause)
			*cause = xasprintf("pickle: protocol %d is not supported "
			    "for writing (2 to 5)", protocol);
		return -1;
	}
	struct pickler p = { .proto = protocol, .frame = NO_FRAME, .cause = cause };
	w1(&p, 0x80);
	w1(&p, (unsigned char)protocol);
	if (protocol >= 4)
		frame_begin(&p);
	int rc = save(&p, v);
	w1(&p, '.');
	frame_end(&p);
	free(p.memo);
	if (rc < 0) {
		free(p.out.p);
		return -1;
	}
	*out = (unsigned char *)p.out.p;
	*outlen = p.out.len;
	return 0;
}
