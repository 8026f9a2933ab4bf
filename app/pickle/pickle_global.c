/* pickle_global.c — the allow-list of globals: the only classes and
 * functions a pickle may name (sets, bytes, _codecs.encode, queue.Empty and
 * queue.Full, the builtin exceptions), with the spellings Python 2 and the
 * `queue`/`_queue` modules give them. Nothing else is ever looked up. */
#include "pickle_impl.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== The allow-list of globals ======================================= */

const char M_BUILTINS[] = "builtins";
static const char M_QUEUE[] = "queue", M_UQUEUE[] = "_queue",
    M_CODECS[] = "_codecs";

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
const struct allowed *
pk_allowed_find(const char *module, size_t mlen, const char *name, size_t nlen,
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

const struct allowed *
pk_allowed_of(const struct pval *g)
{
	for (size_t i = 0; i < NALLOWED; i++)
		if (allowed[i].name == g->u.g.name)
			return &allowed[i];
	return NULL;
}

/* The entry of the built-in the encoder names for a kind of value. */
const struct allowed *
pk_allowed_what(enum gkind what)
{
	for (size_t i = 0; i < NALLOWED; i++)
		if (allowed[i].what == what)
			return &allowed[i];
	return NULL;
}
