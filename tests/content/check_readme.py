#!/usr/bin/env python3
"""check_readme.py — the README names only what a clone has: every path in
its code blocks exists in the repository, and every `systour ...` line of
its code blocks runs, as written, with status 0 (from the top of the
repository, with the built ./systour first on PATH and a scratch progress
database). The manager lines run with the README's worker line against
them, inside a network namespace of their own so that port 8001 is theirs
alone (skipped, saying so, where a namespace cannot be made).

usage: check_readme.py TOP   (prints one line per check; exit 1 on a failure)
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
failures = 0


def fail(msg):
    global failures
    failures += 1
    print('FAIL ' + msg)


def code_blocks(text):
    """(first line number, lines) of every fenced block."""
    blocks, cur, start = [], None, 0
    for n, line in enumerate(text.split('\n'), 1):
        if line.startswith('```'):
            if cur is None:
                cur, start = [], n + 1
            else:
                blocks.append((start, cur))
                cur = None
        elif cur is not None:
            cur.append(line)
    return blocks


PATH_RE = re.compile(r'^(?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]*$')


def words_that_are_paths(line):
    """Words that name a file or folder of the repository: with a slash,
    no host:port, not an option, not a variable."""
    out = []
    for w in re.split(r'[\s;,()]+', line.split('#', 1)[0] if line.lstrip().startswith('systour') else line):
        w = w.strip('`\'"')
        if not w or w.startswith(('-', '$', '/', 'http')) or ':' in w:
            continue
        if PATH_RE.match(w):
            out.append(w)
    return out


def command(line):
    """The shell command of a line of a code block (its comment dropped),
    or None when the line runs no systour."""
    try:
        toks = shlex.split(line, comments=True)
    except ValueError:
        return None
    if 'systour' not in toks:
        return None
    # keep the line's own redirections and pipes: drop only the comment
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.commenters = '#'
    lexer.whitespace_split = True
    return ' '.join(shlex.quote(t) if t not in ('|', '<', '>') else t
                    for t in lexer)


def run(cmd, env, timeout=120):
    p = subprocess.run(['bash', '-c', cmd], cwd=TOP, env=env, timeout=timeout,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def netns_ok():
    try:
        p = subprocess.run(['unshare', '-n', 'ip', 'link', 'set', 'lo', 'up'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=20)
        return p.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def main():
    text = open(os.path.join(TOP, 'README.md'), encoding='utf-8').read()
    if '../' in text:
        fail('README.md names a path outside the repository (../)')
    tmp = tempfile.mkdtemp(prefix='systour-readme-')
    bindir = os.path.join(tmp, 'bin')
    os.mkdir(bindir)
    os.symlink(os.path.join(TOP, 'systour'), os.path.join(bindir, 'systour'))
    env = dict(os.environ, PATH=bindir + ':' + os.environ.get('PATH', ''),
               XDG_DATA_HOME=os.path.join(tmp, 'data'),
               SYSTOUR_LESSONS=os.path.join(TOP, 'lessons'), LANG='C.UTF-8')
    env.pop('LC_ALL', None)
    managers, worker = [], None
    npaths = ncmds = 0
    for start, lines in code_blocks(text):
        for i, line in enumerate(lines):
            where = 'README.md:%d' % (start + i)
            for w in words_that_are_paths(line):
                npaths += 1
                if not os.path.exists(os.path.join(TOP, w)):
                    fail('%s: %s is not in the repository' % (where, w))
            cmd = command(line)
            if cmd is None:
                continue
            if re.match(r'systour manager\b', cmd):
                managers.append((where, cmd))
                continue
            if re.match(r'systour worker\b', cmd):
                worker = (where, cmd)
                continue
            ncmds += 1
            rc, out, err = run(cmd, env)
            if rc != 0:
                fail('%s: `%s` exited %d: %s' % (where, cmd, rc, err.strip()[-300:]))
            else:
                print('ok %s: %s' % (where, cmd))
    if managers:
        if worker is None:
            fail('README.md: a manager line but no worker line to run against it')
        elif not netns_ok():
            print('skip the manager and worker lines: no network namespace '
                  '(unshare -n) here to give them port 8001 alone')
        else:
            for where, cmd in managers:
                ncmds += 1
                # the worker starts once the manager says it listens
                script = ('ip link set lo up; %s > "$T/m.out" 2>&1 & m=$!; '
                          'for i in $(seq 600); do grep -q listening "$T/m.out" && break; '
                          'kill -0 $m 2>/dev/null || break; sleep 0.05; done; '
                          '%s > "$T/w.out" 2>&1; w=$?; wait $m; m=$?; '
                          'echo "worker $w manager $m"; [ $w -eq 0 ] && [ $m -eq 0 ]'
                          % (cmd, worker[1]))
                p = subprocess.run(['unshare', '-n', 'bash', '-c', script], cwd=TOP,
                                   env=dict(env, T=tmp), timeout=180,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if p.returncode != 0:
                    fail('%s: `%s` with `%s`: %s' % (where, cmd, worker[1],
                         p.stdout.decode(errors='replace').strip()))
                else:
                    print('ok %s: %s, with %s: %s' % (where, cmd, worker[0],
                          worker[1]))
    print('%d paths, %d command lines checked, %d failed' % (npaths, ncmds, failures))
    subprocess.run(['rm', '-rf', tmp])
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
