# 任务：python3 server.py PORT 是讲义里的服务器，修好它：
#   1. bind 只接受一个参数：元组 (主机, 端口)；监听 127.0.0.1（或 ''）的 PORT 端口。
#   2. 对每个连接：发送 "welcome to here"（UTF-8，全部发完：sendall），然后关闭它。
#      服务器一直运行，一个接一个地接受连接。
#   3. 服务器先关闭连接，所以连接会在服务器一侧处于 TIME_WAIT：重启服务器时 bind
#      会因 EADDRINUSE 失败，除非在 bind 之前设置 SO_REUSEADDR。
# Task: python3 server.py PORT is the notes' server; fix it:
#   1. bind takes one argument, a tuple (host, port): listen on 127.0.0.1
#      (or '') port PORT.
#   2. For each connection: send "welcome to here" (UTF-8, all of it:
#      sendall), then close it. The server runs forever, accepting one
#      connection after another.
#   3. The server closes first, so each connection sits in TIME_WAIT on the
#      server's side: restarting the server, bind fails with EADDRINUSE
#      unless SO_REUSEADDR is set before bind.
import socket
import sys

serversocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
host = '127.0.0.1'
port = int(sys.argv[1])
serversocket.bind(host, port)          # TypeError: one tuple, not two arguments
serversocket.listen(5)

while True:
    clientsocket, addr = serversocket.accept()
    print('连接地址： %s' % str(addr))
    msg = 'welcome to here'
    clientsocket.send(msg.encode('utf-8'))
