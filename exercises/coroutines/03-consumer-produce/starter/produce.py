# 任务：完成讲义里的生产者/消费者：
#   consumer() 是生成器：启动后每收到一个 n（send），打印 "[CONSUMER] Consuming n..."，
#     并把 '200 OK' 作为这次 send 的返回值交回；启动时（send(None)）返回 ''。
#   produce(c, n) 先用 c.send(None) 启动 c，然后对 1..n 每个数：打印
#     "[PRODUCER] Producing i..."，r = c.send(i)，打印 "[PRODUCER] Consumer return: r"；
#     最后 c.close()。
#   python3 produce.py N 运行 produce(consumer(), N)。
# Task: finish the notes' producer/consumer:
#   consumer() is a generator: once started, for each n it receives (send) it
#     prints "[CONSUMER] Consuming n..." and hands '200 OK' back as that
#     send's return value; starting it (send(None)) returns ''.
#   produce(c, n) starts c with c.send(None), then for each of 1..n: prints
#     "[PRODUCER] Producing i...", r = c.send(i), prints
#     "[PRODUCER] Consumer return: r"; finally c.close().
#   python3 produce.py N runs produce(consumer(), N).
import sys


def consumer():
    while True:
        n = yield                       # hands nothing back
        print('[CONSUMER] Consuming %s...' % n)


def produce(c, n):
    for i in range(1, n + 1):
        print('[PRODUCER] Producing %s...' % i)
        r = c.send(i)                   # c was never started
        print('[PRODUCER] Consumer return: %s' % r)


if __name__ == '__main__':
    produce(consumer(), int(sys.argv[1]))
