# Solution: distributed/03-collect-results.
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
    for _ in range(n):                 # exactly n results: wait for each
        results.append(result.get(timeout=10))
    for i, value in sorted(results):
        print('result %d -> %s' % (i, value))
    manager.shutdown()
