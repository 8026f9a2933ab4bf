#!/usr/bin/env python3
# exercise-watch-latency.py — from a save to the result in watch mode:
# runs `systour watch EX --json` on a small Python exercise, saves the
# learner's file N times the way editors do (a new file renamed over the
# old one), and times each save to the JSON result line on watch's stdout.
# Reports the median of (save -> result) and of that minus the check's own
# time (run_ms: the runner's whole run, so what remains is inotify, the
# debounce of watch.h and printing). Usage: exercise-watch-latency.py [N]
# (SYSTOUR: the program).
import json, os, select, statistics, subprocess, sys, tempfile, time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
systour = os.environ.get("SYSTOUR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "systour")
t = tempfile.mkdtemp()
ex = os.path.join(t, "ex", "bench", "01-watch")
os.makedirs(os.path.join(ex, "starter"))
open(os.path.join(ex, "exercise.ini"), "w").write(
    "title.en = w\ntitle.zh = w\ntrack = python\nfiles = prog.py\n")
open(os.path.join(ex, "starter", "prog.py"), "w").write("print(1)\n")
open(os.path.join(ex, "check"), "w").write(
    "#!/bin/sh\n$EX_RUN >/dev/null && echo 'ok 1 - ran'\n")
os.chmod(os.path.join(ex, "check"), 0o755)
env = dict(os.environ, SYSTOUR_EXERCISES=os.path.join(t, "ex"),
           HOME=os.path.join(t, "home"))
os.makedirs(env["HOME"])
ws = os.path.join(t, "ws")
p = subprocess.Popen([systour, "watch", "bench/01-watch", "--json",
                      "--workspace", ws], stdout=subprocess.PIPE,
                     stdin=subprocess.DEVNULL, env=env)

def result(deadline=30):
    end = time.monotonic() + deadline
    line = b""
    while time.monotonic() < end:
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if r:
            c = os.read(p.stdout.fileno(), 1)
            if not c:
                break
            line += c
            if c == b"\n":
                if line.startswith(b"{"):
                    return json.loads(line), time.monotonic()
                line = b""
    raise SystemExit("no result")

result()        # the first check, at start
total, beyond = [], []
dst = os.path.join(ws, "bench", "01-watch", "prog.py")
for i in range(n):
    tmp = dst + ".tmp"
    open(tmp, "w").write("print(%d)\n" % i)
    t0 = time.monotonic()
    os.rename(tmp, dst)
    r, t1 = result()
    ms = (t1 - t0) * 1000
    total.append(ms)
    beyond.append(ms - r["run_ms"] - r["compile_ms"])
    time.sleep(0.3)     # not a wait for the result: a spell between saves
p.terminate()
p.wait()
print("saves %d: save -> result median %.0f ms; beyond the check's own run "
      "median %.0f ms (min %.0f, max %.0f)" % (n, statistics.median(total),
      statistics.median(beyond), min(beyond), max(beyond)))
