# Solution: filesystem/02-find-by-ext.
import os
import sys

top, ext = sys.argv[1], sys.argv[2]
found = []
for dirpath, dirnames, filenames in os.walk(top):   # followlinks=False
    for name in filenames:
        path = os.path.join(dirpath, name)
        if os.path.splitext(name)[1] == ext and os.path.isfile(path):
            found.append(path)
for path in sorted(found):
    print(path)
