#!/usr/bin/env python3
"""check_strings.py — every string a learner sees comes in English and
Chinese: this finds the ones that do not.

The project pairs its strings where they are used (the catalogue is the
source itself): L(lang, "en", "zh") and LD("en", "zh") (app/core/lang.h),
DEMO_TR(api, ctx, "en", "zh") in demos (app/demo/lesson_module.h), and
initializers that give a Chinese string right after its English one
(.help_en = "...", .help_zh = "..."; { "--opt", "en", "zh" }; title and
title_zh), and arrays NAME whose twin NAME_zh is in the same file (a demo's
panes and panes_zh). Any other string literal in app/**/*.c and
lessons/*/*.c that reads as language — two English words, or any Chinese —
is reported as FILE:LINE: "text", unless it is

  - in a context that is not shown to anyone: SQL, #include and #error
    lines, the arguments of the calls in NOT_SHOWN (strcmp, getenv, exec...),
    _Static_assert;
  - the notes' code, which a demo shows as it is: array initializers named
    *code* / *py* / *src* and string arguments of api->step-like calls;
  - in tests/content/strings_allow.txt: one literal per line, exactly as in
    the source (between the quotes), each reviewed: protocol tokens, file
    formats, names that are not translated.

Usage: check_strings.py [--pending FILE] [PATH...]  (default: the tree)
With --pending, FILE lists source files (one per line, # comments) still
being translated: those may have findings (their count is printed) but must
have at least one, so the list only shrinks; every other file must have
none. Exit status 1 when a file breaks that, 0 otherwise.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# TR(en, zh) is a demo file's own, where its helpers do not see the ctx
PAIR_CALLS = {"L", "LD", "DEMO_TR", "TR"}
# calls whose string arguments nobody reads as language
NOT_SHOWN = {
    "strcmp", "strncmp", "strcasecmp", "strncasecmp", "strstr", "strchr",
    "strrchr", "strspn", "strcspn", "getenv", "setenv", "unsetenv", "open",
    "openat", "fopen", "popen", "execl", "execlp", "execle", "execv",
    "execvp", "execve", "dlsym", "dlopen", "sscanf", "fscanf", "scanf",
    "sqlite3_exec", "sqlite3_prepare_v2", "sqlite3_prepare_v3", "db_int",
    "sql_exec", "sql_int", "sql_text", "_Static_assert", "static_assert",
    "assert", "fnmatch", "regcomp", "strtok", "strtok_r", "mkstemp",
    "cmd_has", "line_of", "tigetstr", "tputs", "putp", "setlocale", "nl_langinfo",
    "access", "stat", "lstat", "unlink", "rename", "mkdir", "opendir",
    "chdir", "system", "__asm__", "asm", "memcmp", "memmem",
    # the label of a failed call, before the C library's own message
    "perror",
}
SQL = re.compile(r"^\s*(SELECT|INSERT|DELETE|UPDATE|CREATE|PRAGMA|BEGIN|COMMIT|ROLLBACK|ON CONFLICT|VALUES|WHERE|ORDER BY|FROM)\b")
CODE_ARRAY = re.compile(r"(code|py|src|source|notes|program|script)", re.I)
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z]{2,}")
CONV = re.compile(r"%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp%]")
ESC = re.compile(r"\\(?:[ntr0\\\"'abfv]|x[0-9a-fA-F]+|[0-7]{1,3})")

TOKEN = re.compile(r'''
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<pp>^[ \t]*\#[^\n]*(?:\\\n[^\n]*)*)
  | (?P<str>(?:u8|L|u|U)?"(?:[^"\\\n]|\\.)*")
  | (?P<chr>'(?:[^'\\\n]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<arrow>->)
  | (?P<punct>[()\[\]{},;=.])
  | (?P<ws>\s+)
  | (?P<other>.)
''', re.S | re.M | re.X)


def literal_text(tok):
    body = tok[tok.index('"') + 1:-1]
    return body


SYNTAX = re.compile(r"--[a-z][a-z-]*|\b[A-Z][A-Z_:.-]*\b|\b[a-z]+(?=\|)|(?<=\|)[a-z]+\b")
JSON_KEY = re.compile(r'\\"[a-z_]+\\":')


def is_language(text):
    # usage syntax (--opt, PLACEHOLDER, a|b) and JSON keys are not language
    t = SYNTAX.sub(" ", JSON_KEY.sub(" ", text))
    t = ESC.sub(" ", CONV.sub("0", t))
    if CJK.search(t):
        return True
    words = WORD.findall(t)
    if len(words) < 2:
        return False
    # two words with white space between them (not a file name, an
    # identifier or a path)
    return re.search(r"[A-Za-z]{2,}[^A-Za-z]*\s[^A-Za-z]*[A-Za-z]{2,}", t) \
        is not None


class Lit:
    __slots__ = ("text", "line", "ctx")

    def __init__(self, text, line, ctx):
        self.text, self.line, self.ctx = text, line, ctx


def scan(path):
    """Yield (line, text) of unpaired language literals of one file."""
    src = open(path, encoding="utf-8", errors="replace").read()
    toks = []
    line = 1
    for m in TOKEN.finditer(src):
        kind = m.lastgroup
        val = m.group()
        if kind not in ("comment", "ws", "pp"):
            toks.append((kind, val, line))
        elif kind == "pp" and re.match(r"\s*#\s*define\b", val):
            # a macro body is code too: scan it as tokens
            body = re.sub(r"\\\n", " ", val)
            for m2 in TOKEN.finditer(body):
                k2 = m2.lastgroup
                if k2 not in ("comment", "ws", "pp"):
                    toks.append((k2, m2.group(), line))
        line += val.count("\n")

    # Merge adjacent literals ("a" "b") into one, keeping the first line.
    merged = []
    for kind, val, ln in toks:
        if kind == "str" and merged and merged[-1][0] == "str":
            k, v, l0 = merged[-1]
            merged[-1] = ("str", v[:-1] + val[val.index('"') + 1:], l0)
        else:
            merged.append((kind, val, ln))
    toks = merged

    idents = {v for k, v, _ in toks if k == "ident"}

    # Walk with a stack of open brackets; each entry remembers the call
    # name (for parens) or the declared name (for braces).
    stack = []   # (bracket, name)
    findings = []
    last_ident = None
    decl_name = None
    prev_lits = []   # literals of the current initializer list, in order
    for i, (kind, val, ln) in enumerate(toks):
        if kind == "ident":
            last_ident = val
            continue
        if kind == "punct" and val == "(":
            # a call's name: the identifier just before, or api->x
            name = None
            if i > 0 and toks[i - 1][0] == "ident":
                name = toks[i - 1][1]
            stack.append(("(", name))
            continue
        if kind == "punct" and val == "{":
            # the name being initialized: last identifier before '='
            name = None
            j = i - 1
            while j >= 0 and toks[j][1] in ("=", "[", "]") or \
                    (j >= 0 and toks[j][0] in ("other",) and toks[j][1] in "0123456789"):
                j -= 1
            # skip back over "name [ ] ="
            j = i - 1
            while j >= 0 and toks[j][1] != ";" and toks[j][1] != "{" and toks[j][1] != "}" and i - j < 12:
                if toks[j][0] == "ident" and toks[j + 1][1] in ("[", "="):
                    name = toks[j][1]
                    break
                j -= 1
            stack.append(("{", name, []))
            continue
        if kind == "punct" and val in (")", "}"):
            if stack:
                top = stack.pop()
                if top[0] == "{":
                    pass
            continue
        if kind != "str":
            continue
        text = literal_text(val)
        if not is_language(text):
            continue
        # paired by a call?
        names = [s[1] for s in stack if s[0] == "("]
        if any(n in PAIR_CALLS for n in names):
            continue
        if any(n in NOT_SHOWN for n in names if n):
            continue
        if SQL.match(text):
            continue
        # a designated field that holds code: .code = "...", or a string
        # named for code: static const char fork_code[] = "..."
        if i >= 3 and toks[i - 1][1] == "=" and toks[i - 3][1] == "." and \
                CODE_ARRAY.search(toks[i - 2][1]):
            continue
        if i >= 4 and toks[i - 1][1] == "=" and toks[i - 2][1] == "]" and \
                toks[i - 3][1] == "[" and CODE_ARRAY.search(toks[i - 4][1]):
            continue
        braces = [s for s in stack if s[0] == "{"]
        if braces and any(b[1] and CODE_ARRAY.search(b[1]) for b in braces):
            continue
        # an array whose Chinese twin NAME_zh is in the file (panes_zh)
        if braces and any(b[1] and (b[1] + "_zh" in idents or (
                b[1].endswith("_zh") and b[1][:-3] in idents)) for b in braces):
            continue
        # paired in an initializer: the next literal (after ',' and maybe
        # '.field =') is Chinese, or this one is Chinese and the previous
        # literal was English
        nxt = None
        j = i + 1
        while j < len(toks) and j < i + 6:
            if toks[j][0] == "str":
                nxt = literal_text(toks[j][1])
                break
            if toks[j][1] in (";", "{", "}", "(", ")"):
                break
            j += 1
        if nxt is not None and CJK.search(nxt) and not CJK.search(text):
            continue
        prv = None
        j = i - 1
        while j >= 0 and j > i - 6:
            if toks[j][0] == "str":
                prv = literal_text(toks[j][1])
                break
            if toks[j][1] in (";", "{", "}", "(", ")"):
                break
            j -= 1
        if prv is not None and CJK.search(text) and not CJK.search(prv) \
                and is_language(prv) or (prv is not None and CJK.search(text) and not CJK.search(prv) and WORD.search(prv)):
            continue
        findings.append((ln, text))
    return findings


def load_list(path):
    out = set()
    if path and os.path.exists(path):
        for l in open(path, encoding="utf-8"):
            l = l.rstrip("\n")
            if l and not l.startswith("#"):
                out.add(l)
    return out


def default_files():
    files = []
    for top in ("app", "lessons"):
        for d, _, fs in os.walk(os.path.join(ROOT, top)):
            for f in fs:
                if f.endswith(".c"):
                    files.append(os.path.relpath(os.path.join(d, f), ROOT))
    return sorted(files)


def main(argv):
    pending_path = None
    if len(argv) > 1 and argv[1] == "--pending":
        pending_path = argv[2]
        argv = argv[:1] + argv[3:]
    files = argv[1:] or default_files()
    allow = load_list(os.path.join(ROOT, "tests/content/strings_allow.txt"))
    pending = load_list(pending_path) if pending_path else set()
    bad = 0
    total = 0
    for f in files:
        path = f if os.path.isabs(f) else os.path.join(ROOT, f)
        rel = os.path.relpath(path, ROOT)
        found = [(ln, t) for ln, t in scan(path) if t not in allow]
        total += len(found)
        if rel in pending:
            if not found:
                print(f"{rel}: translated: take it off the pending list")
                bad = 1
            else:
                print(f"{rel}: pending, {len(found)} strings to translate")
            continue
        for ln, t in found:
            print(f'{rel}:{ln}: not in both languages: "{t}"')
            bad = 1
    if pending_path is None:
        print(f"{total} strings in one language only")
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv))
