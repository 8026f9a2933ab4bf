/* Solution: distributed/02-frame-codec. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Read exactly n bytes: n, 0 at EOF before any byte, -1 on error or EOF inside. */
static ssize_t read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0)
			return -1;
		if (r == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int write_all(int fd, const void *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0)
			return -1;
		buf = (const char *)buf + w;
		n -= (size_t)w;
	}
	return 0;
}

int main(void)
{
	for (;;) {
		uint32_t be;
		ssize_t r = read_all(0, &be, 4);
		if (r == 0)
			return 0;                      /* EOF between frames */
		if (r < 0) {
			fprintf(stderr, "frames: truncated length\n");
			return 1;
		}
		uint32_t len = ntohl(be);
		char *body = malloc(len ? len : 1);
		if (body == NULL || (len > 0 && read_all(0, body, len) != (ssize_t)len)) {
			fprintf(stderr, "frames: truncated frame of %u bytes\n", len);
			free(body);
			return 1;
		}
		for (uint32_t i = 0; i < len / 2; i++) {
			char c = body[i];
			body[i] = body[len - 1 - i];
			body[len - 1 - i] = c;
		}
		if (write_all(1, &be, 4) < 0 || write_all(1, body, len) < 0) {
			perror("write");
			free(body);
			return 1;
		}
		free(body);
	}
}
