/* test_pickle.c — unit tests for the safe pickle codec and the
 * disassembler (app/pickle/pickle_*.c): values and their repr,
 * round trips through every protocol the encoder writes, every family of
 * opcodes the decoder reads (written here by hand, as protocols 0 to 5
 * spell them), CPython's own bytes for the manager's messages, and hostile
 * input: truncated data, huge length fields, deep nesting, globals off the
 * allow-list, misuse of the memo, the limits, and random corruption. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle.h"
#include "util.h"

/* Bytes from a C string literal that may hold NULs: B("...") */
#define B(s) (const unsigned char *)(s), sizeof(s) - 1

/* Decode, expect success, and compare repr() with want. */
static void
expect_repr(const unsigned char *p, size_t n, const char *want)
{
	char *cause = NULL;
	size_t used = 0;
	struct pval *v = pickle_loads(p, n, NULL, &used, &cause);
	if (v == NULL)
		fail_msg("decode failed: %s (want %s)", cause, want);
	char *r = pval_repr(v);
	if (strcmp(r, want) != 0)
		fail_msg("repr: got %s, want %s", r, want);
	assert_int_equal(used, n);
	free(r);
	pval_free(v);
}

/* Decode, expect failure with a cause containing want. */
static void
expect_error(const unsigned char *p, size_t n, const char *want)
{
	char *cause = NULL;
	struct pval *v = pickle_loads(p, n, NULL, NULL, &cause);
	if (v) {
		char *r = pval_repr(v);
		fail_msg("decoded %s, wanted an error: %s", r, want);
	}
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	assert_true(strncmp(cause, "pickle: ", 8) == 0);
	free(cause);
}

static void
expect_bytes(const struct pval *v, int proto, const unsigned char *want,
    size_t n)
{
	unsigned char *out;
	size_t len;
	char *cause = NULL;
	assert_int_equal(pickle_dumps(v, proto, &out, &len, &cause), 0);
	if (len != n || memcmp(out, want, n) != 0) {
		struct buf a = { 0 }, b = { 0 };
		pickle_repr_bytes(&a, out, len);
		pickle_repr_bytes(&b, want, n);
		fail_msg("protocol %d: got %s, want %s", proto, a.data, b.data);
	}
	free(out);
}

/* ---- values and repr ----------------------------------------------- */

static void
test_repr_scalars(void **state)
{
	struct {
		struct pval *v;
		const char *want;
	} cases[] = {
		{ pval_none(), "None" },
		{ pval_bool(1), "True" },
		{ pval_int(-42), "-42" },
		{ pval_int(INT64_MIN), "-9223372036854775808" },
		{ pval_int_le("\x00\x00\x00\x00\x00\x00\x00\x80\x00", 9),
		    "9223372036854775808" },
		{ pval_int_le("\x00\x00\x00\x00\x00\x00\x00\x00\xc0", 9),
		    "-1180591620717411303424" },
		{ pval_int_le("\xff\xff", 2), "-1" },   /* not shortest: cut */
		{ pval_int_le("", 0), "0" },
		{ pval_float(1.5), "1.5" },
		{ pval_float(-0.0), "-0.0" },
		{ pval_float(1e16), "1e+16" },
		{ pval_float(1234567890123456.0), "1234567890123456.0" },
		{ pval_float(1e-5), "1e-05" },
		{ pval_float(0.0001), "0.0001" },
		{ pval_float(0.1), "0.1" },
		{ pval_float(1.0 / 3), "0.3333333333333333" },
		{ pval_float(5e-324), "5e-324" },
		{ pval_float(1e300), "1e+300" },
		{ pval_float(INFINITY), "inf" },
		{ pval_float(NAN), "nan" },
		{ pval_str("it's"), "\"it's\"" },
		{ pval_str("both ' and \""), "'both \\' and \"'" },
		{ pval_str("tab\there\n\\"), "'tab\\there\\n\\\\'" },
		{ pval_str("中文 é"), "'中文 é'" },
		{ pval_strn("\x7f\xc2\xa0\xe2\x80\xa8\xed\xa0\x80", 9),
		    "'\\x7f\\xa0\\u2028\\ud800'" },
		{ pval_strn("bad\xff", 4), "'bad\xef\xbf\xbd'" },   /* U+FFFD */
		{ pval_bytes("a'\x00\xff", 4), "b\"a'\\x00\\xff\"" },
		{ pval_bytearray("xy", 2), "bytearray(b'xy')" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *r = pval_repr(cases[i].v);
		if (strcmp(r, cases[i].want) != 0)
			fail_msg("case %zu: got %s, want %s", i, r, cases[i].want);
		free(r);
		pval_free(cases[i].v);
	}
}

static void
test_containers(void **state)
{
	struct pval *d = pval_dict();
	assert_int_equal(pval_dict_set(d, pval_str("a"), pval_int(1)), 0);
	assert_int_equal(pval_dict_set(d, pval_int(1), pval_str("one")), 0);
	/* 1, 1.0 and True are one key, as in Python; the first key stays */
	assert_int_equal(pval_dict_set(d, pval_float(1.0), pval_str("uno")), 0);
	assert_int_equal(pval_dict_set(d, pval_bool(1), pval_str("eins")), 0);
	assert_int_equal(pval_len(d), 2);
	/* a list is no key */
	assert_int_equal(pval_dict_set(d, pval_list(), pval_none()), -1);
	char *r = pval_repr(d);
	assert_string_equal(r, "{'a': 1, 1: 'eins'}");
	free(r);
	int64_t n;
	assert_int_equal(pval_get_int(pval_dict_get_str(d, "a"), &n), 0);
	assert_int_equal(n, 1);
	assert_null(pval_dict_get_str(d, "zz"));

	/* many keys: the hash index; 2**70 and 2.0**70 are one key */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(pval_dict_set(d, pval_int(i), pval_int(i * 2)), 0);
	assert_int_equal(pval_len(d), 1001);
	struct pval *big = pval_int_le("\x00\x00\x00\x00\x00\x00\x00\x00\x40", 9);
	assert_int_equal(pval_dict_set(d, big, pval_str("big")), 0);
	assert_int_equal(pval_dict_set(d, pval_float(ldexp(1, 70)),
	    pval_str("float")), 0);
	assert_int_equal(pval_len(d), 1002);
	struct pval *k = pval_int(999);
	assert_int_equal(pval_get_int(pval_dict_get(d, k), &n), 0);
	assert_int_equal(n, 1998);
	pval_free(k);

	struct pval *s = pval_set();
	assert_int_equal(pval_set_add(s, pval_tuple(2, pval_int(1), pval_str("x"))), 0);
	assert_int_equal(pval_set_add(s, pval_tuple(2, pval_int(1), pval_str("x"))), 0);
	assert_int_equal(pval_set_add(s, pval_tuple(1, pval_list())), -1);
	assert_int_equal(pval_len(s), 1);
	r = pval_repr(s);
	assert_string_equal(r, "{(1, 'x')}");
	free(r);

	struct pval *l = pval_list();
	assert_int_equal(pval_append(l, pval_ref(s)), 0);
	assert_int_equal(pval_append(l, s), 0);
	assert_int_equal(pval_append(l, pval_ref(l)), -1);    /* itself */
	assert_int_equal(pval_append(d, pval_none()), -1);     /* not a list */
	assert_int_equal(l->depth, 3);
	r = pval_repr_max(l, 8);
	assert_string_equal(r, "[{(1, 'x...");
	free(r);
	assert_string_equal(pval_type_name(l), "list");
	pval_free(l);
	pval_free(d);

	struct pval *e = pval_instance("queue", "Empty", NULL);  /* _queue's */
	assert_non_null(e);
	assert_true(pval_is_instance(e, "_queue", "Empty"));
	assert_string_equal(e->u.g.module, "_queue");
	assert_string_equal(pval_type_name(e), "Empty");
	r = pval_repr(e);
	assert_string_equal(r, "Empty()");
	free(r);
	pval_free(e);
	e = pval_instance("builtins", "KeyError", pval_tuple(1, pval_str("k")));
	r = pval_repr(e);
	assert_string_equal(r, "KeyError('k')");
	free(r);
	pval_free(e);
	e = pval_instance("builtins", "TypeError", pval_tuple(2, pval_str("a"),
	    pval_int(2)));
	r = pval_repr(e);
	assert_string_equal(r, "TypeError('a', 2)");
	free(r);
	pval_free(e);
	assert_null(pval_instance("os", "system", pval_tuple(0)));
	assert_null(pval_global("builtins", "eval"));
	struct pval *g = pval_global("_queue", "Full");
	r = pval_repr(g);
	assert_string_equal(r, "<class 'queue.Full'>");
	free(r);
	pval_free(g);
}

static void
test_equal(void **state)
{
	struct pval *a = pval_dict(), *b = pval_dict();
	pval_dict_set(a, pval_str("x"), pval_int(1));
	pval_dict_set(a, pval_str("y"), pval_float(NAN));
	pval_dict_set(b, pval_str("y"), pval_float(NAN));
	pval_dict_set(b, pval_str("x"), pval_int(1));
	assert_true(pval_equal(a, b));          /* any order; NaN as NaN */
	pval_dict_set(b, pval_str("x"), pval_bool(1));
	assert_false(pval_equal(a, b));         /* strict: True is not 1 */
	pval_free(a);
	pval_free(b);
	a = pval_float(0.0);
	b = pval_float(-0.0);
	assert_false(pval_equal(a, b));
	pval_free(a);
	pval_free(b);
}

/* ---- round trips ----------------------------------------------------- */

static struct pval *
sample(void)
{
	struct pval *l = pval_list();
	struct pval *shared = pval_str("shared");
	pval_append(l, pval_none());
	pval_append(l, pval_bool(0));
	pval_append(l, pval_int(255));
	pval_append(l, pval_int(65536));
	pval_append(l, pval_int(-2147483648LL));
	pval_append(l, pval_int(INT64_MAX));
	pval_append(l, pval_int_le("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x80", 10));
	pval_append(l, pval_float(-2.5));
	pval_append(l, pval_str("中文"));
	pval_append(l, pval_bytes("\x00\x01", 2));
	pval_append(l, pval_bytes("", 0));
	pval_append(l, pval_bytearray("ab", 2));
	pval_append(l, pval_tuple(0));
	pval_append(l, pval_tuple(4, pval_int(1), pval_int(2), pval_int(3),
	    pval_int(4)));
	struct pval *d = pval_dict();
	pval_dict_set(d, pval_tuple(1, pval_int(1)), pval_ref(shared));
	pval_dict_set(d, pval_str("k"), shared);
	pval_append(l, d);
	struct pval *s = pval_set(), *fs = pval_frozenset();
	pval_set_add(s, pval_int(7));
	pval_set_add(fs, pval_str("f"));
	pval_append(l, s);
	pval_append(l, fs);
	pval_append(l, pval_instance("_queue", "Empty", NULL));
	pval_append(l, pval_instance("queue", "Full", NULL));
	pval_append(l, pval_instance("builtins", "ValueError",
	    pval_tuple(1, pval_str("bad"))));
	pval_append(l, pval_global("builtins", "KeyError"));
	struct pval *big = pval_list();
	for (int i = 0; i < 2500; i++)
		pval_append(big, pval_int(i));
	pval_append(l, big);
	return l;
}

static void
test_round_trip(void **state)
{
	struct pval *v = sample();
	for (int proto = 2; proto <= 5; proto++) {
		unsigned char *out;
		size_t len;
		char *cause = NULL;
		assert_int_equal(pickle_dumps(v, proto, &out, &len, &cause), 0);
		assert_int_equal(out[0], 0x80);
		assert_int_equal(out[1], proto);
		struct pval *back = pickle_loads(out, len, NULL, NULL, &cause);
		if (back == NULL)
			fail_msg("protocol %d: %s", proto, cause);
		if (!pval_equal(v, back)) {
			char *a = pval_repr_max(v, 400), *b = pval_repr_max(back, 400);
			fail_msg("protocol %d:\n%s\n%s", proto, a, b);
		}
		/* the shared str is one node again */
		struct pval *d = pval_item(back, 14);
		assert_ptr_equal(d->u.c.v[1], d->u.c.v[3]);
		pval_free(back);
		free(out);
	}
	unsigned char *out;
	size_t len;
	char *cause = NULL;
	assert_int_equal(pickle_dumps(v, 6, &out, &len, &cause), -1);
	assert_string_equal(cause, "pickle: protocol 6 is not supported for "
	    "writing (2 to 5)");
	free(cause);
	pval_free(v);
}

/* CPython's own bytes for the notes' list and the manager's replies. */
static void
test_cpython_bytes(void **state)
{
	struct pval *l = pval_list();
	for (int i = 1; i <= 4; i++)
		pval_append(l, pval_int(i));
	expect_bytes(l, 3, B("\x80\x03]q\x00(K\x01K\x02K\x03K\x04" "e."));
	expect_bytes(l, 4, B("\x80\x04\x95\r\x00\x00\x00\x00\x00\x00\x00]\x94"
	    "(K\x01K\x02K\x03K\x04" "e."));
	pval_free(l);
	struct pval *m = pval_tuple(2, pval_str("#ERROR"),
	    pval_instance("_queue", "Empty", NULL));
	expect_bytes(m, 2, B("\x80\x02X\x06\x00\x00\x00#ERRORq\x00" "c_queue\nEmpty"
	    "\nq\x01)Rq\x02\x86q\x03."));
	pval_free(m);
	m = pval_tuple(2, pval_str("#ERROR"), pval_instance("builtins",
	    "KeyError", pval_tuple(1, pval_str("k"))));
	expect_bytes(m, 4, B("\x80\x04\x95,\x00\x00\x00\x00\x00\x00\x00\x8c\x06"
	    "#ERROR\x94\x8c\x08" "builtins\x94\x8c\x08KeyError\x94\x93\x94\x8c\x01k"
	    "\x94\x85\x94R\x94\x86\x94."));
	pval_free(m);
	m = pval_tuple(2, pval_str("#RETURN"), pval_none());
	expect_bytes(m, 2, B("\x80\x02X\x07\x00\x00\x00#RETURNq\x00N\x86q\x01."));
	pval_free(m);
}

/* ---- every family of opcodes, as each protocol writes them ----------- */

/* Each pickle with what python3's repr(pickle.loads(...)) prints for it. */
static const struct {
	const unsigned char *p;
	size_t n;
	const char *want;
} opcode_cases[] = {
	{ B("(lp0\nI1\naI-7\naI01\naI00\naL123456789012345678901234567890L\naF1.5\naS'a\\'b\\n'\naVx\\u4e2d\\\\u\naNa(I1\nI2\ntp1\nag1\na."),
	    "[1, -7, True, False, 123456789012345678901234567890, 1.5, \"a'b\\n\", 'x中\\\\\\\\u', None, (1, 2), (1, 2)]" },
	{ B("(dp0\nS'k'\np1\n(lp2\nI3\nasVv\np3\ng1\ns."),
	    "{'k': [3], 'v': 'k'}" },
	{ B("]q\x00(K\x01M\x00\x01J\xff\xff\xff\xffG?\xf8\x00\x00\x00\x00\x00\x00U\x03""abcT\x02\x00\x00\x00""deX\x02\x00\x00\x00\xc3\xa9N)}q\x01(K\x01K\x02uh\x01""e."),
	    "[1, 256, -1, 1.5, 'abc', 'de', 'é', None, (), {1: 2}, {1: 2}]" },
	{ B("\x80\x02(\x88\x89\x8a\x02\xff\x00\x8b\x01\x00\x00\x00\x80K\x01\x85K\x01K\x02\x86K\x01K\x02K\x03\x87t."),
	    "(True, False, 255, -128, (1,), (1, 2), (1, 2, 3))" },
	{ B("\x80\x03(C\x02""abB\x03\x00\x00\x00""cdeq\x00h\x00t."),
	    "(b'ab', b'cde', b'cde')" },
	{ B("\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00hi."),
	    "bytearray(b'hi')" },
	{ B("K\x01K\x02""0(K\x03K\x04""1\x85""2\x86."),
	    "((1,), (1,))" },
	{ B("\x80\x02""c_queue\nEmpty\n)\x81."),
	    "Empty()" },
	{ B("\x80\x04\x8c\x06_queue\x8c\x05""Empty\x93)}\x92."),
	    "Empty()" },
	{ B("\x80\x02""cbuiltins\nValueError\nX\x01\x00\x00\x00x\x85R}X\x01\x00\x00\x00""aK\x01sb."),
	    "ValueError('x')" },
	{ B("(S'x'\nibuiltins\nValueError\n."),
	    "ValueError('x')" },
	{ B("(cbuiltins\nKeyError\nS'k'\no."),
	    "KeyError('k')" },
	{ B("cexceptions\nValueError\n(S'x'\ntR."),
	    "ValueError('x')" },
	{ B("c__builtin__\nset\n((lI1\natR."),
	    "{1}" },
	{ B("cQueue\nEmpty\n)R."),
	    "Empty()" },
	{ B("\x80\x02X\x01\x00\x00\x00""ar\x00\x01\x00\x00j\x00\x01\x00\x00\x86."),
	    "('a', 'a')" },
	{ B("\x80\x02""c_codecs\nencode\nX\x03\x00\x00\x00\xc3\xbf""aX\x06\x00\x00\x00latin1\x86R."),
	    "b'\\xffa'" },
	{ B("\x80\x02""cexceptions\nOSError\nK\x02X\x01\x00\x00\x00x\x86R."),
	    "FileNotFoundError(2, 'x')" },
	{ B("\x80\x02""cbuiltins\nfrozenset\n]K\x01""a\x85R."),
	    "frozenset({1})" },
	{ B("(K\x01K\x02""d."),
	    "{1: 2}" },
	{ B("}(K\x01K\x02K\x03K\x04u."),
	    "{1: 2, 3: 4}" },
	{ B("(K\x01X\x01\x00\x00\x00""aF-0.25\nt."),
	    "(1, 'a', -0.25)" },
	{ B("(I010\nI+5\nL-0L\nt."),
	    "(8, 5, 0)" },
	{ B("\x80\x04\x95""8\x00\x00\x00\x00\x00\x00\x00(\x8f\x94(K\x01K\x02\x90(K\x03\x91\x8d\x01\x00\x00\x00\x00\x00\x00\x00z\x8e\x01\x00\x00\x00\x00\x00\x00\x00y\x8c\x06_queue\x8c\x05""Empty\x93)R\x94h\x01t."),
	    "({1, 2}, frozenset({3}), 'z', b'y', Empty(), Empty())" },
};

static void
test_opcodes(void **state)
{
	for (size_t i = 0; i < sizeof opcode_cases / sizeof opcode_cases[0]; i++)
		expect_repr(opcode_cases[i].p, opcode_cases[i].n,
		    opcode_cases[i].want);
	/* BUILD keeps the state; a pickle may go on after its STOP */
	size_t used;
	char *cause = NULL;
	struct pval *v = pickle_loads(B("\x80\x02" "cbuiltins\nValueError\n"
	    "X\x01\x00\x00\x00x\x85R}X\x01\x00\x00\x00" "aK\x01sb.N."), NULL, &used,
	    &cause);
	assert_non_null(v);
	assert_int_equal(v->kind, PV_GLOBAL_INSTANCE);
	assert_string_equal(v->u.g.module, "builtins");
	assert_string_equal(v->u.g.name, "ValueError");
	assert_non_null(v->u.g.state);
	assert_int_equal(v->u.g.state->kind, PV_DICT);
	assert_int_equal(used, 43);
	pval_free(v);
	/* NEWOBJ is remembered, and written back */
	v = pickle_loads(B("\x80\x02" "c_queue\nEmpty\n)\x81."), NULL, NULL, &cause);
	assert_true(v->u.g.newobj);
	expect_bytes(v, 2, B("\x80\x02" "c_queue\nEmpty\nq\x00)\x81q\x01."));
	pval_free(v);
}

/* ---- hostile input ----------------------------------------------------- */

static void
test_refused_globals(void **state)
{
	expect_error(B("cos\nsystem\n(S'echo hi'\ntR."),
	    "pickle: global os.system is not allowed (at offset 0)");
	expect_error(B("\x80\x04\x95\x1f\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix"
	    "\x94\x8c\x06system\x94\x93\x94\x8c\x0a" "echo pwned\x94\x85\x94R\x94."),
	    "global posix.system is not allowed (at offset 28)");
	expect_error(B("\x80\x04\x8c\x08" "builtins\x8c\x04" "eval\x93."),
	    "global builtins.eval is not allowed");
	expect_error(B("\x80\x04\x8c\x08" "builtins\x8c\x0a__import__\x93."),
	    "global builtins.__import__ is not allowed");
	expect_error(B("csubprocess\nPopen\n."), "global subprocess.Popen is not allowed");
	expect_error(B("cbuiltins\ngetattr\n."), "global builtins.getattr is not allowed");
	expect_error(B("ccopy_reg\n_reconstructor\n."),
	    "global copy_reg._reconstructor is not allowed");
	expect_error(B("(S'ls'\nios\nsystem\n."), "global os.system is not allowed");
	/* Python 2's names only below protocol 3, as pickle.loads reads them */
	expect_error(B("\x80\x03" "c__builtin__\nset\n."),
	    "global __builtin__.set is not allowed");
	expect_error(B("cexceptions\nRecursionError\n."),
	    "global exceptions.RecursionError is not allowed");
	/* names that are not text */
	expect_error(B("\x80\x04K\x01K\x02\x93."), "STACK_GLOBAL requires str");
	expect_error(B("cos\x00x\nsystem\n."), "global os?x.system is not allowed");
	/* calling what is not a class */
	expect_error(B("K\x01)R."), "REDUCE calls a int, not an allowed class");
	expect_error(B("cbuiltins\nset\nK\x01\x85R."), "set() of int is not supported");
	expect_error(B("\x80\x02" "cbuiltins\nset\n)\x81."),
	    "NEWOBJ of builtins.set is not supported");
	expect_error(B("\x80\x04\x8c\x06_queue\x8c\x05" "Empty\x93)}K\x01K\x02s\x92."),
	    "NEWOBJ_EX with keyword arguments is not supported");
	expect_error(B("c_codecs\nencode\nX\x02\x00\x00\x00\xe4\xb8\xadX\x06\x00\x00\x00"
	    "latin1\x86R."), "BINUNICODE: a str that is not UTF-8");
	expect_error(B("c_codecs\nencode\nX\x03\x00\x00\x00\xe4\xb8\xadX\x06\x00\x00\x00"
	    "latin1\x86R."), "a character beyond Latin-1");
	/* and the opcodes that would reach outside the data */
	expect_error(B("P1\n."), "persistent IDs are not supported (PERSID)");
	expect_error(B("K\x01Q."), "persistent IDs are not supported (BINPERSID)");
	expect_error(B("\x80\x02\x82\x01."), "the extension registry is not "
	    "supported (EXT1 code 1)");
	expect_error(B("\x80\x02\x84\x00\x00\x00\x01."), "(EXT4 code 16777216)");
	expect_error(B("\x80\x05\x97."), "out-of-band buffers are not supported");
	expect_error(B("\x80\x05K\x01\x98."), "(READONLY_BUFFER)");
}

static void
test_truncated(void **state)
{
	expect_error(B(""), "no data (ran out of input)");
	expect_error(B("K\x01"), "pickle data was truncated: no STOP (at offset 2)");
	expect_error(B("J\x01\x02"), "truncated inside BININT (at offset 0)");
	expect_error(B("I12"), "truncated inside INT");
	expect_error(B("c_queue\nEmpty"), "truncated inside GLOBAL");
	/* every prefix of a pickle with every kind of opcode fails cleanly */
	for (size_t i = 0; i < sizeof opcode_cases / sizeof opcode_cases[0]; i++) {
		for (size_t n = 0; n < opcode_cases[i].n; n++) {
			char *cause = NULL;
			struct pval *v = pickle_loads(opcode_cases[i].p, n, NULL, NULL,
			    &cause);
			assert_null(v);
			assert_non_null(cause);
			free(cause);
		}
	}
}

static void
test_huge_lengths(void **state)
{
	/* a length is checked against what is there before anything else */
	expect_error(B("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f" "abc."),
	    "BINUNICODE8 of 9223372036854775807 bytes, but only 4 follow "
	    "(at offset 2)");
	expect_error(B("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff."),
	    "BINBYTES8 of 18446744073709551615 bytes, but only 1 follow");
	expect_error(B("\x80\x05\x96\x00\x00\x00\x00\x01\x00\x00\x00."),
	    "BYTEARRAY8 of 4294967296 bytes");
	expect_error(B("X\xff\xff\xff\xff."), "BINUNICODE of 4294967295 bytes");
	expect_error(B("B\xff\xff\xff\x7f."), "BINBYTES of 2147483647 bytes");
	expect_error(B("T\xff\xff\xff\xff."), "BINSTRING with a negative byte count");
	expect_error(B("\x8b\xff\xff\xff\xff."), "LONG4 with a negative byte count");
	expect_error(B("\x8b\xff\xff\xff\x7f."), "LONG4 of 2147483647 bytes");
	expect_error(B("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\xffN."),
	    "a FRAME of 18446744073709551615 bytes, but only 2 follow");
	expect_error(B("C\x05" "ab."), "SHORT_BINBYTES of 5 bytes, but only 3 follow");
	expect_error(B("L1234567890123456789012345678901234567890123456789012345678901234567890"
	    "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
	    "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
	    "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
	    "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
	    "x\n."), "LONG: invalid literal for int()");
	/* more digits than Python 3.11 turns into an int */
	size_t n = 4400;
	unsigned char *p = xmalloc(n + 3);
	p[0] = 'L';
	memset(p + 1, '7', n);
	p[n + 1] = '\n';
	p[n + 2] = '.';
	expect_error(p, n + 3, "LONG: invalid literal");
	free(p);
}

static void
test_deep(void **state)
{
	/* 1002 lists, each appended to the one below it: depth 1001 */
	size_t n = 1002;
	unsigned char *p = xmalloc(2 * n + 1);
	memset(p, ']', n);
	memset(p + n, 'a', n - 1);
	p[2 * n - 1] = '.';
	expect_error(p, 2 * n, "values nested deeper than 1000");
	free(p);
	n = 1001;               /* depth 1000: as deep as CPython dumps */
	p = xmalloc(2 * n);
	memset(p, ']', n);
	memset(p + n, 'a', n - 1);
	p[2 * n - 1] = '.';
	char *cause = NULL;
	struct pval *v = pickle_loads(p, 2 * n, NULL, NULL, &cause);
	assert_non_null(v);
	assert_int_equal(v->depth, 1000);
	unsigned char *out;
	size_t len;
	assert_int_equal(pickle_dumps(v, 2, &out, &len, &cause), 0);
	free(out);
	pval_free(v);
	free(p);
	/* tuples too, and a lower limit */
	n = 50;
	p = xmalloc(2 * n + 1);
	memset(p, '(', n);
	memset(p + n, 't', n);
	p[2 * n] = '.';
	struct pickle_limits lim = pickle_default_limits;
	lim.max_depth = 10;
	v = pickle_loads(p, 2 * n + 1, &lim, NULL, &cause);
	assert_null(v);
	assert_non_null(strstr(cause, "values nested deeper than 10"));
	free(cause);
	free(p);
}

static void
test_memo_misuse(void **state)
{
	expect_error(B("h\x05."), "memo value not found at index 5 (at offset 0)");
	expect_error(B("j\x00\x00\x00\x01."), "memo value not found at index 16777216");
	expect_error(B("g7\n."), "memo value not found at index 7");
	expect_error(B("q\x00."), "unpickling stack underflow");
	expect_error(B("(\x94."), "unpickling stack underflow");
	expect_error(B("p-1\n."), "PUT: invalid index");
	/* what would make a cycle is refused */
	expect_error(B("]q\x00h\x00" "a."), "APPEND would put a list inside itself");
	expect_error(B("]q\x00]h\x00" "aa."),
	    "APPEND changes a list that is already inside another value");
	expect_error(B("}q\x00X\x01\x00\x00\x00kh\x00s."),
	    "SETITEM would put a dict inside itself");
	expect_error(B("]q\x00(h\x00" "e."), "APPENDS would put a list inside itself");
	expect_error(B("\x80\x02" "c_queue\nEmpty\n)Rq\x00}X\x01\x00\x00\x00" "ah\x00sb."),
	    "BUILD changes a Empty that is already inside another value");
	/* the same list twice is a DAG, not a cycle */
	expect_repr(B("](]q\x00K\x01" "ah\x00" "e."), "[[1], [1]]");
	/* an overwritten memo entry, and MEMOIZE counting entries */
	expect_repr(B("\x80\x04K\x01q\x05K\x02q\x05\x94(h\x05h\x01t."), "(2, 2)");
}

static void
test_limits(void **state)
{
	struct pickle_limits lim = pickle_default_limits;
	char *cause = NULL;
	lim.max_memo = 3;
	assert_null(pickle_loads(B("Nq\x00q\x01q\x02q\x03."), &lim, NULL, &cause));
	assert_string_equal(cause, "pickle: the memo grows past 3 entries (at offset 7)");
	free(cause);
	lim = pickle_default_limits;
	lim.max_values = 5;
	assert_null(pickle_loads(B("](K\x01K\x02K\x03K\x04K\x05" "e."), &lim, NULL,
	    &cause));
	assert_string_equal(cause, "pickle: more than 5 values (at offset 10)");
	free(cause);
	lim = pickle_default_limits;
	lim.max_stack = 4;
	assert_null(pickle_loads(B("NN(NN."), &lim, NULL, &cause));
	assert_string_equal(cause, "pickle: the stack grows past 4 items (at offset 4)");
	free(cause);
	lim = pickle_default_limits;
	lim.max_input = 3;
	assert_null(pickle_loads(B("K\x01\x85."), &lim, NULL, &cause));
	assert_string_equal(cause, "pickle: 4 bytes is more than the limit of 3");
	free(cause);
	/* a billion laughs: shared references stay shared */
	struct buf b = { 0 };
	buf_add(&b, "\x80\x02" "X\x01\x00\x00\x00" "a", 8);
	for (int i = 0; i < 60; i++)
		buf_add(&b, "2\x86", 2);         /* DUP, TUPLE2 */
	buf_add(&b, ".", 1);
	struct pval *v = pickle_loads(b.data, b.len, NULL, NULL, &cause);
	assert_non_null(v);
	assert_int_equal(v->depth, 60);
	char *r = pval_repr_max(v, 100);
	assert_int_equal(strlen(r), 103);
	free(r);
	/* and the encoder writes them once each */
	unsigned char *out;
	size_t len;
	assert_int_equal(pickle_dumps(v, 2, &out, &len, &cause), 0);
	assert_true(len < 1000);
	free(out);
	pval_free(v);
	/* the same as a dict key: hashed once per node, compared by identity */
	b.len = 0;
	buf_add(&b, "\x80\x02}X\x01\x00\x00\x00" "a", 9);
	for (int i = 0; i < 60; i++)
		buf_add(&b, "2\x86", 2);
	buf_add(&b, "X\x01\x00\x00\x00vs", 7);
	buf_add(&b, "}X\x01\x00\x00\x00" "a", 7);
	for (int i = 0; i < 60; i++)
		buf_add(&b, "2\x86", 2);
	buf_add(&b, "X\x01\x00\x00\x00wsu.", 8);
	b.data[b.len - 2] = 's';   /* one SETITEM into the second dict, then: */
	b.data[b.len - 1] = '.';
	v = pickle_loads(b.data, b.len, NULL, NULL, &cause);
	assert_non_null(v);
	assert_int_equal(v->kind, PV_DICT);
	pval_free(v);
	free(b.data);
}

static void
test_bad_data(void **state)
{
	expect_error(B("\x80\x06N."), "unsupported pickle protocol: 6 (at offset 0)");
	expect_error(B("\xff"), "unknown opcode b'\\xff' (at offset 0)");
	expect_error(B("N\x00."), "unknown opcode b'\\x00' (at offset 1)");
	expect_error(B("Sabc\n."), "the STRING opcode argument must be quoted");
	expect_error(B("U\x01\xff."), "SHORT_BINSTRING: a Python 2 str that is not ASCII");
	expect_error(B("S'\\xff'\n."), "STRING: a STRING that is not ASCII");
	expect_error(B("X\x01\x00\x00\x00\xff."), "BINUNICODE: a str that is not UTF-8");
	expect_error(B("\x8c\x02\xc0\x80."), "a str that is not UTF-8");  /* overlong */
	expect_error(B("V\\u12\n."), "UNICODE: a truncated \\uXXXX escape");
	expect_error(B("Iabc\n."), "INT: invalid literal for int(): 'abc'");
	expect_error(B("F1.5x\n."), "FLOAT: not a float");
	expect_error(B("F1e999\n."), "FLOAT: out of range");
	expect_error(B("}]K\x01s."), "unhashable type: 'list'");
	expect_error(B("(]\x91."), "unhashable type: 'list'");
	expect_error(B("((]K\x01\x86K\x02" "d."), "unhashable type: 'tuple'");
	expect_error(B("cbuiltins\nset\n](}" "e\x85R."), "unhashable type: 'dict'");
	expect_error(B("}(K\x01u."), "odd number of items for SETITEMS");
	expect_error(B("(K\x01" "d."), "odd number of items for DICT");
	expect_error(B("}K\x01" "a."), "APPEND to a dict is not supported");
	expect_error(B("](K\x01u."), "SETITEMS to a list is not supported");
	expect_error(B("](K\x01\x90."), "ADDITEMS to a list is not supported");
	expect_error(B("]K\x01" "b."), "BUILD of a list is not supported");
	expect_error(B("](K\x01" "a."), "unpickling stack underflow");
	expect_error(B("e."), "could not find MARK");
	expect_error(B("1."), "could not find MARK");
	expect_error(B("."), "unpickling stack underflow");
	expect_error(B("(."), "unpickling stack underflow");
	expect_error(B("K\x01)\x81."), "NEWOBJ calls a int");
	expect_error(B("cbuiltins\nKeyError\nK\x01R."), "REDUCE arguments are a int, "
	    "not a tuple");
}

/* Random corruption of good pickles: decoded or refused, never a crash
 * (run under ASan with make SAN=1). */
static void
test_corruption(void **state)
{
	struct pval *v = sample();
	uint64_t seed = 0x243f6a8885a308d3ull;
	for (int proto = 2; proto <= 5; proto++) {
		unsigned char *out;
		size_t len;
		char *cause = NULL;
		assert_int_equal(pickle_dumps(v, proto, &out, &len, &cause), 0);
		unsigned char *buf = xmalloc(len + 16);
		for (int round = 0; round < 3000; round++) {
			memcpy(buf, out, len);
			size_t n = len;
			int edits = 1 + (int)(seed % 4);
			for (int e = 0; e < edits; e++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				size_t at = (size_t)(seed >> 33) % n;
				switch ((seed >> 20) % 4) {
				case 0: buf[at] = (unsigned char)(seed >> 8); break;
				case 1: buf[at] ^= (unsigned char)(1u << ((seed >> 12) % 8)); break;
				case 2: n = at + 1; break;
				default: buf[at] = "(.0ehqa\x94\x93Rt"[(seed >> 40) % 11];
				}
			}
			struct pval *got = pickle_loads(buf, n, NULL, NULL, &cause);
			if (got) {
				char *r = pval_repr_max(got, 200);
				free(r);
				unsigned char *again;
				size_t alen;
				if (pickle_dumps(got, proto, &again, &alen, &cause) == 0)
					free(again);
				else
					free(cause);
				pval_free(got);
			} else {
				assert_non_null(cause);
				free(cause);
			}
			char *text;
			cause = NULL;
			if (pickle_dis(buf, n, &text, &cause) < 0)
				free(cause);
			free(text);
		}
		free(buf);
		free(out);
	}
	pval_free(v);
}

/* ---- the disassembler ------------------------------------------------- */

static const char notes_dis[] =
	"    0: \\x80 PROTO      3\n"
	"    2: ]    EMPTY_LIST\n"
	"    3: q    BINPUT     0\n"
	"    5: (    MARK\n"
	"    6: K        BININT1    1\n"
	"    8: K        BININT1    2\n"
	"   10: K        BININT1    3\n"
	"   12: K        BININT1    4\n"
	"   14: e        APPENDS    (MARK at 5)\n"
	"   15: .    STOP\n"
	"highest protocol among opcodes = 2\n";

static void
test_dis(void **state)
{
	char *text, *cause = NULL;
	const unsigned char notes[] = "\x80\x03]q\x00(K\x01K\x02K\x03K\x04" "e.";
	assert_int_equal(pickle_dis(notes, 16, &text, &cause), 0);
	assert_string_equal(text, notes_dis);
	free(text);

	/* fed a byte at a time, as from a pipe: the same lines */
	struct pickle_dis *d = pickle_dis_new();
	struct buf out = { 0 };
	size_t have = 0, used = 0;
	int rc;
	for (;;) {
		char *line;
		rc = pickle_dis_next(d, notes, have, 0, &line, &used, &cause);
		if (line) {
			buf_add(&out, line, strlen(line));
			free(line);
		}
		if (rc == 0) {
			assert_true(have < 16);
			have++;
		} else if (rc != 1)
			break;
	}
	assert_int_equal(rc, 2);
	assert_int_equal(used, 16);
	assert_string_equal(out.data, notes_dis);
	free(out.data);
	pickle_dis_free(d);

	/* memo annotations, MARK indentation, arguments of other kinds */
	const unsigned char p4[] = "\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00"
	    "\x8c\x01" "a\x94(G?\xf8\x00\x00\x00\x00\x00\x00\x8a\x01\xff\x91\x94\x86.";
	assert_int_equal(pickle_dis(p4, sizeof p4 - 1, &text, &cause), 0);
	assert_string_equal(text,
	    "    0: \\x80 PROTO      4\n"
	    "    2: \\x95 FRAME      21\n"
	    "   11: \\x8c SHORT_BINUNICODE 'a'\n"
	    "   14: \\x94 MEMOIZE    (as 0)\n"
	    "   15: (    MARK\n"
	    "   16: G        BINFLOAT   1.5\n"
	    "   25: \\x8a     LONG1      -1\n"
	    "   28: \\x91     FROZENSET  (MARK at 15)\n"
	    "   29: \\x94 MEMOIZE    (as 1)\n"
	    "   30: \\x86 TUPLE2\n"
	    "   31: .    STOP\n"
	    "highest protocol among opcodes = 4\n");
	free(text);

	/* the lesson's Evil data: shown, never run */
	const unsigned char evil[] = "\x80\x04\x95\x1f\x00\x00\x00\x00\x00\x00\x00"
	    "\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x0a" "echo pwned\x94"
	    "\x85\x94R\x94.";
	assert_int_equal(pickle_dis(evil, sizeof evil - 1, &text, &cause), 0);
	assert_non_null(strstr(text, "   28: \\x93 STACK_GLOBAL\n"));
	assert_non_null(strstr(text, "   45: R    REDUCE\n"));
	free(text);

	/* errors name the offset, after the line pickletools prints too */
	assert_int_equal(pickle_dis("h\x05.", 3, &text, &cause), -1);
	assert_string_equal(text, "    0: h    BINGET     5\n");
	assert_string_equal(cause, "pickle: memo key 5 has never been stored into "
	    "(at offset 0)");
	free(text);
	free(cause);
	assert_int_equal(pickle_dis("K\x01", 2, &text, &cause), -1);
	assert_string_equal(cause, "pickle: pickle exhausted before seeing STOP "
	    "(at offset 2)");
	free(text);
	free(cause);
	assert_int_equal(pickle_dis("K\x01\xfe", 3, &text, &cause), -1);
	assert_string_equal(cause, "pickle: unknown opcode b'\\xfe' (at offset 2)");
	free(text);
	free(cause);
	assert_int_equal(pickle_dis("K\x01K\x02.", 5, &text, &cause), -1);
	assert_string_equal(cause, "pickle: stack not empty after STOP: 1 item "
	    "(at offset 4)");
	assert_non_null(strstr(text, "highest protocol among opcodes = 1\n"));
	free(text);
	free(cause);
	assert_int_equal(pickle_dis("e.", 2, &text, &cause), -1);
	assert_string_equal(text, "    0: e    APPENDS    no MARK exists on stack\n");
	free(text);
	free(cause);
	assert_int_equal(pickle_dis("a.", 2, &text, &cause), -1);
	assert_string_equal(cause, "pickle: tries to pop 2 items from stack with "
	    "only 0 items (at offset 0)");
	free(text);
	free(cause);
	assert_int_equal(pickle_dis("Nq\x00q\x00.", 6, &text, &cause), -1);
	assert_string_equal(cause, "pickle: memo key 0 already defined (at offset 3)");
	free(text);
	free(cause);
	assert_int_equal(pickle_dis("(q\x00.", 4, &text, &cause), -1);
	assert_string_equal(cause, "pickle: can't store markobject in the memo "
	    "(at offset 1)");
	free(text);
	free(cause);
}

/* ---- what the fuzzers found (fuzz/fuzz_pickle.c) ------------------- */

/* A MARK with nothing above it, then DICT, LIST or TUPLE: the decoder took
 * the items at stack + 0 while the stack was still NULL, undefined behaviour
 * that UBSan stops on (make SAN=1). Input: fuzz/corpus/pickle/
 * found-mark-only-dict. */
static void
test_found_mark_only(void **state)
{
	expect_repr(B("(d."), "{}");
	expect_repr(B("(l."), "[]");
	expect_repr(B("(t."), "()");
	expect_repr(B("\x80\x04(\x91."), "frozenset()");
	expect_repr(B("\x80\x04\x8f(\x90."), "set()");
	expect_repr(B("\x80\x02}(u."), "{}");
}

/* pval_equal found set and dict entries with Python's ==, where NaN is not
 * NaN: frozenset({nan}) was not equal to itself decoded again, against what
 * pickle.h says (NaN equal to NaN). Input: fuzz/corpus/pickle/
 * found-frozenset-nan. */
static void
test_found_nan_in_set(void **state)
{
	static const unsigned char nan_set[] =
	    "(G\xff\xff\xff\xff\x89KK\x91\x91.";
	char *cause = NULL;
	struct pval *a = pickle_loads(nan_set, sizeof nan_set - 1, NULL, NULL,
	    &cause);
	assert_non_null(a);
	struct pval *b = pickle_loads(nan_set, sizeof nan_set - 1, NULL, NULL,
	    &cause);
	assert_non_null(b);
	assert_true(pval_equal(a, b));
	for (int proto = 2; proto <= 5; proto++) {
		unsigned char *out;
		size_t len;
		assert_int_equal(pickle_dumps(a, proto, &out, &len, &cause), 0);
		struct pval *back = pickle_loads(out, len, NULL, NULL, &cause);
		assert_non_null(back);
		assert_true(pval_equal(a, back));
		pval_free(back);
		free(out);
	}
	pval_free(b);

	/* two NaNs, and a dict keyed by NaNs: matched one to one */
	struct pval *s1 = pval_set(), *s2 = pval_set();
	pval_set_add(s1, pval_float(NAN));
	pval_set_add(s1, pval_float(NAN));
	pval_set_add(s2, pval_float(NAN));
	pval_set_add(s2, pval_float(1.0));
	assert_int_equal(pval_len(s1), 2);
	assert_false(pval_equal(s1, s2));
	pval_set_add(s2, pval_float(NAN));
	pval_set_add(s1, pval_float(1.0));
	assert_true(pval_equal(s1, s2));
	struct pval *d1 = pval_dict(), *d2 = pval_dict();
	pval_dict_set(d1, pval_float(NAN), pval_int(1));
	pval_dict_set(d1, pval_float(NAN), pval_int(2));
	pval_dict_set(d2, pval_float(NAN), pval_int(2));
	pval_dict_set(d2, pval_float(NAN), pval_int(2));
	assert_false(pval_equal(d1, d2));
	pval_dict_set(d2, pval_float(NAN), pval_int(1));
	pval_dict_set(d1, pval_float(NAN), pval_int(2));
	assert_true(pval_equal(d1, d2));
	pval_free(s1);
	pval_free(s2);
	pval_free(d1);
	pval_free(d2);
	pval_free(a);
}

/* a = (a, a), 60 times: 252 bytes of pickle, 2^60 nodes unfolded. Its
 * repr, its equality with a copy and its re-encoding all stay bounded. */
static void
test_shared_dag_budget(void **state)
{
	struct pval *a = pval_tuple(0), *b = pval_tuple(0);
	for (int i = 0; i < 60; i++) {
		a = pval_tuple(2, a, pval_ref(a));
		b = pval_tuple(2, b, pval_ref(b));
	}
	char *r = pval_repr(a);
	assert_true(strlen(r) <= PVAL_REPR_MAX + 64);
	assert_non_null(strstr(r, "... (repr cut at 1048576 bytes)"));
	assert_int_equal(strncmp(r, "((((((", 6), 0);
	free(r);
	r = pval_repr_max(a, 100);
	assert_true(strlen(r) <= 103);
	free(r);
	/* the same node: equal without a walk */
	assert_int_equal(pval_equal_max(a, a, 1), 1);
	/* two copies: the walk runs out of budget, and says so */
	assert_int_equal(pval_equal_max(a, b, 100000), -1);
	assert_int_equal(pval_equal(a, b), 0);
	/* the budget is counted, not just the depth: 2^10 leaves fit */
	struct pval *c = pval_tuple(0), *d = pval_tuple(0);
	for (int i = 0; i < 10; i++) {
		c = pval_tuple(2, c, pval_ref(c));
		d = pval_tuple(2, d, pval_ref(d));
	}
	assert_int_equal(pval_equal_max(c, d, 4096), 1);
	assert_int_equal(pval_equal_max(c, d, 100), -1);
	unsigned char *out;
	size_t len;
	char *cause = NULL;
	assert_int_equal(pickle_dumps(a, 4, &out, &len, &cause), 0);
	assert_true(len < 1000);
	struct pval *back = pickle_loads(out, len, NULL, NULL, &cause);
	assert_non_null(back);
	assert_int_equal(pval_equal_max(a, back, 100000), -1);
	pval_free(back);
	free(out);
	pval_free(a);
	pval_free(b);
	pval_free(c);
	pval_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repr_scalars),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_cpython_bytes),
		cmocka_unit_test(test_opcodes),
		cmocka_unit_test(test_refused_globals),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_memo_misuse),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad_data),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_dis),
		cmocka_unit_test(test_found_mark_only),
		cmocka_unit_test(test_found_nan_in_set),
		cmocka_unit_test(test_shared_dag_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
