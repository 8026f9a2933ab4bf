#!/usr/bin/env python3
"""Checks the course content of lessons/: the nine topics of the notes, both
languages, the notes' Python and the C underneath in every step, and an
erratum for each known mistake of the notes, the ideas beyond the notes that
some lessons add. Prints one line per problem and
exits 1 if there is any."""
import os
import re
import sys

LESSONS = ["01-files", "02-filesystem", "03-pickle", "04-processes", "05-ipc",
           "06-threads", "07-coroutines", "08-distributed", "09-sockets"]

# For each lesson, strings that must appear inside its ::: erratum blocks,
# in both languages: one per mistake of the notes.
ERRATA = {
    "01-files": ["buffering", "NameError", "ValueError", "bytes", "fsync", "f.closed"],
    "02-filesystem": ["os.listdir", "os.linesep", "os.environ", "basename", "os.makedirs()"],
    "03-pickle": ["bytes", "data.txt", "protocol"],
    "04-processes": ["join", "Pool"],
    "05-ipc": ["queue.Empty", "block", "EOFError", "unix_stream_read_generic", "'start '"],
    "06-threads": ["getName", "start_new_thread", "while True"],
    "07-coroutines": ["patch_all", "async", "1 x 2 y 3 z", "Go 1.14"],
    "08-distributed": ["empty()", "127.0.0.1", "queue.Empty", "Queue(task_number)"],
    "09-sockets": ["bind((", "SOCK_STREAM", "sendall", "listen"],
}

# For each lesson, ideas beyond the notes that it must teach, in both
# languages: strings that must appear somewhere in its text.
IDEAS = {
    "02-filesystem": ["os.scandir", "os.walk", "pathlib", "O_DIRECTORY"],
    "04-processes": ["execvp", "dup2", "ProcessPoolExecutor"],
    "05-ipc": ["shared_memory", "SimpleQueue", "connection.wait", "pickle.dumps"],
    "07-coroutines": ["yield from", "gi_yieldfrom", "asyncio.gather", "patch_all()"],
}


def steps_of(text):
    steps, cur, fence = [], None, None
    for line in text.splitlines():
        m = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
        elif m:
            fence = m.group(1)
        elif line.startswith("## "):
            cur = {"title": line[3:], "text": []}
            steps.append(cur)
            continue
        if cur is not None:
            cur["text"].append(line)
    return steps


def errata_of(text):
    blocks = re.findall(r"^::: erratum\n(.*?)^:::$", text, re.S | re.M)
    return "\n".join(blocks)


def main(root):
    problems = []
    for name in LESSONS:
        for lang in ("en", "zh"):
            path = os.path.join(root, name, "lesson.%s.md" % lang)
            if not os.path.exists(path):
                problems.append("%s: missing" % path)
                continue
            text = open(path, encoding="utf-8").read()
            steps = steps_of(text)
            if len(steps) < 4:
                problems.append("%s: only %d steps" % (path, len(steps)))
            for i, st in enumerate(steps, 1):
                body = "\n".join(st["text"])
                if "```python" not in body:
                    problems.append("%s: step %d (%s) shows no Python" % (path, i, st["title"]))
                if "```c" not in body:
                    problems.append("%s: step %d (%s) shows no C underneath" % (path, i, st["title"]))
            if lang == "zh" and len(re.findall(r"[\u4e00-\u9fff]", text)) < 500:
                problems.append("%s: hardly any Chinese" % path)
            # English prose may quote the notes' Chinese, but not be Chinese
            prose = re.sub(r"```.*?```", "", text, flags=re.S)
            prose = re.sub(r'"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef*]+"|“[^”\n]*”', "", prose)
            if lang == "en" and re.search(r"[\u4e00-\u9fff]{8,}", prose):
                problems.append("%s: untranslated Chinese in the prose" % path)
            for needle in IDEAS.get(name, []):
                if needle not in text:
                    problems.append("%s: does not teach %r" % (path, needle))
            errata = errata_of(text)
            for needle in ERRATA[name]:
                if needle not in errata:
                    problems.append("%s: no erratum mentions %r" % (path, needle))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "lessons"))
