/* pickle.h — a safe pickle codec for the values the multiprocessing.managers
 * protocol carries, and a disassembler like `python3 -m pickletools`.
 *
 * What it reads: pickles of protocols 0 to 5 holding None, bool, int (any
 * size), float, str, bytes, bytearray, tuple, list, dict, set, frozenset,
 * shared references (the memo), frames, and objects of a few classes from a
 * fixed allow-list: queue.Empty and queue.Full (both in their `queue` and
 * `_queue` spellings, and Python 2's `Queue`) and the builtin exceptions.
 * It never imports, looks up or calls anything the data names: a global
 * that is not on the list is refused ("pickle: global os.system is not
 * allowed"), and so are persistent IDs, the extension registry and
 * out-of-band buffers. Hostile input is refused without being allocated
 * first: every length is checked against the bytes that are really there,
 * and the limits below bound nesting, the memo, the stack and the number
 * of values made.
 *
 * What it writes: protocols 2 to 5, the opcodes CPython's pickler would
 * use for the same value, so that `pickle.loads` gives the value back (and
 * for values decoded from CPython's own pickles the bytes are, as a rule,
 * the very bytes CPython wrote).
 *
 * Values are reference-counted trees (struct pval); a pickle's shared
 * references become shared nodes, so the tree is in general a DAG, never a
 * cycle: the decoder refuses the data that would make one (a list that
 * holds itself), and the encoder writes a node met twice as a memo GET,
 * as CPython does for an object met twice.
 *
 * Errors come back through `char **cause` as one allocated line that
 * starts with "pickle: " and, for the decoder and the disassembler, ends
 * with the offset of the opcode at fault: "pickle: global os.system is not
 * allowed (at offset 28)". Not thread-safe: a value belongs to one thread
 * at a time (reference counts are plain integers).
 *
 * The code, by concern: pickle_value.c (values, hash and ==),
 * pickle_repr.c (repr), pickle_global.c (the allow-list), pickle_decode.c,
 * pickle_encode.c, pickle_dis.c (opcodes, disassembler), pickle_text.c
 * (buffers, UTF-8, big integers); pickle_impl.h is what they share. */
#ifndef SYSTOUR_PICKLE_H
#define SYSTOUR_PICKLE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* ---- Values --------------------------------------------------------- */

enum pval_kind {
	PV_NONE,
	PV_BOOL,
	PV_INT,
	PV_FLOAT,
	PV_STR,
	PV_BYTES,
	PV_BYTEARRAY,
	PV_TUPLE,
	PV_LIST,
	PV_DICT,
	PV_SET,
	PV_FROZENSET,
	PV_GLOBAL,              /* an allowed class (or function) itself */
	PV_GLOBAL_INSTANCE,     /* an object of an allowed class: cls(*args) */
};

/* Flags: put inside a container (the decoder will not change it again);
 * not usable as a dict key; hash cached. */
#define PVF_CONTAINED  0x1
#define PVF_UNHASHABLE 0x2
#define PVF_HASHED     0x4

/* One value. Read the fields freely; change them only through the
 * functions below. */
struct pval {
	enum pval_kind kind;
	unsigned refs;          /* references held; pval_free drops one */
	unsigned depth;         /* 0 for a scalar, else 1 + its deepest item */
	unsigned flags;         /* PVF_* */
	union {
		int boolean;                    /* PV_BOOL: 0 or 1 */
		struct {
			int64_t small;          /* the value when big is NULL */
			/* else: two's complement, little-endian, shortest
			 * form, as LONG1/LONG4 carry it; never a value that
			 * fits in small */
			unsigned char *big;
			size_t nbig;
		} i;                            /* PV_INT */
		double f;                       /* PV_FLOAT */
		/* PV_STR: UTF-8 as Python's "surrogatepass" writes it (lone
		 * surrogates allowed); PV_BYTES, PV_BYTEARRAY: the bytes.
		 * A NUL follows the len bytes. */
		struct {
			char *s;
			size_t len;
		} s;
		/* PV_TUPLE, PV_LIST, PV_SET, PV_FROZENSET: items v[0..n);
		 * PV_DICT: n pairs, key v[2k] and value v[2k + 1], in the
		 * order they were set. Sets and dicts keep a hash index
		 * (index, icap) of their items or keys. */
		struct {
			struct pval **v;
			size_t n, cap;
			size_t *index;
			size_t icap;
		} c;
		/* PV_GLOBAL, PV_GLOBAL_INSTANCE: the class as Python 3 names
		 * it (module "_queue", name "Empty": static strings from the
		 * allow-list, also when the data spelled it "queue" or
		 * "Queue"); an instance's arguments (always a PV_TUPLE), its
		 * state from BUILD (or NULL), and whether it was made by
		 * NEWOBJ (cls.__new__(cls, *args)) rather than REDUCE. */
		struct {
			const char *module, *name;
			struct pval *args, *state;
			int newobj;
		} g;
	} u;
	uint64_t hash;          /* cached once PVF_HASHED */
};

/* Constructors: each returns a new value holding one reference. Those
 * that take values take over the references passed in. */
struct pval *pval_none(void);
struct pval *pval_bool(int b);
struct pval *pval_int(int64_t n);
/* An int of any size from n bytes of two's complement, little-endian. */
struct pval *pval_int_le(const void *bytes, size_t n);
struct pval *pval_float(double f);
/* A str from UTF-8 (a NUL-terminated C string, or n bytes); invalid
 * sequences become U+FFFD. */
struct pval *pval_str(const char *s);
struct pval *pval_strn(const char *s, size_t n);
struct pval *pval_bytes(const void *p, size_t n);
struct pval *pval_bytearray(const void *p, size_t n);
/* A tuple of n items: pval_tuple(2, pval_str("#RETURN"), v). */
struct pval *pval_tuple(size_t n, ...);
struct pval *pval_tuplev(size_t n, struct pval *const *items);
struct pval *pval_list(void);
struct pval *pval_dict(void);
struct pval *pval_set(void);
struct pval *pval_frozenset(void);
/* A class (or function) of the allow-list, by either spelling of its
 * module; NULL when it is not on the list. */
struct pval *pval_global(const char *module, const char *name);
/* An object of an allowed class, made as cls(*args): args is a tuple (NULL:
 * the empty tuple). pval_instance("_queue", "Empty", NULL) is Empty().
 * NULL when the class is not on the list (args is freed then). */
struct pval *pval_instance(const char *module, const char *name,
    struct pval *args);

/* Add to a list, a set or frozenset, or a dict; they take over the
 * references to item, key and value. A key already in the dict (by
 * Python's ==, so 1, 1.0 and True are one key) gets the new value. 0, or
 * -1 when the container is of another kind or the key or item is not
 * hashable (a list, a dict, a set ...); the references are dropped then. */
int pval_append(struct pval *list, struct pval *item);
int pval_set_add(struct pval *set, struct pval *item);
int pval_dict_set(struct pval *dict, struct pval *key, struct pval *value);

/* Take one more reference (returns v), or drop one: the value is freed with
 * the last one. pval_free(NULL) does nothing. */
struct pval *pval_ref(struct pval *v);
void pval_free(struct pval *v);

/* Python's name of the value's type: "int", "str", "NoneType", ... and for
 * a class "type", for an object its class ("Empty"). */
const char *pval_type_name(const struct pval *v);
/* Items of a tuple, list, set, frozenset; pairs of a dict; bytes of a str,
 * bytes, bytearray; 0 for the others. */
size_t pval_len(const struct pval *v);
/* Item i of a tuple, list, set or frozenset, key i of a dict; NULL when
 * out of range. Borrowed: no reference is taken. */
struct pval *pval_item(const struct pval *v, size_t i);
/* The value for key in a dict (borrowed), or NULL. */
struct pval *pval_dict_get(const struct pval *dict, const struct pval *key);
struct pval *pval_dict_get_str(const struct pval *dict, const char *key);
/* 1 if v is the str s. */
int pval_is_str(const struct pval *v, const char *s);
/* An int (or bool) that fits in int64_t: 0 and *n; else -1. */
int pval_get_int(const struct pval *v, int64_t *n);
/* 1 if v is an object of module.name (either spelling of the module). */
int pval_is_instance(const struct pval *v, const char *module, const char *name);
/* 1 if Python could use v as a dict key. */
int pval_hashable(const struct pval *v);

/* Every walk over a value that came from someone else has a budget: a
 * 252-byte pickle of a = (a, a), 60 times over, unfolds to 2^60 nodes (the
 * DAG is shared; a walk that follows each reference is not). */
#define PVAL_WALK_MAX	((size_t)1 << 22)	/* nodes one comparison visits */
#define PVAL_REPR_MAX	((size_t)1 << 20)	/* bytes pval_repr writes */

/* 1 if a and b hold the same value: same kinds (True is not 1, 1.0 is not
 * 1), same items; dicts, sets and frozensets in any order; floats by value,
 * with NaN equal to NaN and 0.0 not equal to -0.0. A node shared by both is
 * equal without a walk. pval_equal_max visits at most max_nodes pairs of
 * nodes: 1 equal, 0 not, -1 when the budget ran out first (neither is
 * known). pval_equal is pval_equal_max with PVAL_WALK_MAX, and 1 only when
 * it knows the two are equal. */
int pval_equal(const struct pval *a, const struct pval *b);
int pval_equal_max(const struct pval *a, const struct pval *b,
    size_t max_nodes);

/* The value as Python's repr() writes it: [1, 'a', b'\x00', {1: 2.5}],
 * Empty(), ValueError('x'), <class 'KeyError'>. Allocated. pval_repr_max
 * stops after about max bytes and ends the text with "..." (max 0: no
 * limit: only for values this program made itself), for logs of values
 * that came from someone else. pval_repr stops after PVAL_REPR_MAX bytes
 * and then ends with "... (repr cut at N bytes)", so that its cost is
 * bounded whatever the value. */
char *pval_repr(const struct pval *v);
char *pval_repr_max(const struct pval *v, size_t max);

/* ---- Decoding ------------------------------------------------------- */

struct pickle_limits {
	size_t max_input;       /* bytes of pickle */
	size_t max_depth;       /* containers inside containers */
	size_t max_memo;        /* memo entries */
	size_t max_values;      /* values made */
	size_t max_stack;       /* items and marks on the machine's stack */
};

/* 64 MiB; depth 1000 (CPython cannot dump deeper); a million memo
 * entries; 4 million values; a million stack slots. */
extern const struct pickle_limits pickle_default_limits;

/* Decode the pickle at buf (len bytes; it may go on after its STOP) as
 * CPython's pickle.loads would, but safely. lim NULL: the defaults. Returns
 * the value (one reference, the caller's) and in *used (if given) the
 * bytes up to and including STOP; NULL and *cause on failure. */
struct pval *pickle_loads(const void *buf, size_t len,
    const struct pickle_limits *lim, size_t *used, char **cause);

/* ---- Encoding ------------------------------------------------------- */

/* Encode v in protocol 2, 3, 4 or 5 (CPython 3.8+ writes 4 by default,
 * and so does a multiprocessing Connection). *out is allocated (*outlen
 * bytes). 0, or -1 and *cause (a protocol out of range, nesting deeper
 * than pickle_default_limits.max_depth). */
int pickle_dumps(const struct pval *v, int protocol, unsigned char **out,
    size_t *outlen, char **cause);

/* ---- Opcodes and disassembly ---------------------------------------- */

/* What follows an opcode. */
enum pickle_argkind {
	PA_NONE,
	PA_UINT1, PA_UINT2, PA_UINT4, PA_UINT8, PA_INT4,
	PA_DECIMALNL_SHORT,     /* INT, GET, PUT: "123\n" ("00"/"01": bool) */
	PA_DECIMALNL_LONG,      /* LONG: "123L\n" */
	PA_FLOATNL,             /* FLOAT: "1.5\n" */
	PA_STRINGNL,            /* STRING: "'abc'\n", escaped */
	PA_STRINGNL_NOESCAPE,   /* PERSID: "abc\n" */
	PA_STRINGNL_PAIR,       /* GLOBAL, INST: "module\nname\n" */
	PA_STRING1, PA_STRING4, /* SHORT_BINSTRING, BINSTRING */
	PA_BYTES1, PA_BYTES4, PA_BYTES8,
	PA_BYTEARRAY8,
	PA_UNICODENL,           /* UNICODE: raw-unicode-escape, "\n" */
	PA_UNICODE1, PA_UNICODE4, PA_UNICODE8,
	PA_FLOAT8,              /* BINFLOAT: big-endian double */
	PA_LONG1, PA_LONG4,     /* length, then two's complement bytes */
};

struct pickle_opinfo {
	unsigned char code;
	const char *name;       /* "BININT1" */
	enum pickle_argkind arg;
	int proto;              /* the protocol that brought it in */
};

/* One opcode as read from a pickle. */
struct pickle_op {
	const struct pickle_opinfo *info;
	size_t offset;          /* of the opcode byte */
	size_t end;             /* just after its argument */
	/* The argument: a number (the fixed-size integers, and the lengths
	 * of the others) ... */
	int64_t n;
	uint64_t u;             /* PA_UINT8, and lengths of the 8-byte forms */
	double f;               /* PA_FLOAT8 */
	/* ... or the bytes it carries: a string's or long's payload, a text
	 * line without its newline (and a STRING's quotes), a GLOBAL's
	 * module (data) and name (data2). */
	const unsigned char *data, *data2;
	size_t len, len2;
};

/* The table entry of an opcode byte, or NULL. */
const struct pickle_opinfo *pickle_opinfo(unsigned char code);

/* Read the opcode at buf[pos] and its argument. Returns 1 (and *op), 0
 * when the bytes end inside it (more may come: op->info, and for a length
 * that says more than is there, op->u that length and op->end where its
 * bytes would start), -1 and *cause when it is not a valid opcode or
 * argument. Nothing is allocated. */
int pickle_op_read(const unsigned char *buf, size_t len, size_t pos,
    struct pickle_op *op, char **cause);

/* A disassembler that can be fed as bytes arrive (as pickletools.dis
 * reads a file): pickle_dis_next disassembles the next opcode of buf,
 * which holds every byte so far (len grows between calls; eof says no
 * more will come). Returns 1 with one line in *line (allocated, ending
 * in a newline: "    6: K        BININT1    1\n"); 0 when it needs more
 * bytes; 2 at the end, with the last line ("highest protocol among
 * opcodes = 2\n") in *line and *used the bytes up to and including
 * STOP; -1 and *cause on a bad pickle, after the line of the opcode at
 * fault when pickletools prints one too (in *line, else *line is NULL). */
struct pickle_dis;
struct pickle_dis *pickle_dis_new(void);
int pickle_dis_next(struct pickle_dis *d, const unsigned char *buf, size_t len,
    int eof, char **line, size_t *used, char **cause);
void pickle_dis_free(struct pickle_dis *d);

/* All of it at once: *text (allocated) holds every line made, also when
 * the pickle is bad (-1 and *cause). 0 on success. */
int pickle_dis(const void *buf, size_t len, char **text, char **cause);

/* The text helpers below append to a struct buf (buf.h). */

/* Append Python's repr() of a str held as UTF-8 (surrogatepass), of bytes,
 * of a float, and of an int of any size (two's complement, little-endian;
 * past 4300 digits, as Python 3.11 refuses to print, a placeholder). Shared
 * by the disassembler and pval_repr. */
void pickle_repr_str(struct buf *b, const char *p, size_t n);
void pickle_repr_bytes(struct buf *b, const void *p, size_t n);
void pickle_repr_float(struct buf *b, double f);
void pickle_repr_intle(struct buf *b, const void *p, size_t n);

/* Text helpers shared with the disassembler: decode a STRING argument
 * (escapes undone, ASCII only) or a UNICODE one (raw-unicode-escape) into
 * UTF-8 in *out; parse a decimal int ("-12", any size) into two's
 * complement bytes. 0, or -1 and *why (static text). */
int pickle_unescape_string(struct buf *out, const unsigned char *p,
    size_t n, const char **why);
int pickle_raw_unicode(struct buf *out, const unsigned char *p,
    size_t n, const char **why);
int pickle_decimal(struct buf *out, const unsigned char *p, size_t n,
    const char **why);
/* 1 if p[0..n) is UTF-8 as surrogatepass allows. */
int pickle_utf8_ok(const unsigned char *p, size_t n);

#endif
