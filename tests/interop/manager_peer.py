"""manager_peer.py — CPython clients, honest and not, for manager.bats.

usage: manager_peer.py PORT MODE [KEY]
  ok        BaseManager round trip: put/get, qsize, empty, get_nowait and
            get(timeout) ending in queue.Empty, a blocked get in one thread
            while another thread's calls are answered at once
  wrongkey  Client with a wrong key: must be refused (AuthenticationError)
  truncated authenticate, announce a 1000-byte frame, send 10 bytes, vanish
  huge      authenticate, announce a 4 GiB frame (-1 + 8-byte length)
  hugepre   announce a 4 GiB frame before the handshake
  garbage   random bytes instead of a handshake
  badpickle authenticate, send a frame of random bytes
  lease     the lease extension: a lease that runs out is delivered again,
            with the same task id, and its ack counts once
  forged    acks of tasks leased to another client, or never leased, are
            refused (ValueError), and their made-up results never go in
  mixed     a task whose lease ran out, then taken by a plain get (at most
            once, as CPython's clients): the lease's late ack is not counted
  big       a reply far bigger than the sockets' buffers, to a proxy that
            does not read it yet: others' calls are answered meanwhile, the
            reply arrives whole when read, and that proxy's next call works
Exit 0 when the manager behaved as expected."""
import fcntl
import os
import queue
import socket
import struct
import sys
import termios
import threading
import time
from multiprocessing.connection import Client, AuthenticationError
from multiprocessing.managers import BaseManager

port = int(sys.argv[1])
mode = sys.argv[2]
key = (sys.argv[3] if len(sys.argv) > 3 else 'qiye').encode()
addr = ('127.0.0.1', port)


class QueueManager(BaseManager):
    pass


# The system call numbers of read and recvfrom, where a thread waiting for
# a reply sits (Connection.recv reads its socket with os.read).
READ_CALLS = {'x86_64': ('0', '45'), 'aarch64': ('63', '207'),
              'i686': ('3',), 'armv7l': ('3', '292')}


def in_read(tid):
    """Whether thread tid of this process is blocked reading (None when the
    kernel does not say, or the machine is not in READ_CALLS)."""
    calls = READ_CALLS.get(os.uname().machine)
    try:
        with open('/proc/self/task/%d/syscall' % tid) as f:
            nr = f.read().split()[0]
    except (OSError, IndexError):
        return None
    return None if calls is None else nr in calls


def manager_read_all(cport):
    """Whether the manager has read every byte sent on the connection from
    local port cport (its socket's rx_queue in /proc/net/tcp is 0)."""
    for name in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(name) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if int(f[1].rsplit(':', 1)[1], 16) == port and \
                    int(f[2].rsplit(':', 1)[1], 16) == cport:
                return int(f[4].split(':')[1], 16) == 0
    return False


def start_parked(call):
    """Run call(proxy-bound) in a thread and return it once the call waits in
    the manager: the thread has sent it and is blocked reading the reply,
    and the manager has read it (so it is parked there). call gets a dict
    to fill and must first make one quick call of its own, so that its
    thread's proxy connection is open, then set 'port' and 'tid' and 'ready'
    before the call that waits."""
    st = {'ready': threading.Event()}
    th = threading.Thread(target=call, args=(st,))
    th.start()
    assert st['ready'].wait(10), 'the thread did not get ready'
    deadline = time.monotonic() + 10
    while not (in_read(st['tid']) is not False and
               manager_read_all(st['port'])):
        assert time.monotonic() < deadline, 'the call did not wait within 10 s'
        time.sleep(0.005)
    return th


def ready(st, proxy):
    """In a thread of start_parked: the proxy's connection is open (a quick
    call first), say which it is."""
    proxy.qsize()
    conn = proxy._tls.connection
    with socket.socket(fileno=os.dup(conn.fileno())) as sk:
        st['port'] = sk.getsockname()[1]
    st['tid'] = threading.get_native_id()
    st['ready'].set()


QueueManager.register('get_task_queue')
QueueManager.register('get_result_queue')


def ok():
    m = QueueManager(address=addr, authkey=key)
    m.connect()
    task = m.get_task_queue()
    result = m.get_result_queue()
    result.put('hello')
    result.put(('tuple', 1, 2.5, None, b'bytes', [1, {'a': 2}]))
    assert result.qsize() == 2, result.qsize()
    assert not result.empty()
    assert result.get() == 'hello'
    assert result.get(timeout=1) == ('tuple', 1, 2.5, None, b'bytes', [1, {'a': 2}])
    assert result.empty()
    try:
        result.get_nowait()
        raise SystemExit('get_nowait on an empty queue did not raise')
    except queue.Empty:
        pass
    # A get that waits, in another thread (its own proxy connection) ...
    out = {}

    def waiter(st):
        ready(st, result)
        t0 = time.monotonic()
        try:
            result.get(timeout=1.5)
            out['got'] = 'an item?'
        except queue.Empty:
            out['empty'] = time.monotonic() - t0

    th = start_parked(waiter)
    # ... does not hold up anyone else.
    t0 = time.monotonic()
    for _ in range(20):
        task.qsize()
    took = time.monotonic() - t0
    assert took < 1.0, 'calls waited behind a blocked get: %.2fs' % took
    th.join(5)
    assert 'empty' in out, out
    assert 1.2 < out['empty'] < 4, out
    # A blocked get is woken by a put from elsewhere.
    got = {}

    def getter(st):
        ready(st, result)
        got['v'] = result.get(timeout=5)

    th = start_parked(getter)
    result.put('wake up')
    th.join(5)
    assert got.get('v') == 'wake up', got
    print('ok')


def lease():
    m = QueueManager(address=addr, authkey=key)
    m.connect()
    task = m.get_task_queue()
    result = m.get_result_queue()
    for i in range(3):
        task.put('t%d' % i)
    got = task._callmethod('lease', (), {'n': 2, 'lease': 0.5})
    assert [x for _, x in got] == ['t0', 't1'], got
    (id0, _), (id1, _) = got
    assert task.qsize() == 1
    assert task._callmethod('ack', (id1, 'done t1')) is True
    time.sleep(1.0)  # t0's lease runs out: it is first in line again
    assert task.qsize() == 2, task.qsize()
    again = task._callmethod('lease', (), {'n': 5, 'timeout': 1})
    assert again[0] == (id0, 't0'), again
    assert again[1][1] == 't2', again
    assert task._callmethod('ack', (id0, 'done t0')) is True
    assert task._callmethod('ack', (id0, 'done t0 twice')) is False
    assert task._callmethod('ack', (again[1][0], 'done t2')) is True
    assert sorted([result.get(timeout=1) for _ in range(3)]) == \
        ['done t0', 'done t1', 'done t2']
    assert result.empty()
    # acks may ride on the next lease call (one round trip per batch).
    task.put('t3')
    [(id3, item3)] = task._callmethod('lease', (), {'n': 4})
    assert item3 == 't3'
    try:
        task._callmethod('lease', (), {'timeout': 0.2,
                                       'acks': [(id3, 'done t3')]})
        raise SystemExit('lease on an empty queue did not raise')
    except queue.Empty:
        pass
    assert result.get(timeout=1) == 'done t3'
    assert task._callmethod('ack', (id3, 'again')) is False
    try:
        task._callmethod('lease', (), {'timeout': 0.2})
        raise SystemExit('lease on an empty queue did not raise')
    except queue.Empty:
        pass
    # CPython's proxies do not see the extension.
    assert 'lease' not in task._exposed_
    print('ok')


def forged():
    """Acks for leases this client does not hold are refused."""
    m1 = QueueManager(address=addr, authkey=key)
    m1.connect()
    t1 = m1.get_task_queue()
    result = m1.get_result_queue()
    t1.put('mine')
    t1.put('never leased')
    [(tid, item)] = t1._callmethod('lease', (), {'n': 1})
    assert item == 'mine'
    # Proxies share their connection within a thread: forge from another.
    out = {}

    def forger():
        m2 = QueueManager(address=addr, authkey=key)
        m2.connect()
        t2 = m2.get_task_queue()
        for bad in (tid, tid + 1):  # another's lease, a task never leased
            try:
                t2._callmethod('ack', (bad, 'made up'))
                out['taken'] = bad
                return
            except ValueError as e:
                assert 'was not leased to this client' in str(e), e
        # in a lease call's acks too: ignored
        try:
            t2._callmethod('lease', (), {'n': 1, 'timeout': 0.1,
                                         'acks': [(tid, 'made up')]})
        except queue.Empty:
            pass
        out['done'] = True

    th = threading.Thread(target=forger)
    th.start()
    th.join(10)
    if 'taken' in out:
        raise SystemExit('a forged ack of task %d was taken' % out['taken'])
    assert out.get('done'), out
    assert result.empty(), 'a forged result went in'
    assert t1._callmethod('ack', (tid, 'done mine')) is True
    assert result.get(timeout=1) == 'done mine'
    assert result.empty()
    print('ok')


def mixed():
    m = QueueManager(address=addr, authkey=key)
    m.connect()
    task = m.get_task_queue()
    result = m.get_result_queue()
    task.put('m0')
    [(id0, item)] = task._callmethod('lease', (), {'n': 1, 'lease': 0.3})
    assert item == 'm0', item
    deadline = time.monotonic() + 10
    while task.qsize() == 0:  # until its lease runs out
        assert time.monotonic() < deadline, 'the lease did not run out'
        time.sleep(0.02)
    assert task.get(timeout=1) == 'm0'
    # The lease's worker was only slow: its ack comes late, after a CPython
    # client took the task. That client puts its own result; the ack must
    # not put a second one.
    assert task._callmethod('ack', (id0, 'success m0 (late ack)')) is False
    result.put('success m0')
    assert result.get(timeout=1) == 'success m0'
    assert result.empty(), result.qsize()
    print('ok')


def big():
    m = QueueManager(address=addr, authkey=key)
    m.connect()
    task = m.get_task_queue()
    result = m.get_result_queue()
    item = os.urandom(14 << 20)     # the frame limit is 16 MiB
    task.put(item)
    # A get on a proxy connection of its own (the proxies in one thread
    # share one), its reply left unread ...
    conn = Client(addr, authkey=key)
    conn.send((None, 'accept_connection', ('big',), {}))
    assert conn.recv() == ('#RETURN', None)
    conn.send((task._id, 'get', (), {}))
    s = socket.socket(fileno=os.dup(conn.fileno()))
    deadline = time.monotonic() + 10
    while True:     # until the reply has begun to arrive
        n = struct.unpack('i', fcntl.ioctl(s, termios.FIONREAD, b'\0' * 4))[0]
        if n > 0:
            break
        assert time.monotonic() < deadline, 'no reply within 10 s'
        time.sleep(0.01)
    # ... holds up no one else.
    for i in range(20):
        result.put(i)
        v = result.get(timeout=5)
        assert v == i, (i, v)
    kind, got = conn.recv()
    assert kind == '#RETURN', kind
    assert got == item, 'the reply differs from the item put'
    conn.send((task._id, 'qsize', (), {}))
    assert conn.recv() == ('#RETURN', 0)
    s.close()
    conn.close()
    print('ok')


def raw():
    return socket.create_connection(addr, timeout=5)


def authed():
    c = Client(addr, authkey=key)
    return c


def main():
    if mode == 'ok':
        ok()
    elif mode == 'lease':
        lease()
    elif mode == 'mixed':
        mixed()
    elif mode == 'forged':
        forged()
    elif mode == 'big':
        big()
    elif mode == 'wrongkey':
        try:
            Client(addr, authkey=key)
        except AuthenticationError as e:
            print('refused:', e)
            return
        raise SystemExit('a wrong key was accepted')
    elif mode == 'truncated':
        c = authed()
        c._send(struct.pack('!i', 1000) + b'x' * 10)
        c.close()
    elif mode == 'huge':
        c = authed()
        c._send(struct.pack('!i', -1) + struct.pack('!Q', 4 << 30) + b'x' * 100)
        s = socket.socket(fileno=os.dup(c.fileno()))
        s.settimeout(5)
        assert s.recv(100) == b'', 'the manager did not drop us'
        c.close()
    elif mode == 'hugepre':
        s = raw()
        s.recv(100)  # its challenge
        s.sendall(struct.pack('!i', -1) + struct.pack('!Q', 4 << 30))
        while s.recv(100):
            pass
    elif mode == 'garbage':
        s = raw()
        s.sendall(os.urandom(4096))
        try:
            while s.recv(4096):
                pass
        except ConnectionResetError:
            pass
    elif mode == 'badpickle':
        c = authed()
        c.send_bytes(b'\x80\x04' + os.urandom(200))
        try:
            kind, text = c.recv()
            assert kind == '#TRACEBACK', kind
        except EOFError:
            pass
        c.close()
    else:
        raise SystemExit('unknown mode ' + mode)


main()
