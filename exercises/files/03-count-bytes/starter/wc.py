# 任务：python3 wc.py FILE 像 `wc FILE` 一样打印 "行数 单词数 字节数 FILE"。
#   行数 = b'\n' 的个数；单词 = 用空白（空格、\t、\n、\r、\v、\f）分开的非空
#   字节序列；字节数 = 文件大小。文件可以是任意字节（不一定是 UTF-8），
#   所以用二进制模式 'rb' 打开并按块读取。
# Task: python3 wc.py FILE prints "LINES WORDS BYTES FILE" as `wc FILE` does.
#   lines = the number of b'\n'; words = non-empty runs of bytes separated by
#   whitespace (space, \t, \n, \r, \v, \f); bytes = the file's size. The file
#   may hold any bytes (not necessarily UTF-8): open it in binary mode 'rb'
#   and read it in chunks.
import sys

name = sys.argv[1]
with open(name) as f:            # text mode: decodes, and counts characters
    text = f.read()
print(text.count('\n'), len(text.split()), len(text), name)
