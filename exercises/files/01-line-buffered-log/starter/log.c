/*
 * 任务：./prog LOGFILE 从标准输入逐行读取，每读到一行就向 LOGFILE 追加一行
 *       "log: <这一行>"。每一行必须在写出时立刻进入文件（程序仍在运行时别的
 *       进程就能读到），而不是等到程序退出。用 setvbuf 把文件设为行缓冲
 *       （或在每行之后 fflush）。读到 EOF 后在标准输出打印 "<N> lines" 并关闭文件。
 * Task: ./prog LOGFILE reads standard input line by line and, for each line,
 *       appends "log: <the line>" to LOGFILE. Each line must reach the file as
 *       soon as it is logged (another process can read it while the program
 *       still runs), not when the program exits: make the stream line-buffered
 *       with setvbuf (or fflush after each line). At EOF print "<N> lines" on
 *       standard output and close the file.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s LOGFILE\n", argv[0]);
		return 2;
	}
	FILE *log = fopen(argv[1], "a");
	if (log == NULL) {
		perror(argv[1]);
		return 1;
	}
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof line, stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		fprintf(log, "log: %s\n", line);   /* fully buffered: stays in memory */
		n++;
	}
	printf("%d lines\n", n);
	fclose(log);
	return 0;
}
