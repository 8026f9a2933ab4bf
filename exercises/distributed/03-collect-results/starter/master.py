# 任务：python3 master.py PORT N 是讲义里的服务进程：在 127.0.0.1:PORT 上启动
#   QueueManager（authkey b'qiye'），注册 get_task_queue 和 get_result_queue，
#   把任务 0..N-1（整数）放进任务队列。任务进程（由检查程序扮演）会把每个结果
#   以元组 (i, 值) 放进结果队列。收齐恰好 N 个结果（每个 result.get 最多等 10 秒），
#   按 i 排序，每个打印一行 "result <i> -> <值>"，然后 shutdown 管理器。
#   不要用 result.empty() 判断是否收完：结果可能还在路上。
# Task: python3 master.py PORT N is the notes' service process: start a
#   QueueManager on 127.0.0.1:PORT (authkey b'qiye'), register
#   get_task_queue and get_result_queue, put the tasks 0..N-1 (ints) into the
#   task queue. The task process (played by the check) puts each result into
#   the result queue as a tuple (i, value). Collect exactly N results (each
#   result.get waiting 10 s at most), sort them by i, print one line
#   "result <i> -> <value>" per result, then shut the manager down.
#   Do not use result.empty() to decide you are done: results may still be
#   on their way.
import queue
import sys
from multiprocessing.managers import BaseManager

task_queue = queue.Queue()
result_queue = queue.Queue()


def get_task_queue():
    return task_queue


def get_result_queue():
    return result_queue


class QueueManager(BaseManager):
    pass


if __name__ == '__main__':
    port, n = int(sys.argv[1]), int(sys.argv[2])
    QueueManager.register('get_task_queue', callable=get_task_queue)
    QueueManager.register('get_result_queue', callable=get_result_queue)
    manager = QueueManager(address=('127.0.0.1', port), authkey=b'qiye')
    manager.start()
    task = manager.get_task_queue()
    result = manager.get_result_queue()
    for i in range(n):
        task.put(i)
    results = []
    while not result.empty():          # empty now: the worker has not answered yet
        results.append(result.get(timeout=10))
    for i, value in sorted(results):
        print('result %d -> %s' % (i, value))
    manager.shutdown()
