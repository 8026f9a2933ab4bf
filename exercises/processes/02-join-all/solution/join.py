# Solution: processes/02-join-all.
import sys
import time
from multiprocessing import Process


def work(i, seconds):
    time.sleep(seconds)
    sys.stdout.write('child %d done\n' % i)   # one write: lines of processes do not mix


if __name__ == '__main__':
    procs = []
    for i, s in enumerate(sys.argv[1:], 1):
        p = Process(target=work, args=(i, float(s)))
        p.start()
        procs.append(p)
    for p in procs:
        p.join()
    print('end')
