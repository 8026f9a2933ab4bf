/*
 * 解答：记下每个子进程的 pid，再用 waitpid() 逐个回收，用 WEXITSTATUS
 * 取出退出码。
 *
 * Solution: keep each child's pid, then reap them one by one with
 * waitpid(), reading the exit status with WEXITSTATUS.
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
	pid_t pids[3];
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
		pids[i - 1] = pid;
	}
	for (int i = 0; i < 3; i++) {
		int status;
		if (waitpid(pids[i], &status, 0) != pids[i]) {
			perror("waitpid");
			return 1;
		}
		printf("reaped %d status %d\n", (int)pids[i],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	return 0;
}
