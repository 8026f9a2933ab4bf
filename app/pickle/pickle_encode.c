/* pickle_encode.c — the encoder, pickle_dumps for protocols 2 to 5. It
 * follows CPython's pickler (save_*), memo and frames included, so that its
 * bytes are the bytes CPython writes for the same value. */
#include "lang.h"
#include "pickle_impl.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	struct buf out;
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
	/* An open-addressing table: doubled and every entry placed again, so
	 * not a growable array (ARRAY_GROW does not fit). */
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
	buf_add(&p->out, data, n);
}

static void
w1(struct pickler *p, unsigned char c)
{
	buf_addc(&p->out, c);
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
	unsigned char *h = (unsigned char *)p->out.data + p->frame;
	if (n >= FRAME_SIZE_MIN) {
		h[0] = 0x95;
		for (int i = 0; i < 8; i++)
			h[1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
	} else {
		memmove(h, h + FRAME_HEADER, n);
		p->out.len -= FRAME_HEADER;
		p->out.data[p->out.len] = '\0';
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

/* The bytes of a bytes or bytearray object (key: the object, NULL for one
 * made on the way). */
static void
save_bytes(struct pickler *p, const char *s, size_t n, const void *key)
{
	if (p->proto < 3) {
		/* codecs.encode(str(b, 'latin1'), 'latin1'), or bytes() */
		if (n == 0) {
			save_global(p, pk_allowed_what(G_BYTES));
			w1(p, ')');
		} else {
			save_global(p, pk_allowed_what(G_ENCODE));
			struct buf l1 = { 0 };
			for (size_t i = 0; i < n; i++)
				pk_utf8_put(&l1, (unsigned char)s[i]);
			save_strbytes(p, l1.data, l1.len, NULL);
			free(l1.data);
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
	save_global(p, pk_allowed_what(v->kind == PV_SET ? G_SET : G_FROZENSET));
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
			*p->cause = xasprintf(LD("pickle: values nested deeper than %zu",
			    "pickle：值的嵌套深于 %zu 层"),
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
			n = pk_i64_le(x, b);
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
			save_global(p, pk_allowed_what(G_BYTEARRAY));
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
		save_global(p, pk_allowed_of(v));
		break;
	case PV_GLOBAL_INSTANCE:
		save_global(p, pk_allowed_of(v));
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
			*cause = xasprintf(LD("pickle: protocol %d is not supported "
			    "for writing (2 to 5)",
			    "pickle：不支持以协议 %d 写出（只支持 2 到 5）"), protocol);
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
		free(p.out.data);
		return -1;
	}
	*out = (unsigned char *)p.out.data;
	*outlen = p.out.len;
	return 0;
}
