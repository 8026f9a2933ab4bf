/*
 * 任务：./prog 从标准输入读取一帧一帧的数据，格式和 Connection.send_bytes 相同：
 *       4 字节大端长度，然后是这么多字节的正文。对每一帧，向标准输出写一帧回复，
 *       正文是收到的正文逐字节倒序。在两帧之间遇到 EOF：正常退出（状态 0）；
 *       在一帧中间遇到 EOF：在 stderr 打印一行错误，退出状态 1。
 *       管道是字节流：read 可能只返回一部分（长度的 4 个字节也可能分两次到达），
 *       write 也可能只写出一部分。写出 read_all 和 write_all 循环。
 * Task: ./prog reads frames from standard input in Connection.send_bytes'
 *       format: a 4-byte big-endian length, then that many bytes of body. For
 *       each frame it writes a reply frame on standard output whose body is
 *       the received body reversed byte for byte. EOF between two frames: exit
 *       normally (status 0); EOF inside a frame: print one line on stderr and
 *       exit with status 1. A pipe is a byte stream: read may return only a
 *       part (even the 4 bytes of the length may come in two reads), and
 *       write may write only a part. Write read_all and write_all loops.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	for (;;) {
		uint32_t be;
		if (read(0, &be, 4) <= 0)          /* assumes 4 bytes in one read */
			return 0;
		uint32_t len = ntohl(be);
		char *body = malloc(len ? len : 1);
		ssize_t n = read(0, body, len);    /* assumes the whole body at once */
		if (n < 0)
			return 1;
		for (uint32_t i = 0; i < len / 2; i++) {
			char c = body[i];
			body[i] = body[len - 1 - i];
			body[len - 1 - i] = c;
		}
		write(1, &be, 4);
		write(1, body, len);
		free(body);
	}
}
