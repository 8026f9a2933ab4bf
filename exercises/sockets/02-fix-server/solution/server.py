# Solution: sockets/02-fix-server.
import socket
import sys

serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
serversocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
port = int(sys.argv[1])
serversocket.bind(('127.0.0.1', port))   # one argument: a (host, port) tuple
serversocket.listen(5)

while True:
    clientsocket, addr = serversocket.accept()
    print('连接地址： %s' % str(addr))
    clientsocket.sendall('welcome to here'.encode('utf-8'))
    clientsocket.close()
