#!/usr/bin/env bats
# `progress` (text, --json, --csv) and `reset`, on tests/fixtures/lessons-basic
# (01-alpha: 4 steps, 02-beta: 2, 10-gamma: 1; 7 steps in all).

load helpers

# See steps 1 and 2 of alpha (each twice) and step 1 of beta (once).
see_some() {
	run --separate-stderr "$SYSTOUR" --plain <<<$'show alpha\nnext\nprev\nnext\nshow beta\n'
	assert_status 0
}

@test "progress (text) with nothing seen lists the lessons at 0% and the db path" {
	run --separate-stderr "$SYSTOUR" progress
	assert_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_out_match '^01 +alpha .* 0% +0/4$'
	assert_out_match '^02 +beta .* 0% +0/2$'
	assert_out_has "Nothing seen yet. Progress is kept in $(db_path)"
}

@test "progress (text) after steps are seen shows them and when" {
	see_some
	run --separate-stderr "$SYSTOUR" progress
	assert_status 0
	assert_out_match '^01 +alpha .* 50% +2/4$'
	assert_out_match '^02 +beta .* 50% +1/2$'
	assert_out_match '^10 +gamma .* 0% +0/1$'
	assert_out_match "^Last step seen [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\. Progress is kept in $(db_path)$"
}

@test "progress --lang zh speaks Chinese" {
	run --separate-stderr "$SYSTOUR" --lang zh progress
	assert_status 0
	assert_out_has "还没有学习记录。进度保存在 $(db_path)"
}

@test "progress --json is valid JSON with lessons, steps, seen, percent" {
	see_some
	run --separate-stderr "$SYSTOUR" progress --json
	assert_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	python3 -m json.tool <<<"$output" >/dev/null || fail "not valid JSON"
	DB=$(db_path) json_assert \
		'j["saving"] is True' \
		'j["database"] == env["DB"]' \
		'[l["id"] for l in j["lessons"]] == ["01-alpha", "02-beta", "10-gamma"]' \
		'[(l["steps"], l["seen"], l["percent"]) for l in j["lessons"]] == [(4, 2, 50), (2, 1, 50), (1, 0, 0)]' \
		'j["lessons"][0]["title"] == "Alpha: opening files"' \
		"j['lessons'][2]['title'] == 'Gamma: the \"tenth\" lesson'"
}

@test "progress --json lists every step seen with its times" {
	see_some
	run --separate-stderr "$SYSTOUR" progress --json
	assert_status 0
	# alpha: steps 1 and 2, twice each; beta: step 1 once; gamma: none.
	# Times are ISO 8601 in UTC, first_seen <= last_seen.
	json_assert \
		'[(s["step"], s["times"]) for s in j["lessons"][0]["steps_seen"]] == [(1, 2), (2, 2)]' \
		'[(s["step"], s["times"]) for s in j["lessons"][1]["steps_seen"]] == [(1, 1)]' \
		'j["lessons"][2]["steps_seen"] == []' \
		'all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s[k]) for l in j["lessons"] for s in l["steps_seen"] for k in ("first_seen", "last_seen"))' \
		'all(s["first_seen"] <= s["last_seen"] for l in j["lessons"] for s in l["steps_seen"])'
}

@test "progress --json titles follow --lang" {
	run --separate-stderr "$SYSTOUR" --lang zh progress --json
	assert_status 0
	json_assert 'j["lessons"][0]["title"] == "甲：打开文件"' 'j["lessons"][1]["title"] == "乙：目录"'
}

@test "progress --csv has a header and one row per step" {
	see_some
	run --separate-stderr "$SYSTOUR" progress --csv
	assert_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	[ "${lines[0]}" = "lesson,step,title,seen,first_seen,last_seen,times" ] || fail "bad header"
	[ "${#lines[@]}" -eq 8 ] || fail "expected header + 7 steps, got ${#lines[@]} lines"
	[[ "${lines[1]}" =~ ^01-alpha,1,Opening\ a\ file,1,[0-9T:Z-]+,[0-9T:Z-]+,2$ ]] || fail "row 1: ${lines[1]}"
	[[ "${lines[2]}" =~ ^01-alpha,2,Reading\ it\ back,1,.*,2$ ]] || fail "row 2: ${lines[2]}"
	[ "${lines[3]}" = "01-alpha,3,Closing,0,,,0" ] || fail "row 3: ${lines[3]}"
	[[ "${lines[5]}" =~ ^02-beta,1,Listing,1,.*,1$ ]] || fail "row 5: ${lines[5]}"
	# a title with a comma and quotes is quoted, its quotes doubled
	[ "${lines[6]}" = '02-beta,2,"Walking, ""recursively""",0,,,0' ] || fail "row 6: ${lines[6]}"
	[ "${lines[7]}" = "10-gamma,1,Only step,0,,,0" ] || fail "row 7: ${lines[7]}"
	# every row has the header's 7 fields
	python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
assert all(len(r) == 7 for r in rows), rows
assert rows[6][2] == "Walking, \"recursively\"", rows[6]' <<<"$output" || fail "rows of the wrong width"
}

@test "progress --json --csv together is bad usage (2)" {
	run --separate-stderr "$SYSTOUR" progress --json --csv
	assert_status 2
	assert_one_error
	assert_err_has "progress: choose one of --json and --csv"
	[ -z "$output" ] || fail "stdout should be empty"
}

@test "progress with an argument is bad usage (2)" {
	run --separate-stderr "$SYSTOUR" progress all
	assert_status 2
	assert_one_error
}

@test "reset --yes erases all progress" {
	see_some
	run --separate-stderr "$SYSTOUR" reset --yes
	assert_status 0
	assert_out_has "All progress erased."
	run --separate-stderr "$SYSTOUR" list
	assert_status 0
	[[ "${lines[0]}" =~ \ 0%\ +0/4$ ]] || fail "alpha should be back to 0%"
	[[ "${lines[1]}" =~ \ 0%\ +0/2$ ]] || fail "beta should be back to 0%"
	run --separate-stderr "$SYSTOUR" progress --json
	json_assert 'sum(len(l["steps_seen"]) for l in j["lessons"]) == 0' \
		'all(l["seen"] == 0 and l["percent"] == 0 for l in j["lessons"])'
}

@test "reset without --yes, stdin not a terminal, is bad usage (2) and erases nothing" {
	see_some
	run --separate-stderr "$SYSTOUR" reset </dev/null
	assert_status 2
	assert_one_error
	assert_err_has "reset: add --yes"
	run --separate-stderr "$SYSTOUR" reset <<<"y"
	assert_status 2
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[0]}" =~ \ 50%\ +2/4$ ]] || fail "progress was erased"
}

@test "reset when progress is not being saved fails (1)" {
	touch afile
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/afile/progress.db" reset --yes
	assert_status 1
	assert_err_has "reset: progress is not being saved"
}

@test "--db PATH keeps progress in that file, apart from the default" {
	mkdir "$BATS_TEST_TMPDIR/other"
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/other/p.db" --plain <<<'show 1'
	assert_status 0
	[ -f "$BATS_TEST_TMPDIR/other/p.db" ] || fail "no database at --db PATH"
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/other/p.db" list
	[[ "${lines[0]}" =~ \ 25%\ +1/4$ ]] || fail "--db PATH lost the progress"
	run --separate-stderr "$SYSTOUR" --db="$BATS_TEST_TMPDIR/other/p.db" progress --json
	json_assert 'j["database"] == env["BATS_TEST_TMPDIR"] + "/other/p.db"'
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[0]}" =~ \ 0%\ +0/4$ ]] || fail "the default db should be untouched"
}

@test "reset asks when stdin is a terminal: n keeps progress (1), y erases (0)" {
	command -v script >/dev/null || skip "no script(1)"
	see_some
	local rc=0
	printf 'n\n' | TERM=dumb timeout 20 script -qec "\"$SYSTOUR\" reset >out.txt 2>err.txt" /dev/null \
		>/dev/null || rc=$?
	[ "$rc" -eq 1 ] || fail "answering n should exit 1, got $rc"
	grep -qF "Erase all progress in $(db_path)? [y/N]" out.txt || fail "no question: $(cat out.txt)"
	grep -qF "Nothing erased." out.txt || fail "$(cat out.txt)"
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[0]}" =~ \ 50%\ +2/4$ ]] || fail "progress was erased"
	rc=0
	printf 'y\n' | TERM=dumb timeout 20 script -qec "\"$SYSTOUR\" reset >out.txt 2>err.txt" /dev/null \
		>/dev/null || rc=$?
	[ "$rc" -eq 0 ] || fail "answering y should exit 0, got $rc"
	grep -qF "All progress erased." out.txt || fail "$(cat out.txt)"
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[0]}" =~ \ 0%\ +0/4$ ]] || fail "progress was not erased"
}

@test "a demo run is recorded: progress --json lists it with how it ended" {
	export SYSTOUR_LESSONS="$BATS_TEST_DIRNAME/../../lessons"
	run --separate-stderr "$SYSTOUR" demo fork --plain --delay 0
	assert_status 0
	run --separate-stderr "$SYSTOUR" progress --json
	assert_status 0
	run python3 -c '
import json, sys
runs = json.load(sys.stdin)["demo_runs"]
assert len(runs) == 1, runs
r = runs[0]
assert r["demo"] == "fork" and r["ended"] == "finished", r
assert r["duration_ms"] >= 0 and r["started"].endswith("Z"), r
' <<<"$output"
	assert_status 0
	run --separate-stderr "$SYSTOUR" progress
	assert_out_match '^Live demos run: 1\.$'
}

@test "reset in the plain shell: asked at a terminal (n keeps, y erases); in a script, --yes or bad usage (2)" {
	command -v script >/dev/null || skip "no script(1)"
	see_some
	# a script (stdin not a terminal) cannot answer: as one-shot, it says --yes
	run --separate-stderr "$SYSTOUR" --plain <<<"reset"
	assert_status 2
	assert_one_error
	assert_err_has "reset: add --yes"
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[0]}" =~ \ 50%\ +2/4$ ]] || fail "progress was erased"
	# a person at the plain shell is asked
	printf 'reset\nn\nquit\n' | TERM=dumb timeout 20 script -qec \
		"\"$SYSTOUR\" --plain >out.txt 2>err.txt" /dev/null >/dev/null ||
		fail "the shell failed: $(cat err.txt)"
	grep -qF "Erase all progress in $(db_path)? [y/N]" out.txt || fail "no question: $(cat out.txt)"
	grep -qF "Nothing erased." out.txt || fail "$(cat out.txt)"
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[0]}" =~ \ 50%\ +2/4$ ]] || fail "progress was erased"
	printf 'reset\ny\nquit\n' | TERM=dumb timeout 20 script -qec \
		"\"$SYSTOUR\" --plain >out.txt 2>err.txt" /dev/null >/dev/null ||
		fail "the shell failed: $(cat err.txt)"
	grep -qF "All progress erased." out.txt || fail "$(cat out.txt)"
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[0]}" =~ \ 0%\ +0/4$ ]] || fail "progress was not erased"
	# --yes does not ask
	see_some
	run --separate-stderr "$SYSTOUR" --plain <<<"reset --yes"
	assert_status 0
	assert_out_has "All progress erased."
	assert_out_lacks "[y/N]"
}
