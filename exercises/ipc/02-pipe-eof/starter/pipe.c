/*
 * 任务：./prog N 创建一个管道和两个子进程。发送者把 1..N 每个一行写进管道后退出；
 *       接收者一直读到 EOF（read 返回 0），把读到的数加起来，打印 "sum <和>" 后退出。
 *       父进程等待两个子进程，最后打印 "done"。现在程序永远不会结束：
 *       只要还有一个写端开着（接收者自己的、父进程的），接收者就读不到 EOF。
 *       关闭每个进程里不用的那一端。
 * Task: ./prog N makes one pipe and two children. The sender writes 1..N, one
 *       per line, into the pipe and exits; the receiver reads until EOF (read
 *       returns 0), adds the numbers up, prints "sum <total>" and exits. The
 *       parent waits for both children and prints "done" last. As it is, the
 *       program never ends: while any write end is open (the receiver's own,
 *       the parent's), the receiver never sees EOF. Close the ends each
 *       process does not use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10;
	int fds[2];
	if (pipe(fds) < 0) {
		perror("pipe");
		return 1;
	}
	pid_t s = fork();
	if (s == 0) {                           /* the sender */
		FILE *out = fdopen(fds[1], "w");
		for (long i = 1; i <= n; i++)
			fprintf(out, "%ld\n", i);
		fclose(out);
		_exit(0);
	}
	pid_t r = fork();
	if (r == 0) {                           /* the receiver */
		FILE *in = fdopen(fds[0], "r");
		long v, sum = 0;
		while (fscanf(in, "%ld", &v) == 1)   /* ends at EOF... if it comes */
			sum += v;
		printf("sum %ld\n", sum);
		fflush(stdout);
		_exit(0);
	}
	waitpid(s, NULL, 0);
	waitpid(r, NULL, 0);
	printf("done\n");
	return 0;
}
