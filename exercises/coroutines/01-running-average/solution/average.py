# Solution: coroutines/01-running-average.
import sys


def averager():
    total = 0.0
    count = 0
    average = None
    while True:
        x = yield average          # hand the last average out, take the next x in
        total += x
        count += 1
        average = total / count


if __name__ == '__main__':
    g = averager()
    next(g)
    for arg in sys.argv[1:]:
        x = float(arg)
        print('%s -> %.2f' % (arg, g.send(x)))
