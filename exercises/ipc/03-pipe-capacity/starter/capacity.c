/*
 * 任务：./prog SIZE 创建一个管道，用 fcntl(F_SETPIPE_SZ) 把它的容量设为 SIZE 字节
 *       （内核会向上取整到 2 的幂个页），打印 "capacity <F_GETPIPE_SZ 的值>"。
 *       然后在没有读者读取的情况下，每次写 1024 字节把它写满：写端设为
 *       O_NONBLOCK，write 返回 -1 且 errno == EAGAIN 时停止，打印
 *       "full after <写入的总字节数> bytes"。现在的程序会永远阻塞在 write 上。
 * Task: ./prog SIZE makes a pipe, sets its capacity to SIZE bytes with
 *       fcntl(F_SETPIPE_SZ) (the kernel rounds it up to a power-of-two number
 *       of pages) and prints "capacity <F_GETPIPE_SZ's value>". Then, with
 *       nobody reading, fill it 1024 bytes at a time: make the write end
 *       O_NONBLOCK and stop when write returns -1 with errno == EAGAIN, then
 *       print "full after <total bytes written> bytes". As it is, the program
 *       blocks in write forever.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int size = argc > 1 ? atoi(argv[1]) : 65536;
	(void)size;
	int fds[2];
	if (pipe(fds) < 0) {
		perror("pipe");
		return 1;
	}
	printf("capacity %d\n", fcntl(fds[1], F_GETPIPE_SZ));
	char chunk[1024] = { 0 };
	long total = 0;
	for (;;) {
		ssize_t n = write(fds[1], chunk, sizeof chunk);   /* blocks when full */
		if (n < 0 && errno == EAGAIN)
			break;
		total += n;
	}
	printf("full after %ld bytes\n", total);
	return 0;
}
