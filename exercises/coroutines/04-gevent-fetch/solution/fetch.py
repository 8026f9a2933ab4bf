# Solution: coroutines/04-gevent-fetch.
from gevent import monkey

monkey.patch_all()         # before socket is imported: cooperative sockets

import socket  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402


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
