/* fuzz.h — what the libFuzzer targets in tests/fuzz/ share: CHECK, an assert that
 * stays on whatever the build flags say and names the failed condition. */
#ifndef SYSTOUR_FUZZ_H
#define SYSTOUR_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(x) do {							\
	if (!(x)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

#endif
