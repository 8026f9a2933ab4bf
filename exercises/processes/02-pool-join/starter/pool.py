# 任务：笔记里的 Pool 示例在所有任务完成之前就打印了 "All subprocesses done."。
# 每个任务 long_time_task(i) 会在 0.3 秒后把自己的结果写进文件 result-<i>.txt。
# 让主进程在打印 "All subprocesses done." 之前等待每一个任务真正完成
# （提示：close() 然后 join()）。打印 "Waiting for all subprocesses done..." 的
# 那一行保留不动。
#
# Task: the notes' Pool example prints "All subprocesses done." before the
# tasks are done. Each task long_time_task(i) writes its result to the file
# result-<i>.txt after 0.3 s. Make the main process wait for every task to
# really finish before it prints "All subprocesses done." (hint: close(),
# then join()). Keep the line that prints "Waiting for all subprocesses
# done...".
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
    # TODO: wait here for every task
    print("All subprocesses done.")
