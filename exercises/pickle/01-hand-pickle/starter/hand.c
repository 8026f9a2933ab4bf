/*
 * 任务：./prog N1 N2 ... 向标准输出写出列表 [N1, N2, ...] 的 protocol 2 pickle
 *       字节，Python 的 pickle.loads 要能读回同一个列表。每个整数用最短的编码：
 *       0..255 用 'K'（1 字节），256..65535 用 'M'（2 字节小端），其余（包括负数）
 *       用 'J'（4 字节小端补码）。结构：\x80\x02  ']'  '('  整数...  'e'  '.'
 *       （没有参数时：\x80\x02 ] .）。
 * Task: ./prog N1 N2 ... writes on standard output the protocol 2 pickle of
 *       the list [N1, N2, ...]; Python's pickle.loads must read the same list
 *       back. Each integer takes its shortest encoding: 'K' for 0..255 (1 byte),
 *       'M' for 256..65535 (2 bytes, little-endian), 'J' for the others,
 *       negatives included (4 bytes, little-endian two's complement).
 *       Layout: \x80\x02  ']'  '('  the integers...  'e'  '.'
 *       (with no arguments: \x80\x02 ] .).
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	fwrite("\x80\x02]", 1, 3, stdout);      /* PROTO 2, EMPTY_LIST */
	if (argc > 1) {
		putchar('(');                       /* MARK */
		for (int i = 1; i < argc; i++) {
			long v = strtol(argv[i], NULL, 10);
			putchar('J');               /* always 4 bytes: not the shortest */
			for (int b = 0; b < 4; b++)
				putchar((int)(((unsigned long)v >> (8 * b)) & 0xff));
		}
		putchar('e');                       /* APPENDS */
	}
	putchar('.');                               /* STOP */
	return 0;
}
