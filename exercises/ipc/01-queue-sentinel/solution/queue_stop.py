# Solution: ipc/01-queue-sentinel.
import sys
from multiprocessing import Process, Queue


def write(q, items):
    for item in items:
        q.put(item)


def read(q):
    n = 0
    while True:
        item = q.get(True)
        if item is None:          # the sentinel
            break
        print('got %s' % item)
        n += 1
    print('reader done: %d items' % n)


if __name__ == '__main__':
    items = sys.argv[1:]
    half = len(items) // 2
    q = Queue()
    pw1 = Process(target=write, args=(q, items[:half]))
    pw2 = Process(target=write, args=(q, items[half:]))
    pr = Process(target=read, args=(q,))
    pw1.start(); pw2.start(); pr.start()
    pw1.join(); pw2.join()
    q.put(None)                   # both writers are done: tell the reader
    pr.join()
    print('end')
