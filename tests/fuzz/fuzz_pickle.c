/* fuzz_pickle.c — a libFuzzer target for the safe pickle codec
 * (app/pickle/pickle_*.c: values, decoder, encoder) and the disassembler
 * (app/pickle/pickle_dis.c).
 *
 * An input is a pickle, as a peer or a file would give it. Oracles:
 *   - pickle_loads succeeds with a value, or fails with one "pickle: " line;
 *   - a decoded value re-encoded in every protocol 2 to 5 decodes to an
 *     equal value (pval_equal; in protocol 2 the classes that CPython
 *     too can only write by their Python 2 base excepted), and encoding
 *     that again gives the same bytes; its repr is bounded;
 *   - reading the opcodes one by one (pickle_op_read) always moves forward;
 *   - the disassembler gives the same text, result and error whether it
 *     sees the bytes all at once or as they arrive in chunks, and when both
 *     it and the decoder accept the pickle they agree on where STOP is.
 * Equality is checked within a budget of nodes visited (pval_equal_max):
 * a DAG of shared references unfolds exponentially, so a comparison that
 * runs out of budget proves nothing either way and is not a failure; one
 * that finishes must say equal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pickle.h"

#define EQUAL_MAX	200000
#define REPR_MAX	4096

static void
check_cause(const char *cause)
{
	CHECK(cause != NULL);
	CHECK(strncmp(cause, "pickle: ", 8) == 0);
	CHECK(strchr(cause, '\n') == NULL);
}

/* The classes protocol 2 can only name by their Python 2 base, as CPython's
 * _compat_pickle does (and so CPython's own round trip loses them too):
 * ModuleNotFoundError is written exceptions.ImportError, the OSError
 * subclasses exceptions.OSError. */
static const char *const lossy_in_2[] = {
	"ModuleNotFoundError", "BrokenPipeError", "ChildProcessError",
	"ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
	"ConnectionResetError", "FileExistsError", "FileNotFoundError",
	"InterruptedError", "IsADirectoryError", "NotADirectoryError",
	"PermissionError", "ProcessLookupError", "TimeoutError",
};

/* 1 if v holds one of those classes (looked for in at most *budget
 * nodes; 1 also when the budget runs out). */
static int
has_lossy_class(const struct pval *v, size_t *budget)
{
	size_t	i, k;

	if (v == NULL)
		return 0;
	if ((*budget)-- == 0)
		return 1;
	switch (v->kind) {
	case PV_GLOBAL:
	case PV_GLOBAL_INSTANCE:
		for (i = 0; i < sizeof lossy_in_2 / sizeof lossy_in_2[0]; i++)
			if (strcmp(v->u.g.name, lossy_in_2[i]) == 0)
				return 1;
		if (v->kind == PV_GLOBAL)
			return 0;
		return has_lossy_class(v->u.g.args, budget) ||
		    has_lossy_class(v->u.g.state, budget);
	case PV_TUPLE:
	case PV_LIST:
	case PV_SET:
	case PV_FROZENSET:
	case PV_DICT:
		k = v->kind == PV_DICT ? 2 * v->u.c.n : v->u.c.n;
		for (i = 0; i < k; i++)
			if (has_lossy_class(v->u.c.v[i], budget))
				return 1;
		return 0;
	default:
		return 0;
	}
}

/* Encode v in every protocol, decode it back, compare. */
static void
round_trip(const struct pval *v)
{
	unsigned char	*out, *again;
	size_t		 len, len2, used;
	struct pval	*back;
	char		*cause = NULL, *r;
	size_t		 budget = EQUAL_MAX;
	int		 proto, lossy;

	lossy = has_lossy_class(v, &budget);
	r = pval_repr_max(v, REPR_MAX);
	CHECK(r != NULL && strlen(r) <= REPR_MAX + 64);
	free(r);
	for (proto = 2; proto <= 5; proto++) {
		if (pickle_dumps(v, proto, &out, &len, &cause) != 0) {
			fprintf(stderr, "dumps(%d): %s\n", proto, cause);
			CHECK(!"a decoded value could not be encoded");
		}
		back = pickle_loads(out, len, NULL, &used, &cause);
		if (back == NULL) {
			fprintf(stderr, "loads(dumps(%d)): %s\n", proto, cause);
			CHECK(!"an encoded value could not be decoded");
		}
		CHECK(used == len);
		CHECK(pickle_dumps(back, proto, &again, &len2, &cause) == 0);
		/* In protocol 2 a lost class changes the value, and with it the
		 * memo (two classes become one) and the sets that held both. */
		if (proto != 2 || !lossy) {
			CHECK(pval_equal_max(v, back, EQUAL_MAX) != 0);
			CHECK(len2 == len && memcmp(again, out, len) == 0);
		}
		free(again);
		pval_free(back);
		free(out);
	}
}

/* Opcode by opcode: each read ends past its start, inside the input. */
static void
walk_ops(const uint8_t *data, size_t size)
{
	struct pickle_op	 op;
	size_t			 pos = 0;
	char			*cause = NULL;
	int			 rc;

	while (pos < size) {
		rc = pickle_op_read(data, size, pos, &op, &cause);
		if (rc < 0) {
			check_cause(cause);
			free(cause);
			return;
		}
		if (rc == 0)
			return;
		CHECK(op.info != NULL && op.offset == pos);
		CHECK(op.end > pos && op.end <= size);
		if (op.info->code == '.')
			return;
		pos = op.end;
	}
}

/* The disassembler fed in chunks must say what it says of the whole. */
static void
dis_both(const uint8_t *data, size_t size, size_t *stop)
{
	struct pickle_dis	*d;
	struct buf	 text = { 0 };
	char			*whole, *cause = NULL, *cause2 = NULL, *line;
	size_t			 len = 0, used = 0;
	uint32_t		 seed = (uint32_t)size * 2654435761u;
	int			 rc, rc2, eof;

	rc = pickle_dis(data, size, &whole, &cause);
	if (rc != 0)
		check_cause(cause);
	buf_add(&text, "", 0);
	d = pickle_dis_new();
	for (;;) {
		eof = len == size;
		rc2 = pickle_dis_next(d, data, len, eof, &line, &used, &cause2);
		if (line != NULL) {
			buf_add(&text, line, strlen(line));
			free(line);
		}
		if (rc2 == 1)
			continue;
		if (rc2 != 0)
			break;
		CHECK(!eof);
		seed = seed * 1103515245u + 12345u;
		len += 1 + ((seed >> 16) & ((seed & 0x10000000) ? 1023 : 7));
		if (len > size)
			len = size;
	}
	pickle_dis_free(d);
	CHECK((rc == 0) == (rc2 == 2));
	CHECK(strcmp(whole, text.data) == 0);
	if (rc != 0)
		CHECK(strcmp(cause, cause2) == 0);
	*stop = rc == 0 ? used : 0;
	free(whole);
	free(text.data);
	free(cause);
	free(cause2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pval	*v;
	char		*cause = NULL;
	size_t		 used = 0, stop;

	walk_ops(data, size);
	dis_both(data, size, &stop);
	v = pickle_loads(data, size, NULL, &used, &cause);
	if (v == NULL) {
		check_cause(cause);
		free(cause);
		return 0;
	}
	CHECK(used > 0 && used <= size && data[used - 1] == '.');
	if (stop != 0)
		CHECK(stop == used);
	round_trip(v);
	pval_free(v);
	return 0;
}
