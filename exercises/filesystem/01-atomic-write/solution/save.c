/* Solution: filesystem/01-atomic-write. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH\n", argv[0]);
		return 2;
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		perror(tmp);
		return 1;
	}
	char buf[4096];
	ssize_t n;
	int bad = 0;
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (write_all(fd, buf, (size_t)n) < 0) {
			bad = 1;
			break;
		}
	if (n < 0 || bad || fsync(fd) < 0) {
		perror(tmp);
		close(fd);
		unlink(tmp);
		return 1;
	}
	close(fd);
	if (rename(tmp, argv[1]) < 0) {   /* atomic: the old or the new, never half */
		perror(argv[1]);
		unlink(tmp);
		return 1;
	}
	return 0;
}
