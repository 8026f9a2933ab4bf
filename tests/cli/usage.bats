#!/usr/bin/env bats
# The program's arguments: --help, --version, and every kind of bad usage.

load helpers

@test "--help exits 0 and lists every command of the table" {
	run --separate-stderr "$SYSTOUR" --help
	assert_status 0
	[ -z "$stderr" ] || fail "--help wrote to stderr"
	[[ "${lines[0]}" == "usage: systour"* ]] || fail "first line is not the usage"
	local names
	names=$(table_commands)
	[ "$(count_lines "$names")" -ge 10 ] || fail "could not read the command table: $names"
	local name
	for name in $names; do
		assert_out_match "^  $name( |$)"
	done
}

@test "--help lists the options --plain, --db and --lang" {
	run --separate-stderr "$SYSTOUR" --help
	assert_status 0
	assert_out_match '^  --plain '
	assert_out_match '^  --db PATH '
	assert_out_match '^  --lang zh\|en '
	assert_out_match '^  --version '
}

@test "-h is --help, and --help wins wherever it stands" {
	run --separate-stderr "$SYSTOUR" -h
	assert_status 0
	assert_out_has "usage: systour"
	run --separate-stderr "$SYSTOUR" show 1 --help
	assert_status 0
	[ "${lines[0]}" = "usage: systour show LESSON [STEP] [--lang zh|en]" ] ||
		fail "not show's usage"
	assert_out_lacks "Alpha: opening files"
	run --separate-stderr "$SYSTOUR" --lang en show -h 1
	assert_status 0
	[[ "${lines[0]}" == "usage: systour show "* ]] || fail "not show's usage"
}

@test "COMMAND --help: that command's usage, what it does and its options, one screen, exit 0" {
	local name
	for name in $(table_commands); do
		run --separate-stderr "$SYSTOUR" "$name" --help
		assert_status 0
		[ -z "$stderr" ] || fail "$name --help wrote to stderr"
		[[ "${lines[0]}" == "usage: systour $name"* ||
		    "${lines[0]}" == "usage: $name"* ]] || fail "$name --help: not its usage"
		assert_out_lacks "Commands given only here"
		[ "${#lines[@]}" -le 24 ] || fail "$name --help: more than a screen"
	done
	run --separate-stderr "$SYSTOUR" manager --help
	assert_status 0
	for opt in '--host ADDR' '--port N' '--authkey KEY' '--tasks N' \
	    '--maxsize N' '--max-frame BYTES'; do
		assert_out_match "^  $opt  "
	done
	assert_out_has "8 bytes or more"
	# It does not run: no manager is started, even with its options.
	run --separate-stderr timeout 10 "$SYSTOUR" worker --connect 127.0.0.1:1 --help
	assert_status 0
	[[ "${lines[0]}" == "usage: systour worker --connect HOST:PORT "* ]] ||
		fail "not worker's usage"
	for opt in '--connect HOST:PORT' '--authkey KEY' '--timeout SECONDS' \
	    '--pace MS' '--batch N' '--lease SECONDS'; do
		assert_out_match "^  $opt  "
	done
	run --separate-stderr "$SYSTOUR" --lang zh demo --help
	assert_status 0
	[[ "${lines[0]}" == "用法：systour demo "* ]] || fail "not demo's usage in Chinese"
	assert_out_match '^  --delay MS  '
	run --separate-stderr "$SYSTOUR" quit --help
	assert_status 0
	assert_out_has "Only inside the tutor and the plain shell."
}

@test "an unknown COMMAND --help is bad usage (2), one line on stderr" {
	run --separate-stderr "$SYSTOUR" frobnicate --help
	assert_status 2
	assert_one_error
	assert_err_has "unknown command: frobnicate"
	[ -z "$output" ] || fail "stdout should be empty"
}

@test "--version prints 'systour X.Y.Z' and exits 0" {
	run --separate-stderr "$SYSTOUR" --version
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line"
	[[ "$output" =~ ^systour\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "bad version line"
	[ "$output" = "systour 0.1.0" ] || fail "expected systour 0.1.0"
	[ -z "$stderr" ] || fail "--version wrote to stderr"
}

@test "an unknown option is bad usage (2), one line on stderr" {
	run --separate-stderr "$SYSTOUR" --bogus
	assert_status 2
	assert_one_error
	assert_err_has "--bogus"
	[ -z "$output" ] || fail "stdout should be empty"
}

@test "an unknown option of a command is bad usage (2)" {
	run --separate-stderr "$SYSTOUR" list --bogus
	assert_status 2
	assert_one_error
	assert_err_has "list: unknown option --bogus"
	[ -z "$output" ] || fail "stdout should be empty"
}

@test "an unknown command is bad usage (2), one line on stderr" {
	run --separate-stderr "$SYSTOUR" frobnicate
	assert_status 2
	assert_one_error
	assert_err_has "unknown command: frobnicate"
	[ -z "$output" ] || fail "stdout should be empty"
}

@test "an ambiguous prefix is bad usage (2) and names the candidates" {
	run --separate-stderr "$SYSTOUR" pr
	assert_status 2
	assert_one_error
	assert_err_has "ambiguous command: pr"
	assert_err_has "progress"
	assert_err_has "problems"
}

@test "a unique prefix and an alias run the command" {
	run --separate-stderr "$SYSTOUR" li
	assert_status 0
	assert_out_has "Alpha: opening files"
	run --separate-stderr "$SYSTOUR" ls
	assert_status 0
	assert_out_has "Alpha: opening files"
}

@test "too many arguments is bad usage (2)" {
	run --separate-stderr "$SYSTOUR" list extra
	assert_status 2
	assert_one_error
	assert_err_has "too many arguments"
	run --separate-stderr "$SYSTOUR" show 1 2 3
	assert_status 2
	assert_one_error
	assert_err_has "too many arguments"
}

@test "show without a lesson is bad usage (2)" {
	run --separate-stderr "$SYSTOUR" show
	assert_status 2
	assert_one_error
	assert_err_has "show: too few arguments"
	[ -z "$output" ] || fail "stdout should be empty"
}

@test "show of a lesson that does not exist is bad usage (2)" {
	run --separate-stderr "$SYSTOUR" show nosuch
	assert_status 2
	assert_one_error
	assert_err_has 'no lesson "nosuch"'
	[ -z "$output" ] || fail "stdout should be empty"
	run --separate-stderr "$SYSTOUR" show 42
	assert_status 2
	assert_one_error
}

@test "show of a step out of range is bad usage (2)" {
	run --separate-stderr "$SYSTOUR" show 1 99
	assert_status 2
	assert_one_error
	assert_err_has "step 99: 01-alpha has steps 1 to 4"
	[ -z "$output" ] || fail "stdout should be empty"
	run --separate-stderr "$SYSTOUR" show 1 0
	assert_status 2
	run --separate-stderr "$SYSTOUR" show 1 two
	assert_status 2
}

@test "shell-only commands are bad usage on the command line (2)" {
	run --separate-stderr "$SYSTOUR" next
	assert_status 2
	assert_one_error
	assert_err_has "next: only inside the tutor"
}

@test "--db and --lang need a value (2)" {
	run --separate-stderr "$SYSTOUR" list --db
	assert_status 2
	assert_one_error
	assert_err_has "--db needs a path"
	run --separate-stderr "$SYSTOUR" list --lang
	assert_status 2
	assert_one_error
}

@test "help COMMAND prints that command's usage; help of no command is 2" {
	run --separate-stderr "$SYSTOUR" help show
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line"
	assert_out_match '^  show LESSON \[STEP\]'
	run --separate-stderr "$SYSTOUR" help frobnicate
	assert_status 2
	assert_one_error
	assert_err_has "unknown command: frobnicate"
}

@test "output to a full device is a failure (1)" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr sh -c '"$SYSTOUR" list >/dev/full'
	assert_status 1
}

@test "demo kill: a pane number from 1 to 6, and only where a demo runs" {
	run --separate-stderr "$SYSTOUR" demo kill 9
	assert_status 2
	assert_err_has "demo kill 9: not a pane number from 1 to 6"
	run --separate-stderr "$SYSTOUR" demo kill x
	assert_status 2
	run --separate-stderr "$SYSTOUR" demo fork 2
	assert_status 2
	assert_err_has "demo fork: one name only (kill takes a pane)"
	# outside the tutor no demo runs alongside commands
	run --separate-stderr "$SYSTOUR" demo kill 2
	assert_status 1
	assert_err_has "demo kill: no demo is running here"
}
