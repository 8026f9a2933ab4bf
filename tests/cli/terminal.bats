#!/usr/bin/env bats
# A terminal curses cannot draw on: systour says so in one line and runs the
# plain shell instead (run under script(1), so that stdin and stdout are a
# terminal).

load helpers

# in_pty CMD: run CMD in a new pseudo-terminal, "quit" typed into it
in_pty() {
	command -v script >/dev/null || skip "script(1) is not installed"
	run --separate-stderr timeout 30 script -qec "$1" /dev/null <<<"quit"
}

@test "TERM=nosuchterm: one line saying so, then the plain shell; exit 0" {
	in_pty "TERM=nosuchterm $(printf %q "$SYSTOUR")"
	assert_status 0
	assert_out_has "systour: TERM=nosuchterm: no terminfo entry for this TERM; using the plain shell (--plain)"
	assert_out_has "systour> "
	assert_out_lacks "Error opening terminal"
	[ "$(count_of "TERM=nosuchterm" "$output")" -eq 1 ] || fail "said more than once"
}

@test "TERM unset: the plain shell too, saying so" {
	in_pty "env -u TERM $(printf %q "$SYSTOUR")"
	assert_status 0
	assert_out_has "TERM is not set; using the plain shell"
	assert_out_has "systour> "
}

@test "TERM=nosuchterm systour demo NAME: the demo's lines as text" {
	export SYSTOUR_LESSONS="$ROOT/lessons"
	in_pty "TERM=nosuchterm $(printf %q "$SYSTOUR") demo modes --delay 0"
	assert_status 0
	assert_out_has "using the plain shell"
	assert_out_has "[demo] "
	assert_out_lacks "Error opening terminal"
}
