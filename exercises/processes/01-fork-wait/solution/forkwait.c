/* Solution: processes/01-fork-wait. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pids[256];
	int n = argc - 1 < 256 ? argc - 1 : 256;
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			return 1;
		}
		if (pids[i] == 0)
			_exit(atoi(argv[i + 1]));
	}
	int total = 0;
	for (int i = 0; i < n; i++) {
		int status;
		if (waitpid(pids[i], &status, 0) < 0) {   /* reap: the zombie goes away */
			perror("waitpid");
			return 1;
		}
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		printf("child %d exited %d\n", (int)pids[i], code);
		total += code;
	}
	printf("total %d\n", total);
	fflush(stdout);
	char buf[256];
	while (fread(buf, 1, sizeof buf, stdin) > 0)
		;
	return 0;
}
