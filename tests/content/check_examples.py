#!/usr/bin/env python3
"""check_examples.py — the code blocks of every lesson, run.

Every ```python and ```c block of every lesson, in both languages, is found
and, where it is a complete program, run: C compiled with cc -Wall and run,
Python run with python3 (each in a scratch directory, stdin empty, with a
deadline). A block followed by a ```text block must print exactly that
text; any other must exit with status 0. A C block without a main() is a
fragment by its nature; every other block that is not a complete program
(a fragment that uses names from an earlier block, a program that needs a
peer or runs forever by design, an output that varies from run to run) is
in the reviewed list REVIEWED below, with the reason. Both languages must
have the same blocks in each step, so that one list serves both.

A reviewed block is run too, with a shorter deadline: if it now exits with
status 0, writes nothing to stderr (gevent prints a greenlet's exception and
carries on) and prints its stated output, if it has one, it is a complete
program and its key in REVIEWED is stale, which is a problem, as is a key
that points at no block.

Python blocks are skipped, saying so, when python3 is not installed, and a
block that imports an optional module (greenlet, gevent, redis) that no
Python here has is skipped, naming it. Prints one line per problem and a
summary line; exits 1 if there is any problem. Usage: check_examples.py
LESSONS_DIR
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

# (lesson, step, kind, n): the n-th block of that kind in the step, counted
# from 1, in both languages. The reason says why it is not run as a program.
FRAGMENT = "fragment: uses names or files of an earlier block"
REVIEWED = {
    ("01-files", 1, "python", 1): "the notes' signature, not code: open(name[.mode[.buffering]])",
    ("01-files", 1, "python", 2): FRAGMENT + " (file)",
    ("01-files", 1, "python", 3): FRAGMENT + " (demo.txt)",
    ("01-files", 3, "python", 1): FRAGMENT + " (f)",
    ("01-files", 3, "python", 2): FRAGMENT + " (demo.txt)",
    ("01-files", 4, "python", 1): FRAGMENT + " (name)",
    ("01-files", 6, "python", 1): FRAGMENT + " (watch)",
    ("01-files", 8, "python", 1): FRAGMENT + " (f)",
    ("01-files", 8, "python", 2): FRAGMENT + " (name)",
    ("01-files", 9, "python", 1): FRAGMENT + " (name)",
    ("02-filesystem", 1, "python", 1): FRAGMENT + " (import os)",
    ("02-filesystem", 1, "python", 2): "a script's own path: __file__ exists only in a file",
    ("02-filesystem", 1, "python", 3): FRAGMENT + " (the folder a)",
    ("02-filesystem", 2, "python", 1): FRAGMENT + " (import os)",
    ("02-filesystem", 3, "python", 1): FRAGMENT + " (import os)",
    ("02-filesystem", 3, "python", 2): FRAGMENT + " (import os)",
    ("02-filesystem", 4, "python", 1): "the notes' code quoted verbatim, with its full-width comma",
    ("02-filesystem", 6, "python", 1): FRAGMENT + " (import os)",
    ("02-filesystem", 6, "python", 2): FRAGMENT + " (a/x.txt)",
    ("02-filesystem", 8, "python", 1): FRAGMENT + " (import os)",
    ("02-filesystem", 8, "python", 2): FRAGMENT + " (import os)",
    ("02-filesystem", 9, "python", 1): FRAGMENT + " (import os)",
    ("02-filesystem", 10, "python", 1): FRAGMENT + " (a/x.txt)",
    ("03-pickle", 1, "python", 1): FRAGMENT + " (import pickle)",
    ("03-pickle", 1, "python", 2): FRAGMENT + " (import pickle)",
    ("03-pickle", 2, "python", 1): FRAGMENT + " (import pickle)",
    ("03-pickle", 5, "python", 1): FRAGMENT + " (import pickle)",
    ("03-pickle", 6, "python", 1): FRAGMENT + " (data.pkl)",
    ("04-processes", 5, "python", 2): "the body of a function, indented as in the notes",
    ("04-processes", 10, "python", 1): "its stated output is two runs side by side (fork | spawn)",
    ("05-ipc", 5, "python", 1): FRAGMENT + " (Queue)",
    ("05-ipc", 8, "python", 1): "runs forever by design: the notes' receiver never ends",
    ("05-ipc", 9, "python", 1): FRAGMENT + " (Pipe)",
    ("05-ipc", 13, "python", 1): "prints measured times, which vary from run to run",
    ("06-threads", 3, "python", 1): "runs forever by design: the notes' while True: pass",
    ("06-threads", 9, "python", 1): "runs forever by design: the notes' while True: pass",
    ("06-threads", 10, "python", 1): FRAGMENT + " (threading, time, var, change_fun)",
    ("06-threads", 21, "python", 1): "blocks forever by design: reads a pipe nobody writes to",
    ("07-coroutines", 6, "python", 1): FRAGMENT + " (c, n: one line each of produce and consumer)",
    ("07-coroutines", 7, "python", 1): FRAGMENT + " (consumer)",
    ("07-coroutines", 8, "python", 1): FRAGMENT + " (consumer)",
    ("07-coroutines", 14, "python", 1): "needs the internet: the notes' three web sites",
    ("07-coroutines", 15, "python", 1): FRAGMENT + " (gevent, run_task, urls)",
    ("07-coroutines", 16, "python", 1): "the body of a function, indented as in the notes",
    ("07-coroutines", 17, "python", 1): "needs the internet: the notes' three web sites",
    ("08-distributed", 3, "python", 1): FRAGMENT + " (BaseManager, get_task, get_result)",
    ("08-distributed", 4, "python", 1): "the body of a function, indented as in the notes",
    ("08-distributed", 5, "python", 1): "needs a peer: the notes' server on 127.0.0.1:8001",
    ("08-distributed", 6, "python", 1): FRAGMENT + " (task, result, time)",
    ("08-distributed", 8, "python", 1): FRAGMENT + " (task_number, result, task, queue)",
    ("08-distributed", 9, "python", 1): FRAGMENT + " (QueueManager)",
    ("08-distributed", 11, "python", 1): FRAGMENT + " (r, a redis.Redis)",
    ("08-distributed", 12, "python", 1): FRAGMENT + " (r, a redis.Redis; do)",
    ("09-sockets", 2, "python", 1): "the notes' signatures, not code: socket.socket([family[, type[, proto]]])",
    ("09-sockets", 3, "python", 1): "the notes' mistake, shown raising: bind() takes one tuple",
    ("09-sockets", 4, "python", 1): "needs a peer: the notes' server on port 9999",
    ("09-sockets", 4, "python", 2): FRAGMENT + " (s)",
    ("09-sockets", 5, "python", 1): FRAGMENT + " (clientsocket)",
    ("09-sockets", 6, "python", 1): FRAGMENT + " (s, host, port, serversocket)",
    ("09-sockets", 8, "python", 1): FRAGMENT + " (serversocket)",
    ("09-sockets", 8, "python", 2): FRAGMENT + " (serversocket)",
    ("09-sockets", 8, "python", 3): "a server: runs forever by design, waiting in accept()",
    ("09-sockets", 9, "python", 1): "a server: runs forever by design, waiting in select()",
    ("09-sockets", 10, "python", 1): "a server: runs forever by design, in serve_forever()",
}

# Blocks that are complete programs but do not yet do what their lesson
# says, in lessons this check may not edit: reported, not failed, so that
# they stay on the lead's list until their owner fixes them.
KNOWN_WRONG = {}

BLOCK = re.compile(r"^```(python|c)[ \t]*\n(.*?)^```[ \t]*\n"
                   r"(?:[ \t]*\n)*(?:```text[ \t]*\n(.*?)^```)?", re.S | re.M)
C_MAIN = re.compile(r"^\s*int\s+main\s*\(", re.M)
IMPORT = re.compile(r"^\s*(?:import|from)\s+(greenlet|gevent|redis)\b", re.M)
DEADLINE = 60           # seconds a block may run (a loaded machine)
REVIEW_DEADLINE = 10    # seconds a reviewed block gets to show it now runs fine
# The Pythons an optional module is looked for in, in order: the python3 on
# PATH (perhaps a pyenv one, without Debian's python3-gevent), then the
# system's /usr/bin/python3, where apt installs python3-gevent. A block that
# imports such a module runs with the first of them that has it.
PYTHONS = ("python3", "/usr/bin/python3")


def steps_of(text):
    return re.split(r"^## .*$", text, flags=re.M)[1:]


def blocks_of(path):
    """{(step, kind, n): (code, stated output or None)} of a lesson file."""
    out = {}
    for s, step in enumerate(steps_of(open(path, encoding="utf-8").read()), 1):
        count = {}
        for m in BLOCK.finditer(step):
            kind = m.group(1)
            count[kind] = count.get(kind, 0) + 1
            out[(s, kind, count[kind])] = (m.group(2), m.group(3))
    return out


def python_with(name, cache={}):
    """The first of PYTHONS that can import the module name, or None."""
    if name not in cache:
        cache[name] = None
        for py in PYTHONS:
            try:
                ok = subprocess.run([py, "-c", "import " + name],
                                    capture_output=True).returncode == 0
            except OSError:
                ok = False
            if ok:
                cache[name] = py
                break
    return cache[name]


def netns_prefix(cache=[]):
    """A network namespace of its own for each program, where one can be
    made (as root): a port an example binds (9999) is then its own, not
    another test's. [] where it cannot."""
    if not cache:
        pre = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
        try:
            ok = subprocess.run(pre + ["true"], capture_output=True,
                                timeout=20).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        cache.append(pre if ok else [])
    return cache[0]


def run_block(kind, code, python="python3", deadline=DEADLINE):
    """(status, stdout, stderr) of one complete program; status None when
    it ran past the deadline, "cc" when it did not compile."""
    with tempfile.TemporaryDirectory(prefix="systour-example-") as d:
        if kind == "c":
            with open(os.path.join(d, "example.c"), "w", encoding="utf-8") as f:
                f.write(code)
            cc = subprocess.run(["cc", "-Wall", "-o", "example", "example.c",
                                 "-lpthread"], cwd=d, capture_output=True, text=True)
            if cc.returncode != 0 or cc.stderr.strip():
                return "cc", "", cc.stderr
            argv = [os.path.join(d, "example")]
        else:
            argv = [python, "-c", code]
        try:
            r = subprocess.run(netns_prefix() + argv, cwd=d, capture_output=True, text=True,
                               timeout=deadline, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return None, "", ""
        return r.returncode, r.stdout, r.stderr


def main(root):
    problems, notes = [], []
    have_python = shutil.which("python3") is not None
    have_cc = shutil.which("cc") is not None
    if not have_python:
        notes.append("skipped every Python block: python3 is not installed")
    if not have_cc:
        notes.append("skipped every C block: cc is not installed")
    jobs = []           # (where, key, kind, code, want, python, reviewed)
    seen = set()
    for lesson in sorted(os.listdir(root)):
        if not re.match(r"\d\d-", lesson):
            continue
        per_lang = {}
        for lang in ("en", "zh"):
            path = os.path.join(root, lesson, "lesson.%s.md" % lang)
            if os.path.exists(path):
                per_lang[lang] = (path, blocks_of(path))
        if len(per_lang) == 2 and set(per_lang["en"][1]) != set(per_lang["zh"][1]):
            diff = sorted(set(per_lang["en"][1]) ^ set(per_lang["zh"][1]))
            problems.append("%s: en and zh differ in their code blocks: %s" % (
                lesson, ", ".join("step %d %s %d" % k for k in diff)))
        for lang, (path, blocks) in per_lang.items():
            for (step, kind, n), (code, want) in blocks.items():
                key = (lesson, step, kind, n)
                seen.add(key)
                where = "%s: step %d, %s block %d" % (path, step, kind, n)
                if key in KNOWN_WRONG:
                    continue
                reviewed = key in REVIEWED
                if kind == "c" and not C_MAIN.search(code):
                    if reviewed:
                        problems.append("%s: in REVIEWED, but a C block without main() "
                                        "is a fragment anyway" % where)
                    continue    # a fragment: no main()
                if kind == "python" and not have_python or kind == "c" and not have_cc:
                    continue
                m = IMPORT.search(code) if kind == "python" else None
                python = python_with(m.group(1)) if m else "python3"
                if python is None:
                    if not reviewed:
                        notes.append("skipped %s: needs the module %s, which no python3 "
                                     "here has (%s)" % (where, m.group(1), ", ".join(PYTHONS)))
                    continue
                jobs.append((where, key, kind, code, want, python, reviewed))
    for key in sorted(set(REVIEWED) | set(KNOWN_WRONG)):
        if key not in seen:
            problems.append("check_examples.py: the reviewed block %s step %d %s %d "
                            "is no longer in the lessons" % key)

    ran = matched = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda j: run_block(j[2], j[3], j[5],
                                               REVIEW_DEADLINE if j[6] else DEADLINE), jobs)
        for (where, key, kind, code, want, python, reviewed), (status, out, err) in zip(jobs, results):
            if reviewed:
                if status == 0 and not err.strip() and (want is None or out == want):
                    problems.append("%s: in REVIEWED (%s), but it runs fine as a complete "
                                    "program: check it, and drop its key" % (where, REVIEWED[key]))
                continue
            ran += 1
            tail = (" (" + err.strip().splitlines()[-1] + ")") if err.strip() else ""
            if status == "cc":
                problems.append("%s: does not compile with cc -Wall: %s" % (where, err.strip()[:300]))
            elif status is None:
                problems.append("%s: still running after %d s" % (where, DEADLINE))
            elif status != 0:
                problems.append("%s: exits with status %d%s" % (where, status, tail))
            elif want is not None and out != want:
                problems.append("%s: prints %r, the lesson says %r" % (where, out, want))
            elif want is not None:
                matched += 1

    # the asyncio version of the notes' producer/consumer prints what the notes' does
    for lang in ("en", "zh") if have_python else ():
        path = os.path.join(root, "07-coroutines", "lesson.%s.md" % lang)
        if not os.path.exists(path):
            continue
        text = open(path, encoding="utf-8").read()
        blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
        notes_b = [b for b in blocks if "def produce(c):" in b]
        aio = [b for b in blocks if "asyncio.Queue()" in b and "'200 OK'" in b]
        if not notes_b or not aio:
            problems.append("%s: the producer/consumer example or its asyncio version is missing" % path)
            continue
        out = [subprocess.run(["python3", "-c", b], capture_output=True, text=True,
                              timeout=DEADLINE).stdout for b in (notes_b[0], aio[0])]
        if out[0] != out[1] or out[0].count("\n") != 15:
            problems.append("%s: the asyncio version prints %r, the notes' %r" % (path, out[1], out[0]))

    for n in notes:
        print(n)
    for key, why in sorted(KNOWN_WRONG.items()):
        print("known wrong, for the lead: %s step %d %s block %d: %s" % (key + (why,)))
    for p in problems:
        print(p)
    print("%d blocks run, %d checked against their stated output, %d reviewed as "
          "not complete programs, %d problems" % (ran, matched, len(REVIEWED), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "lessons"))
