# server
import socket
import sys

# 创建socket 对象，默认是AF_INET TCP连接
serversocket = socket.socket()

# 获取本地主机名
host = socket.gethostname()

port = 9999

# 绑定端口
serversocket.bind(host, port)

# 设置最大连接数，超过后排队
serversocket.listen(5)

while True:
    clientsocket, addr = serversocket.accept()
    print('连接地址： %s' % str(addr))
    msg = "welcome to here"
    clientsocket.send(msg.encode('utf-8'))
    clientsocket.close()
