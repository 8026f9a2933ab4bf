# helpers.bash — shared setup for the command-line tests of systour.
#
# Every test runs in its own temporary directory ($BATS_TEST_TMPDIR) with
# XDG_DATA_HOME inside it, so no test touches the learner's progress, and with
# a clean locale (English unless a test says otherwise). Lessons come from the
# fixture trees in tests/fixtures/ unless a test points SYSTOUR_LESSONS
# elsewhere.

bats_require_minimum_version 1.5.0

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
FIXTURES="$ROOT/tests/fixtures"
: "${SYSTOUR:=$ROOT/systour}"
export SYSTOUR

setup() {
	[ -x "$SYSTOUR" ] || {
		echo "systour is not built at $SYSTOUR (run make)" >&2
		return 1
	}
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	unset LC_ALL LC_MESSAGES LANGUAGE COLUMNS LINES NO_COLOR
	export LANG=C.UTF-8
	export SYSTOUR_LESSONS="$FIXTURES/lessons-basic"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# The default progress database of a test.
db_path() {
	printf '%s\n' "$XDG_DATA_HOME/systour/progress.db"
}

# Fail with a message (and what was seen) unless a condition holds.
fail() {
	{
		printf '%s\n' "$*"
		printf -- '--- status: %s\n' "${status-}"
		printf -- '--- stdout:\n%s\n' "${output-}"
		printf -- '--- stderr:\n%s\n' "${stderr-}"
	} >&2
	return 1
}

# assert_status N: the last `run` exited with N.
assert_status() {
	[ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}

# assert_out_has TEXT / assert_err_has TEXT: fixed-string search.
assert_out_has() {
	grep -qF -- "$1" <<<"$output" || fail "stdout lacks: $1"
}
assert_out_lacks() {
	! grep -qF -- "$1" <<<"$output" || fail "stdout has: $1"
}
assert_err_has() {
	grep -qF -- "$1" <<<"$stderr" || fail "stderr lacks: $1"
}
# assert_out_match REGEX (extended).
assert_out_match() {
	grep -qE -- "$1" <<<"$output" || fail "no stdout line matches: $1"
}

# The number of lines of text (0 for the empty string).
count_lines() {
	if [ -z "$1" ]; then
		echo 0
	else
		printf '%s\n' "$1" | wc -l | tr -d ' '
	fi
}

# assert_one_error: stderr is exactly one line, "systour: what: why".
assert_one_error() {
	local n
	n=$(count_lines "$stderr")
	[ "$n" -eq 1 ] || fail "expected one line on stderr, got $n"
	[[ "$stderr" == "systour: "* ]] || fail "stderr does not start with 'systour: '"
}

# count_of TEXT IN: how many lines of IN contain TEXT (fixed string).
count_of() {
	grep -cF -- "$1" <<<"$2" || true
}

# The names of every command in the shared table, read from the source:
# the .name of each `struct cmd_entry cmd_..._entry` in app/*/*.c.
table_commands() {
	awk '/struct cmd_entry [a-z_]+ = \{/ { want = 1 }
	     want && match($0, /\.name = "[^"]+"/) {
		s = substr($0, RSTART, RLENGTH); sub(/^\.name = "/, "", s);
		sub(/"$/, "", s); print s; want = 0 }' "$ROOT"/app/*/*.c
}

# check_width FILE COLS [FILE COLS ...]: every line of each FILE is valid
# UTF-8 (strict) and at most COLS display columns wide (East Asian Wide and
# Fullwidth count two). Prints the offending lines and fails otherwise.
# Code is never wrapped when show writes to a file or a pipe: a line that is
# whole a line of a code block of the Markdown files in $CODE_FROM (after its
# margin) may be wider.
check_width() {
	python3 - "$@" <<'EOF'
import os, re, sys, unicodedata
bad = 0
args = sys.argv[1:]
code = set()
for md in os.environ.get('CODE_FROM', '').split():
    fence = False
    for l in open(md, encoding='utf-8').read().split('\n'):
        if l.lstrip().startswith('```'):
            fence = not fence
        elif fence and l.strip():
            code.add(l.strip())
for path, cols in zip(args[0::2], args[1::2]):
    cols = int(cols)
    data = open(path, 'rb').read()
    try:
        text = data.decode('utf-8', errors='strict')
    except UnicodeDecodeError as e:
        print(f"{path}: not valid UTF-8: {e}")
        bad += 1
        continue
    for n, line in enumerate(text.split('\n'), 1):
        if '\ufffd' in line:
            print(f"{path}:{n}: U+FFFD (a cut character): {line!r}")
            bad += 1
        w = sum(2 if unicodedata.east_asian_width(c) in ('W', 'F') else 1
                for c in line if unicodedata.category(c) not in ('Mn', 'Me', 'Cf'))
        if w > cols and line.lstrip('┃ ').strip() in code:
            continue
        if w > cols:
            print(f"{path}:{n}: {w} columns > {cols}: {line!r}")
            bad += 1
sys.exit(1 if bad else 0)
EOF
}

# copy_tree NAME: a copy of tests/fixtures/NAME in the test's directory, with
# every demos.c in it built into demos.so beside it (the Makefile builds only
# lessons/*/demos.c), except in folders holding a file named .nobuild.
# Prints the copy's path.
copy_tree() {
	local dst="$BATS_TEST_TMPDIR/$1" c
	cp -R "$FIXTURES/$1" "$dst" || return 1
	for c in "$dst"/*/demos.c; do
		[ -e "$c" ] || continue
		[ -e "${c%/*}/.nobuild" ] && continue
		cc -shared -fPIC -I"$ROOT/app/demo" -o "${c%.c}.so" "$c" || return 1
	done
	printf '%s\n' "$dst"
}

# json_assert EXPR...: parse $output as JSON (bound to j; re is imported,
# and env is os.environ) and check that every Python expression is true, in
# one python3 run. Prints each false one and fails; fails too when $output is
# not JSON.
JSON_ASSERT_PY='
import json, re, sys
from os import environ as env
try:
    j = json.loads(sys.stdin.read())
except ValueError as e:
    print(f"not valid JSON: {e}")
    sys.exit(1)
bad = 0
for expr in sys.argv[1:]:
    try:
        ok = eval(expr)
    except Exception as e:
        ok = False
        expr += f"  -> {type(e).__name__}: {e}"
    if not ok:
        print(f"false: {expr}")
        bad += 1
sys.exit(1 if bad else 0)
'
json_assert() {
	local why
	why=$(python3 -c "$JSON_ASSERT_PY" "$@" <<<"$output") || fail "$why"
}
