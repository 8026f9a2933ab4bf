/*
 * 任务：./prog PORT 在 127.0.0.1:PORT 上监听（bind 前设置 SO_REUSEADDR），一个接一个地
 *       服务客户端，永远运行：把收到的每个字节原样发回，直到客户端关闭它的写端
 *       （recv 返回 0），然后关闭这个连接，再 accept 下一个。TCP 是字节流：一次 recv
 *       只拿到一部分，一次 send 也可能只发出一部分。不要泄漏描述符：服务完一个客户端后，
 *       进程里只剩监听套接字。
 * Task: ./prog PORT listens on 127.0.0.1:PORT (SO_REUSEADDR set before bind)
 *       and serves clients one after another, forever: it sends back every
 *       byte it receives, until the client shuts its write side (recv returns
 *       0), then closes that connection and accepts the next. TCP is a byte
 *       stream: one recv gets only a part, one send may send only a part. Do
 *       not leak descriptors: after a client is served, only the listening
 *       socket is left in the process.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PORT\n", argv[0]);
		return 2;
	}
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 5) < 0) {
		perror("bind");
		return 1;
	}
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		char buf[1024];
		ssize_t n = recv(c, buf, sizeof buf, 0);   /* one piece only */
		if (n > 0)
			send(c, buf, n, 0);
		/* never closed */
	}
}
