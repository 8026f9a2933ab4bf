#!/usr/bin/env bats
# The course itself: the real lessons/ tree loads whole, covers the notes'
# nine topics in both languages, and names every known mistake of the notes.

bats_require_minimum_version 1.5.0

setup() {
	top="$BATS_TEST_DIRNAME/../.."
	SYSTOUR=${SYSTOUR:-$top/systour}
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR"
	export SYSTOUR_LESSONS="$top/lessons"
}

@test "every lesson folder loads, with no problems reported" {
	run --separate-stderr "$SYSTOUR" problems
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "the list has the nine topics of the notes, in order" {
	run "$SYSTOUR" list
	[ "$status" -eq 0 ]
	names=$(printf '%s\n' "$output" | awk '{print $1 "-" $2}' | tr '\n' ' ')
	[ "$names" = "01-files 02-filesystem 03-pickle 04-processes 05-ipc 06-threads 07-coroutines 08-distributed 09-sockets " ]
}

@test "every step shows the notes' Python and the C underneath; every known mistake has an erratum" {
	run python3 "$BATS_TEST_DIRNAME/check_lessons.py" "$top/lessons"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "every lesson shows whole in both languages" {
	for n in 1 2 3 4 5 6 7 8 9; do
		for l in en zh; do
			run --separate-stderr "$SYSTOUR" show "$n" --lang "$l"
			[ "$status" -eq 0 ]
			[ -z "$stderr" ]
			[ "${#output}" -gt 2000 ]
		done
	done
}

@test "the examples of the added steps print what the steps say, in both languages" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	run python3 "$BATS_TEST_DIRNAME/check_examples.py" "$top/lessons"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "the README names only what a clone has; each of its systour lines runs with status 0" {
	run python3 "$BATS_TEST_DIRNAME/check_readme.py" "$top"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" command lines checked, 0 failed"* ]]
}

@test "every ::: exercise line names an exercise folder, and every exercise folder is named by a lesson" {
	run python3 "$BATS_TEST_DIRNAME/check_exercise_links.py" "$top"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *", 0 problems" ]]
}
