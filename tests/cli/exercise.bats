#!/usr/bin/env bats
# The exercise commands and the sandboxed runner, from the shell: list,
# check (text and --json, exit status 0 only on a pass), hint, solution
# (only after a failed attempt), reset EX (asks first), watch (a save by
# rename is checked again), and the limits: an endless loop, CPU time, a
# fork bomb, a gigabyte written, a million lines printed, memory without
# end — each stopped within its limit, with no process left behind. The
# fixture tree tests/fixtures/exercises-limits holds one exercise per
# limit; the samples in exercises/processes are real exercises.

load helpers

LIMITS="$ROOT/tests/fixtures/exercises-limits"

setup() {
	[ -x "$SYSTOUR" ] || return 1
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
	export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	unset LC_ALL LC_MESSAGES LANGUAGE COLUMNS LINES NO_COLOR SYSTOUR_WORKSPACE
	export LANG=C.UTF-8
	export SYSTOUR_LESSONS="$FIXTURES/lessons-basic"
	export SYSTOUR_EXERCISES="$LIMITS"
	WS="$BATS_TEST_TMPDIR/ws"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# No process of a fixture's check is left (they all carry this word).
assert_none_left() {
	local left
	left=$(pgrep -f exlimit-marker || true)
	[ -z "$left" ] || fail "processes left behind: $left"
}

# check_timed EX MAX_MS: run `check EX --json`, fail if it took longer.
check_timed() {
	local t0 t1
	t0=$(date +%s%N)
	run --separate-stderr "$SYSTOUR" check "$1" --json --workspace "$WS"
	t1=$(date +%s%N)
	ELAPSED=$(( (t1 - t0) / 1000000 ))
	[ "$ELAPSED" -le "$2" ] || fail "took $ELAPSED ms (at most $2)"
}

json_field() {
	python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' \
	    "$output" "$1"
}

@test "exercises lists every exercise with its track and title" {
	run --separate-stderr "$SYSTOUR" exercises
	assert_status 0
	assert_out_match '^limits/01-loop +Python +- +an endless loop$'
	assert_out_match '^limits/09-cc +C +- '
	[ "$(count_lines "$output")" -eq 11 ] || fail "expected 11 exercises"
}

@test "exercises LESSON and --json; an unknown lesson is an error" {
	run --separate-stderr "$SYSTOUR" exercises limits --json
	assert_status 0
	python3 -c 'import json,sys; v = json.loads(sys.argv[1]); assert len(v) == 11 and v[0]["id"] == "limits/01-loop" and v[0]["done"] is False' "$output"
	run --separate-stderr "$SYSTOUR" exercises nosuch
	assert_status 1
	assert_one_error
	assert_err_has 'no exercises for lesson "nosuch"'
}

@test "check: a passing check exits 0, copies the starter once, never over the learner's file" {
	run --separate-stderr "$SYSTOUR" check limits/07-pass --workspace "$WS"
	assert_status 0
	assert_out_has "PASS limits/07-pass"
	assert_out_has "Your copy of the starter: $WS/limits/07-pass/prog.py"
	echo "# mine" >"$WS/limits/07-pass/prog.py"
	run --separate-stderr "$SYSTOUR" check limits/07 --workspace "$WS" --json
	assert_status 0
	assert_out_lacks "Your copy"
	[ "$(cat "$WS/limits/07-pass/prog.py")" = "# mine" ] || fail "overwritten"
	[ "$(json_field status)" = pass ] || fail "not pass"
}

@test "check --json has the one result shape" {
	run --separate-stderr "$SYSTOUR" check limits/07-pass --workspace "$WS" --json
	python3 - "$output" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
assert set(r) >= {"exercise", "status", "message", "checks"}, r
assert r["status"] == "pass"
assert [c["name"].split(" in ")[0] for c in r["checks"]] == ["it ran", "the learner's file is there"]
for c in r["checks"]:
    assert set(c) == {"name", "status", "output"} and c["status"] == "pass"
assert r["checks"][1]["output"] == "EX_RUN=python3 -u prog.py EX_LANG=en"
PY
}

@test "check: a check that crashes is an error with its stderr, exit 1" {
	check_timed limits/08-crash 10000
	assert_status 1
	[ "$(json_field status)" = error ] || fail "not error"
	assert_out_has 'the check itself ended badly (exit status 3)'
	assert_out_has 'something went wrong in the check'
}

@test "check: C that does not compile fails with the compiler's message" {
	run --separate-stderr "$SYSTOUR" check limits/09-cc --workspace "$WS"
	assert_status 1
	assert_out_has "FAIL limits/09-cc"
	assert_out_has "FAIL compiles"
	assert_out_has "undefined_thing"
}

@test "check: a missing python module skips, saying what to install" {
	run --separate-stderr "$SYSTOUR" check limits/10-needs --workspace "$WS" --json
	assert_status 1
	[ "$(json_field status)" = skip ] || fail "not skip"
	assert_out_has "install the python module no_such_module_xyz"
}

@test "limits: an endless loop times out after its wall clock, nothing left" {
	check_timed limits/01-loop 8000
	assert_status 1
	[ "$ELAPSED" -ge 2900 ] || fail "stopped too early: $ELAPSED ms"
	assert_out_has 'timed out after 3 s: an endless loop?'
	assert_none_left
}

@test "limits: CPU time is limited" {
	check_timed limits/02-cpu 15000
	assert_status 1
	assert_out_has 'used more than 1 s of CPU time: an endless loop?'
	assert_none_left
}

@test "limits: a fork bomb is contained (also as root) and killed" {
	check_timed limits/03-forkbomb 12000
	assert_status 1
	assert_out_has 'timed out after 4 s'
	assert_none_left
}

@test "limits: a gigabyte written stops at the file size limit" {
	check_timed limits/04-bigfile 15000
	assert_status 0
	assert_out_has '"output": "size 16777216"'
}

@test "limits: a million lines printed is stopped at the output limit" {
	check_timed limits/05-million 10000
	assert_status 1
	assert_out_has 'printed more than 64 KiB: stopped'
	assert_none_left
}

@test "limits: allocating without end is refused at the memory limit" {
	check_timed limits/06-memory 15000
	assert_status 0
	assert_out_has 'the allocation was refused'
}

@test "hint shows the next hint each time, then the last again" {
	export SYSTOUR_EXERCISES="$ROOT/exercises"
	run --separate-stderr "$SYSTOUR" hint processes/01-fork-wait
	assert_status 0
	assert_out_has "Hint 1 of 3:"
	run --separate-stderr "$SYSTOUR" hint processes/01-fork-wait
	assert_out_has "Hint 2 of 3:"
	run --separate-stderr "$SYSTOUR" hint processes/01-fork-wait
	run --separate-stderr "$SYSTOUR" hint processes/01-fork-wait
	assert_out_has "Hint 3 of 3 (the last one):"
	run --separate-stderr "$SYSTOUR" --lang zh hint processes/01-fork-wait
	assert_out_has "提示 3 / 3"
}

@test "solution only after a failed attempt; the attempt and the views are recorded" {
	export SYSTOUR_EXERCISES="$ROOT/exercises"
	run --separate-stderr "$SYSTOUR" solution processes/03-pool-results
	assert_status 1
	assert_one_error
	assert_err_has "the solution opens after a failed attempt"
	run --separate-stderr "$SYSTOUR" check processes/03-pool-results --workspace "$WS"
	assert_status 1
	assert_out_has "FAIL processes/03-pool-results"
	run --separate-stderr "$SYSTOUR" solution processes/03-pool-results
	assert_status 0
	assert_out_has "==> pool.py <=="
	assert_out_has "p.join()"
	run sqlite3 "$(db_path)" "SELECT kind, coalesce(status, '') FROM exercise_event ORDER BY rowid"
	[ "$output" = "$(printf 'attempt|fail\nsolution|')" ] || fail "events: $output"
}

@test "the samples: the starter fails and the solution passes" {
	export SYSTOUR_EXERCISES="$ROOT/exercises"
	for ex in processes/01-fork-wait processes/03-pool-results; do
		run --separate-stderr "$SYSTOUR" check "$ex" --workspace "$WS" --json
		assert_status 1
		[ "$(json_field status)" = fail ] || fail "$ex starter: not fail"
		for f in "$ROOT/exercises/$ex"/solution/*; do
			cp "$f" "$WS/$ex/"
		done
		run --separate-stderr "$SYSTOUR" check "$ex" --workspace "$WS" --json
		assert_status 0
	done
}

@test "reset EX asks first; --yes puts the starter back" {
	run --separate-stderr "$SYSTOUR" check limits/07-pass --workspace "$WS"
	echo "# mine" >"$WS/limits/07-pass/prog.py"
	run --separate-stderr "$SYSTOUR" reset limits/07-pass --workspace "$WS" </dev/null
	assert_status 2
	assert_err_has "add --yes"
	[ "$(cat "$WS/limits/07-pass/prog.py")" = "# mine" ] || fail "reset without asking"
	run --separate-stderr "$SYSTOUR" reset limits/07-pass --workspace "$WS" --yes
	assert_status 0
	[ "$(cat "$WS/limits/07-pass/prog.py")" = "# a passing check" ] || fail "not reset"
}

@test "unknown exercise: one line, exit 1; no argument and none current: exit 1" {
	run --separate-stderr "$SYSTOUR" check nosuch/thing
	assert_status 1
	assert_one_error
	assert_err_has 'check: no exercise "nosuch/thing"'
	run --separate-stderr "$SYSTOUR" check
	assert_status 1
	assert_err_has "check: which exercise?"
	run --separate-stderr "$SYSTOUR" check limits/0
	assert_status 1
	assert_err_has 'ambiguous exercise "limits/0"'
}

# Wait (at most $2 seconds) until file $1 has $3 lines matching $4.
wait_lines() {
	local i=0
	while [ "$i" -lt $(( $2 * 20 )) ]; do
		[ "$(grep -c -- "$4" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

@test "watch checks at once, then again after a save by rename, and stops on SIGINT" {
	"$SYSTOUR" watch limits/07-pass --workspace "$WS" >watch.out 2>watch.err </dev/null &
	local pid=$!
	wait_lines watch.out 20 1 '^PASS limits/07-pass' || { kill $pid; fail "no first result: $(cat watch.out watch.err)"; }
	wait_lines watch.out 5 1 'waiting for a save' || { kill $pid; fail "not waiting"; }
	# save as editors do: a new file renamed over the old one
	printf '# saved\n' >"$WS/limits/07-pass/.prog.py.swp"
	mv "$WS/limits/07-pass/.prog.py.swp" "$WS/limits/07-pass/prog.py"
	wait_lines watch.out 20 2 '^PASS limits/07-pass' || { kill $pid; fail "the rename was not seen: $(cat watch.out)"; }
	grep -q 'saved: checking again' watch.out || fail "no 'saved' line"
	grep -qE 'ms from the save to this result' watch.out || fail "no latency line"
	# a file that is not the exercise's changes nothing
	echo x >"$WS/limits/07-pass/other.txt"
	# a quiet spell longer than the debounce and a check: nothing may come
	sleep 0.5
	[ "$(grep -c '^PASS' watch.out)" -eq 2 ] || fail "checked for another file"
	kill -INT $pid
	local i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
	! kill -0 $pid 2>/dev/null || { kill -9 $pid; fail "watch did not stop on SIGINT"; }
	wait $pid || true
}

@test "make install puts the exercises; the installed program finds and checks them" {
	prefix="$BATS_TEST_TMPDIR/prefix"
	run make -C "$ROOT" --no-print-directory install PREFIX="$prefix"
	assert_status 0
	[ -x "$prefix/share/systour/exercises/processes/01-fork-wait/check" ] || fail "check not executable"
	[ -f "$prefix/share/systour/exercises/FORMAT.md" ] || fail "no FORMAT.md"
	unset SYSTOUR_EXERCISES SYSTOUR_LESSONS
	run --separate-stderr "$prefix/bin/systour" exercises processes
	assert_status 0
	assert_out_match '^processes/01-fork-wait +C '
	run --separate-stderr "$prefix/bin/systour" check processes/01-fork-wait --workspace "$WS" --json
	assert_status 1
	[ "$(json_field status)" = fail ] || fail "the installed starter does not fail"
}

@test "the plain shell: exercises, check and hint through the same commands" {
	run --separate-stderr "$SYSTOUR" --plain <<-EOF2
		exercises limits
		check limits/07-pass --workspace $WS
		hint limits/07-pass
	EOF2
	assert_out_has "limits/07-pass"
	assert_out_has "PASS limits/07-pass"
	assert_err_has "hint: limits/07-pass has no hints"
}

@test "progress --json lists every attempt and hint with its time" {
	export SYSTOUR_EXERCISES="$ROOT/exercises"
	run --separate-stderr "$SYSTOUR" hint processes/03-pool-results
	run --separate-stderr "$SYSTOUR" progress --json
	assert_status 0
	python3 - "$output" <<'PY'
import json, sys, re
p = json.loads(sys.argv[1])
ev = p["exercise_events"]
assert len(ev) == 1, ev
e = ev[0]
assert e["exercise"] == "processes/03-pool-results" and e["kind"] == "hint" and e["detail"] == "1", e
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", e["at"]), e
PY
}

# A tree of two trivial exercises: files/01-close (named by lessons-basic's
# 01-alpha) and alpha/01-one (of the lesson 01-alpha by name).
small_tree() {
	local d
	for d in files/01-close alpha/01-one; do
		mkdir -p "$BATS_TEST_TMPDIR/ex/$d/starter"
		printf 'title.en = t\ntitle.zh = t\ntrack = python\nfiles = p.py\n' \
		    >"$BATS_TEST_TMPDIR/ex/$d/exercise.ini"
		echo pass >"$BATS_TEST_TMPDIR/ex/$d/starter/p.py"
		printf '#!/bin/sh\necho "ok 1 - fine"\n' >"$BATS_TEST_TMPDIR/ex/$d/check"
		chmod +x "$BATS_TEST_TMPDIR/ex/$d/check"
	done
	export SYSTOUR_EXERCISES="$BATS_TEST_TMPDIR/ex"
}

@test "a step's exercise directive offers the exercise when it exists" {
	run --separate-stderr "$SYSTOUR" show 1
	assert_out_has 'Exercise "files/01-close": not available yet'
	small_tree
	run --separate-stderr "$SYSTOUR" show 1
	assert_status 0
	assert_out_has 'Exercise "files/01-close": press x to open it'
}

@test "the lesson list shows exercises passed beside steps seen" {
	small_tree
	run --separate-stderr "$SYSTOUR" list
	assert_out_match '^01  alpha .*0/4  exercises 0/1$'
	run --separate-stderr "$SYSTOUR" check alpha/01-one --workspace "$WS"
	assert_status 0
	run --separate-stderr "$SYSTOUR" list
	assert_out_match '^01  alpha .*exercises 1/1$'
	assert_out_lacks 'beta .*exercises'
}
