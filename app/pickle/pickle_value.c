/* pickle_value.c — the values (struct pval): making them, reference
 * counts, Python's hash and == for dict keys and set items (SipHash-1-3
 * with a key drawn once per process), sets and dicts kept in order with a
 * hash index, reading values, and pval_equal. */
#include "pickle_impl.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

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
	n = pk_le_shortest(b, n);
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

struct pval *
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
	struct buf b = { 0 };
	uint32_t cp;
	for (size_t i = 0; i < n;) {
		size_t k = pk_utf8_next(p + i, n - i, &cp);
		if (k == 0) {
			cp = 0xfffd;
			k = 1;
		}
		pk_utf8_put(&b, cp);
		i += k;
	}
	struct pval *v = pv_new(PV_STR);
	if (b.data == NULL)
		buf_add(&b, "", 0);
	v->u.s.s = b.data;
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
	ARRAY_GROW(c->u.c.v, c->u.c.cap, need);
}

/* item now lives inside c. */
void
pk_c_adopt(struct pval *c, struct pval *item)
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
		pk_c_adopt(t, items[i]);
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
		pk_c_adopt(t, t->u.c.v[i]);
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

struct pval *
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
	const struct allowed *a = pk_allowed_find(module, strlen(module), name,
	    strlen(name), 3);
	return a ? pv_global(a) : NULL;
}

struct pval *
pv_instance(const struct allowed *a, struct pval *args, int newobj)
{
	struct pval *v = pv_new(PV_GLOBAL_INSTANCE);
	v->u.g.module = a->module;
	v->u.g.name = a->name;
	v->u.g.args = args;
	v->u.g.newobj = newobj;
	pk_c_adopt(v, args);
	return v;
}

struct pval *
pval_instance(const char *module, const char *name, struct pval *args)
{
	const struct allowed *a = pk_allowed_find(module, strlen(module), name,
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
		return (long)pk_i64_le(v->u.boolean, buf);
	if (v->kind == PV_INT) {
		if (v->u.i.big) {
			*p = v->u.i.big;
			return (long)v->u.i.nbig;
		}
		return (long)pk_i64_le(v->u.i.small, buf);
	}
	double f = v->u.f;
	if (!isfinite(f) || floor(f) != f)
		return -1;
	if (f >= -9223372036854775808.0 && f < 9223372036854775808.0)
		return (long)pk_i64_le((int64_t)f, buf);
	return (long)pk_float_le(f, buf);
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
int
pk_c_insert(struct pval *c, struct pval *key, struct pval *value)
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
			pk_c_adopt(c, value);
		}
		pval_free(key);
		return 1;
	}
	c_grow(c, 1);
	if (c->kind == PV_DICT) {
		c->u.c.v[2 * c->u.c.n] = key;
		c->u.c.v[2 * c->u.c.n + 1] = value;
		pk_c_adopt(c, value);
	} else
		c->u.c.v[c->u.c.n] = key;
	pk_c_adopt(c, key);
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
	pk_c_adopt(list, item);
	return 0;
}

int
pval_set_add(struct pval *set, struct pval *item)
{
	if (set->kind != PV_SET && set->kind != PV_FROZENSET) {
		pval_free(item);
		return -1;
	}
	return pk_c_insert(set, item, NULL) < 0 ? -1 : 0;
}

int
pval_dict_set(struct pval *dict, struct pval *key, struct pval *value)
{
	if (dict->kind != PV_DICT || value == dict) {
		pval_free(key);
		pval_free(value);
		return -1;
	}
	return pk_c_insert(dict, key, value) < 0 ? -1 : 0;
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
	if (v->kind == PV_GLOBAL && pk_allowed_of(v) &&
	    pk_allowed_of(v)->what == G_ENCODE)
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
	const struct allowed *a = pk_allowed_find(module, strlen(module), name,
	    strlen(name), 3);
	return v && a && v->kind == PV_GLOBAL_INSTANCE && v->u.g.name == a->name &&
	    v->u.g.module == a->module;
}

static int eq(const struct pval *a, const struct pval *b, size_t *budget);

/* Item (or pair) k of a equals item j of b: 1, 0, or -1 (out of budget). */
static int
entry_equal(const struct pval *a, size_t k, const struct pval *b, size_t j,
    size_t *budget)
{
	int rc = eq(c_key(a, k), c_key(b, j), budget);
	if (rc != 1 || a->kind != PV_DICT)
		return rc;
	return eq(a->u.c.v[2 * k + 1], b->u.c.v[2 * j + 1], budget);
}

/* Two sets, frozensets or dicts of the same kind hold equal entries in any
 * order. Each of a's entries is matched with an entry of b not matched yet:
 * first the one Python's == finds through the index, else (a key holding a
 * NaN, which Python's == never finds) by a scan. eq is an equivalence, so
 * matching greedily is exact. 1, 0, or -1 when the budget ran out. */
static int
unordered_equal(const struct pval *a, const struct pval *b, size_t *budget)
{
	size_t n = a->u.c.n;
	if (n != b->u.c.n)
		return 0;
	unsigned char *taken = xcalloc(n ? n : 1, 1);
	int ok = 1;
	for (size_t k = 0; k < n && ok == 1; k++) {
		/* the look-up's comparisons are paid from the same budget */
		long sb = *budget > (size_t)EQ_BUDGET ? EQ_BUDGET :
		    (long)*budget, before = sb;
		long at = set_find(b, c_key(a, k), &sb);
		if (sb < 0) {
			ok = -1;
			break;
		}
		*budget -= (size_t)(before - sb);
		if (at >= 0 && !taken[at]) {
			int rc = entry_equal(a, k, b, (size_t)at, budget);
			if (rc < 0) {
				ok = -1;
				break;
			}
			if (rc == 1) {
				taken[at] = 1;
				continue;
			}
		}
		ok = 0;
		for (size_t j = 0; j < n && ok == 0; j++) {
			if (taken[j])
				continue;
			int rc = entry_equal(a, k, b, j, budget);
			if (rc == 1)
				taken[j] = 1;
			ok = rc;
		}
	}
	free(taken);
	return ok;
}

/* pval_equal_max's walk: every node visited costs one of *budget. */
static int
eq(const struct pval *a, const struct pval *b, size_t *budget)
{
	if (a == b)
		return 1;	/* a shared node: equal to itself, unwalked */
	if (a == NULL || b == NULL || a->kind != b->kind)
		return 0;
	if (*budget == 0)
		return -1;
	(*budget)--;
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
		for (size_t i = 0; i < a->u.c.n; i++) {
			int rc = eq(a->u.c.v[i], b->u.c.v[i], budget);
			if (rc != 1)
				return rc;
		}
		return 1;
	case PV_SET: case PV_FROZENSET: case PV_DICT:
		return unordered_equal(a, b, budget);
	case PV_GLOBAL:
		return a->u.g.name == b->u.g.name && a->u.g.module == b->u.g.module;
	case PV_GLOBAL_INSTANCE: {
		if (a->u.g.name != b->u.g.name || a->u.g.module != b->u.g.module)
			return 0;
		int rc = eq(a->u.g.args, b->u.g.args, budget);
		if (rc != 1)
			return rc;
		if (a->u.g.state == NULL || b->u.g.state == NULL)
			return a->u.g.state == b->u.g.state;
		return eq(a->u.g.state, b->u.g.state, budget);
	}
	}
	return 0;
}

int
pval_equal_max(const struct pval *a, const struct pval *b, size_t max_nodes)
{
	size_t budget = max_nodes;
	return eq(a, b, &budget);
}

int
pval_equal(const struct pval *a, const struct pval *b)
{
	return pval_equal_max(a, b, PVAL_WALK_MAX) == 1;
}
