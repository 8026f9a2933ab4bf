/* pickle_dis.c — the opcodes of pickle protocols 0 to 5 (the table of
 * Lib/pickletools.py: name, argument, protocol, stack effect), reading one
 * opcode and its argument without trusting any length in it, and the
 * disassembler that prints what `python3 -m pickletools` prints. */
#include "lang.h"
#include "pickle.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== The table ======================================================= */

/* An opcode and what it does to the stack, for the disassembler's checks:
 * items popped (below the MARK for those that take one), whether it takes
 * everything down to the topmost MARK, and items pushed (-1: a MARK). */
struct opdef {
	struct pickle_opinfo info;      /* first: a pointer to one is to both */
	signed char pop;
	unsigned char mark;
	signed char push;
};

static const struct opdef opdefs[] = {
	{ { 'I', "INT", PA_DECIMALNL_SHORT, 0 }, 0, 0, 1 },
	{ { 'J', "BININT", PA_INT4, 1 }, 0, 0, 1 },
	{ { 'K', "BININT1", PA_UINT1, 1 }, 0, 0, 1 },
	{ { 'M', "BININT2", PA_UINT2, 1 }, 0, 0, 1 },
	{ { 'L', "LONG", PA_DECIMALNL_LONG, 0 }, 0, 0, 1 },
	{ { 0x8a, "LONG1", PA_LONG1, 2 }, 0, 0, 1 },
	{ { 0x8b, "LONG4", PA_LONG4, 2 }, 0, 0, 1 },
	{ { 'S', "STRING", PA_STRINGNL, 0 }, 0, 0, 1 },
	{ { 'T', "BINSTRING", PA_STRING4, 1 }, 0, 0, 1 },
	{ { 'U', "SHORT_BINSTRING", PA_STRING1, 1 }, 0, 0, 1 },
	{ { 'B', "BINBYTES", PA_BYTES4, 3 }, 0, 0, 1 },
	{ { 'C', "SHORT_BINBYTES", PA_BYTES1, 3 }, 0, 0, 1 },
	{ { 0x8e, "BINBYTES8", PA_BYTES8, 4 }, 0, 0, 1 },
	{ { 0x96, "BYTEARRAY8", PA_BYTEARRAY8, 5 }, 0, 0, 1 },
	{ { 0x97, "NEXT_BUFFER", PA_NONE, 5 }, 0, 0, 1 },
	{ { 0x98, "READONLY_BUFFER", PA_NONE, 5 }, 1, 0, 1 },
	{ { 'N', "NONE", PA_NONE, 0 }, 0, 0, 1 },
	{ { 0x88, "NEWTRUE", PA_NONE, 2 }, 0, 0, 1 },
	{ { 0x89, "NEWFALSE", PA_NONE, 2 }, 0, 0, 1 },
	{ { 'V', "UNICODE", PA_UNICODENL, 0 }, 0, 0, 1 },
	{ { 0x8c, "SHORT_BINUNICODE", PA_UNICODE1, 4 }, 0, 0, 1 },
	{ { 'X', "BINUNICODE", PA_UNICODE4, 1 }, 0, 0, 1 },
	{ { 0x8d, "BINUNICODE8", PA_UNICODE8, 4 }, 0, 0, 1 },
	{ { 'F', "FLOAT", PA_FLOATNL, 0 }, 0, 0, 1 },
	{ { 'G', "BINFLOAT", PA_FLOAT8, 1 }, 0, 0, 1 },
	{ { ']', "EMPTY_LIST", PA_NONE, 1 }, 0, 0, 1 },
	{ { 'a', "APPEND", PA_NONE, 0 }, 2, 0, 1 },
	{ { 'e', "APPENDS", PA_NONE, 1 }, 1, 1, 1 },
	{ { 'l', "LIST", PA_NONE, 0 }, 0, 1, 1 },
	{ { ')', "EMPTY_TUPLE", PA_NONE, 1 }, 0, 0, 1 },
	{ { 't', "TUPLE", PA_NONE, 0 }, 0, 1, 1 },
	{ { 0x85, "TUPLE1", PA_NONE, 2 }, 1, 0, 1 },
	{ { 0x86, "TUPLE2", PA_NONE, 2 }, 2, 0, 1 },
	{ { 0x87, "TUPLE3", PA_NONE, 2 }, 3, 0, 1 },
	{ { '}', "EMPTY_DICT", PA_NONE, 1 }, 0, 0, 1 },
	{ { 'd', "DICT", PA_NONE, 0 }, 0, 1, 1 },
	{ { 's', "SETITEM", PA_NONE, 0 }, 3, 0, 1 },
	{ { 'u', "SETITEMS", PA_NONE, 1 }, 1, 1, 1 },
	{ { 0x8f, "EMPTY_SET", PA_NONE, 4 }, 0, 0, 1 },
	{ { 0x90, "ADDITEMS", PA_NONE, 4 }, 1, 1, 1 },
	{ { 0x91, "FROZENSET", PA_NONE, 4 }, 0, 1, 1 },
	{ { '0', "POP", PA_NONE, 0 }, 1, 0, 0 },
	{ { '2', "DUP", PA_NONE, 0 }, 1, 0, 2 },
	{ { '(', "MARK", PA_NONE, 0 }, 0, 0, -1 },
	{ { '1', "POP_MARK", PA_NONE, 1 }, 0, 1, 0 },
	{ { 'g', "GET", PA_DECIMALNL_SHORT, 0 }, 0, 0, 1 },
	{ { 'h', "BINGET", PA_UINT1, 1 }, 0, 0, 1 },
	{ { 'j', "LONG_BINGET", PA_UINT4, 1 }, 0, 0, 1 },
	{ { 'p', "PUT", PA_DECIMALNL_SHORT, 0 }, 0, 0, 0 },
	{ { 'q', "BINPUT", PA_UINT1, 1 }, 0, 0, 0 },
	{ { 'r', "LONG_BINPUT", PA_UINT4, 1 }, 0, 0, 0 },
	{ { 0x94, "MEMOIZE", PA_NONE, 4 }, 1, 0, 1 },
	{ { 0x82, "EXT1", PA_UINT1, 2 }, 0, 0, 1 },
	{ { 0x83, "EXT2", PA_UINT2, 2 }, 0, 0, 1 },
	{ { 0x84, "EXT4", PA_INT4, 2 }, 0, 0, 1 },
	{ { 'c', "GLOBAL", PA_STRINGNL_PAIR, 0 }, 0, 0, 1 },
	{ { 0x93, "STACK_GLOBAL", PA_NONE, 4 }, 2, 0, 1 },
	{ { 'R', "REDUCE", PA_NONE, 0 }, 2, 0, 1 },
	{ { 'b', "BUILD", PA_NONE, 0 }, 2, 0, 1 },
	{ { 'i', "INST", PA_STRINGNL_PAIR, 0 }, 0, 1, 1 },
	{ { 'o', "OBJ", PA_NONE, 1 }, 0, 1, 1 },
	{ { 0x81, "NEWOBJ", PA_NONE, 2 }, 2, 0, 1 },
	{ { 0x92, "NEWOBJ_EX", PA_NONE, 4 }, 3, 0, 1 },
	{ { 0x80, "PROTO", PA_UINT1, 2 }, 0, 0, 0 },
	{ { '.', "STOP", PA_NONE, 0 }, 1, 0, 0 },
	{ { 0x95, "FRAME", PA_UINT8, 4 }, 0, 0, 0 },
	{ { 'P', "PERSID", PA_STRINGNL_NOESCAPE, 0 }, 0, 0, 1 },
	{ { 'Q', "BINPERSID", PA_NONE, 1 }, 1, 0, 1 },
};

#define NOPS (sizeof opdefs / sizeof opdefs[0])

const struct pickle_opinfo *
pickle_opinfo(unsigned char code)
{
	static const struct opdef *bycode[256];
	static int ready;
	if (!ready) {
		for (size_t i = 0; i < NOPS; i++)
			bycode[opdefs[i].info.code] = &opdefs[i];
		ready = 1;
	}
	return bycode[code] ? &bycode[code]->info : NULL;
}

/* ==== Reading one opcode ============================================== */

static uint64_t
le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A line from p (up to, not including, its newline): its length, or -1
 * when no newline comes before end. */
static long
line_len(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? (long)(nl - p) : -1;
}

int
pickle_op_read(const unsigned char *buf, size_t len, size_t pos,
    struct pickle_op *op, char **cause)
{
	memset(op, 0, sizeof *op);
	op->offset = pos;
	if (pos >= len)
		return 0;
	op->info = pickle_opinfo(buf[pos]);
	if (op->info == NULL) {
		if (cause) {
			struct buf b = { 0 };
			pickle_repr_bytes(&b, buf + pos, 1);
			*cause = xasprintf(LD("pickle: unknown opcode %s (at offset %zu)",
			    "pickle：未知操作码 %s（在偏移 %zu 处）"),
			    b.data, pos);
			free(b.data);
		}
		return -1;
	}
	const unsigned char *p = buf + pos + 1, *end = buf + len;
	size_t left = (size_t)(end - p);
	long l1, l2;
	uint64_t n;
	const char *bad = NULL;
	switch (op->info->arg) {
	case PA_NONE:
		break;
	case PA_UINT1: case PA_UINT2: case PA_UINT4: case PA_UINT8: {
		int k = op->info->arg == PA_UINT1 ? 1 : op->info->arg == PA_UINT2 ?
		    2 : op->info->arg == PA_UINT4 ? 4 : 8;
		if (left < (size_t)k)
			return 0;
		op->u = le(p, k);
		op->n = (int64_t)op->u;
		p += k;
		break;
	}
	case PA_INT4:
		if (left < 4)
			return 0;
		op->n = (int32_t)(uint32_t)le(p, 4);
		p += 4;
		break;
	case PA_FLOAT8: {
		if (left < 8)
			return 0;
		uint64_t bits = 0;
		for (int i = 0; i < 8; i++)
			bits = bits << 8 | p[i];
		memcpy(&op->f, &bits, sizeof op->f);
		p += 8;
		break;
	}
	case PA_DECIMALNL_SHORT: case PA_DECIMALNL_LONG: case PA_FLOATNL:
	case PA_STRINGNL_NOESCAPE: case PA_UNICODENL: case PA_STRINGNL:
		if ((l1 = line_len(p, end)) < 0)
			return 0;
		op->data = p;
		op->len = (size_t)l1;
		p += l1 + 1;
		if (op->info->arg == PA_STRINGNL) {
			/* 'text' or "text": the quotes go */
			if (op->len < 2 || (op->data[0] != '\'' && op->data[0] != '"') ||
			    op->data[op->len - 1] != op->data[0]) {
				bad = "the STRING opcode argument must be quoted";
				break;
			}
			op->data++;
			op->len -= 2;
		}
		break;
	case PA_STRINGNL_PAIR:
		if ((l1 = line_len(p, end)) < 0 ||
		    (l2 = line_len(p + l1 + 1, end)) < 0)
			return 0;
		op->data = p;
		op->len = (size_t)l1;
		op->data2 = p + l1 + 1;
		op->len2 = (size_t)l2;
		p += l1 + l2 + 2;
		break;
	default: {
		/* a length, then that many bytes */
		int k;
		switch (op->info->arg) {
		case PA_STRING1: case PA_BYTES1: case PA_UNICODE1: case PA_LONG1:
			k = 1;
			break;
		case PA_STRING4: case PA_BYTES4: case PA_UNICODE4: case PA_LONG4:
			k = 4;
			break;
		default:
			k = 8;
		}
		if (left < (size_t)k)
			return 0;
		n = le(p, k);
		if ((op->info->arg == PA_STRING4 || op->info->arg == PA_LONG4) &&
		    (n & 0x80000000u)) {
			bad = op->info->arg == PA_LONG4 ?
			    LD("LONG4 with a negative byte count",
			    "LONG4 的字节数是负的") :
			    LD("BINSTRING with a negative byte count",
			    "BINSTRING 的字节数是负的");
			break;
		}
		p += k;
		op->u = n;
		op->n = (int64_t)(n > INT64_MAX ? INT64_MAX : n);
		if (n > (uint64_t)(end - p)) {
			op->end = (size_t)(p - buf);    /* where they would start */
			return 0;       /* never trusted: the bytes are not there */
		}
		op->data = p;
		op->len = (size_t)n;
		p += n;
	}
	}
	if (bad) {
		if (cause)
			*cause = xasprintf(LD("pickle: %s (at offset %zu)",
			    "pickle：%s（在偏移 %zu 处）"), bad, pos);
		return -1;
	}
	op->end = (size_t)(p - buf);
	return 1;
}

/* ==== The disassembler ================================================ */

struct pickle_dis {
	size_t pos;
	unsigned char *stack;   /* 1: a MARK, 0: anything else */
	size_t n, cap;
	size_t *markpos;        /* offsets of the MARKs on the stack */
	size_t nmarks, capmarks;
	int64_t *memo;          /* keys defined, open addressing (+ used) */
	unsigned char *used;
	size_t memo_n, memo_cap;
	int maxproto;
	int stopped, done;
};

struct pickle_dis *
pickle_dis_new(void)
{
	struct pickle_dis *d = xcalloc(1, sizeof *d);
	d->maxproto = -1;
	return d;
}

void
pickle_dis_free(struct pickle_dis *d)
{
	if (d == NULL)
		return;
	free(d->stack);
	free(d->markpos);
	free(d->memo);
	free(d->used);
	free(d);
}

static size_t
dmemo_at(const struct pickle_dis *d, int64_t key)
{
	size_t mask = d->memo_cap - 1;
	size_t at = (size_t)((uint64_t)key * 0x9e3779b97f4a7c15ull >> 9) & mask;
	while (d->used[at] && d->memo[at] != key)
		at = (at + 1) & mask;
	return at;
}

static int
dmemo_has(const struct pickle_dis *d, int64_t key)
{
	return d->memo_cap && d->used[dmemo_at(d, key)];
}

static void
dmemo_add(struct pickle_dis *d, int64_t key)
{
	/* An open-addressing table: doubled and every entry placed again, so
	 * not a growable array (ARRAY_GROW does not fit). */
	if (2 * (d->memo_n + 1) > d->memo_cap) {
		int64_t *old = d->memo;
		unsigned char *oldused = d->used;
		size_t oldcap = d->memo_cap;
		d->memo_cap = oldcap ? 2 * oldcap : 64;
		d->memo = xcalloc(d->memo_cap, sizeof *d->memo);
		d->used = xcalloc(d->memo_cap, 1);
		for (size_t i = 0; i < oldcap; i++)
			if (oldused[i]) {
				size_t at = dmemo_at(d, old[i]);
				d->used[at] = 1;
				d->memo[at] = old[i];
			}
		free(old);
		free(oldused);
	}
	size_t at = dmemo_at(d, key);
	d->used[at] = 1;
	d->memo[at] = key;
	d->memo_n++;
}

static void
dpush(struct pickle_dis *d, unsigned char mark)
{
	ARRAY_GROW(d->stack, d->cap, d->n + 1);
	d->stack[d->n++] = mark;
}

/* The text of a decimal line as Python's int() would take it: spaces
 * around, an optional sign, digits with single underscores between. */
static int
int_text(struct buf *out, const unsigned char *p, size_t n,
    const char **why)
{
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	struct buf digits = { 0 };
	buf_add(&digits, "", 0);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '_' && i > 0 && i + 1 < n && p[i - 1] >= '0' &&
		    p[i - 1] <= '9' && p[i + 1] >= '0' && p[i + 1] <= '9')
			continue;
		buf_add(&digits, p + i, 1);
	}
	struct buf le = { 0 };
	int rc = pickle_decimal(&le, (unsigned char *)digits.data, digits.len, why);
	if (rc == 0)
		pickle_repr_intle(out, le.data, le.len);
	free(le.data);
	free(digits.data);
	return rc;
}

/* Append repr(arg) as pickletools shows it; *key gets the memo key of a
 * PUT or GET. -1 and *why when the argument is not what it should be. */
static int
arg_repr(struct buf *b, const struct pickle_op *op, int64_t *key,
    const char **why)
{
	struct buf t = { 0 };
	int rc = 0;
	buf_add(&t, "", 0);
	switch (op->info->arg) {
	case PA_NONE:
		break;
	case PA_UINT1: case PA_UINT2: case PA_UINT4: case PA_INT4:
		buf_printf(b, "%lld", (long long)op->n);
		*key = op->n;
		break;
	case PA_UINT8:
		buf_printf(b, "%llu", (unsigned long long)op->u);
		break;
	case PA_DECIMALNL_SHORT:
		if (op->len == 2 && op->data[0] == '0' &&
		    (op->data[1] == '0' || op->data[1] == '1')) {
			buf_printf(b, "%s", op->data[1] == '1' ? "True" : "False");
			*key = op->data[1] == '1';
			break;
		}
		if ((rc = int_text(&t, op->data, op->len, why)) == 0) {
			buf_add(b, t.data, t.len);
			*key = strtoll(t.data, NULL, 10);
		}
		break;
	case PA_DECIMALNL_LONG:
		rc = int_text(b, op->data, op->len && op->data[op->len - 1] == 'L' ?
		    op->len - 1 : op->len, why);
		break;
	case PA_FLOATNL: {
		char tmp[64], *end;
		if (op->len == 0 || op->len >= sizeof tmp ||
		    memchr(op->data, '\0', op->len)) {
			*why = "could not convert string to float";
			rc = -1;
			break;
		}
		memcpy(tmp, op->data, op->len);
		tmp[op->len] = '\0';
		double f = strtod(tmp, &end);
		while (*end == ' ')
			end++;
		if (*end || strchr(tmp, 'x') || strchr(tmp, 'X')) {
			*why = "could not convert string to float";
			rc = -1;
			break;
		}
		pickle_repr_float(b, f);
		break;
	}
	case PA_FLOAT8:
		pickle_repr_float(b, op->f);
		break;
	case PA_STRINGNL: case PA_STRINGNL_NOESCAPE:
		if ((rc = pickle_unescape_string(&t, op->data, op->len, why)) == 0)
			pickle_repr_str(b, t.data, t.len);
		break;
	case PA_STRINGNL_PAIR: {
		struct buf t2 = { 0 };
		buf_add(&t2, "", 0);
		if ((rc = pickle_unescape_string(&t, op->data, op->len, why)) == 0 &&
		    (rc = pickle_unescape_string(&t2, op->data2, op->len2, why)) == 0) {
			buf_add(&t, " ", 1);
			buf_add(&t, t2.data, t2.len);
			pickle_repr_str(b, t.data, t.len);
		}
		free(t2.data);
		break;
	}
	case PA_STRING1: case PA_STRING4:
		for (size_t i = 0; i < op->len; i++) {   /* Latin-1 */
			unsigned char c = op->data[i];
			if (c < 0x80)
				buf_add(&t, &c, 1);
			else {
				unsigned char u[2] = { (unsigned char)(0xc0 | c >> 6),
				    (unsigned char)(0x80 | (c & 0x3f)) };
				buf_add(&t, u, 2);
			}
		}
		pickle_repr_str(b, t.data, t.len);
		break;
	case PA_BYTES1: case PA_BYTES4: case PA_BYTES8:
		pickle_repr_bytes(b, op->data, op->len);
		break;
	case PA_BYTEARRAY8:
		buf_add(b, "bytearray(", 10);
		pickle_repr_bytes(b, op->data, op->len);
		buf_add(b, ")", 1);
		break;
	case PA_UNICODENL:
		if ((rc = pickle_raw_unicode(&t, op->data, op->len, why)) == 0)
			pickle_repr_str(b, t.data, t.len);
		break;
	case PA_UNICODE1: case PA_UNICODE4: case PA_UNICODE8:
		if (!pickle_utf8_ok(op->data, op->len)) {
			*why = LD("a str that is not UTF-8",
			    "一个不是 UTF-8 的 str");
			rc = -1;
		} else
			pickle_repr_str(b, (const char *)op->data, op->len);
		break;
	case PA_LONG1: case PA_LONG4:
		pickle_repr_intle(b, op->data, op->len);
		break;
	}
	free(t.data);
	return rc;
}

static int
dis_fail(char **cause, size_t offset, const char *what)
{
	if (cause)
		*cause = xasprintf(LD("pickle: %s (at offset %zu)",
		    "pickle：%s（在偏移 %zu 处）"), what, offset);
	return -1;
}

int
pickle_dis_next(struct pickle_dis *d, const unsigned char *buf, size_t len,
    int eof, char **line, size_t *used, char **cause)
{
	*line = NULL;
	if (d->done)
		return 2;
	if (d->stopped) {
		d->done = 1;
		*line = xasprintf("highest protocol among opcodes = %d\n",
		    d->maxproto);
		if (d->n) {
			char *what = xasprintf("stack not empty after STOP: %zu item%s",
			    d->n, d->n == 1 ? "" : "s");
			dis_fail(cause, d->pos - 1, what);
			free(what);
			return -1;
		}
		if (used)
			*used = d->pos;
		return 2;
	}
	struct pickle_op op;
	int r = pickle_op_read(buf, len, d->pos, &op, cause);
	if (r < 0)
		return -1;
	if (r == 0) {
		if (!eof)
			return 0;
		if (d->pos >= len)
			return dis_fail(cause, d->pos, "pickle exhausted before "
			    "seeing STOP");
		char *what = op.u ? xasprintf(LD("%s of %llu bytes, but only %zu "
		    "follow",
		    "%s 有 %llu 字节，但后面只有 %zu 字节"), op.info->name, (unsigned long long)op.u,
		    len - op.end) : xasprintf(LD("the data ends inside %s",
		    "数据在 %s 里面结束"),
		    op.info->name);
		dis_fail(cause, d->pos, what);
		free(what);
		return -1;
	}
	const struct opdef *def = (const struct opdef *)op.info;
	struct buf b = { 0 };
	struct buf arg = { 0 };
	int64_t key = -1;
	const char *why = NULL;
	char *errormsg = NULL;
	if (arg_repr(&arg, &op, &key, &why) < 0) {
		free(arg.data);
		char *what = xasprintf("%s: %s", op.info->name, why);
		dis_fail(cause, op.offset, what);
		free(what);
		return -1;
	}

	/* "%5d: %-4s %s%s": offset, the opcode byte as repr() shows it, the
	 * MARK indentation, the name */
	struct buf code = { 0 };
	pickle_repr_bytes(&code, &op.info->code, 1);
	code.data[code.len - 1] = '\0';    /* b'x' -> x */
	buf_printf(&b, "%5zu: %-4s ", op.offset, code.data + 2);
	free(code.data);
	for (size_t i = 0; i < d->nmarks; i++)
		buf_add(&b, "    ", 4);
	buf_add(&b, op.info->name, strlen(op.info->name));
	if (op.info->proto > d->maxproto)
		d->maxproto = op.info->proto;

	size_t numtopop = (size_t)def->pop;
	char markmsg[64] = "";
	int is_pop = op.info->code == '0';
	if (def->mark || (is_pop && d->n && d->stack[d->n - 1])) {
		if (d->nmarks && memchr(d->stack, 1, d->n)) {
			snprintf(markmsg, sizeof markmsg, "(MARK at %zu)",
			    d->markpos[--d->nmarks]);
			while (d->stack[d->n - 1] == 0)
				d->n--;
			d->n--;
			numtopop = def->mark ? (size_t)def->pop : 0;
		} else {
			snprintf(markmsg, sizeof markmsg, "no MARK exists on stack");
			errormsg = xstrdup(markmsg);
		}
	}
	unsigned char c = op.info->code;
	if (c == 'p' || c == 'q' || c == 'r' || c == 0x94) {
		int64_t idx = c == 0x94 ? (int64_t)d->memo_n : key;
		if (c == 0x94)
			snprintf(markmsg, sizeof markmsg, "(as %lld)", (long long)idx);
		if (dmemo_has(d, idx))
			errormsg = c == 0x94 ? xstrdup("memo key None already defined") :
			    xasprintf("memo key %s already defined", arg.data);
		else if (d->n == 0)
			errormsg = xstrdup("stack is empty -- can't store into memo");
		else if (d->stack[d->n - 1])
			errormsg = xstrdup("can't store markobject in the memo");
		else
			dmemo_add(d, idx);
	} else if ((c == 'g' || c == 'h' || c == 'j') && !dmemo_has(d, key))
		errormsg = xasprintf("memo key %s has never been stored into", arg.data);

	if (arg.len || *markmsg) {
		size_t nl = strlen(op.info->name);
		for (size_t i = nl; i < 10; i++)
			buf_add(&b, " ", 1);
		if (op.info->arg != PA_NONE) {
			buf_add(&b, " ", 1);
			buf_add(&b, arg.data, arg.len);
		}
		if (*markmsg) {
			buf_add(&b, " ", 1);
			buf_add(&b, markmsg, strlen(markmsg));
		}
	}
	buf_add(&b, "\n", 1);
	free(arg.data);
	*line = b.data;
	if (errormsg) {
		dis_fail(cause, op.offset, errormsg);
		free(errormsg);
		return -1;
	}
	if (d->n < numtopop) {
		char *what = xasprintf("tries to pop %zu items from stack with only "
		    "%zu items", numtopop, d->n);
		dis_fail(cause, op.offset, what);
		free(what);
		return -1;
	}
	d->n -= numtopop;
	if (def->push < 0) {
		ARRAY_GROW(d->markpos, d->capmarks, d->nmarks + 1);
		d->markpos[d->nmarks++] = op.offset;
		dpush(d, 1);
	} else
		for (int i = 0; i < def->push; i++)
			dpush(d, 0);
	d->pos = op.end;
	if (c == '.')
		d->stopped = 1;
	return 1;
}

int
pickle_dis(const void *buf, size_t len, char **text, char **cause)
{
	struct pickle_dis *d = pickle_dis_new();
	struct buf out = { 0 };
	int rc;
	buf_add(&out, "", 0);
	for (;;) {
		char *line;
		rc = pickle_dis_next(d, buf, len, 1, &line, NULL, cause);
		if (line) {
			buf_add(&out, line, strlen(line));
			free(line);
		}
		if (rc != 1)
			break;
	}
	pickle_dis_free(d);
	*text = out.data;
	return rc == 2 ? 0 : -1;
}
