/* Solution: pickle/01-hand-pickle. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void put_int(long v)
{
	if (v >= 0 && v <= 0xff) {
		putchar('K');                       /* BININT1 */
		putchar((int)v);
	} else if (v >= 0 && v <= 0xffff) {
		putchar('M');                       /* BININT2, little-endian */
		putchar((int)(v & 0xff));
		putchar((int)(v >> 8));
	} else {
		uint32_t u = (uint32_t)(int32_t)v;  /* BININT, two's complement */
		putchar('J');
		for (int b = 0; b < 4; b++)
			putchar((int)((u >> (8 * b)) & 0xff));
	}
}

int main(int argc, char **argv)
{
	fwrite("\x80\x02]", 1, 3, stdout);      /* PROTO 2, EMPTY_LIST */
	if (argc > 1) {
		putchar('(');                       /* MARK */
		for (int i = 1; i < argc; i++)
			put_int(strtol(argv[i], NULL, 10));
		putchar('e');                       /* APPENDS */
	}
	putchar('.');                               /* STOP */
	return 0;
}
