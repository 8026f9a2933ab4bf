# Solution: distributed/01-safe-worker.
import queue
import sys
from multiprocessing.managers import BaseManager


class QueueManager(BaseManager):
    pass


QueueManager.register('get_task_queue')
QueueManager.register('get_result_queue')

m = QueueManager(address=('127.0.0.1', int(sys.argv[1])), authkey=b'qiye')
m.connect()
task = m.get_task_queue()
result = m.get_result_queue()

while True:
    try:
        image_url = task.get(timeout=3)   # check and take in one round trip
    except queue.Empty:
        break                             # nothing new for 3 s: done
    print('download image %s' % image_url)
    result.put('success %s' % image_url)
print('work exit')
