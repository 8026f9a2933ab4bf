/* Solution: ipc/03-pipe-capacity. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int size = argc > 1 ? atoi(argv[1]) : 65536;
	int fds[2];
	if (pipe(fds) < 0) {
		perror("pipe");
		return 1;
	}
	if (fcntl(fds[1], F_SETPIPE_SZ, size) < 0) {
		perror("F_SETPIPE_SZ");
		return 1;
	}
	printf("capacity %d\n", fcntl(fds[1], F_GETPIPE_SZ));
	fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
	char chunk[1024] = { 0 };
	long total = 0;
	for (;;) {
		ssize_t n = write(fds[1], chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EAGAIN)            /* full: a blocking write would sleep here */
				break;
			perror("write");
			return 1;
		}
		total += n;
	}
	printf("full after %ld bytes\n", total);
	return 0;
}
