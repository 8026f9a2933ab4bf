/* Solution: ipc/02-pipe-eof. */
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
		close(fds[0]);
		FILE *out = fdopen(fds[1], "w");
		for (long i = 1; i <= n; i++)
			fprintf(out, "%ld\n", i);
		fclose(out);
		_exit(0);
	}
	pid_t r = fork();
	if (r == 0) {                           /* the receiver */
		close(fds[1]);                  /* or it holds its own EOF back */
		FILE *in = fdopen(fds[0], "r");
		long v, sum = 0;
		while (fscanf(in, "%ld", &v) == 1)   /* ends at EOF... it comes now */
			sum += v;
		printf("sum %ld\n", sum);
		fflush(stdout);
		_exit(0);
	}
	close(fds[0]);                          /* the parent's two copies */
	close(fds[1]);
	waitpid(s, NULL, 0);
	waitpid(r, NULL, 0);
	printf("done\n");
	return 0;
}
