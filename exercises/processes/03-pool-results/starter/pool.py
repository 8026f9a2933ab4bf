# 任务：python3 pool.py SALT N 用 Pool(4) 对 i = 0..N-1 异步执行 task(i, SALT)。
#   先打印 "main <主进程 PID>"，然后关闭进程池（close）、等待（join），
#   再按 i 的顺序每个任务打印一行 "<i> -> <值> (pid <做这个任务的 worker 的 PID>)"：
#   值和 PID 都来自 task 的返回值（用 AsyncResult 的 get()）。
# Task: python3 pool.py SALT N runs task(i, SALT) for i = 0..N-1 with
#   apply_async on a Pool(4). First print "main <the main process's PID>",
#   then close the pool, join it, and print one line per task in order of i:
#   "<i> -> <value> (pid <PID of the worker that ran it>)": the value and the
#   PID both come from task's return value (get() on the AsyncResult).
import os
import sys
import time
from multiprocessing import Pool


def task(i, salt):
    time.sleep(0.05)
    return i * i + salt, os.getpid()


if __name__ == '__main__':
    salt, n = int(sys.argv[1]), int(sys.argv[2])
    print('main %d' % os.getpid())
    p = Pool(4)
    for i in range(n):
        r = p.apply_async(task, (i, salt))
        print('%d -> %s' % (i, r))        # an AsyncResult, not the value
