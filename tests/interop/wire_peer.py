#!/usr/bin/env python3
"""wire_peer.py - a CPython peer for the wire interop tests (tests/unit/test_wire.c,
tests/interop/wire.bats).

    wire_peer.py listen FORM [KEY]        serve one connection on 127.0.0.1:0;
                                          prints "port N" first
    wire_peer.py connect PORT FORM [KEY]  connect to 127.0.0.1:PORT

FORM says whose handshake code runs:
    real     this interpreter's own multiprocessing.connection (Listener.accept,
             Client); on 3.11 that is the legacy HMAC-MD5 form
    legacy   the <= 3.11 handshake written out here (20-byte nonce, raw MD5)
    modern   the >= 3.12 handshake written out here ({sha256} + 40 bytes), as
             CPython 3.12's connection.py does it, for when no 3.12 is installed

After the handshake:
    listen:  receive a frame M, send b"echo:" + M, then send b"long-form" framed
             with the -1 + 8-byte length that CPython uses for huge frames
    connect: send b"hello from python", expect b"echo:hello from python", then
             expect b"long-form" (the other side sends it in the long form)
The last line says what happened: "ok answered=NAME verified=NAME" (exit 0), or
"auth failed: WHY" (exit 3), or "error: WHY" (exit 1). Everything is bounded in
time: a 15 s alarm (its default action ends the process) and 10 s timeouts on
accept and connect.
"""
import hmac
import os
import signal
import socket
import struct
import sys
from multiprocessing import connection
from multiprocessing.connection import AuthenticationError, Connection

CHALLENGE = b"#CHALLENGE#"
WELCOME = b"#WELCOME#"
FAILURE = b"#FAILURE#"
ALLOWED = {b"md5", b"sha256", b"sha384", b"sha3_256", b"sha3_384"}

# What each side saw, for the last line.
seen = {"answered": "?", "verified": "?"}


def split_digest(message):
    """CPython 3.12's _get_digest_name_and_payload."""
    if len(message) in (20, 16):
        return "", message
    if message.startswith(b"{"):
        curly = message.find(b"}", 1, 8 + 2)
        if curly > 0 and message[1:curly] in ALLOWED:
            return message[1:curly].decode("ascii"), message[curly + 1:]
    raise AuthenticationError("unsupported message length, missing digest "
                              "prefix, or unsupported digest: %r" % message)


def deliver(conn, key, form):
    if form == "modern":
        message = b"{sha256}" + os.urandom(40)
    else:
        message = os.urandom(20)
    conn.send_bytes(CHALLENGE + message)
    response = conn.recv_bytes(256)
    try:
        if form == "modern":
            name, mac = split_digest(response)
            name = name or "md5"
        else:
            name, mac = "md5", response         # 3.11 takes any answer as MD5
        expected = hmac.new(key, message, name).digest()
        if len(expected) != len(mac) or not hmac.compare_digest(expected, mac):
            raise AuthenticationError("digest received was wrong")
    except AuthenticationError:
        conn.send_bytes(FAILURE)
        raise
    conn.send_bytes(WELCOME)
    seen["verified"] = name


def answer(conn, key, form):
    message = conn.recv_bytes(256)
    if not message.startswith(CHALLENGE):
        raise AuthenticationError("expected challenge: %r" % message)
    message = message[len(CHALLENGE):]
    if form == "modern":
        if len(message) < 20:
            raise AuthenticationError("challenge too short")
        name = split_digest(message)[0]
        if name:
            digest = b"{%s}" % name.encode() + \
                hmac.new(key, message, name).digest()
        else:
            name = "md5"
            digest = hmac.new(key, message, "md5").digest()
    else:
        name = "md5"                            # 3.11: MD5 over all of it
        digest = hmac.new(key, message, "md5").digest()
    conn.send_bytes(digest)
    if conn.recv_bytes(256) != WELCOME:
        raise AuthenticationError("digest sent was rejected")
    seen["answered"] = name


def send_long_form(conn, payload):
    """A frame as _send_bytes sends one over 0x7fffffff bytes: -1, then the
    length in 8 bytes. CPython's _recv_bytes takes it for any length."""
    conn._send(struct.pack("!i", -1) + struct.pack("!Q", len(payload)) + payload)


def listen(form, key):
    if form == "real":
        listener = connection.Listener(("127.0.0.1", 0), authkey=key)
        sock = listener._listener._socket
        port = listener.address[1]
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
    sock.settimeout(10)
    print("port %d" % port, flush=True)
    if form == "real":
        conn = listener.accept()                # the real handshake runs here
        seen["answered"] = seen["verified"] = "(cpython)"
    else:
        s, _ = sock.accept()
        s.setblocking(True)     # Connection uses os.read: no timeout mode
        conn = Connection(s.detach())
        deliver(conn, key, form)
        answer(conn, key, form)
    msg = conn.recv_bytes()
    conn.send_bytes(b"echo:" + msg)
    send_long_form(conn, b"long-form")
    conn.close()


def connect(port, form, key):
    if form == "real":
        socket.setdefaulttimeout(10)
        conn = connection.Client(("127.0.0.1", port), authkey=key)
        seen["answered"] = seen["verified"] = "(cpython)"
    else:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setblocking(True)
        conn = Connection(s.detach())
        answer(conn, key, form)
        deliver(conn, key, form)
    conn.send_bytes(b"hello from python")
    got = conn.recv_bytes()
    if got != b"echo:hello from python":
        raise RuntimeError("expected the echo, got %r" % got)
    got = conn.recv_bytes()
    if got != b"long-form":
        raise RuntimeError("expected b'long-form', got %r" % got)
    conn.close()


def main(argv):
    signal.alarm(15)
    try:
        if len(argv) >= 2 and argv[0] == "listen":
            key = (argv[2] if len(argv) > 2 else "qiye").encode()
            listen(argv[1], key)
        elif len(argv) >= 3 and argv[0] == "connect":
            key = (argv[3] if len(argv) > 3 else "qiye").encode()
            connect(int(argv[1]), argv[2], key)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except AuthenticationError as e:
        print("auth failed: %s" % e, flush=True)
        return 3
    except Exception as e:                      # noqa: BLE001 (report it all)
        print("error: %s: %s" % (type(e).__name__, e), flush=True)
        return 1
    print("ok answered=%s verified=%s" % (seen["answered"], seen["verified"]),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
