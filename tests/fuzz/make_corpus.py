"""make_corpus.py - writes the seed corpus of the fuzz targets from real
inputs made by this python3 (run it again to refresh; the files are checked
in, so the fuzzers do not need python3).

usage: python3 tests/fuzz/make_corpus.py [DIR]     (DIR: tests/fuzz/corpus)

  DIR/pickle/  pickle.dumps of every type the codec supports, in protocols
               0 to 5, the managers protocol's messages, and the notes' bytes.
  DIR/frames/  byte streams as multiprocessing.connection sends them: a real
               BaseManager session (handshake, requests, replies) recorded
               through a relay, both handshake forms (3.11's MD5 and 3.12's
               {sha256}) built with hmac, and -1 + 8-byte length frames.
               Each stream is written behind the two control bytes that
               fuzz_frames.c reads (reader limit, pipe, handshake, padding).
Files are named by what they hold; the contents are deterministic except for
the nonces of the recorded handshakes."""
import hashlib
import hmac
import os
import pickle
import queue
import socket
import struct
import sys
import threading
from multiprocessing.managers import BaseManager

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'corpus')


def write(sub, name, data):
    d = os.path.join(top, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# ---- pickles -------------------------------------------------------------

shared = ['shared']
values = {
    'none': None,
    'true': True,
    'false': False,
    'int-small': [0, 1, -1, 255, 256, 65535, 65536, -65536],
    'int-32': [2**31 - 1, -2**31, 2**31, -2**31 - 1],
    'int-64': [2**63 - 1, -2**63, 2**63, 2**64],
    'int-big': [10**50, -10**50, 2**1000],
    'float': [0.0, -0.0, 1.5, -2.25e300, 5e-324],
    'float-special': [float('inf'), float('-inf'), float('nan')],
    'str': ['', 'a', 'ImageUrl_0', 'with\nnewline and \\ backslash'],
    'str-unicode': ['\u00e9', '\u20ac', '\U0001f600', 'mixed \u4e2d\u6587'],
    'str-surrogate': '\ud800 lone',
    'str-long': 'x' * 300,
    'bytes': [b'', b'\x00', b'\xff\xfe', b'abc'],
    'bytes-long': bytes(range(256)) + b'!' * 44,
    'bytearray': [bytearray(), bytearray(b'\x00\x01')],
    'tuple': [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
    'list': [[], [1], list(range(10))],
    'list-batch': list(range(1005)),
    'dict': [{}, {'a': 1}, {1: 'one', 2.5: None, (1, 2): b'x'}],
    'set': [set(), {1, 2, 3}, {'a', (1, 2)}],
    'frozenset': [frozenset(), frozenset({1, 'b'})],
    'nested': [[[[[]]]], {'k': [(1, {2: frozenset({3})})]}],
    'shared': [shared, shared, (shared, shared)],
    'key-equality': {1: 'int', 2.0: 'float', True: 'bool'},
    'queue-empty': queue.Empty(),
    'queue-full': queue.Full(),
    'exceptions': [ValueError('x'), KeyError('k'), TypeError(),
                   RuntimeError('a', 2)],
    'classes': [ValueError, KeyError, queue.Empty],
    # the multiprocessing.managers messages
    'msg-request': (None, 'dummy', (), {}),
    'msg-create': (None, 'create', ('get_task_queue',), {}),
    'msg-put': ('7f3a', 'put', ('ImageUrl_0',), {}),
    'msg-get': ('7f3a', 'get', (), {'timeout': 1.0}),
    'msg-return': ('#RETURN', None),
    'msg-error': ('#ERROR', queue.Empty()),
    'msg-traceback': ('#TRACEBACK', 'Traceback (most recent call last):\n'),
}

for name, v in values.items():
    for proto in range(0, 6):
        try:
            data = pickle.dumps(v, protocol=proto)
        except Exception as e:
            print(f'skip {name} protocol {proto}: {e}', file=sys.stderr)
            continue
        write('pickle', f'p{proto}-{name}', data)
# shared references that unfold exponentially: a = (a, a) n times (a
# 252-byte DAG of 2^60 nodes at n = 60), as a list, a dict and a set
def dag(n, make):
    a = ()
    for _ in range(n):
        a = make(a)
    return a


dags = {
    'dag-tuple-60': dag(60, lambda a: (a, a)),
    'dag-tuple-20': dag(20, lambda a: (a, a)),
    'dag-list-40': dag(40, lambda a: [a, a]),
    'dag-dict-30': dag(30, lambda a: {'k': a, 'v': a}),
    'dag-frozenset-30': dag(30, lambda a: frozenset({(a, 1), (a, 2)})),
    'dag-exception-30': dag(30, lambda a: ValueError(a, a)),
}
for name, v in dags.items():
    for proto in (2, 4, 5):
        write('pickle', f'p{proto}-{name}', pickle.dumps(v, protocol=proto))
# protocol 5 with an in-band bytearray (BYTEARRAY8), and the notes' bytes
write('pickle', 'p5-bytearray8', pickle.dumps(bytearray(b'x' * 10), protocol=5))
write('pickle', 'notes-list', b'\x80\x03]q\x00(K\x01K\x02K\x03K\x04e.')
# what the fuzzers found (see the unit tests named after them)
write('pickle', 'found-mark-only-dict', b'(d.')
write('pickle', 'found-frozenset-nan',
      b'(G\xff\xff\xff\xff\x89KK\x91\x91.')
# not a bug: protocol 2 writes ModuleNotFoundError as exceptions.ImportError,
# as CPython does; fuzz_pickle.c allows for it
write('pickle', 'found-lossy-class-protocol-2',
      b'\x8c\x08builtins\x8c\x13ModuleNotFoundError\x93.')
# ... and OSError and FileNotFoundError, both exceptions.OSError there, become
# one class: the memo and the frozenset holding both change too
write('pickle', 'found-lossy-classes-merge-protocol-2',
      b'\x80\x04(\x8c\x08builtins\x8c\x07OSError\x93\x85'
      b'\x8c\x08builtins\x8c\x11FileNotFoundError\x93\x85\x91.')

# ---- frames --------------------------------------------------------------


def frame(payload):
    if len(payload) > 0x7fffffff:
        raise ValueError
    return struct.pack('!i', len(payload)) + payload


def long_frame(payload):
    """The -1 + 8-byte form, as _send_bytes writes frames over 2 GiB."""
    return struct.pack('!iQ', -1, len(payload)) + payload


def streams():
    key = b'qiye'
    # 3.11's legacy handshake: 20-byte nonce, raw HMAC-MD5
    n = bytes(range(20))
    yield 'auth-md5-challenge', frame(b'#CHALLENGE#' + n)
    yield 'auth-md5-answer', frame(hmac.new(key, n, 'md5').digest())
    # 3.12's: {sha256} + 40 bytes, answered with {sha256} + HMAC over both
    m = b'{sha256}' + bytes(range(40))
    yield 'auth-sha256-challenge', frame(b'#CHALLENGE#' + m)
    yield 'auth-sha256-answer', frame(
        b'{sha256}' + hmac.new(key, m, hashlib.sha256).digest())
    yield 'auth-welcome', frame(b'#WELCOME#')
    yield 'auth-failure', frame(b'#FAILURE#')
    yield 'auth-server-sees', (
        frame(hmac.new(key, n, 'md5').digest()) + frame(b'#WELCOME#'))
    yield 'frames-empty', frame(b'')
    yield 'frames-many', b''.join(frame(bytes([i]) * i) for i in range(12))
    yield 'frames-long-form', long_frame(b'long-form') + frame(b'after')
    yield 'frames-pickles', b''.join(
        frame(pickle.dumps(v, protocol=4)) for v in
        [(None, 'dummy', (), {}), ('#RETURN', None), ('#ERROR', queue.Empty())])
    yield 'frames-negative', struct.pack('!i', -2) + b'xxxx'
    yield 'frames-4gib', struct.pack('!iQ', -1, 4 << 30)
    yield 'frames-truncated', struct.pack('!i', 1000) + b'0123456789'
    yield from record_session()


class ServerManager(BaseManager):
    pass


class ClientManager(BaseManager):
    pass


def record_session():
    """A BaseManager client talking to a BaseManager server through a relay
    that records each connection's bytes, each way. Yields one stream per
    connection and direction."""
    q = queue.Queue()
    ServerManager.register('get_task_queue', callable=lambda: q)
    ClientManager.register('get_task_queue')
    srv = ServerManager(address=('127.0.0.1', 0), authkey=b'qiye').get_server()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    relay = socket.socket()
    relay.bind(('127.0.0.1', 0))
    relay.listen(8)
    logs = []

    def pipe(a, b, log):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                log.extend(d)
                b.sendall(d)
        except OSError:
            pass
        b.close()

    def accept():
        while True:
            c, _ = relay.accept()
            s = socket.create_connection(srv.address)
            up, down = bytearray(), bytearray()
            logs.append((up, down))
            threading.Thread(target=pipe, args=(c, s, up), daemon=True).start()
            threading.Thread(target=pipe, args=(s, c, down), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    client = ClientManager(address=relay.getsockname(), authkey=b'qiye')
    client.connect()
    tq = client.get_task_queue()
    tq.put('ImageUrl_0')
    tq.put(('ImageUrl_1', 2.5, b'x'))
    assert tq.get() == 'ImageUrl_0'
    tq.qsize()
    try:
        tq.get(timeout=0.01)
        tq.get_nowait()
    except queue.Empty:
        pass
    del tq, client
    import time
    time.sleep(0.2)     # a generator script, not a test: let the relay drain
    for i, (up, down) in enumerate(logs[:4]):
        yield f'session-{i}-client', bytes(up)
        yield f'session-{i}-server', bytes(down)


ctl = {'': 0x00, '-hs': 0x01, '-pipe': 0x08, '-pair': 0x52, '-pad': 0x80}
for name, stream in streams():
    for suffix, c in ctl.items():
        write('frames', name + suffix, bytes([c, len(stream) & 0xff]) + stream)
    if name.startswith('session-'):     # its pickles, for the other target
        pos, i = 0, 0
        while pos + 4 <= len(stream):
            (n,) = struct.unpack('!i', stream[pos:pos + 4])
            payload = stream[pos + 4:pos + 4 + n]
            if payload[:1] == b'\x80':
                write('pickle', f'{name}-{i}', payload)
            pos, i = pos + 4 + n, i + 1
