# 任务：python3 copy.py SRC DST 把 SRC 复制为 DST。
#   1. 按块复制（每块最多 64 KiB），不要一次读入整个文件：SRC 可能是一个还在
#      被写入的管道，DST 应该随着数据到来而增长。
#   2. 用 with 打开两个文件，出错时也会关闭它们。
#   3. 任何 OSError（SRC 不存在、磁盘满……）：在 stderr 打印一行
#      "copy.py: 原因"，退出状态 1，不要打印 Traceback。
# Task: python3 copy.py SRC DST copies SRC to DST.
#   1. Copy in chunks (at most 64 KiB each), never reading the whole file at
#      once: SRC may be a pipe still being written, and DST should grow as the
#      data arrives.
#   2. Open both files with `with`, so they are closed even on an error.
#   3. On any OSError (SRC missing, disk full...): print one line
#      "copy.py: reason" on stderr and exit with status 1, no traceback.
import sys

src, dst = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
out = open(dst, 'wb')
out.write(data)
