# Solution: sockets/01-recv-until-eof.
import socket
import sys

port = int(sys.argv[1])
chunks = []
with socket.create_connection(('127.0.0.1', port)) as s:
    while True:
        data = s.recv(4096)
        if not data:                   # b'': the server closed its end
            break
        chunks.append(data)
sys.stdout.write(b''.join(chunks).decode('utf-8'))
