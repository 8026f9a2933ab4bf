#!/usr/bin/env bats
# The plain shell: commands read line by line from stdin (a script), on
# tests/fixtures/lessons-basic (01-alpha has 4 steps).

load helpers

@test "a script of shell commands prints the steps and records them" {
	run --separate-stderr "$SYSTOUR" --plain \
		< <(printf 'show 1\nnext\nnext\nprev\nstep 2\nlang zh\nhelp\nquit\n')
	assert_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	# each step shown, in order: 1 2 3 2 2, then 2 again in Chinese
	local heads
	heads=$(grep -E '^[0-9]+/4 ' <<<"$output" | cut -d' ' -f1 | tr '\n' ' ')
	[ "$heads" = "1/4 2/4 3/4 2/4 2/4 2/4 " ] || fail "steps shown: $heads"
	assert_out_has "[01-alpha · Alpha: opening files]"
	assert_out_has "[01-alpha · 甲：打开文件]"
	assert_out_match '^2/4 · 读回数据$'
	assert_out_has "(next, prev, step N, list, help)"
	# help, in Chinese now, lists the commands
	assert_out_match '^  next  \(n\) +下一步$'
	assert_out_lacks "4/4"

	run --separate-stderr "$SYSTOUR" progress --json
	assert_status 0
	json_assert \
		'[(l["seen"], l["percent"]) for l in j["lessons"]] == [(3, 75), (0, 0), (0, 0)]' \
		'[(s["step"], s["times"]) for s in j["lessons"][0]["steps_seen"]] == [(1, 1), (2, 4), (3, 1)]'
}

@test "the shell's aliases and prefixes work: n, p, open, ls" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'open beta\nn\np\nls\n'
	assert_status 0
	local heads
	heads=$(grep -E '^[0-9]+/2 ' <<<"$output" | cut -d' ' -f1 | tr '\n' ' ')
	[ "$heads" = "1/2 2/2 1/2 " ] || fail "steps shown: $heads"
	assert_out_match '^02 +beta .* 100% +2/2$'
}

@test "show LESSON STEP in the shell opens that step only" {
	run --separate-stderr "$SYSTOUR" --plain <<<'show alpha 3'
	assert_status 0
	assert_out_match '^3/4 · Closing$'
	assert_out_lacks "Opening a file"
	assert_out_lacks "Summing up"
}

@test "a bad command in a script prints one error line and the script goes on" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'frobnicate\nshow beta\n'
	assert_status 0
	assert_one_error
	assert_err_has "unknown command: frobnicate"
	assert_out_has "[02-beta · Beta: directories]"
}

@test "the exit status of a script is its last command's" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 1\nfrobnicate\n'
	assert_status 2
	assert_one_error
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 1\nshow nosuch\n'
	assert_status 2
	assert_one_error
	assert_err_has 'no lesson "nosuch"'
	run --separate-stderr "$SYSTOUR" --plain <<<$'show nosuch\nshow 1\n'
	assert_status 0
	assert_one_error
	# blank lines do not count as commands
	run --separate-stderr "$SYSTOUR" --plain <<<$'show nosuch\n\n   \n'
	assert_status 2
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 1\nprev\n'
	assert_status 1
	run --separate-stderr "$SYSTOUR" --plain </dev/null
	assert_status 0
	[ -z "$output$stderr" ] || fail "an empty script should print nothing"
}

@test "moving past either end of a lesson is an error (1)" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 10\nnext\n'
	assert_status 1
	assert_one_error
	assert_err_has "next: this is the last step of 10-gamma"
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 1\nprev\n'
	assert_status 1
	assert_one_error
	assert_err_has "prev: this is the first step of 01-alpha"
}

@test "next, prev and step without an open lesson are errors (1)" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'next\nprev\nstep 1\n'
	assert_status 1
	[ "$(count_lines "$stderr")" -eq 3 ] || fail "expected three error lines"
	[ "$(count_of "no lesson is open" "$stderr")" -eq 3 ] || fail "wrong errors"
	[ -z "$output" ] || fail "stdout should be empty"
}

@test "step out of range and lang xx in the shell are bad usage (2)" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 1\nstep 9\n'
	assert_status 2
	assert_one_error
	assert_err_has "step 9: 01-alpha has steps 1 to 4"
	run --separate-stderr "$SYSTOUR" --plain <<<$'lang xx\n'
	assert_status 2
	assert_one_error
}

@test "lang with no argument prints the language; lang zh without a lesson lists" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'lang\nlang zh\nlang\n'
	assert_status 0
	[ "${lines[0]}" = "en" ] || fail "first: en"
	assert_out_match '^01 +alpha +甲：打开文件 '
	[ "${lines[${#lines[@]}-1]}" = "zh" ] || fail "last: zh"
}

@test "shell-only lines: quotes split words, an unclosed quote is bad usage" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'show "alpha" \'2\'\n'
	assert_status 0
	assert_out_match '^2/4 · Reading it back$'
	run --separate-stderr "$SYSTOUR" --plain <<<$'show "alpha\n'
	assert_status 2
	assert_one_error
	assert_err_has "quote is not closed"
}

@test "quit ends the script; later lines are not run" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 2\nquit\nshow 1\n'
	assert_status 0
	assert_out_has "[02-beta · Beta: directories]"
	assert_out_lacks "01-alpha"
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 2\nexit\nshow 1\n'
	assert_status 0
	assert_out_has "[02-beta · Beta: directories]"
	assert_out_lacks "01-alpha"
}

@test "systour with stdout to a pipe (no --plain) is the plain shell" {
	run --separate-stderr "$SYSTOUR" <<<$'show 2\nnext\n'
	assert_status 0
	assert_out_has "[02-beta · Beta: directories]"
	assert_out_match '^2/2 · Walking'
	# no terminal control sequences: it is not the TUI
	! grep -q $'\e' <<<"$output" || fail "escape sequences in the output"
	run --separate-stderr "$SYSTOUR" list
	assert_out_match '^02 +beta .* 100% +2/2$'
}

@test "systour with stdin a terminal but stdout a file is the shell (readline)" {
	command -v script >/dev/null || skip "no script(1)"
	printf 'show 2\nquit\n' |
		TERM=dumb timeout 20 script -qec "\"$SYSTOUR\" >out.txt 2>err.txt" /dev/null >/dev/null
	output=$(cat out.txt)
	stderr=$(cat err.txt)
	assert_out_has "type help for the commands, quit to leave."
	assert_out_has "[02-beta · Beta: directories]"
	assert_out_match '^1/2 · Listing$'
	[ -z "$stderr" ] || fail "stderr: $stderr"
	run --separate-stderr "$SYSTOUR" list
	assert_out_match '^02 +beta .* 50% +1/2$'
}
