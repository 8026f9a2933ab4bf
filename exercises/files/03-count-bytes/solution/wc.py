# Solution: files/03-count-bytes.
import sys

name = sys.argv[1]
lines = words = nbytes = 0
in_word = False
with open(name, 'rb') as f:
    while chunk := f.read(65536):
        nbytes += len(chunk)
        lines += chunk.count(b'\n')
        # a word split across two chunks must be counted once
        parts = chunk.split()
        words += len(parts)
        if in_word and parts and not chunk[:1].isspace():
            words -= 1
        in_word = not chunk[-1:].isspace()
print(lines, words, nbytes, name)
