# 解答：close() 之后不能再提交任务，join() 等待池里的每个进程结束。
# Solution: close() takes no more tasks; join() waits for every process of
# the pool to end.
import os
import time
from multiprocessing import Pool


def long_time_task(i):
    print("Run task %s (%s)..." % (i, os.getpid()))
    time.sleep(0.3)
    with open("result-%d.txt" % i, "w") as f:
        f.write("%d\n" % (i * i))


if __name__ == "__main__":
    print("Parent process %s." % os.getpid())
    p = Pool(4)
    for i in range(5):
        p.apply_async(long_time_task, args=(i,))
    print("Waiting for all subprocesses done...")
    p.close()
    p.join()
    print("All subprocesses done.")
