/* pickle_decode.c — the safe decoder, pickle_loads. It is CPython's
 * unpickler (Modules/_pickle.c, load_*) with every call to the outside
 * world taken away: a global names one entry of a fixed table, REDUCE and
 * NEWOBJ build data or an inert "object of class X" record, and every
 * length, count and depth is checked before anything is allocated for it.
 * The opcode table and the disassembler are in pickle_dis.c. */
#include "lang.h"
#include "pickle_impl.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		*u->cause = xasprintf(LD("pickle: %s (at offset %zu)",
		    "pickle：%s（在偏移 %zu 处）"), what, u->offset);
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
		return fail(u, LD("more than %zu values",
		    "超过 %zu 个值"), u->lim->max_values);
	u->values++;
	return 0;
}

/* Push v (made just now or referenced again); v is dropped on failure. */
static int
push(struct unpickler *u, struct pval *v)
{
	if (u->n + u->nmarks >= u->lim->max_stack) {
		pval_free(v);
		return fail(u, LD("the stack grows past %zu items",
		    "栈超过了 %zu 项"), u->lim->max_stack);
	}
	ARRAY_GROW(u->stack, u->cap, u->n + 1);
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
		return fail(u, LD("values nested deeper than %zu",
		    "值的嵌套深于 %zu 层"), u->lim->max_depth);
	return 0;
}

/* c may take item: it is not inside anything yet (else the change could
 * close a cycle) and item is not c itself. */
static int
may_change(struct unpickler *u, const struct pval *c, const struct pval *item,
    const char *op)
{
	if (c == item)
		return fail(u, LD("%s would put a %s inside itself",
		    "%s 会把一个 %s 放进它自己里面"), op,
		    pval_type_name(c));
	if (c->flags & PVF_CONTAINED)
		return fail(u, LD("%s changes a %s that is already inside another "
		    "value (it could make a cycle)",
		    "%s 修改了一个已经在别的值里面的 %s（这可能造成环）"), op, pval_type_name(c));
	return 0;
}

static int
insert_or_fail(struct unpickler *u, struct pval *c, struct pval *key,
    struct pval *value)
{
	const char *tname = pval_type_name(key);
	int unhashable = (key->flags & PVF_UNHASHABLE) != 0;
	if (pk_c_insert(c, key, value) < 0)
		return unhashable ? fail(u, "unhashable type: '%s'", tname) :
		    fail(u, LD("comparing keys takes too long",
		    "比较键花的时间太长"));
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
		return fail(u, LD("the memo grows past %zu entries",
		    "memo 超过了 %zu 项"), u->lim->max_memo);
	/* An open-addressing table: doubled and every entry placed again, so
	 * not a growable array (ARRAY_GROW does not fit). */
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
latin1_bytes(const struct pval *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s->u.s.s;
	uint32_t cp;
	buf_add(out, "", 0);
	for (size_t i = 0; i < s->u.s.len;) {
		size_t k = pk_utf8_next(p + i, s->u.s.len - i, &cp);
		if (k == 0 || cp > 0xff)
			return -1;
		buf_addc(out, (unsigned char)cp);
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
    struct buf *out)
{
	buf_add(out, "", 0);
	size_t n = args->u.c.n;
	const struct pval *a = n ? args->u.c.v[0] : NULL;
	if (n == 0)
		return 0;
	if (n == 1 && (a->kind == PV_BYTES || a->kind == PV_BYTEARRAY)) {
		buf_add(out, a->u.s.s, a->u.s.len);
		return 0;
	}
	if (n == 1 && (a->kind == PV_LIST || a->kind == PV_TUPLE)) {
		for (size_t i = 0; i < a->u.c.n; i++) {
			int64_t b;
			if (pval_get_int(a->u.c.v[i], &b) < 0 || b < 0 || b > 255)
				return fail(u, LD("%s() of a list that is not of bytes 0 to 255",
				    "%s() 的列表里有不在 0 到 255 之间的值"),
				    what);
			buf_addc(out, (unsigned char)b);
		}
		return 0;
	}
	if (n == 2 && a->kind == PV_STR && is_latin1_name(args->u.c.v[1])) {
		if (latin1_bytes(a, out) < 0)
			return fail(u, LD("%s(): a character beyond Latin-1",
			    "%s()：有超出 Latin-1 的字符"), what);
		return 0;
	}
	return fail(u, LD("%s() with these arguments is not supported",
	    "不支持带这些参数的 %s()"), what);
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
			return pk_allowed_find(M_BUILTINS, strlen(M_BUILTINS), map[i].name,
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
	struct buf b = { 0 };
	if (fn->kind != PV_GLOBAL) {
		fail(u, LD("%s calls a %s, not an allowed class",
		    "%s 调用的是 %s，不是允许的类"), op,
		    pval_type_name(fn));
		goto out;
	}
	if (args->kind != PV_TUPLE) {
		fail(u, LD("%s arguments are a %s, not a tuple",
		    "%s 的参数是 %s，不是元组"), op,
		    pval_type_name(args));
		goto out;
	}
	const struct allowed *a = pk_allowed_of(fn);
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
		fail(u, LD("%s of %s.%s is not supported",
		    "不支持 %s 作用于 %s.%s"), op, a->module, a->name);
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
			fail(u, LD("%s() of %s is not supported",
			    "不支持对 %2$s 调用 %1$s()"), a->name,
			    n ? pval_type_name(x) : LD("these arguments",
			    "这些参数"));
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
		    b.data, b.len));
		break;
	case G_ENCODE:
		/* codecs.encode(str, 'latin1'): how protocols 0 to 2 write bytes */
		if (n < 1 || n > 2 || x->kind != PV_STR) {
			fail(u, LD("_codecs.encode() with these arguments is not supported",
			    "不支持带这些参数的 _codecs.encode()"));
			goto out;
		}
		if (n == 1 || pval_is_str(args->u.c.v[1], "utf-8") ||
		    pval_is_str(args->u.c.v[1], "utf8")) {
			rc = push(u, pval_bytes(x->u.s.s, x->u.s.len));
			break;
		}
		if (!is_latin1_name(args->u.c.v[1])) {
			fail(u, LD("_codecs.encode() to an encoding other than Latin-1 "
			    "or UTF-8 is not supported",
			    "不支持 _codecs.encode() 编码成 Latin-1 和 UTF-8 以外的编码"));
			goto out;
		}
		if (latin1_bytes(x, &b) < 0) {
			fail(u, LD("_codecs.encode(): a character beyond Latin-1",
			    "_codecs.encode()：有超出 Latin-1 的字符"));
			goto out;
		}
		rc = push(u, pval_bytes(b.data, b.len));
		break;
	default:
		break;
	}
out:
	free(b.data);
	pval_free(fn);
	pval_free(args);
	return rc;
}

/* GLOBAL and STACK_GLOBAL: push the class or refuse it. */
static int
load_global(struct unpickler *u, const char *mod, size_t mlen, const char *name,
    size_t nlen)
{
	const struct allowed *a = pk_allowed_find(mod, mlen, name, nlen, u->proto);
	if (a == NULL) {
		char *m = printable_name(mod, mlen), *nm = printable_name(name, nlen);
		fail(u, LD("global %s.%s is not allowed",
		    "不允许全局对象 %s.%s"), m, nm);
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
		rc = fail(u, LD("%s to a %s is not supported",
		    "不支持对 %2$s 做 %1$s"), op, pval_type_name(c));
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
	struct buf b = { 0 };
	const char *why = NULL;
	int rc = 0;
	buf_add(&b, "", 0);
	switch (op->info->arg) {
	case PA_STRINGNL:
		rc = pickle_unescape_string(&b, op->data, op->len, &why);
		break;
	case PA_STRING1: case PA_STRING4:
		/* a Python 2 str: pickle.loads decodes it as ASCII */
		for (size_t i = 0; i < op->len; i++)
			if (op->data[i] >= 0x80) {
				why = LD("a Python 2 str that is not ASCII",
				    "一个不是 ASCII 的 Python 2 str");
				rc = -1;
				break;
			}
		buf_add(&b, op->data, op->len);
		break;
	case PA_UNICODENL:
		rc = pickle_raw_unicode(&b, op->data, op->len, &why);
		break;
	default:
		if (!pickle_utf8_ok(op->data, op->len)) {
			why = LD("a str that is not UTF-8",
			    "一个不是 UTF-8 的 str");
			rc = -1;
		} else
			buf_add(&b, op->data, op->len);
	}
	if (rc == 0)
		rc = PUSH_NEW(u, pv_blob(PV_STR, b.data, b.len));
	else
		fail(u, "%s: %s", op->info->name, why);
	free(b.data);
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
	struct buf b = { 0 };
	const char *why;
	if (pickle_decimal(&b, p, n, &why) < 0) {
		char *s = printable_name((const char *)op->data, op->len);
		fail(u, "%s: invalid literal for int(): '%s'", op->info->name, s);
		free(s);
		free(b.data);
		return -1;
	}
	int rc = PUSH_NEW(u, pval_int_le(b.data, b.len));
	free(b.data);
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
		return fail(u, LD("FLOAT: out of range",
		    "FLOAT：超出范围"));
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
			return fail(u, LD("a FRAME of %llu bytes, but only %zu follow",
			    "FRAME 有 %llu 字节，但后面只有 %zu 字节"),
			    (unsigned long long)op->u, len - op->end);
		return 0;
	case '(':                                       /* MARK */
		if (u->n + u->nmarks >= u->lim->max_stack)
			return fail(u, LD("the stack grows past %zu items",
			    "栈超过了 %zu 项"),
			    u->lim->max_stack);
		ARRAY_GROW(u->marks, u->capmarks, u->nmarks + 1);
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
		    fail(u, LD("APPEND to a %s is not supported",
		    "不支持对 %s 做 APPEND"), pval_type_name(a))) ||
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
		    fail(u, LD("SETITEM to a %s is not supported",
		    "不支持对 %s 做 SETITEM"), pval_type_name(c))) ||
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
			return fail(u, LD("NEWOBJ_EX with keyword arguments is not supported",
			    "不支持带关键字参数的 NEWOBJ_EX"));
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
		    fail(u, LD("BUILD of a %s is not supported",
		    "不支持对 %s 做 BUILD"), pval_type_name(a))) ||
		    (b->kind != PV_DICT && b->kind != PV_NONE &&
		    fail(u, LD("BUILD with a %s state is not supported",
		    "不支持状态为 %s 的 BUILD"),
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
		pk_c_adopt(a, b);
		return check_depth(u, a);
	case 'P': case 'Q':
		return fail(u, LD("persistent IDs are not supported (%s)",
		    "不支持持久 ID（%s）"),
		    op->info->name);
	case 0x82: case 0x83: case 0x84:
		return fail(u, LD("the extension registry is not supported (%s code "
		    "%lld)",
		    "不支持扩展注册表（%s 代码 %lld）"), op->info->name, (long long)op->n);
	case 0x97: case 0x98:
		return fail(u, LD("out-of-band buffers are not supported (%s)",
		    "不支持带外缓冲区（%s）"),
		    op->info->name);
	}
	return fail(u, LD("opcode %s is not supported",
	    "不支持操作码 %s"), op->info->name);
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
			*cause = xasprintf(LD("pickle: %zu bytes is more than the limit "
			    "of %zu",
			    "pickle：%zu 字节超过了 %zu 的上限"), len, u.lim->max_input);
		return NULL;
	}
	/* The stack exists from the start: a MARK with nothing above it
	 * ("(d") slices it at offset 0, and NULL + 0 is undefined. */
	ARRAY_GROW(u.stack, u.cap, 64);
	for (size_t pos = 0;;) {
		struct pickle_op op;
		u.offset = pos;
		int r = pickle_op_read(p, len, pos, &op, cause);
		if (r < 0)
			break;
		if (r == 0) {
			if (pos >= len)
				fail(&u, len == 0 ? LD("no data (ran out of input)",
				    "没有数据（输入已经用完）") :
				    LD("pickle data was truncated: no STOP",
				    "pickle 数据被截断：没有 STOP"));
			else if (op.u)
				fail(&u, LD("%s of %llu bytes, but only %zu follow",
				    "%s 有 %llu 字节，但后面只有 %zu 字节"),
				    op.info->name, (unsigned long long)op.u,
				    len - op.end);
			else
				fail(&u, LD("pickle data was truncated inside %s",
				    "pickle 数据在 %s 里面被截断"),
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
