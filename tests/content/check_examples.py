#!/usr/bin/env python3
"""Runs the Python examples of some lesson steps, in both languages, and
checks that each prints exactly the output the step states (the ```text
block that follows the example). Prints one line per problem, exits 1 if
there is any. Usage: check_examples.py LESSONS_DIR"""
import os
import re
import subprocess
import sys
import tempfile

# (lesson, step number): steps whose first ```python block is a complete
# program whose output is the ```text block right after it.
EXAMPLES = [
    ("02-filesystem", 7),     # scandir, walk and pathlib
    ("04-processes", 3),      # fork, dup2 and execvp
    ("05-ipc", 10),           # connection.wait and SimpleQueue
    ("05-ipc", 12),           # shared_memory
    ("07-coroutines", 10),    # yield from
]


def steps_of(text):
    return re.split(r"^## .*$", text, flags=re.M)[1:]


def example_of(step):
    m = re.search(r"^```python\n(.*?)^```\n\n```text\n(.*?)^```", step, re.S | re.M)
    return (m.group(1), m.group(2)) if m else (None, None)


def main(root):
    problems = []
    for name, n in EXAMPLES:
        for lang in ("en", "zh"):
            path = os.path.join(root, name, "lesson.%s.md" % lang)
            steps = steps_of(open(path, encoding="utf-8").read())
            code, want = example_of(steps[n - 1]) if n <= len(steps) else (None, None)
            if code is None:
                problems.append("%s: step %d has no example followed by its output" % (path, n))
                continue
            with tempfile.TemporaryDirectory() as d:
                r = subprocess.run([sys.executable, "-c", code], cwd=d, capture_output=True,
                                   text=True, timeout=60)
            if r.returncode != 0 or r.stdout != want:
                problems.append("%s: step %d prints %r, the step says %r%s" % (
                    path, n, r.stdout, want, (" (" + r.stderr.strip() + ")") if r.stderr else ""))
    # the asyncio version of the notes' producer/consumer prints what the notes' does
    for lang in ("en", "zh"):
        path = os.path.join(root, "07-coroutines", "lesson.%s.md" % lang)
        text = open(path, encoding="utf-8").read()
        blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
        notes = [b for b in blocks if "def produce(c):" in b]
        aio = [b for b in blocks if "asyncio.Queue()" in b and "'200 OK'" in b]
        if not notes or not aio:
            problems.append("%s: the producer/consumer example or its asyncio version is missing" % path)
            continue
        out = [subprocess.run([sys.executable, "-c", b], capture_output=True, text=True,
                              timeout=60).stdout for b in (notes[0], aio[0])]
        if out[0] != out[1] or out[0].count("\n") != 15:
            problems.append("%s: the asyncio version prints %r, the notes' %r" % (path, out[1], out[0]))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "lessons"))
