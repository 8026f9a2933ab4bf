# client

import socket
import sys

s = socket.socket()

host = socket.gethostname()

port = 9999

s.connect((host,port))

msg = s.recv(1024)

s.close()

print(msg.decode('utf-8'))
