# Solution: coroutines/03-consumer-produce.
import sys


def consumer():
    r = ''
    while True:
        n = yield r
        if not n:
            return
        print('[CONSUMER] Consuming %s...' % n)
        r = '200 OK'


def produce(c, n):
    c.send(None)                        # start it: run to the first yield
    for i in range(1, n + 1):
        print('[PRODUCER] Producing %s...' % i)
        r = c.send(i)
        print('[PRODUCER] Consumer return: %s' % r)
    c.close()


if __name__ == '__main__':
    produce(consumer(), int(sys.argv[1]))
