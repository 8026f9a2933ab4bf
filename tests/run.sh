#!/bin/sh
# Runs every test — the cmocka unit tests, the command-line and plain-shell
# tests, and the end-to-end terminal tests (bats, driving tmux) — reading
# their TAP output, and ends with one line: "N passed, N failed".
# Environment: SYSTOUR (the program), BUILD (where the unit tests are).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SYSTOUR=${SYSTOUR:-$top/systour}
BUILD=${BUILD:-build}
export SYSTOUR
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Count the TAP lines of one suite; print the failures as they are.
tally() {
	name=$1
	shift
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^ok ' "$log" | tr -d ' ')
	s=$(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$log" | tr -d ' ')
	f=$(grep -c '^not ok ' "$log" | tr -d ' ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
}

passed=0 failed=0 skipped=0
for t in "$top/$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	tally "unit: $(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
for dir in content cli demos interop fuzz e2e exercises; do
	ls "$top/tests/$dir"/*.bats >/dev/null 2>&1 || continue
	tally "$dir" bats --tap "$top/tests/$dir"
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
