"""stall_peer.py — hostile clients that stall, for manager.bats.

usage: stall_peer.py PORT handshakes N
         N connections from 127.0.0.2 (STALL_SOURCE) that each send 4
         bytes of a handshake and stall; each one the manager drops is
         opened again at once. Prints
         "open N" once N are connected, then keeps them until stdin ends,
         then prints how many were opened in all.
       stall_peer.py PORT frames N SIZE [KEY]
         N clients that pass the handshake (KEY, default qiye), announce a
         frame of SIZE bytes and send all of it but the last byte. Prints
         "sent S dropped D" (D: those the manager cut off while sending),
         then keeps the rest open until stdin ends.
       stall_peer.py PORT quick [KEY]
         An honest CPython client: connect, put, get; prints the seconds it
         took."""
import os
import selectors
import socket
import struct
import sys
import time

port = int(sys.argv[1])
mode = sys.argv[2]
addr = ('127.0.0.1', port)
# The stalled handshakes come from another loopback address than the honest
# client (127.0.0.1): an attacker on one address, a client on another.
SOURCE = os.environ.get('STALL_SOURCE', '127.0.0.2')


def stalled(sel):
    s = socket.socket()
    s.bind((SOURCE, 0))
    s.setblocking(False)
    try:
        s.connect(addr)
    except BlockingIOError:
        pass
    sel.register(s, selectors.EVENT_WRITE, 'connecting')


def handshakes(n):
    sel = selectors.DefaultSelector()
    for _ in range(n):
        stalled(sel)
    opened, connected, said = n, 0, False
    stdin_open = True
    sel.register(sys.stdin, selectors.EVENT_READ, 'stdin')
    while stdin_open:
        for key, ev in sel.select(1):
            if key.data == 'stdin':
                if not os.read(sys.stdin.fileno(), 4096):
                    stdin_open = False
                continue
            s = key.fileobj
            if key.data == 'connecting':
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                sel.unregister(s)
                if err:
                    s.close()
                    stalled(sel)
                    opened += 1
                    continue
                try:
                    s.send(struct.pack('!i', 20))  # 4 bytes of an answer
                except OSError:
                    s.close()
                    stalled(sel)
                    opened += 1
                    continue
                sel.register(s, selectors.EVENT_READ, 'stalled')
                connected += 1
                if connected >= n and not said:
                    print('open', n, flush=True)
                    said = True
            else:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b''
                if not data:        # dropped: open it again
                    sel.unregister(s)
                    s.close()
                    stalled(sel)
                    opened += 1
    print('opened', opened, flush=True)


def frames(n, size, key):
    from multiprocessing.connection import Client
    conns, dropped = [], 0
    for _ in range(n):
        c = Client(addr, authkey=key)
        try:
            c._send(struct.pack('!i', size) + b'x' * (size - 1))
            conns.append(c)
        except OSError:
            dropped += 1
            c.close()
    print('sent', n, 'dropped', dropped, flush=True)
    sys.stdin.read()


def quick(key):
    import queue
    from multiprocessing.managers import BaseManager

    class M(BaseManager):
        pass
    M.register('get_task_queue')
    t0 = time.monotonic()
    m = M(address=addr, authkey=key)
    m.connect()
    q = m.get_task_queue()
    q.put('probe')
    assert q.get(timeout=5) == 'probe'
    print('%.3f' % (time.monotonic() - t0), flush=True)


if mode == 'handshakes':
    handshakes(int(sys.argv[3]))
elif mode == 'frames':
    frames(int(sys.argv[3]), int(sys.argv[4]),
           (sys.argv[5] if len(sys.argv) > 5 else 'qiye').encode())
elif mode == 'quick':
    quick((sys.argv[3] if len(sys.argv) > 3 else 'qiye').encode())
else:
    raise SystemExit('unknown mode ' + mode)
