/*
 * 任务：用 fork() 创建 3 个子进程。第 i 个子进程（i = 1, 2, 3）打印
 *   "child <i> pid <它自己的 pid>"
 * 然后睡 300 毫秒，并以退出码 i 结束。父进程必须用 waitpid() 回收每一个
 * 子进程，并为每个子进程打印
 *   "reaped <pid> status <退出码>"
 * 全部回收之后再退出（退出码 0）。不回收的子进程会变成僵尸进程。
 *
 * Task: start 3 children with fork(). Child i (i = 1, 2, 3) prints
 *   "child <i> pid <its own pid>"
 * then sleeps 300 ms and exits with status i. The parent must reap every
 * child with waitpid() and print, for each,
 *   "reaped <pid> status <exit status>"
 * and exit (status 0) only after all of them. A child nobody reaps stays
 * a zombie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i <= 3; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			printf("child %d pid %d\n", i, (int)getpid());
			nanosleep(&(struct timespec){ 0, 300000000 }, NULL);
			_exit(i);
		}
	}
	/* TODO: wait for each child with waitpid() and print
	 * "reaped <pid> status <exit status>" */
	return 0;
}
