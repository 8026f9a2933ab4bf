/* pickle_impl.h — what the files of the pickle codec share with each other
 * and with nobody else: byte and text helpers (pickle_text.c), the
 * allow-list of globals (pickle_global.c), and the parts of the values
 * (pickle_value.c) that the decoder builds with. The public contract is
 * pickle.h; include this only from app/pickle_*.c. */
#ifndef SYSTOUR_PICKLE_IMPL_H
#define SYSTOUR_PICKLE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "pickle.h"

/* ---- pickle_text.c: UTF-8, integers of any size ------------ */

/* Decode one code point at p (n bytes left): its length, or 0 when the
 * bytes are not UTF-8. Surrogates (ED A0..BF xx) are allowed. */
size_t pk_utf8_next(const unsigned char *p, size_t n, uint32_t *cp);
/* Append cp as UTF-8 (surrogatepass). */
void pk_utf8_put(struct buf *b, uint32_t cp);
/* Two's complement, little-endian, cut to its shortest form: the number of
 * bytes that matter (0 for zero). */
size_t pk_le_shortest(const unsigned char *b, size_t n);
/* int64 as shortest two's complement bytes (at most 8); their number. */
size_t pk_i64_le(int64_t v, unsigned char out[8]);
/* An integral float as shortest two's complement bytes (at most 130). */
size_t pk_float_le(double f, unsigned char out[140]);

/* ---- pickle_global.c: the allow-list of globals --------------------- */

enum gkind { G_CLASS, G_SET, G_FROZENSET, G_BYTES, G_BYTEARRAY, G_ENCODE };

struct allowed {
	const char *module, *name;      /* as Python 3 names it */
	enum gkind what;
	/* how protocols 0 to 2 spell it (CPython's fix_imports):
	 * 'E' exceptions.NAME, 'O' exceptions.OSError, 'I'
	 * exceptions.ImportError, 'B' __builtin__.NAME, 'Q' Queue.NAME,
	 * '=' as Python 3 does */
	char py2;
};

/* "builtins": the module of most entries, compared by address. */
extern const char M_BUILTINS[];

/* The entry for module.name as the data spells it (proto: the pickle's
 * protocol, since Python 2's names are read only below protocol 3). */
const struct allowed *pk_allowed_find(const char *module, size_t mlen,
    const char *name, size_t nlen, int proto);
/* The entry of a PV_GLOBAL or PV_GLOBAL_INSTANCE, by its name's address. */
const struct allowed *pk_allowed_of(const struct pval *g);
/* The entry of the built-in the encoder names for a kind of value. */
const struct allowed *pk_allowed_what(enum gkind what);

/* ---- pickle_value.c: making values ---------------------------------- */

/* A str, bytes or bytearray of n bytes (a NUL follows them). */
struct pval *pv_blob(enum pval_kind kind, const void *p, size_t n);
/* A class of the allow-list; an object of one (cls(*args), or
 * cls.__new__(cls, *args) when newobj), taking over args. */
struct pval *pv_global(const struct allowed *a);
struct pval *pv_instance(const struct allowed *a, struct pval *args,
    int newobj);
/* item now lives inside c. */
void pk_c_adopt(struct pval *c, struct pval *item);
/* Put key (and value, for a dict) into c, which takes the references.
 * 0; 1 when the key was there (a dict's value replaced, a set's item
 * dropped); -1 when key is unhashable or comparing took too long (the
 * references are dropped). */
int pk_c_insert(struct pval *c, struct pval *key, struct pval *value);

#endif
