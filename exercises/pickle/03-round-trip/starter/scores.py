# 任务：scores.py 把分数保存在当前目录的 scores.pkl 里：一个 dict，
#   名字 -> 整数列表（按加入的先后顺序）。
#     python3 scores.py add NAME SCORE   把 SCORE 加到 NAME 的列表末尾
#     python3 scores.py show             按名字排序，每人一行 "NAME: s1 s2 ..."
#   每次运行都是一个新进程：add 必须先 load 已有的 dict（文件不存在时为空），
#   再 dump 回去（用二进制模式 'rb' / 'wb'）。
# Task: scores.py keeps scores in scores.pkl in the current directory: a dict
#   name -> list of ints (in the order they were added).
#     python3 scores.py add NAME SCORE   appends SCORE to NAME's list
#     python3 scores.py show             one line "NAME: s1 s2 ..." per name, sorted
#   Each run is a new process: add must load the existing dict first (empty
#   when the file does not exist yet), then dump it back (binary mode 'rb'/'wb').
import pickle
import sys

FILE = 'scores.pkl'

if sys.argv[1] == 'add':
    scores = {}                              # forgets what earlier runs saved
    scores.setdefault(sys.argv[2], []).append(int(sys.argv[3]))
    with open(FILE, 'wb') as f:
        pickle.dump(scores, f)
elif sys.argv[1] == 'show':
    with open(FILE, 'rb') as f:
        scores = pickle.load(f)
    for name in sorted(scores):
        print('%s: %s' % (name, ' '.join(str(s) for s in scores[name])))
