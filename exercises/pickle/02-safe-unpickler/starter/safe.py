# 任务：python3 safe.py FILE 从 FILE 读取一个 pickle，打印它的 repr()。
#   FILE 可能来自不可信的一方：继承 pickle.Unpickler 并重写 find_class，只允许
#   白名单里的全局名字：builtins.set、builtins.frozenset、builtins.complex、
#   collections.OrderedDict。遇到其他任何全局名字（os.system、builtins.eval……）
#   不要导入它，在 stderr 打印一行 "refused: 模块.名字"，退出状态 1。
#   （protocol 0-2 把 builtins 写成 Python 2 的名字 __builtin__。）
# Task: python3 safe.py FILE reads one pickle from FILE and prints its repr().
#   FILE may come from someone you do not trust: subclass pickle.Unpickler and
#   override find_class to allow only the globals on an allow-list:
#   builtins.set, builtins.frozenset, builtins.complex, collections.OrderedDict.
#   For any other global (os.system, builtins.eval...) do not import it: print
#   one line "refused: module.name" on stderr and exit with status 1.
#   (Protocols 0-2 name builtins by its Python 2 name, __builtin__.)
import pickle
import sys

with open(sys.argv[1], 'rb') as f:
    obj = pickle.load(f)          # runs whatever the file names
print(repr(obj))
