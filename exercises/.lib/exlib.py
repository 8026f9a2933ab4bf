# exlib.py — what every exercise check shares: TAP output in the learner's
# language, running the learner's program ($EX_RUN) as the check's own child
# with a deadline, finding its children in /proc, and cleaning up after it.
# A check does: sys.path.insert(0, <exercises>/.lib); from exlib import *
# (.lib starts with a dot so that the catalogue does not take it for a lesson).
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

EX_DIR = os.environ.get('EX_DIR', os.getcwd())
EX_RUN = os.environ.get('EX_RUN', './prog')
EX_SRC = os.environ.get('EX_SRC', os.path.dirname(os.path.abspath(sys.argv[0])))
ZH = os.environ.get('EX_LANG', 'en') == 'zh'
_n = [0]
captured = [False]


def tr(en, zh):
    return zh if ZH else en


def ok(cond, en, zh, output=''):
    """Print one TAP test line, then its output as '# ' lines."""
    _n[0] += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', _n[0], tr(en, zh)))
    if output and not cond:
        for line in str(output).rstrip('\n').split('\n')[:20]:
            print('# ' + line[:200])
    sys.stdout.flush()
    return cond


def skip(en, zh):
    _n[0] += 1
    print('ok %d - %s # SKIP' % (_n[0], tr(en, zh)))
    sys.stdout.flush()


def have(cmd):
    return shutil.which(cmd) is not None


def cmdline(args):
    """The shell command running the learner's program with ARGS."""
    return 'exec %s %s' % (EX_RUN, ' '.join(_q(str(a)) for a in args))


def _q(s):
    return "'" + s.replace("'", "'\\''") + "'"


def capture(out):
    # tests/exercises uses this to build a program that only prints what the
    # solution printed at its first run
    path = os.environ.get('EX_CAPTURE')
    if path and not captured[0]:
        captured[0] = True
        with open(path, 'wb') as f:
            f.write(out if isinstance(out, bytes) else out.encode())


class Result:
    def __init__(self, rc, out, err, timed_out, pid, elapsed):
        self.rc, self.out, self.err = rc, out, err
        self.timed_out, self.pid, self.elapsed = timed_out, pid, elapsed

    def show(self):
        s = ''
        if self.timed_out:
            s += tr('(still running after the deadline: killed)\n',
                    '(超时仍在运行：已被杀掉)\n')
        else:
            s += tr('exit status %d\n' % self.rc, '退出状态 %d\n' % self.rc)
        if self.out:
            s += 'stdout:\n' + self.out[-1500:]
        if self.err:
            s += '\nstderr:\n' + self.err[-1500:]
        return s


def start(args=(), stdin=subprocess.DEVNULL, prefix=(), **kw):
    """Start the learner's program (with PREFIX, e.g. strace) in EX_DIR."""
    argv = list(prefix) + ['sh', '-c', cmdline(args)]
    if prefix and 'env' not in kw:
        # LeakSanitizer does not work under ptrace
        env = dict(os.environ)
        env['ASAN_OPTIONS'] = (env.get('ASAN_OPTIONS', '') + ':detect_leaks=0').lstrip(':')
        kw['env'] = env
    return subprocess.Popen(argv, cwd=EX_DIR, stdin=stdin,
                            stdout=kw.pop('stdout', subprocess.PIPE),
                            stderr=kw.pop('stderr', subprocess.PIPE),
                            start_new_session=True, **kw)


def killgroup(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        pass


def run(args=(), input=None, timeout=5.0, prefix=(), text=True):
    """Run the learner's program to its end (or the deadline)."""
    t0 = time.monotonic()
    p = start(args, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
              prefix=prefix)
    timed_out = False
    data = input.encode() if isinstance(input, str) else input
    try:
        out, err = p.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        killgroup(p)
        out, err = p.communicate()
    killgroup(p)
    capture(out)
    if text:
        out = out.decode('utf-8', 'replace')
    err = err.decode('utf-8', 'replace')
    return Result(p.returncode, out, err, timed_out, p.pid, time.monotonic() - t0)


def finish(p, timeout=5.0, text=True):
    """Wait for a started program: (out, err, timed_out); kills its group."""
    timed_out = False
    if p.stdin is not None and p.stdin.closed:
        p.stdin = None
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        killgroup(p)
        out, err = p.communicate()
    killgroup(p)
    out, err = out or b'', err or b''
    capture(out)
    if text:
        out = out.decode('utf-8', 'replace')
    return out, err.decode('utf-8', 'replace'), timed_out


def become_subreaper():
    """Orphans of the learner's program become our children, so we see them."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)     # PR_SET_CHILD_SUBREAPER
        return True
    except Exception:
        return False


def proc_stat(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(')') + 2:].split()
    return rest[0], int(rest[1])       # state, ppid


def children_of(pid):
    """[(pid, state)] of the processes whose parent is PID."""
    kids = []
    for d in os.listdir('/proc'):
        if d.isdigit():
            st = proc_stat(int(d))
            if st and st[1] == pid:
                kids.append((int(d), st[0]))
    return kids


def leftovers():
    """Our own children other than what we are still running: the learner's
    orphans (we are a subreaper). Returns them, after killing and reaping."""
    me = os.getpid()
    left = []
    for pid, state in children_of(me):
        try:
            cmd = open('/proc/%d/cmdline' % pid, 'rb').read().replace(b'\0', b' ').decode('utf-8', 'replace')
        except OSError:
            cmd = '?'
        left.append('%d %s %s' % (pid, state, cmd.strip()))
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                time.sleep(0.01)
        except ChildProcessError:
            break
    return left


def wait_for(cond, timeout=3.0, step=0.01, proc=None):
    """Poll COND until it is true or the deadline passes (or PROC, the
    learner's program, has exited: then one last look)."""
    deadline = time.monotonic() + timeout
    while True:
        gone = proc is not None and proc.poll() is not None
        v = cond()
        if v or gone or time.monotonic() > deadline:
            return v
        time.sleep(step)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connect_retry(port, timeout=3.0, proc=None):
    """Connect to 127.0.0.1:PORT, retrying while the server (PROC) starts."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(('127.0.0.1', port), timeout=timeout)
        except OSError:
            if time.monotonic() > deadline or (proc is not None and proc.poll() is not None):
                raise
            time.sleep(0.02)


def strace_pids(log):
    """PIDs of the processes created, from an 'strace -f -e trace=process' log."""
    import re
    pids = set()
    for line in log.splitlines():
        m = re.search(r'(?:v?fork|clone3?)(?:\(| resumed>).*\)\s*=\s*(\d+)', line)
        if m:
            pids.add(int(m.group(1)))
    return pids


def learner_module(name=None):
    """Import the learner's first python file as a module (in this process)."""
    import importlib.util
    path = os.path.join(EX_DIR, name or EX_RUN.split()[-1])
    spec = importlib.util.spec_from_file_location('learner', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


rng = random.Random()


def strace_works():
    """strace is installed and allowed to trace here (ptrace may be denied)."""
    if not have('strace'):
        return False
    try:
        r = subprocess.run(['strace', '-o', '/dev/null', 'true'], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=5)
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
