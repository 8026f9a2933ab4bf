# 任务：python3 worker.py PORT 是讲义里的任务进程：连接 127.0.0.1:PORT 上的
#   QueueManager（authkey b'qiye'），从 get_task_queue() 取任务，对每个任务 url
#   打印 "download image <url>"，并向 get_result_queue() 放入 'success <url>'。
#   服务进程可能在你连接之后才放入任务：不要用 empty() 判断（检查和取出之间有竞争），
#   改用 task.get(timeout=3) 并捕获 queue.Empty：3 秒内没有新任务就认为工作结束，
#   打印 "work exit" 并退出（状态 0）。去掉 time.sleep(1)。
# Task: python3 worker.py PORT is the notes' task process: it connects to the
#   QueueManager on 127.0.0.1:PORT (authkey b'qiye'), takes tasks from
#   get_task_queue(), prints "download image <url>" for each url and puts
#   'success <url>' into get_result_queue(). The service process may put the
#   tasks only after you connect: do not test empty() (checking and taking
#   race); call task.get(timeout=3) and catch queue.Empty instead: no new task
#   for 3 s means the work is done, so print "work exit" and exit (status 0).
#   Drop the time.sleep(1).
import sys
import time
from multiprocessing.managers import BaseManager


class QueueManager(BaseManager):
    pass


QueueManager.register('get_task_queue')
QueueManager.register('get_result_queue')

m = QueueManager(address=('127.0.0.1', int(sys.argv[1])), authkey=b'qiye')
m.connect()
task = m.get_task_queue()
result = m.get_result_queue()

while not task.empty():               # empty now does not mean empty later
    image_url = task.get(timeout=5)
    print('download image %s' % image_url)
    time.sleep(1)
    result.put('success %s' % image_url)
print('work exit')
