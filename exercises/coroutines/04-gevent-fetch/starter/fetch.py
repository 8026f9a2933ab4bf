# 任务：python3 fetch.py PORT NAME... 对每个 NAME 用 gevent.spawn 起一个 greenlet：
#   连接 127.0.0.1:PORT，发送 "GET NAME\n"，一直读到服务器关闭连接，得到回复。
#   gevent.joinall 等所有 greenlet 结束后，按参数顺序每个打印一行 "NAME: 回复"。
#   这些请求必须同时进行：服务器（检查程序）会等到所有连接都到齐才回答。
#   没有 monkey.patch_all()，socket 是阻塞的，greenlet 只能一个接一个地运行。
#   monkey.patch_all() 要在导入 socket 之前调用。
# Task: python3 fetch.py PORT NAME... spawns one greenlet per NAME with
#   gevent.spawn: it connects to 127.0.0.1:PORT, sends "GET NAME\n" and reads
#   until the server closes the connection: that is the reply. Once
#   gevent.joinall has waited for every greenlet, print one line
#   "NAME: reply" per name, in the order of the arguments. The requests must
#   overlap: the server (the check) answers only once every connection has
#   arrived. Without monkey.patch_all() the sockets block and the greenlets
#   run one after another. Call monkey.patch_all() before importing socket.
import socket
import sys

import gevent


def fetch(port, name):
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(('GET %s\n' % name).encode())
    data = b''
    while True:
        d = s.recv(1024)
        if not d:
            break
        data += d
    s.close()
    return data.decode()


if __name__ == '__main__':
    port, names = int(sys.argv[1]), sys.argv[2:]
    greenlets = [gevent.spawn(fetch, port, n) for n in names]
    gevent.joinall(greenlets)
    for n, g in zip(names, greenlets):
        print('%s: %s' % (n, g.value))
