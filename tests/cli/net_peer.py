#!/usr/bin/env python3
"""net_peer.py — rough clients for tests/cli/net.bats: what a careless or
hostile peer does to `systour serve`. Each mode prints one line of result
and exits 0 when the server behaved, 1 (with why) when it did not.

  flood PORT N        N connections to serve echo at once; each must get
                      the greeting and its own line back
  vanish PORT         http: send half a request and reset the connection;
                      also close in the middle of a slow reply
  idle PORT SECONDS   http: a half-sent request is answered 408 and closed
                      within SECONDS + 3; an idle kept-alive one is closed
  pipeline PORT       http: three requests in one write, three answers in order
  noread PORT         http: pipelined requests, never reading the answers;
                      prints the bytes sent once the server stops reading
  raw PORT BYTES      send BYTES (Python escapes), print the status line
"""
import resource, socket, sys, time


def conn(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout)
    s.settimeout(timeout)
    return s


def read_all(s):
    out = b""
    while True:
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            break
        if not d:
            break
        out += d
    return out


def flood(port, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))
    socks = []
    t0 = time.monotonic()
    for i in range(n):
        for attempt in range(50):
            try:
                socks.append(conn(port, 30))
                break
            except OSError:
                time.sleep(0.05)
        else:
            print("connection %d refused" % i)
            return 1
    for i, s in enumerate(socks):
        s.sendall(b"line %d\n" % i)
    bad = 0
    for i, s in enumerate(socks):
        want = b"welcome to here\nline %d\n" % i
        got = b""
        while len(got) < len(want):
            d = s.recv(len(want) - len(got))
            if not d:
                break
            got += d
        if got != want:
            bad += 1
    for s in socks:
        s.close()
    print("%d clients, %d wrong answers, %.1f s" % (n, bad, time.monotonic() - t0))
    return 1 if bad else 0


def vanish(port):
    # half a request, then a reset (SO_LINGER 0)
    for _ in range(20):
        s = conn(port)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Half: ")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        s.close()
    # a slow reply whose client leaves before it comes
    for _ in range(20):
        s = conn(port)
        s.sendall(b"GET /slow/300 HTTP/1.1\r\nHost: x\r\n\r\n")
        s.close()
    # the server still answers
    s = conn(port)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    r = read_all(s)
    ok = r.startswith(b"HTTP/1.0 200 OK")
    print("after 40 vanished clients:", r.split(b"\r\n")[0].decode())
    return 0 if ok else 1


def idle(port, secs):
    a = conn(port, secs + 10)
    a.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")        # never finished
    b = conn(port, secs + 10)
    b.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")    # then idle, kept alive
    t0 = time.monotonic()
    ra = read_all(a)
    ta = time.monotonic() - t0
    rb = read_all(b)
    tb = time.monotonic() - t0
    ok = (ra.startswith(b"HTTP/1.1 408 Request Timeout") and b"200 OK" in rb
          and ta < secs + 3 and tb < secs + 3)
    print("half request: %s after %.1f s; idle keep-alive closed after %.1f s"
          % (ra.split(b"\r\n")[0].decode(), ta, tb))
    return 0 if ok else 1


def pipeline(port):
    s = conn(port)
    s.sendall(b"GET /slow/200 HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /slow/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    r = read_all(s)
    bodies = [p for p in r.split(b"\r\n\r\n")[1:]]
    order = [b.split(b"HTTP/")[0].strip().decode() for b in bodies]
    print("answers:", order)
    return 0 if order == ["slow 200 ms", "hello from systour serve http",
                          "slow 1 ms"] else 1


def noread(port):
    # pipelined requests, never reading an answer, until the server stops
    # reading too (send blocks for 2 s)
    s = conn(port, 2)
    req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 1000
    sent = 0
    try:
        while sent < 200 << 20:
            sent += s.send(req)
    except (socket.timeout, TimeoutError):
        pass
    print(sent)
    sys.stdout.flush()
    time.sleep(600)             # hold the connection; the test kills us
    return 0


def raw(port, data):
    s = conn(port)
    s.sendall(data.encode().decode("unicode_escape").encode("latin-1"))
    r = read_all(s)
    print(r.split(b"\r\n")[0].decode("latin-1"))
    return 0


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "flood":
        return flood(port, int(sys.argv[3]))
    if mode == "vanish":
        return vanish(port)
    if mode == "idle":
        return idle(port, float(sys.argv[3]))
    if mode == "pipeline":
        return pipeline(port)
    if mode == "noread":
        return noread(port)
    if mode == "raw":
        return raw(port, sys.argv[3])
    print("unknown mode", mode)
    return 2


sys.exit(main())
