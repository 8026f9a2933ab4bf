# Solution: processes/03-pool-results.
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
    results = [p.apply_async(task, (i, salt)) for i in range(n)]
    p.close()                     # no more tasks: the workers exit when done
    p.join()                      # wait for every worker
    for i, r in enumerate(results):
        value, pid = r.get()
        print('%d -> %d (pid %d)' % (i, value, pid))
