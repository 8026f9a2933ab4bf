/* transport.h — the message transport of lesson 05's demos, as
 * multiprocessing.connection frames it: Connection.send_bytes/recv_bytes.
 * Shared by the lesson's demo files and the bench (bench/ipc.c), which
 * compares it with a plain pipe loop. Header-only: every function is
 * static. */
#ifndef SYSTOUR_LESSON05_TRANSPORT_H
#define SYSTOUR_LESSON05_TRANSPORT_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- The message transport: Connection.send_bytes / recv_bytes -------
 * One message is one frame: a 4-byte big-endian length, then the bytes.
 * Queue and Pipe both send their pickles this way. Reusable as is (the
 * bench compares it with a plain pipe loop). */

/* How many frames of the largest message a transport pipe should hold. */
#define MSG_PIPE_FRAMES 8

/* Make the pipe that frames of up to max bytes go through: pipe(), then
 * grown with F_SETPIPE_SZ to hold MSG_PIPE_FRAMES frames,
 * or as many as the kernel allows (down to two; past that the default
 * pipe stays). Why: a frame of a 64 KiB message is 65540 bytes, 4 more than
 * a default pipe holds, so every message leaves a 4-byte tail whose write
 * wakes the reader once more: 3 context switches per message instead of 2
 * when both ends share a CPU (measured with perf stat; bench/README.md).
 * CPython's Pipe() keeps the default size; lesson 05's pipe-full demo shows
 * that default with a plain pipe(). 0, or -1 with errno. */
static int
msg_pipe(int fds[2], size_t max)
{
	if (pipe(fds) != 0)
		return -1;
	for (int n = MSG_PIPE_FRAMES; n >= 2; n /= 2) {
		size_t want = (size_t)n * (max + 4);
		if (want > (1u << 30))
			continue;
		if (fcntl(fds[1], F_SETPIPE_SZ, (int)want) >= 0)
			break;
	}
	return 0;
}

/* Send one frame, header and bytes in one writev(), looping on partial
 * writes. 0, or -1 with errno (EBADF on a read-only end). */
static int
msg_send(int fd, const void *buf, size_t len)
{
	if (len > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	uint32_t n = htonl((uint32_t)len);
	struct iovec iov[2] = { { &n, 4 }, { (void *)buf, len } };
	int i = 0;
	while (i < 2) {
		ssize_t k = writev(fd, iov + i, 2 - i);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		for (; i < 2 && (size_t)k >= iov[i].iov_len; i++)
			k -= (ssize_t)iov[i].iov_len;
		if (i < 2) {
			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= (size_t)k;
		}
	}
	return 0;
}

/* Read exactly len bytes: 1; 0 at end of file before the first byte; -1
 * on error or end of file part way (EPROTO). */
static int
read_full(int fd, void *buf, size_t len)
{
	for (size_t got = 0; got < len;) {
		ssize_t k = read(fd, (char *)buf + got, len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0) {
			errno = EPROTO;
			return got == 0 ? 0 : -1;
		}
		got += (size_t)k;
	}
	return 1;
}

/* Receive one frame into buf (cap bytes), its length in *len: 1; 0 at
 * end of file (Python raises EOFError); -1 with errno (EMSGSIZE: too big
 * for buf). */
static int
msg_recv(int fd, void *buf, size_t cap, size_t *len)
{
	uint32_t n;
	int r = read_full(fd, &n, 4);
	if (r <= 0)
		return r;
	*len = ntohl(n);
	if (*len > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	return read_full(fd, buf, *len) == 1 || *len == 0 ? 1 : -1;
}

#endif
