# 任务：python3 queue_stop.py ITEM... 两个写进程把参数（前一半、后一半）放进同一个
#   Queue，一个读进程每取到一个打印 "got ITEM"。写进程都结束后，读进程要自己停下：
#   主进程放入一个哨兵 None，读进程读到 None 就跳出循环，打印
#   "reader done: <取到的个数> items" 后正常退出；主进程 join 它，最后打印 "end"。
#   不要用 terminate()：它会杀掉读进程，队列里剩下的数据和收尾工作都丢了。
# Task: python3 queue_stop.py ITEM... Two writer processes put the arguments
#   (the first half and the second half) into one Queue; a reader process
#   prints "got ITEM" for each one it takes. Once the writers are done, the
#   reader must stop by itself: main puts a sentinel None, the reader leaves
#   its loop when it reads None, prints "reader done: <count> items" and exits
#   normally; main joins it and prints "end" last. No terminate(): it kills
#   the reader, and what is left in the queue and the reader's cleanup are lost.
import sys
from multiprocessing import Process, Queue


def write(q, items):
    for item in items:
        q.put(item)


def read(q):
    n = 0
    while True:
        item = q.get(True)
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
    pr.terminate()                # killed: "reader done" never printed
    print('end')
