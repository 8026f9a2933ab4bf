# 任务：python3 join.py S1 S2 ... 为每个参数启动一个 multiprocessing.Process：
#   第 i 个进程（从 1 数）睡 Si 秒，然后打印 "child i done"。所有进程同时运行。
#   主进程必须在每一个子进程都结束之后才打印最后一行 "end"。
#   现在的代码（讲义里的写法）只 join 了最后一个进程。
# Task: python3 join.py S1 S2 ... starts one multiprocessing.Process per
#   argument: process i (from 1) sleeps Si seconds, then prints "child i done".
#   All of them run at the same time. The main process must print its last
#   line, "end", only after every child has finished. The code below (the
#   notes' way) joins only the last process.
import sys
import time
from multiprocessing import Process


def work(i, seconds):
    time.sleep(seconds)
    sys.stdout.write('child %d done\n' % i)   # one write: lines of processes do not mix


if __name__ == '__main__':
    for i, s in enumerate(sys.argv[1:], 1):
        p = Process(target=work, args=(i, float(s)))
        p.start()
    p.join()                      # only the last one
    print('end')
