# 任务：完成生成器 averager()：先用 next(g)（或 g.send(None)）启动它，之后每次
#   g.send(x) 都返回到目前为止所有 x 的平均值（float）。total 和 count 留在生成器的
#   帧里，不要用全局变量。g.close() 之后它就结束了。
#   python3 average.py X1 X2 ... 对每个数打印一行 "<x> -> <平均值>"（平均值用 %.2f）。
# Task: finish the generator averager(): start it with next(g) (or
#   g.send(None)); after that each g.send(x) returns the average (a float) of
#   every x sent so far. total and count live in the generator's frame, not in
#   globals. After g.close() it is finished.
#   python3 average.py X1 X2 ... prints one line "<x> -> <average>" per
#   number (the average with %.2f).
import sys


def averager():
    total = 0.0
    count = 0
    while True:
        x = yield                  # TODO: yield the average back to send()
        total += x
        count += 1


if __name__ == '__main__':
    g = averager()
    next(g)
    for arg in sys.argv[1:]:
        x = float(arg)
        print('%s -> %.2f' % (arg, g.send(x)))
