#!/usr/bin/env bats
# Exit statuses (0 success, 1 the work failed, 2 bad usage: a name that
# names nothing, or more than one thing, is bad usage) and lookups of
# lessons, demos and commands in any case.

load helpers

real_lessons() {
	export SYSTOUR_LESSONS="$ROOT/lessons"
}

@test "an unknown lesson is bad usage (2), one line naming it" {
	run --separate-stderr "$SYSTOUR" show nosuch
	assert_status 2
	assert_one_error
	assert_err_has 'systour: show: no lesson "nosuch"'
}

@test "a step out of range is bad usage (2)" {
	run --separate-stderr "$SYSTOUR" show 1 99
	assert_status 2
	assert_one_error
	assert_err_has "step 99: 01-alpha has steps 1 to"
	run --separate-stderr "$SYSTOUR" show 1 x
	assert_status 2
}

@test "an unknown demo is bad usage (2)" {
	real_lessons
	run --separate-stderr "$SYSTOUR" demo nosuch --plain
	assert_status 2
	assert_one_error
	assert_err_has 'systour: demo: no demo "nosuch"'
}

@test "unknown command and unknown option are bad usage (2)" {
	run --separate-stderr "$SYSTOUR" frobnicate
	assert_status 2
	assert_one_error
	run --separate-stderr "$SYSTOUR" --frob
	assert_status 2
	assert_one_error
	run --separate-stderr "$SYSTOUR" show 1 --frob
	assert_status 2
	assert_one_error
}

@test "--lang without a value says it needs one (2), as does --lang=" {
	local args
	for args in "--lang" "--lang=" "show 1 --lang" "show 1 --lang="; do
		# shellcheck disable=SC2086
		run --separate-stderr "$SYSTOUR" $args
		assert_status 2
		assert_one_error
		[ "$stderr" = "systour: --lang: needs a value (zh or en)" ] ||
			fail "$args: wrong error"
	done
	run --separate-stderr "$SYSTOUR" --lang fr list
	assert_status 2
	assert_err_has "--lang fr: not a language"
}

@test "the work failing is 1: no lessons to list" {
	mkdir empty
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/empty" run --separate-stderr "$SYSTOUR" list
	assert_status 1
	assert_one_error
}

@test "show p is ambiguous (2) and names both lessons" {
	real_lessons
	run --separate-stderr "$SYSTOUR" show p
	assert_status 2
	assert_one_error
	[ "$stderr" = "systour: show: ambiguous lesson: p, could be: pickle, processes" ] ||
		fail "not the ambiguous message"
}

@test "lessons, demos and commands are found in any case" {
	real_lessons
	run --separate-stderr "$SYSTOUR" show PROCESSES
	assert_status 0
	assert_out_has "fork"
	run --separate-stderr "$SYSTOUR" show 04-Processes 2
	assert_status 0
	run --separate-stderr "$SYSTOUR" SHOW Pick
	assert_status 0
	assert_out_has "pickle"
	run --separate-stderr "$SYSTOUR" LIST
	assert_status 0
	assert_out_match "^04  processes"
	run --separate-stderr timeout 60 "$SYSTOUR" demo BUFFERING --plain --delay 0
	assert_status 0
	assert_out_has "[demo]"
}

@test "a command's option without its value, or a bad value, is bad usage (2)" {
	real_lessons
	run --separate-stderr "$SYSTOUR" demo pool --plain --delay
	assert_status 2
	assert_one_error
	assert_err_has "demo: option --delay needs a value"
	run --separate-stderr "$SYSTOUR" demo pool --plain --delay x
	assert_status 2
	assert_one_error
	run --separate-stderr "$SYSTOUR" --db
	assert_status 2
	assert_one_error
	run --separate-stderr "$SYSTOUR" progress --json --csv
	assert_status 2
	assert_one_error
}

@test "the plain shell: the same names give the same statuses, one error each" {
	real_lessons
	run --separate-stderr "$SYSTOUR" --plain <<<"show p"
	assert_status 2
	assert_err_has "show: ambiguous lesson: p, could be: pickle, processes"
	run --separate-stderr "$SYSTOUR" --plain <<<"show PROCESSES"
	assert_status 0
	assert_out_has "[04-processes"
	run --separate-stderr "$SYSTOUR" --plain <<<"demo nosuch"
	assert_status 2
	assert_one_error
}
